package polarlicense

import (
	"context"
	"encoding/hex"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"unsafe"
)

// The redaction matrix: every type that holds a secret, in every container a
// careless caller might put it in, printed with every verb, shows no secret
// in any form fmt could write it in (raw, quoted, hex of either case).

// matrixVerbs are fmt's verbs, those that mean something for some kind and
// those that mean nothing for these types (which fmt's bad-verb path would
// print as %!verb(type=value), value included).
var matrixVerbs = []string{
	"%v", "%+v", "%#v", "%s", "%q", "%x", "%X", "% x", "%#x", "%t", "%d", "%p", "%#p",
	"%b", "%o", "%O", "%c", "%U", "%e", "%E", "%f", "%F", "%g", "%G", "%w", "%z",
	"%10.3s", "%-8v", "%+q", "%#q",
}

// matrixSecrets are the secrets of the matrix's values, and matrixForms the
// ways fmt could write each.
var matrixSecrets = []string{testSecret, testToken, testLicense, "LICENSE-CONTENT-SECRET"}

func matrixForms() []string {
	var forms []string
	for _, s := range matrixSecrets {
		h := hex.EncodeToString([]byte(s))
		forms = append(forms, s, h, strings.ToUpper(h))
		// "% x" spaces the bytes: its first few bytes are enough to tell.
		spaced := fmt.Sprintf("% x", s[:6])
		forms = append(forms, spaced, strings.ToUpper(spaced))
	}
	return forms
}

// secretHolders returns one value of each type that holds a secret, by
// value, keyed by the type's name.
func secretHolders(t *testing.T) map[string]any {
	t.Helper()
	code := ActivationCode{ID: 7, Name: "host-a", MacAddress: "00:11:22:33:44:55"}
	c, err := NewClient(WithSTSToken(testKeyID, testSecret, testToken), WithSignatureAlgorithm(SignatureRPC))
	if err != nil {
		t.Fatal(err)
	}
	return map[string]any{
		"credential":  newCredential(testKeyID, testSecret, testToken),
		"CertContent": NewCertContent(testLicense),
		"CreateActivationCodeResponse": CreateActivationCodeResponse{
			RequestID: "r-1", ActivationCode: code, CertContentB64: NewCertContent(testLicense),
		},
		"DescribeActivationCodeDetailsResponse": DescribeActivationCodeDetailsResponse{
			RequestID: "r-2", ActivationCode: code, CertContentB64: NewCertContent(testLicense),
		},
		"EnsureActivationCodeResponse": EnsureActivationCodeResponse{
			RequestID: "r-3", ActivationCode: code, CertContentB64: NewCertContent(testLicense), Created: true,
		},
		// A Client value, as a copy of *c is (built through reflect so that
		// vet's copylocks check has nothing to say about the test).
		"Client": reflect.ValueOf(c).Elem().Interface(),
	}
}

// containers wraps v, of any type, in the containers a caller might use:
// each is built through reflect so that one function serves every type.
func containers(v any) map[string]any {
	rv := reflect.ValueOf(v)
	typ := rv.Type()
	ptr := reflect.New(typ)
	ptr.Elem().Set(rv)
	slice := reflect.MakeSlice(reflect.SliceOf(typ), 0, 2)
	slice = reflect.Append(slice, rv, rv)
	ptrSlice := reflect.MakeSlice(reflect.SliceOf(ptr.Type()), 0, 1)
	ptrSlice = reflect.Append(ptrSlice, ptr)
	array := reflect.New(reflect.ArrayOf(2, typ)).Elem()
	array.Index(0).Set(rv)
	array.Index(1).Set(rv)
	m := reflect.MakeMap(reflect.MapOf(reflect.TypeFor[string](), typ))
	m.SetMapIndex(reflect.ValueOf("k"), rv)
	pm := reflect.MakeMap(reflect.MapOf(reflect.TypeFor[string](), ptr.Type()))
	pm.SetMapIndex(reflect.ValueOf("k"), ptr)
	// Structs with the value in an exported field, in an unexported one
	// (which fmt prints without asking any method), by pointer, and behind
	// an interface.
	field := func(name string, ft reflect.Type, pkgPath string, val reflect.Value) any {
		st := reflect.StructOf([]reflect.StructField{{Name: name, Type: ft, PkgPath: pkgPath}})
		s := reflect.New(st).Elem()
		// An unexported field cannot be set through reflect's checks: set
		// it through its address.
		reflect.NewAt(ft, unsafe.Pointer(s.Field(0).UnsafeAddr())).Elem().Set(val)
		return s.Interface()
	}
	anyT := reflect.TypeFor[any]()
	iface := reflect.New(anyT).Elem()
	iface.Set(rv)
	out := map[string]any{
		"value":                     v,
		"pointer":                   ptr.Interface(),
		"slice":                     slice.Interface(),
		"slice of pointers":         ptrSlice.Interface(),
		"array":                     array.Interface(),
		"map":                       m.Interface(),
		"map of pointers":           pm.Interface(),
		"[]any":                     []any{v, ptr.Interface()},
		"struct field":              field("V", typ, "", rv),
		"unexported struct field":   field("v", typ, "example.com/p", rv),
		"unexported pointer field":  field("v", ptr.Type(), "example.com/p", ptr),
		"unexported interface":      field("v", anyT, "example.com/p", iface),
		"unexported slice field":    field("v", slice.Type(), "example.com/p", slice),
		"pointer to struct field":   ptrTo(field("V", typ, "", rv)),
		"pointer to unexported":     ptrTo(field("v", typ, "example.com/p", rv)),
		"nested: map of []*struct":  map[string][]any{"k": {ptrTo(field("v", typ, "example.com/p", rv))}},
		"nested: struct of struct":  field("Outer", reflect.TypeOf(field("v", ptr.Type(), "example.com/p", ptr)), "", reflect.ValueOf(field("v", ptr.Type(), "example.com/p", ptr))),
		"nested: unexported [][]T":  field("v", reflect.SliceOf(slice.Type()), "example.com/p", reflect.Append(reflect.MakeSlice(reflect.SliceOf(slice.Type()), 0, 1), slice)),
		"nested: unexported map[]T": field("v", m.Type(), "example.com/p", m),
	}
	return out
}

// ptrTo returns a pointer to a copy of v.
func ptrTo(v any) any {
	p := reflect.New(reflect.TypeOf(v))
	p.Elem().Set(reflect.ValueOf(v))
	return p.Interface()
}

func TestNoSecretInAnyVerbContainerOrDepth(t *testing.T) {
	forms := matrixForms()
	checked := 0
	for typeName, v := range secretHolders(t) {
		for containerName, c := range containers(v) {
			for _, verb := range matrixVerbs {
				out := fmt.Sprintf(verb, c)
				checked++
				for _, form := range forms {
					if strings.Contains(out, form) {
						t.Errorf("%s in %s with %s shows %q: %s", typeName, containerName, verb, form, out)
						break
					}
				}
			}
		}
	}
	if want := 6 * 19 * len(matrixVerbs); checked != want {
		t.Errorf("checked %d renderings, want %d", checked, want)
	}
}

// TestRedactionNeverReachesTheBadVerbPath shows that a secret holder at the
// top level answers every verb itself: nothing it prints is fmt's
// "%!verb(type=value)", on which fmt prints the value without asking any
// method. Two verbs fmt handles before asking: %w, which outside Errorf is
// always bad, and %p of a value that is not a pointer, a map, a slice, a
// channel or a function. Those print the type and the sealed secrets'
// addresses only (the matrix above shows no secret), and the checks here
// hold them to exactly that form.
func TestRedactionNeverReachesTheBadVerbPath(t *testing.T) {
	for typeName, v := range secretHolders(t) {
		for _, c := range []any{v, ptrTo(v)} {
			for _, verb := range matrixVerbs {
				out := fmt.Sprintf(verb, c)
				switch {
				case verb == "%w", reflect.TypeOf(c).Kind() != reflect.Pointer && (verb == "%p" || verb == "%#p"):
					prefix := "%!" + verb[len(verb)-1:] + "(" + reflect.TypeOf(c).String() + "="
					if !strings.HasPrefix(out, prefix) {
						t.Errorf("%s with %s = %s, want fmt's %s…", typeName, verb, out, prefix)
					}
				case strings.Contains(out, "%!"):
					t.Errorf("%T (%s) with %s reached fmt's bad-verb path: %s", c, typeName, verb, out)
				}
			}
		}
	}
}

// TestRedactedFormsStayUseful: the redaction keeps what is not secret.
func TestRedactedFormsStayUseful(t *testing.T) {
	h := secretHolders(t)
	for _, tc := range []struct {
		v    any
		verb string
		want []string
	}{
		{h["CertContent"], "%v", []string{redacted}},
		{h["CertContent"], "%p", []string{"%!p(polarlicense.CertContent={{0x"}},
		{ptrTo(h["CertContent"]), "%p", []string{"0x"}},
		{ptrTo(h["CertContent"]), "%v", []string{redacted}},
		{[]any{ptrTo(h["CertContent"])}, "%s", []string{"[" + redacted + "]"}},
		{h["CreateActivationCodeResponse"], "%+v", []string{"RequestID:r-1", "host-a", "00:11:22:33:44:55", "CertContentB64:" + redacted}},
		{h["EnsureActivationCodeResponse"], "%v", []string{"r-3", "host-a", redacted, "true"}},
		{h["DescribeActivationCodeDetailsResponse"], "%#v", []string{"polarlicense.DescribeActivationCodeDetailsResponse{", `RequestID:"r-2"`, redacted}},
		{h["Client"], "%s", []string{"polarlicense.Client(", "HMAC-SHA1"}},
		{h["credential"], "%v", []string{testKeyID, redacted}},
	} {
		out := fmt.Sprintf(tc.verb, tc.v)
		for _, w := range tc.want {
			if !strings.Contains(out, w) {
				t.Errorf("%T with %s = %s, want it to contain %q", tc.v, tc.verb, out, w)
			}
		}
	}
}

// TestSuccessRequestIDIsScrubbed: a success whose RequestId echoes the
// security token (raw, or percent-encoded as the RPC query carries it)
// returns a response whose RequestID holds "[REDACTED]" instead, for every
// operation, with hooks or without, and Client.Call's body the same.
func TestSuccessRequestIDIsScrubbed(t *testing.T) {
	ctx := context.Background()
	for _, withHook := range []bool{false, true} {
		for _, echo := range []string{echoToken, refEscape(echoToken)} {
			opts := []Option{WithSTSToken(testKeyID, testSecret, echoToken), WithSignatureAlgorithm(SignatureRPC)}
			var hooked []string
			if withHook {
				opts = append(opts, WithAttemptHook(func(_ context.Context, a AttemptInfo) { hooked = append(hooked, a.RequestID) }))
			}
			m := newMockAPI(t, opts...)
			id := "ok-" + echo
			m.answer(200, `{"RequestId":"`+id+`","Id":1,"Name":"n","CertContentB64":"`+testLicense+`","AliyunOrderId":"1","Items":[]}`)
			ids := map[string]func() (string, error){
				"CreateOrGetVirtualLicenseOrder": func() (string, error) {
					r, err := m.client.CreateOrGetVirtualLicenseOrder(ctx, &CreateOrGetVirtualLicenseOrderRequest{Engine: EnginePG})
					return reqID(r, err, func() string { return r.RequestID })
				},
				"DescribeLicenseOrderDetails": func() (string, error) {
					r, err := m.client.DescribeLicenseOrderDetails(ctx, &DescribeLicenseOrderDetailsRequest{AliyunOrderID: "1"})
					return reqID(r, err, func() string { return r.RequestID })
				},
				"DescribeLicenseOrders": func() (string, error) {
					r, err := m.client.DescribeLicenseOrders(ctx, nil)
					return reqID(r, err, func() string { return r.RequestID })
				},
				"DescribeActivationCodeDetails": func() (string, error) {
					r, err := m.client.DescribeActivationCodeDetails(ctx, &DescribeActivationCodeDetailsRequest{AliyunOrderID: "1", ActivationCodeID: 1})
					return reqID(r, err, func() string { return r.RequestID })
				},
				"DescribeActivationCodes": func() (string, error) {
					r, err := m.client.DescribeActivationCodes(ctx, &DescribeActivationCodesRequest{AliyunOrderID: "1"})
					return reqID(r, err, func() string { return r.RequestID })
				},
				"CreateActivationCode": func() (string, error) {
					r, err := m.client.CreateActivationCode(ctx, createReq)
					return reqID(r, err, func() string { return r.RequestID })
				},
				"Call": func() (string, error) {
					body, err := m.client.Call(ctx, "DescribeDBClusters", nil, CallIdempotent())
					return string(body), err
				},
			}
			for name, get := range ids {
				got, err := get()
				if err != nil {
					t.Fatalf("%s: %v", name, err)
				}
				if strings.Contains(got, echo) || strings.Contains(got, echoToken) || !strings.Contains(got, "ok-"+redacted) {
					t.Errorf("%s (hook %v, echo %q): RequestID %q, want ok-%s", name, withHook, echo, got, redacted)
				}
			}
			for _, h := range hooked {
				if h != "ok-"+redacted {
					t.Errorf("attempt hook saw request id %q", h)
				}
			}
			if withHook && len(hooked) != len(ids) {
				t.Errorf("hook ran %d times, want %d", len(hooked), len(ids))
			}
		}
	}
}

// reqID returns a response's RequestID, or the call's error.
func reqID[R any](r *R, err error, id func() string) (string, error) {
	if err != nil || r == nil {
		return "", err
	}
	return id(), nil
}
