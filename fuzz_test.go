package polarlicense

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"unicode/utf8"
)

// FuzzDecodeResponse feeds arbitrary bodies to every response type's
// decoder: it must never panic, must fail only with a *DecodeError that does
// not quote the body, and must agree with encoding/json on plain string
// fields when both accept the body.
func FuzzDecodeResponse(f *testing.F) {
	for _, s := range []string{
		`{"RequestId":"r","AliyunOrderId":"1","ActivationCodeQuota":"10","IsVirtualOrder":"true"}`,
		`{"Items":[{"AliyunOrderId":"a"},null,{"Id":"7"}],"TotalRecordCount":2}`,
		`{"CertContentB64":"QUJD","GmtCreated":"2024-10-16 16:46:20\n","Id":1e2}`,
		`{"AliyunOrderId":"\ud83d\ude00\u00e9"}`, `[]`, `null`, `{"a":{"b":[1,{"c":null}]}}`, `{"Id":1.5}`,
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, body string) {
		targets := []memberDecoder{
			new(CreateOrGetVirtualLicenseOrderResponse), new(DescribeLicenseOrderDetailsResponse),
			new(DescribeLicenseOrdersResponse), new(DescribeActivationCodeDetailsResponse),
			new(DescribeActivationCodesResponse), new(CreateActivationCodeResponse),
		}
		for _, v := range targets {
			d := decoder{loc: chinaStandardTime, listHint: 2}
			err := d.decode([]byte(body), v)
			if err == nil {
				continue
			}
			var de *DecodeError
			if !errors.As(err, &de) {
				t.Fatalf("%T: error %T is not a *DecodeError", v, err)
			}
			if len(body) > 16 && strings.Contains(err.Error(), body) {
				t.Fatalf("the error quotes the body: %v", err)
			}
		}

		var out DescribeLicenseOrderDetailsResponse
		d := decoder{loc: chinaStandardTime}
		if d.decode([]byte(body), &out) != nil || !utf8.ValidString(body) {
			return
		}
		var ref struct {
			AliyunOrderID *string `json:"AliyunOrderId"`
		}
		if json.Unmarshal([]byte(body), &ref) == nil && ref.AliyunOrderID != nil && strings.Count(body, `"AliyunOrderId"`) == 1 &&
			!strings.Contains(strings.ToLower(body), `"aliyunorderid"`) && out.AliyunOrderID != *ref.AliyunOrderID {
			t.Fatalf("AliyunOrderId: ours %q, encoding/json %q", out.AliyunOrderID, *ref.AliyunOrderID)
		}
	})
}

// FuzzDecodeAPIError feeds arbitrary error bodies to the error decoder: it
// must never panic, and what it makes of a non-Alibaba body must be short
// and printable.
func FuzzDecodeAPIError(f *testing.F) {
	for _, s := range []string{
		`{"RequestId":"E","Code":"InvalidParameter","Message":"bad","HostId":"h","Recommend":"r"}`,
		`{"code":"Throttling.User","message":"slow down","requestId":"x"}`,
		`<html><body>502 Bad Gateway</body></html>`, ``, `{"Code":`, "\x00\xff\x1b[31m",
		`{"Code":"SignatureDoesNotMatch","Message":"server string to sign is:POST&%2F&x"}`,
		`{"AccessDeniedDetail":{"AuthAction":"polardb:X","NoPermissionType":"ImplicitDeny"},"Code":"Forbidden.RAM"}`,
	} {
		f.Add(s, 400)
	}
	f.Fuzz(func(t *testing.T, body string, status int) {
		d := decoder{loc: chinaStandardTime}
		e := decodeAPIError(&d, status, []byte(body), "hdr")
		if e.StatusCode != status {
			t.Fatalf("status %d, want %d", e.StatusCode, status)
		}
		if e.RequestID == "" {
			t.Fatal("the header's request id was lost")
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
