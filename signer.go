package polarlicense

import (
	"context"
	"net/http"
	"unsafe"

	"github.com/polarlicense/polarlicense-go/internal/sign"
)

// Signing: one attempt's HTTP request, signed with the client's algorithm
// over internal/sign's primitives.

// newHTTPRequest builds and signs the request of one attempt: a POST to
// the endpoint, signed with the client's algorithm (signRPC or signV3).
// After it, b.sig holds the signature and b.buf the signed text (RPC's
// query, V3's Authorization header), which the attempt's scrubbing reads.
func (c *Client) newHTTPRequest(ctx context.Context, op *operation, b *builder, cred credential) (*http.Request, error) {
	now := c.now().UTC()
	var stamp [20]byte
	date := string(now.AppendFormat(stamp[:0], sign.TimeFormat))
	b.sig = c.nonce(b.sig[:0])
	nonce := string(b.sig)

	req, err := http.NewRequestWithContext(ctx, http.MethodPost, "", nil)
	if err != nil {
		return nil, err
	}
	req.URL.Scheme, req.URL.Host, req.URL.Path = c.scheme, c.host, "/"
	req.Host = c.host
	// Shared by every request of the client: its capacity is 1, so a
	// transport that adds a value gets a copy.
	req.Header["User-Agent"] = c.userAgent
	var out signed
	if c.algorithm == SignatureRPC {
		out = c.signRPC(op, b, cred, date, nonce)
	} else {
		out = c.signV3(op, b, cred, date, nonce)
	}
	out.apply(req)
	return req, nil
}

// signed is the signed output of one attempt: what the request carries.
type signed struct {
	// query is the URL's query: with RPC every parameter, the common ones
	// and the Signature included; with V3 the business parameters.
	query string
	// headers are V3's signed headers but host (which travels as the
	// request's Host), lower-case names in name order; none with RPC.
	headers []sign.Param
	// authorization is V3's Authorization header; "" with RPC.
	authorization string
}

// apply puts the signed output on req: its query, and for V3 its signed
// headers and Authorization, their values in one backing array.
func (s *signed) apply(req *http.Request) {
	req.URL.RawQuery = s.query
	h := req.Header
	if s.authorization == "" {
		h["Accept"] = []string{"application/json"}
		return
	}
	n := len(s.headers)
	vals := make([]string, n+2)
	for i, p := range s.headers {
		vals[i] = p.Value
		h[canonicalHeaderKey(p.Key)] = vals[i : i+1 : i+1]
	}
	vals[n] = "application/json"
	h["Accept"] = vals[n : n+1 : n+1]
	vals[n+1] = s.authorization
	h["Authorization"] = vals[n+1:]
}

// signRPC signs with the RPC algorithm (HMAC-SHA1): every parameter, the
// common ones included, goes in the query, signed, followed by the
// Signature.
func (c *Client) signRPC(op *operation, b *builder, cred credential, date, nonce string) signed {
	// The business parameters stay as they are for the next attempt; this
	// attempt's full set is built in scratch space.
	all := append(b.signed[:0], b.params...)
	all = append(all,
		sign.Param{Key: "Action", Value: op.name},
		sign.Param{Key: "Version", Value: APIVersion},
		sign.Param{Key: "Format", Value: "JSON"},
		sign.Param{Key: "AccessKeyId", Value: cred.id},
		sign.Param{Key: "SignatureMethod", Value: "HMAC-SHA1"},
		sign.Param{Key: "SignatureVersion", Value: "1.0"},
		sign.Param{Key: "SignatureNonce", Value: nonce},
		sign.Param{Key: "Timestamp", Value: date},
	)
	if token := cred.token.open(); token != "" {
		all = append(all, sign.Param{Key: "SecurityToken", Value: token})
	}
	b.signed = all
	sign.SortParams(all)
	b.buf = sign.AppendCanonicalQuery(b.buf[:0], all)
	b.sig = c.rpc.Sign(b.sig[:0], http.MethodPost, b.buf, cred.secret.open())
	b.buf = append(b.buf, "&Signature="...)
	b.buf = sign.AppendEscape(b.buf, bytesView(b.sig))
	return signed{query: string(b.buf)}
}

// signV3 signs with ACS3-HMAC-SHA256: the business parameters go in the
// query, the common ones in signed x-acs-* headers, and the signature in
// the Authorization header.
func (c *Client) signV3(op *operation, b *builder, cred credential, date, nonce string) signed {
	sign.SortParams(b.params)
	b.buf = sign.AppendCanonicalQuery(b.buf[:0], b.params)
	query := string(b.buf)
	// Canonical headers, already in name order.
	hs := append(b.headers[:0],
		sign.Param{Key: "host", Value: c.host},
		sign.Param{Key: "x-acs-action", Value: op.name},
		sign.Param{Key: "x-acs-content-sha256", Value: sign.EmptyPayloadHash},
		sign.Param{Key: "x-acs-date", Value: date},
	)
	if token := cred.token.open(); token != "" {
		hs = append(hs, sign.Param{Key: "x-acs-security-token", Value: token})
	}
	hs = append(hs,
		sign.Param{Key: "x-acs-signature-nonce", Value: nonce},
		sign.Param{Key: "x-acs-version", Value: APIVersion},
	)
	b.headers = hs
	b.sig = c.v3.Sign(b.sig[:0], http.MethodPost, "/", b.buf, hs, sign.EmptyPayloadHash, cred.secret.open())
	b.buf = sign.AppendAuthorization(b.buf[:0], cred.id, hs, b.sig)
	return signed{query: query, headers: hs[1:], authorization: string(b.buf)}
}

// canonicalHeaderKey returns the wire form of the lower-case names V3 signs,
// without the allocation of http.CanonicalHeaderKey.
func canonicalHeaderKey(name string) string {
	switch name {
	case "x-acs-action":
		return "X-Acs-Action"
	case "x-acs-content-sha256":
		return "X-Acs-Content-Sha256"
	case "x-acs-date":
		return "X-Acs-Date"
	case "x-acs-security-token":
		return "X-Acs-Security-Token"
	case "x-acs-signature-nonce":
		return "X-Acs-Signature-Nonce"
	case "x-acs-version":
		return "X-Acs-Version"
	}
	return http.CanonicalHeaderKey(name)
}

// bytesView returns b's bytes as a string without copying them: the one
// unsafe conversion of the request path. The string shares b's memory, so
// it is only for a use that ends before b is written again and keeps no
// reference: appending its escaped form to another buffer, comparing or
// searching it (the scrubber copies what it keeps). Nothing that outlives
// the call, a response or an error, may hold such a string.
func bytesView(b []byte) string {
	return unsafe.String(unsafe.SliceData(b), len(b))
}
