package bench

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha1"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"
)

// HandWritten is the baseline: the client a competent Go programmer would
// write for this one call with the standard library and nothing else. One
// *http.Client, the RPC signature (one HMAC-SHA1), the request sent with
// parameters in the query and an empty body, the answer decoded by
// encoding/json straight from the body into plain structs with the
// documented fields. It checks the status, decodes the error body, and
// drains the body so the connection is reused. It skips what a library
// adds: retries, a time-out per attempt, a limit on the body, typed times.
type HandWritten struct {
	hc       *http.Client
	endpoint string // "http://host:port"
	id       string
	key      []byte // AccessKeySecret + "&"
}

// NewHandWritten returns the hand-written client for the server at
// serverURL, on the common transport.
func NewHandWritten(serverURL string) (*HandWritten, error) {
	if !strings.HasPrefix(serverURL, "http://") && !strings.HasPrefix(serverURL, "https://") {
		return nil, fmt.Errorf("handwritten: not an http(s) URL: %q", serverURL)
	}
	return &HandWritten{
		hc:       NewHTTPClient(),
		endpoint: strings.TrimSuffix(serverURL, "/"),
		id:       AccessKeyID,
		key:      []byte(AccessKeySecret + "&"),
	}, nil
}

// The hand-written client decodes items straight into Order, whose json
// tags are the documented keys.

// HWOrdersResponse is a DescribeLicenseOrders answer as the API documents it.
type HWOrdersResponse struct {
	Items            []Order
	PageNumber       int
	PageRecordCount  int
	RequestId        string
	TotalRecordCount int
}

// HWError is an error answer.
type HWError struct {
	StatusCode int
	RequestId  string
	Code       string
	Message    string
}

// Error gives the status, code, message and request id.
func (e *HWError) Error() string {
	return fmt.Sprintf("polardb: HTTP %d: %s: %s (request %s)", e.StatusCode, e.Code, e.Message, e.RequestId)
}

type param struct{ k, v string }

// DescribeLicenseOrders asks for one page of license orders.
func (h *HandWritten) DescribeLicenseOrders(ctx context.Context, pageNumber, pageSize int, purchaseChannel string, virtualOrder bool) (*HWOrdersResponse, error) {
	var out HWOrdersResponse
	if err := h.do(ctx, h.describeParams(pageNumber, pageSize, purchaseChannel, virtualOrder), &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// do signs params, sends them and decodes the JSON answer into out.
func (h *HandWritten) do(ctx context.Context, params []param, out any) error {
	req, err := h.signedRequest(ctx, params)
	if err != nil {
		return err
	}
	resp, err := h.hc.Do(req)
	if err != nil {
		return err
	}
	defer func() {
		_, _ = io.Copy(io.Discard, resp.Body) // so the connection is reused
		_ = resp.Body.Close()
	}()
	if resp.StatusCode/100 != 2 {
		e := &HWError{StatusCode: resp.StatusCode}
		_ = json.NewDecoder(resp.Body).Decode(e)
		return e
	}
	if err := json.NewDecoder(resp.Body).Decode(out); err != nil {
		return fmt.Errorf("polardb: decoding the answer: %w", err)
	}
	return nil
}

// describeParams are the parameters of one DescribeLicenseOrders call, with
// a fresh nonce and timestamp.
func (h *HandWritten) describeParams(pageNumber, pageSize int, purchaseChannel string, virtualOrder bool) []param {
	var nonce [16]byte
	_, _ = rand.Read(nonce[:])
	return []param{
		{"Action", "DescribeLicenseOrders"},
		{"Version", "2017-08-01"},
		{"Format", "JSON"},
		{"AccessKeyId", h.id},
		{"SignatureMethod", "HMAC-SHA1"},
		{"SignatureVersion", "1.0"},
		{"SignatureNonce", hex.EncodeToString(nonce[:])},
		{"Timestamp", time.Now().UTC().Format("2006-01-02T15:04:05Z")},
		{"PageNumber", strconv.Itoa(pageNumber)},
		{"PageSize", strconv.Itoa(pageSize)},
		{"PurchaseChannel", purchaseChannel},
		{"VirtualOrder", strconv.FormatBool(virtualOrder)},
	}
}

// signedRequest returns the request carrying params, signed (RPC).
func (h *HandWritten) signedRequest(ctx context.Context, params []param) (*http.Request, error) {
	slices.SortFunc(params, func(a, b param) int { return strings.Compare(a.k, b.k) })
	q := make([]byte, 0, 512)
	for i, p := range params {
		if i > 0 {
			q = append(q, '&')
		}
		q = appendEscape(q, p.k)
		q = append(q, '=')
		q = appendEscape(q, p.v)
	}
	sig := rpcSignature("POST", q, h.key)

	u := make([]byte, 0, len(h.endpoint)+len(q)+64)
	u = append(u, h.endpoint...)
	u = append(u, "/?"...)
	u = append(u, q...)
	u = append(u, "&Signature="...)
	u = appendEscape(u, sig)
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, string(u), nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Accept", "application/json")
	return req, nil
}

// rpcSignature is the RPC signature: base64(HMAC-SHA1(key, method & %2F &
// percentEncode(canonicalQuery))), key being AccessKeySecret + "&".
func rpcSignature(method string, canonicalQuery, key []byte) string {
	toSign := make([]byte, 0, len(method)+8+len(canonicalQuery)*5/4)
	toSign = append(toSign, method...)
	toSign = append(toSign, "&%2F&"...)
	toSign = appendEscape(toSign, string(canonicalQuery))
	mac := hmac.New(sha1.New, key)
	mac.Write(toSign)
	return base64.StdEncoding.EncodeToString(mac.Sum(nil))
}

// appendEscape appends s percent-encoded as RFC 3986 says: unreserved
// characters literal, every other byte %XY in upper-case hex.
func appendEscape(dst []byte, s string) []byte {
	const hexDigits = "0123456789ABCDEF"
	for i := 0; i < len(s); i++ {
		c := s[i]
		if 'A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '-' || c == '_' || c == '.' || c == '~' {
			dst = append(dst, c)
			continue
		}
		dst = append(dst, '%', hexDigits[c>>4], hexDigits[c&15])
	}
	return dst
}
