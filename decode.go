package polarlicense

import (
	"errors"
	"strings"
	"time"

	"github.com/polarlicense/polarlicense-go/internal/jsonread"
)

// Response decoding. Bodies are read with internal/jsonread, a pull reader
// that hands out substrings of the body instead of copying each field, and
// that is tolerant where the service is loose: numbers and booleans sent as
// strings, times with stray white space, null, missing and unknown fields.
// Each response type lists its members in a decodeMember method; one object
// loop and one list loop serve them all.

// chinaStandardTime is the default zone of the service's zone-less times.
var chinaStandardTime = time.FixedZone("CST", 8*60*60)

// memberDecoder is a response type, or a part of one, that knows its members.
type memberDecoder interface {
	// decodeMember reads the value of member key and reports true, or
	// reports false, consuming nothing, when key is not one of its members.
	decodeMember(d *decoder, key string) bool
}

// decoder reads one response body.
type decoder struct {
	r         jsonread.Reader
	loc       *time.Location
	field     string // the member being read, for errors
	err       error  // the first fault found outside the reader (a bad time)
	requestID string // the body's RequestId, once read
	listHint  int    // the expected number of list items: the page size asked for
}

// readRequestID reads a RequestId member and remembers it for errors.
func (d *decoder) readRequestID() string {
	d.requestID = d.r.String()
	return d.requestID
}

// decode reads body into v: one JSON object, nothing after it. On failure it
// returns a *DecodeError without status or request id, for the caller to add.
func (d *decoder) decode(body string, v memberDecoder) error {
	d.r.Reset(body)
	d.err = nil
	d.field = ""
	d.requestID = ""
	if !d.object(v) && d.r.Err() == nil && d.err == nil {
		return &DecodeError{Err: errors.New("response body is null, not an object")}
	}
	if d.r.Err() == nil && d.err == nil {
		d.field = ""
		d.r.End()
	}
	if err := d.r.Err(); err != nil {
		return &DecodeError{Field: d.field, Err: err}
	}
	if d.err != nil {
		return &DecodeError{Field: d.field, Err: d.err}
	}
	return nil
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
// elements are left out.
func decodeList[T any, PT interface {
	*T
	memberDecoder
}](d *decoder, list *[]T) {
	if !d.r.Array() {
		return
	}
	if *list == nil && d.listHint > 0 {
		*list = make([]T, 0, d.listHint)
	}
	field := d.field
	for d.r.Next() {
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
	s := d.r.String()
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
	return time.Date(t.Year(), t.Month(), t.Day(), t.Hour(), t.Minute(), t.Second(), t.Nanosecond(), d.loc)
}

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

func (o *LicenseOrder) decodeMember(d *decoder, key string) bool {
	switch key {
	case "AliyunOrderId":
		o.AliyunOrderID = d.r.String()
	case "VirtualAliyunOrderId":
		o.VirtualAliyunOrderID = d.r.String()
	case "Engine":
		o.Engine = Engine(d.r.String())
	case "PackageType":
		o.PackageType = PackageType(d.r.String())
	case "PackageValidity":
		o.PackageValidity = d.r.String()
	case "PurchaseChannel":
		o.PurchaseChannel = PurchaseChannel(d.r.String())
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
		c.Name = d.r.String()
	case "Description":
		c.Description = d.r.String()
	case "MacAddress":
		c.MacAddress = d.r.String()
	case "SystemIdentifier":
		c.SystemIdentifier = d.r.String()
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
	case "RequestId":
		*requestID = d.readRequestID()
	case "VirtualOrderId":
		*virtualOrderID = d.r.String()
		o.VirtualAliyunOrderID = *virtualOrderID
	default:
		return o.decodeMember(d, key)
	}
	return true
}

// decodeCodeMember reads the members of a single-code response.
func decodeCodeMember(d *decoder, key string, requestID *string, cert *CertContent, c *ActivationCode) bool {
	switch key {
	case "RequestId":
		*requestID = d.readRequestID()
	case "CertContentB64":
		*cert = CertContent(d.r.String())
	default:
		return c.decodeMember(d, key)
	}
	return true
}

// decodePageMember reads the paging members of a list response; the caller
// reads Items.
func decodePageMember(d *decoder, key string, requestID *string, pageNumber, pageRecordCount, totalRecordCount *int) bool {
	switch key {
	case "RequestId":
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

// errorBody is an Alibaba error body. Keys are matched in both the usual
// UpperCamel and the lowerCamel some services use.
type errorBody struct {
	requestID, hostID, code, message, recommend string
}

func (e *errorBody) decodeMember(d *decoder, key string) bool {
	switch key {
	case "RequestId", "requestId":
		e.requestID = d.readRequestID()
	case "HostId", "hostId":
		e.hostID = d.r.String()
	case "Code", "code":
		e.code = d.r.String()
	case "Message", "message":
		e.message = d.r.String()
	case "Recommend", "recommend":
		e.recommend = d.r.String()
	default:
		return false
	}
	return true
}

// decodeAPIError turns an error answer into an *APIError. An Alibaba error
// body gives its fields; anything else (HTML, empty, truncated, a JSON value
// without a Code) gives a bounded excerpt as the message.
func decodeAPIError(d *decoder, status int, body []byte, headerRequestID string) *APIError {
	e := &APIError{StatusCode: status, RequestID: headerRequestID}
	var eb errorBody
	if d.decode(string(body), &eb) == nil && (eb.code != "" || eb.message != "") {
		e.Code = printable(eb.code, fieldLimit)
		e.Message = redactStringToSign(printable(eb.message, fieldLimit))
		e.HostID = printable(eb.hostID, fieldLimit)
		e.Recommend = printable(eb.recommend, fieldLimit)
		if eb.requestID != "" {
			e.RequestID = printable(eb.requestID, fieldLimit)
		}
		return e
	}
	e.Message = "non-Alibaba error body: " + excerpt(body)
	return e
}

// redactStringToSign removes the server's string-to-sign from a
// SignatureDoesNotMatch message: with the RPC algorithm it contains the
// request's parameters, a security token among them.
func redactStringToSign(msg string) string {
	const marker = "server string to sign is:"
	if i := strings.Index(msg, marker); i >= 0 {
		return strings.TrimSpace(msg[:i]) + " (server string to sign withheld)"
	}
	return msg
}
