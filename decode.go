package polarlicense

import (
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/polarlicense/polarlicense-go/internal/jsonread"
)

// Response decoding. Bodies are read with internal/jsonread, a pull reader
// that walks the body in place, and that is tolerant where the service is
// loose: numbers and booleans sent as strings, times with stray white space,
// null, missing and unknown fields. Each response type lists its members in a
// decodeMember method; one object loop and one list loop serve them all, and
// decodeAnswer, the one entry point for an answer, classifies it first.
//
// What decoding guarantees, whatever the body:
//
//   - An answer is what it says it is. A 2xx body whose top level carries an
//     Alibaba error Code (Code or code; "200", "OK" and "Success", which some
//     services send on success, excepted) is an *APIError, as the same body
//     with an error status would be. A 2xx body without the members its
//     operation must return (RequestId always; the order ID of the two
//     single-order calls; the code ID of the two single-code calls) is a
//     *DecodeError naming the member.
//   - Decoded values own their memory. No string of a response, an *APIError
//     or a *DecodeError shares the body: keeping one field keeps that field
//     only. Known values (the engines, package types, purchase channels and
//     common validities) and values repeated within one body (the same order
//     ID in every item) cost no allocation; every other string is copied
//     once.
//   - Memory is bounded by what was asked. A list holds at most the page
//     size asked for (the service's default, 30, when none was sent; at most
//     MaxPageSize when the request has no page size): one item more is a
//     *DecodeError wrapping ErrInconsistentPages, found before that item is
//     allocated. Decoding a body of n bytes allocates at most n bytes of
//     strings (each string is a copy of distinct bytes of the body, or none)
//     plus a fixed part: the response value, the item slice (at most
//     min(page size, n/2) items, under 17 KiB), and an error when one is
//     returned. decode_test.go measures the bound on hostile bodies.

// chinaStandardTime is the default zone of the service's zone-less times.
var chinaStandardTime = time.FixedZone("CST", int(chinaStandardOffset/time.Second))

// chinaStandardOffset is China Standard Time's offset from UTC.
const chinaStandardOffset = 8 * time.Hour

// memberDecoder is a response type, or a part of one, that knows its members.
type memberDecoder interface {
	// decodeMember reads the value of member key and reports true, or
	// reports false, consuming nothing, when key is not one of its members.
	decodeMember(d *decoder, key string) bool
}

// requiredMembers is a response type whose operation must return more than a
// RequestId (which every answer must carry) in a success answer.
type requiredMembers interface {
	// missingMember returns the JSON name of a member the operation must
	// return and the decoded answer lacks, or "".
	missingMember() string
}

// decoder reads one response body.
type decoder struct {
	r         jsonread.Reader
	strs      jsonread.Interner // makes every string kept own its memory
	loc       *time.Location
	field     string    // the member being read, for errors; shares the body
	err       error     // the first fault found outside the reader (a bad time)
	requestID string    // the body's RequestId, once read
	listHint  int       // the page size asked for: the most list items accepted
	size      int       // the body's length
	items     int       // the list items read so far
	env       errorBody // the Alibaba error members of the body's top level
}

var decoders = sync.Pool{New: func() any { return new(decoder) }}

// decodeAnswer classifies and decodes one answer: its HTTP status, its body
// and the value of its x-acs-request-id header. It returns the request id to
// report (the body's when it has a printable one, else the header's), and nil
// with out filled, or the attempt's error: an *APIError for an error status
// or a 2xx body carrying an error Code, a *DecodeError for a 2xx body that is
// not the operation's answer. A page with more than listHint items (or
// MaxPageSize when listHint is 0) is a *DecodeError.
func decodeAnswer(loc *time.Location, listHint, status int, body []byte, headerRequestID string, out memberDecoder) (requestID string, err error) {
	d := decoders.Get().(*decoder)
	defer d.release()
	d.loc, d.listHint = loc, listHint
	if status < 200 || status > 299 {
		e := decodeAPIError(d, status, body, headerRequestID)
		return e.RequestID, e
	}
	de := d.decode(body, out)
	requestID = headerRequestID
	if id := printable(d.requestID, fieldLimit); id != "" {
		requestID = id
	}
	switch {
	case de != nil:
		de.StatusCode, de.RequestID = status, requestID
		return requestID, de
	case isErrorCode(d.env.code):
		e := d.apiError(status, headerRequestID)
		return e.RequestID, e
	}
	field := ""
	if strings.TrimSpace(d.requestID) == "" {
		field = "RequestId"
	} else if r, ok := out.(requiredMembers); ok {
		field = r.missingMember()
	}
	if field != "" {
		return requestID, &DecodeError{StatusCode: status, RequestID: requestID, Field: field, Err: errMissingMember}
	}
	return requestID, nil
}

// errMissingMember is the fault of a success answer without a member its
// operation must return.
var errMissingMember = errors.New("a member the operation must return is missing or empty")

// release returns the decoder to the pool, keeping nothing of the body: not
// the reader's view of it, not the strings remembered for repeats.
func (d *decoder) release() {
	*d = decoder{}
	decoders.Put(d)
}

// str reads a string member as a string that owns its memory. Every string a
// decoded value keeps is read with str (or, for the request id, readRequestID).
func (d *decoder) str() string { return d.r.OwnedString(&d.strs) }

// readRequestID reads a RequestId member and remembers it for errors.
func (d *decoder) readRequestID() string {
	d.requestID = d.str()
	return d.requestID
}

// decode reads body into v: one JSON object, nothing after it. The top
// level's Alibaba error members that v does not claim are read into d.env.
// On failure it returns a *DecodeError without status or request id, for the
// caller to add.
func (d *decoder) decode(body []byte, v memberDecoder) *DecodeError {
	// The reader walks the body in place. Nothing it hands out is kept:
	// values are read with str, which copies or interns them; keys (and
	// d.field) only while the body is decoded; release drops the view.
	d.r.Reset(bytesView(body))
	d.size = len(body)
	d.err = nil
	d.field = ""
	d.requestID = ""
	d.items = 0
	d.env = errorBody{}
	if d.strs.Known == nil {
		d.strs.Known = knownValue
	}
	if !d.top(v) && d.r.Err() == nil && d.err == nil {
		return &DecodeError{Err: errors.New("response body is null, not an object")}
	}
	if d.r.Err() == nil && d.err == nil {
		d.field = ""
		d.r.End()
	}
	if err := d.r.Err(); err != nil {
		return &DecodeError{Field: fieldName(d.field), Err: err}
	}
	if d.err != nil {
		return &DecodeError{Field: fieldName(d.field), Err: d.err}
	}
	return nil
}

// fieldName is a member name for an error: bounded, printable, and a copy.
func fieldName(key string) string {
	return strings.Clone(printable(key, 64))
}

// top reads the body's top-level object into v, and the error members v
// does not claim into d.env. It reports false for null and on error.
func (d *decoder) top(v memberDecoder) bool {
	if !d.r.Object() {
		return false
	}
	for key, ok := d.r.Member(); ok; key, ok = d.r.Member() {
		d.field = key
		if !v.decodeMember(d, key) && !d.env.decodeMember(d, key) {
			d.r.Skip()
		}
		if d.err != nil {
			return false
		}
	}
	return d.r.Err() == nil
}

// object reads one JSON object into v. It reports false for null and on error.
func (d *decoder) object(v memberDecoder) bool {
	if !d.r.Object() {
		return false
	}
	for key, ok := d.r.Member(); ok; key, ok = d.r.Member() {
		d.field = key
		if !v.decodeMember(d, key) {
			d.r.Skip()
		}
		if d.err != nil {
			return false
		}
	}
	return d.r.Err() == nil
}

// decodeList reads a JSON array of objects, appending each to list; null
// elements are left out. Elements beyond the page size asked for, counted
// over the whole body, are a fault found before they are allocated.
func decodeList[T any, PT interface {
	*T
	memberDecoder
}](d *decoder, list *[]T) {
	if !d.r.Array() {
		return
	}
	limit := d.listHint
	if limit <= 0 {
		limit = MaxPageSize
	}
	if *list == nil {
		// Every element takes at least two bytes of the body ("{}").
		*list = make([]T, 0, min(limit, d.size/2))
	}
	field := d.field
	for d.r.Next() {
		if d.items >= limit {
			d.err = fmt.Errorf("%w: the page holds more than the %d items asked for", ErrInconsistentPages, limit)
			return
		}
		d.items++
		var zero T
		*list = append(*list, zero)
		if !d.object(PT(&(*list)[len(*list)-1])) {
			*list = (*list)[:len(*list)-1]
			if d.r.Err() != nil || d.err != nil {
				return
			}
		}
		d.field = field
	}
}

// int reads an integer member that must fit an int.
func (d *decoder) int() int { return int(d.r.Int()) }

// time reads a time member: zone-less text in the decoder's zone, text with a
// zone as it says; empty or null is the zero time.
func (d *decoder) time() time.Time {
	s := d.r.String() // not kept: only parsed
	if d.loc == chinaStandardTime {
		// The usual form in the default zone, whose offset never changes:
		// the instant is the wall time read as UTC less the offset, without
		// taking the date apart again (the same Time as time.Date gives,
		// measurably faster).
		// "0001-01-01 00:00:00", Go's and Java's zero time, stays the zero
		// time (below), which means none.
		if secs, ok := jsonread.WallSeconds(s); ok && secs != zeroUnix {
			return time.Unix(secs-int64(chinaStandardOffset/time.Second), 0).In(d.loc)
		}
	}
	t, ok := jsonread.Time(s)
	if !ok {
		if d.err == nil {
			d.err = errors.New("not a time in the form YYYY-MM-DD hh:mm:ss")
		}
		return time.Time{}
	}
	if t.IsZero() || !zoneless(s) {
		return t
	}
	if d.loc == chinaStandardTime {
		return t.Add(-chinaStandardOffset).In(d.loc) // the other forms, as above
	}
	return time.Date(t.Year(), t.Month(), t.Day(), t.Hour(), t.Minute(), t.Second(), t.Nanosecond(), d.loc)
}

// zeroUnix is the zero time's Unix seconds.
var zeroUnix = time.Time{}.Unix()

// zoneless reports whether a time text that parsed carries no zone of its
// own: it neither ends in Z nor has a +hh:mm or -hh:mm offset after the clock.
func zoneless(s string) bool {
	s = strings.TrimSpace(s)
	if strings.HasSuffix(s, "Z") || strings.HasSuffix(s, "z") {
		return false
	}
	// An offset stands after the "hh:mm:ss" that follows the date's 10 bytes.
	return len(s) <= 19 || !strings.ContainsAny(s[19:], "+-")
}

// commonValidities are the PackageValidity values orders commonly carry.
var commonValidities = [...]string{"1 year", "2 years", "3 years", "5 years", "10 years", "30 years"}

// knownByLength holds, by length, every value the service is known to send:
// the enumerations' constants (engines, package types, purchase channels),
// the common validities, and "true" and "false". It is built from those
// lists, so that a constant added to one is known here too.
var knownByLength = func() (t [32][]string) {
	var all []string
	for _, e := range engines {
		all = append(all, string(e))
	}
	for _, p := range packageTypes {
		all = append(all, string(p))
	}
	for _, c := range purchaseChannels {
		all = append(all, string(c))
	}
	all = append(all, commonValidities[:]...)
	all = append(all, "true", "false")
	for _, v := range all {
		t[len(v)] = append(t[len(v)], v) // a value longer than the table panics at init: the tests would say
	}
	return t
}()

// knownValue returns the constant equal to s, when s is a value the service
// is known to send: decoding it then costs no allocation. A lookup costs a
// comparison or two: the values of one length are few.
func knownValue(s string) (string, bool) {
	if len(s) < len(knownByLength) {
		for _, v := range knownByLength[len(s)] {
			if v == s {
				return v, true
			}
		}
	}
	return "", false
}

func (o *LicenseOrder) decodeMember(d *decoder, key string) bool {
	switch key {
	case "AliyunOrderId":
		o.AliyunOrderID = d.str()
	case "VirtualAliyunOrderId":
		o.VirtualAliyunOrderID = d.str()
	case "Engine":
		o.Engine = Engine(d.str())
	case "PackageType":
		o.PackageType = PackageType(d.str())
	case "PackageValidity":
		o.PackageValidity = d.str()
	case "PurchaseChannel":
		o.PurchaseChannel = PurchaseChannel(d.str())
	case "ActivationCodeQuota":
		o.ActivationCodeQuota = d.int()
	case "ActivatedCodeCount":
		o.ActivatedCodeCount = d.int()
	case "AllowEmptySystemIdentifier":
		o.AllowEmptySystemIdentifier = d.r.Bool()
	case "IsVirtualOrder":
		o.IsVirtualOrder = d.r.Bool()
	case "IsVirtualOrderFrozen":
		o.IsVirtualOrderFrozen = d.r.Bool()
	case "GmtCreated":
		o.GmtCreated = d.time()
	case "GmtModified":
		o.GmtModified = d.time()
	default:
		return false
	}
	return true
}

func (c *ActivationCode) decodeMember(d *decoder, key string) bool {
	switch key {
	case "Id":
		c.ID = d.r.Int()
	case "Name":
		c.Name = d.str()
	case "Description":
		c.Description = d.str()
	case "MacAddress":
		c.MacAddress = d.str()
	case "SystemIdentifier":
		c.SystemIdentifier = d.str()
	case "ActivateAt":
		c.ActivateAt = d.time()
	case "ExpireAt":
		c.ExpireAt = d.time()
	case "GmtCreated":
		c.GmtCreated = d.time()
	case "GmtModified":
		c.GmtModified = d.time()
	default:
		return false
	}
	return true
}

// decodeOrderMember reads the members of a single-order response.
func decodeOrderMember(d *decoder, key string, requestID, virtualOrderID *string, o *LicenseOrder) bool {
	switch key {
	case "RequestId", "requestId":
		*requestID = d.readRequestID()
	case "VirtualOrderId":
		*virtualOrderID = d.str()
		o.VirtualAliyunOrderID = *virtualOrderID
	default:
		return o.decodeMember(d, key)
	}
	return true
}

// decodeCodeMember reads the members of a single-code response.
func decodeCodeMember(d *decoder, key string, requestID *string, cert *CertContent, c *ActivationCode) bool {
	switch key {
	case "RequestId", "requestId":
		*requestID = d.readRequestID()
	case "CertContentB64":
		*cert = NewCertContent(d.str())
	default:
		return c.decodeMember(d, key)
	}
	return true
}

// decodePageMember reads the paging members of a list response; the caller
// reads Items.
func decodePageMember(d *decoder, key string, requestID *string, pageNumber, pageRecordCount, totalRecordCount *int) bool {
	switch key {
	case "RequestId", "requestId":
		*requestID = d.readRequestID()
	case "PageNumber":
		*pageNumber = d.int()
	case "PageRecordCount":
		*pageRecordCount = d.int()
	case "TotalRecordCount":
		*totalRecordCount = d.int()
	default:
		return false
	}
	return true
}

func (r *CreateOrGetVirtualLicenseOrderResponse) decodeMember(d *decoder, key string) bool {
	return decodeOrderMember(d, key, &r.RequestID, &r.VirtualOrderID, &r.LicenseOrder)
}

func (r *DescribeLicenseOrderDetailsResponse) decodeMember(d *decoder, key string) bool {
	return decodeOrderMember(d, key, &r.RequestID, &r.VirtualOrderID, &r.LicenseOrder)
}

func (r *DescribeActivationCodeDetailsResponse) decodeMember(d *decoder, key string) bool {
	return decodeCodeMember(d, key, &r.RequestID, &r.CertContentB64, &r.ActivationCode)
}

func (r *CreateActivationCodeResponse) decodeMember(d *decoder, key string) bool {
	return decodeCodeMember(d, key, &r.RequestID, &r.CertContentB64, &r.ActivationCode)
}

func (r *DescribeLicenseOrdersResponse) decodeMember(d *decoder, key string) bool {
	if key == "Items" {
		decodeList(d, &r.Items)
		return true
	}
	return decodePageMember(d, key, &r.RequestID, &r.PageNumber, &r.PageRecordCount, &r.TotalRecordCount)
}

func (r *DescribeActivationCodesResponse) decodeMember(d *decoder, key string) bool {
	if key == "Items" {
		decodeList(d, &r.Items)
		return true
	}
	return decodePageMember(d, key, &r.RequestID, &r.PageNumber, &r.PageRecordCount, &r.TotalRecordCount)
}

// The responses that must carry more than a RequestId: the two single-order
// calls an order ID, the two single-code calls a code ID. The list calls
// need only the RequestId: an empty page is an answer.
var (
	_ requiredMembers = (*CreateOrGetVirtualLicenseOrderResponse)(nil)
	_ requiredMembers = (*DescribeLicenseOrderDetailsResponse)(nil)
	_ requiredMembers = (*DescribeActivationCodeDetailsResponse)(nil)
	_ requiredMembers = (*CreateActivationCodeResponse)(nil)
)

func (r *CreateOrGetVirtualLicenseOrderResponse) missingMember() string {
	return r.LicenseOrder.missingID()
}
func (r *DescribeLicenseOrderDetailsResponse) missingMember() string {
	return r.LicenseOrder.missingID()
}
func (r *DescribeActivationCodeDetailsResponse) missingMember() string {
	return r.ActivationCode.missingID()
}
func (r *CreateActivationCodeResponse) missingMember() string { return r.ActivationCode.missingID() }

// missingID returns "AliyunOrderId" when the order has no ID.
func (o *LicenseOrder) missingID() string {
	if strings.TrimSpace(o.AliyunOrderID) == "" {
		return "AliyunOrderId"
	}
	return ""
}

// missingID returns "Id" when the code has no ID (IDs are positive).
func (c *ActivationCode) missingID() string {
	if c.ID <= 0 {
		return "Id"
	}
	return ""
}

// errorBody holds the members of an Alibaba error body but the request id,
// which goes to decoder.requestID. Keys are matched in both the usual
// UpperCamel and the lowerCamel some services use.
type errorBody struct {
	hostID, code, message, recommend string
	accessDenied                     *AccessDeniedDetail
}

func (e *errorBody) decodeMember(d *decoder, key string) bool {
	switch key {
	case "RequestId", "requestId":
		d.readRequestID()
	case "HostId", "hostId":
		e.hostID = d.str()
	case "Code", "code":
		e.code = d.str()
	case "Message", "message":
		e.message = d.str()
	case "Recommend", "recommend":
		e.recommend = d.str()
	case "AccessDeniedDetail", "accessDeniedDetail":
		if !d.r.PeekObject() { // tolerated: null, or not the object it should be
			d.r.Skip()
			break
		}
		e.accessDenied = new(AccessDeniedDetail)
		d.object(e.accessDenied)
	default:
		return false
	}
	return true
}

// noMembers claims no member: decoding into it reads only the top level's
// error members.
type noMembers struct{}

func (noMembers) decodeMember(*decoder, string) bool { return false }

// isErrorCode reports whether code, the Code of a 2xx body, says the call
// failed: any code but none and the success markers some services send.
func isErrorCode(code string) bool {
	code = strings.TrimSpace(code)
	return code != "" && code != "200" && !strings.EqualFold(code, "OK") && !strings.EqualFold(code, "Success")
}

// apiError makes an *APIError of the error members decoded. The body's
// request id replaces the header's only when it has something printable.
func (d *decoder) apiError(status int, headerRequestID string) *APIError {
	e := &APIError{
		StatusCode: status,
		RequestID:  headerRequestID,
		Code:       printable(d.env.code, fieldLimit),
		Message:    cutStringToSign(printable(d.env.message, fieldLimit)),
		HostID:     printable(d.env.hostID, fieldLimit),
		Recommend:  printable(d.env.recommend, fieldLimit),

		AccessDeniedDetail: d.env.accessDenied,
	}
	if id := printable(d.requestID, fieldLimit); id != "" {
		e.RequestID = id
	}
	return e
}

// decodeMember reads the members of an AccessDeniedDetail, made printable
// and bounded; unknown members are skipped.
func (a *AccessDeniedDetail) decodeMember(d *decoder, key string) bool {
	var dst *string
	switch key {
	case "AuthAction", "authAction":
		dst = &a.AuthAction
	case "PolicyType", "policyType":
		dst = &a.PolicyType
	case "NoPermissionType", "noPermissionType":
		dst = &a.NoPermissionType
	case "AuthPrincipalType", "authPrincipalType":
		dst = &a.AuthPrincipalType
	case "AuthPrincipalOwnerId", "authPrincipalOwnerId":
		dst = &a.AuthPrincipalOwnerID
	case "AuthPrincipalDisplayName", "authPrincipalDisplayName":
		dst = &a.AuthPrincipalDisplayName
	case "EncodedDiagnosticMessage", "encodedDiagnosticMessage":
		dst = &a.EncodedDiagnosticMessage
	default:
		return false
	}
	*dst = printable(d.str(), fieldLimit)
	return true
}

// decodeAPIError turns an error answer into an *APIError. An Alibaba error
// body gives its fields; anything else (HTML, empty, truncated, a JSON value
// without a Code) gives a bounded excerpt as the message.
func decodeAPIError(d *decoder, status int, body []byte, headerRequestID string) *APIError {
	if d.decode(body, noMembers{}) == nil && (d.env.code != "" || d.env.message != "") {
		return d.apiError(status, headerRequestID)
	}
	return &APIError{StatusCode: status, RequestID: headerRequestID, Message: "non-Alibaba error body: " + excerpt(body)}
}
