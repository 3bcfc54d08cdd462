package polarlicense

import (
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"testing"
	"unicode/utf8"
	"unsafe"
)

// sharedString returns the path of a string within v that points into body,
// or "" when every string of v owns its memory.
func sharedString(v reflect.Value, body []byte, path string) string {
	switch v.Kind() {
	case reflect.String:
		s := v.String()
		if len(s) == 0 || len(body) == 0 {
			return ""
		}
		p := uintptr(unsafe.Pointer(unsafe.StringData(s)))
		start := uintptr(unsafe.Pointer(unsafe.SliceData(body)))
		if p >= start && p < start+uintptr(len(body)) {
			return path
		}
	case reflect.Pointer, reflect.Interface:
		if !v.IsNil() {
			return sharedString(v.Elem(), body, path)
		}
	case reflect.Struct:
		for i := range v.NumField() {
			if p := sharedString(v.Field(i), body, path+"."+v.Type().Field(i).Name); p != "" {
				return p
			}
		}
	case reflect.Slice:
		for i := range v.Len() {
			if p := sharedString(v.Index(i), body, path+"[]"); p != "" {
				return p
			}
		}
	}
	return ""
}

// FuzzDecodeResponse feeds arbitrary bodies to every response type as a 2xx
// answer: it must never panic; it must fail only with an *APIError (the body
// carried an error Code) or a *DecodeError, neither quoting the body; a
// success must have a RequestId and at most the page size asked for; no
// string of the result or the error may share the body; and plain string
// fields must agree with encoding/json when both accept the body.
func FuzzDecodeResponse(f *testing.F) {
	for _, s := range []string{
		`{"RequestId":"r","AliyunOrderId":"1","ActivationCodeQuota":"10","IsVirtualOrder":"true"}`,
		`{"RequestId":"r","Items":[{"AliyunOrderId":"a"},null,{"Id":"7"}],"TotalRecordCount":2}`,
		`{"RequestId":"r","CertContentB64":"QUJD","GmtCreated":"2024-10-16 16:46:20\n","Id":1e2}`,
		`{"RequestId":"r","AliyunOrderId":"\ud83d\ude00\u00e9"}`, `[]`, `null`, `{"a":{"b":[1,{"c":null}]}}`, `{"Id":1.5}`,
		`{"code":"Forbidden.RAM","message":"no","requestId":" "}`, `{"Items":[{},{},{}],"RequestId":"x"}`,
		"{\"RequestId\":\"\xff\",\"Items\":[{\"Name\":\"\x00\"}]}",
		`{"Code":"OK","RequestId":"r","AliyunOrderId":"PG","Engine":"PG","PackageValidity":"1 year","Id":3}`,
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, text string) {
		const listHint = 2
		body := []byte(text)
		targets := []memberDecoder{
			new(CreateOrGetVirtualLicenseOrderResponse), new(DescribeLicenseOrderDetailsResponse),
			new(DescribeLicenseOrdersResponse), new(DescribeActivationCodeDetailsResponse),
			new(DescribeActivationCodesResponse), new(CreateActivationCodeResponse),
		}
		for _, v := range targets {
			requestID, err := decodeAnswer(chinaStandardTime, listHint, 200, body, "hdr", v)
			if requestID == "" {
				t.Fatalf("%T: the header's request id was lost", v)
			}
			if p := sharedString(reflect.ValueOf(v), body, "response"); p != "" {
				t.Fatalf("%T: %s shares the body", v, p)
			}
			if err == nil {
				rv := reflect.ValueOf(v).Elem()
				if strings.TrimSpace(rv.FieldByName("RequestID").String()) == "" {
					t.Fatalf("%T: a success without a RequestId", v)
				}
				if items := rv.FieldByName("Items"); items.IsValid() && items.Len() > listHint {
					t.Fatalf("%T: %d items, more than the %d asked for", v, items.Len(), listHint)
				}
				continue
			}
			var de *DecodeError
			var ae *APIError
			if !errors.As(err, &de) && !errors.As(err, &ae) {
				t.Fatalf("%T: error %T is neither a *DecodeError nor an *APIError", v, err)
			}
			if de != nil && len(text) > 16 && strings.Contains(err.Error(), text) {
				t.Fatalf("the error quotes the body: %v", err)
			}
			if p := sharedString(reflect.ValueOf(err), body, "error"); p != "" {
				t.Fatalf("%T: %s shares the body", v, p)
			}
		}

		var out DescribeLicenseOrderDetailsResponse
		d := decoder{loc: chinaStandardTime}
		if d.decode(body, &out) != nil || !utf8.ValidString(text) {
			return
		}
		var ref struct {
			AliyunOrderID *string `json:"AliyunOrderId"`
		}
		if json.Unmarshal(body, &ref) == nil && ref.AliyunOrderID != nil && strings.Count(text, `"AliyunOrderId"`) == 1 &&
			!strings.Contains(strings.ToLower(text), `"aliyunorderid"`) && out.AliyunOrderID != *ref.AliyunOrderID {
			t.Fatalf("AliyunOrderId: ours %q, encoding/json %q", out.AliyunOrderID, *ref.AliyunOrderID)
		}
	})
}

// FuzzDecodeAPIError feeds arbitrary error bodies to the error decoder: it
// must never panic, must keep the header's request id unless the body has a
// printable one, must share no memory with the body, and what it makes of a
// non-Alibaba body must be short and printable.
func FuzzDecodeAPIError(f *testing.F) {
	for _, s := range []string{
		`{"RequestId":"E","Code":"InvalidParameter","Message":"bad","HostId":"h","Recommend":"r"}`,
		`{"code":"Throttling.User","message":"slow down","requestId":"x"}`,
		`<html><body>502 Bad Gateway</body></html>`, ``, `{"Code":`, "\x00\xff\x1b[31m",
		`{"Code":"SignatureDoesNotMatch","Message":"server string to sign is:POST&%2F&x"}`,
		`{"AccessDeniedDetail":{"AuthAction":"polardb:X","NoPermissionType":"ImplicitDeny"},"Code":"Forbidden.RAM"}`,
		`{"RequestId":" ","Code":"X"}`, `{"RequestId":"\t\n","Message":"m"}`,
	} {
		f.Add(s, 400)
	}
	f.Fuzz(func(t *testing.T, text string, status int) {
		body := []byte(text)
		d := decoder{loc: chinaStandardTime}
		e := decodeAPIError(&d, status, body, "hdr")
		if e.StatusCode != status {
			t.Fatalf("status %d, want %d", e.StatusCode, status)
		}
		if e.RequestID == "" {
			t.Fatal("the header's request id was lost")
		}
		if p := sharedString(reflect.ValueOf(e), body, "APIError"); p != "" {
			t.Fatalf("%s shares the body", p)
		}
		if strings.Contains(e.Message, "server string to sign is:") {
			t.Fatalf("string to sign kept: %q", e.Message)
		}
		for _, field := range []string{e.Code, e.Message, e.RequestID, e.HostID, e.Recommend} {
			if len(field) > fieldLimit+len("…") {
				t.Fatalf("field too long: %d bytes", len(field))
			}
			for _, r := range field {
				if r < 0x20 || r == 0x7f || r == utf8.RuneError {
					t.Fatalf("unprintable %U in %q", r, field)
				}
			}
		}
		if e.Code == "" && len(e.Message) > len("non-Alibaba error body: ")+excerptLimit+utf8.UTFMax+len("…") {
			t.Fatalf("excerpt too long: %d bytes", len(e.Message))
		}
		_ = e.Error()
	})
}
