package bench

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha1"
	"encoding/base64"
	"hash"
	"net/http"
	"slices"
	"strconv"
	"sync"
)

// The side-by-side servers: the fixture's answer, given only to a request
// whose RPC signature (HMAC-SHA1 of AccessKeySecret) verifies, as the
// service would; any other request gets 403. The check allocates nothing,
// so the server's allocations stay net/http's (see BenchmarkVerifyRPC).

// NewVerifyingHandler returns the verifying server, answering with
// Content-Length or, when chunked, without it (so net/http sends the body
// chunked).
func NewVerifyingHandler(chunked bool) http.Handler {
	body := OrdersBody()
	contentType := []string{"application/json;charset=utf-8"}
	contentLength := []string{strconv.Itoa(len(body))}
	requestID := []string{RequestID}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !VerifyRPC(r.Method, r.URL.RawQuery) {
			w.WriteHeader(http.StatusForbidden)
			return
		}
		h := w.Header()
		h["Content-Type"] = contentType
		if !chunked {
			h["Content-Length"] = contentLength
		}
		h["X-Acs-Request-Id"] = requestID
		_, _ = w.Write(body)
	})
}

// verifier is the scratch space of one signature check.
type verifier struct {
	mac   hash.Hash
	buf   []byte // the unescaped keys and values
	spans []span // each parameter's key and value, as offsets into buf
	canon []byte // the canonical query, then the string to sign
	sum   [sha1.Size]byte
	sig   [sha1.Size + 2]byte
}

type span struct{ k0, k1, v0, v1 int }

var verifiers = sync.Pool{New: func() any {
	return &verifier{mac: hmac.New(sha1.New, []byte(AccessKeySecret+"&")), buf: make([]byte, 0, 1024),
		spans: make([]span, 0, 32), canon: make([]byte, 0, 2048)}
}}

// VerifyRPC reports whether rawQuery carries a valid RPC signature: the
// parameters but Signature, unescaped, escaped again as RFC 3986 says,
// sorted by name and joined, signed as method&%2F&escape(query).
func VerifyRPC(method, rawQuery string) bool {
	v := verifiers.Get().(*verifier)
	defer verifiers.Put(v)
	v.buf, v.spans = v.buf[:0], v.spans[:0]
	sig := -1
	for rest := rawQuery; rest != ""; {
		pair := rest
		for i := 0; i < len(rest); i++ {
			if rest[i] == '&' {
				pair, rest = rest[:i], rest[i+1:]
				break
			}
		}
		if pair == rest {
			rest = ""
		}
		key, val := pair, ""
		for i := 0; i < len(pair); i++ {
			if pair[i] == '=' {
				key, val = pair[:i], pair[i+1:]
				break
			}
		}
		var s span
		var ok bool
		s.k0 = len(v.buf)
		if v.buf, ok = unescape(v.buf, key); !ok {
			return false
		}
		s.k1, s.v0 = len(v.buf), len(v.buf)
		if v.buf, ok = unescape(v.buf, val); !ok {
			return false
		}
		s.v1 = len(v.buf)
		if string(v.buf[s.k0:s.k1]) == "Signature" {
			sig = len(v.spans)
		}
		v.spans = append(v.spans, s)
	}
	if sig < 0 {
		return false
	}
	want := v.spans[sig]
	v.spans = slices.Delete(v.spans, sig, sig+1)
	slices.SortFunc(v.spans, func(a, b span) int { return bytes.Compare(v.buf[a.k0:a.k1], v.buf[b.k0:b.k1]) })
	v.canon = v.canon[:0]
	for i, s := range v.spans {
		if i > 0 {
			v.canon = append(v.canon, '&')
		}
		v.canon = appendEscapeBytes(v.canon, v.buf[s.k0:s.k1])
		v.canon = append(v.canon, '=')
		v.canon = appendEscapeBytes(v.canon, v.buf[s.v0:s.v1])
	}
	// The string to sign, after the canonical query in the same buffer.
	n := len(v.canon)
	v.canon = append(v.canon, method...)
	v.canon = append(v.canon, "&%2F&"...)
	v.canon = appendEscapeBytes(v.canon, v.canon[:n])
	v.mac.Reset()
	v.mac.Write(v.canon[n:])
	sum := v.mac.Sum(v.sum[:0])
	got := v.buf[want.v0:want.v1]
	if base64.StdEncoding.DecodedLen(len(got)) > len(v.sig) {
		return false
	}
	m, err := base64.StdEncoding.Decode(v.sig[:], got)
	return err == nil && hmac.Equal(v.sig[:m], sum)
}

// unescape appends s with its %XY escapes decoded ("+" stays "+", as the
// RPC signature escapes a space as %20).
func unescape(dst []byte, s string) ([]byte, bool) {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c != '%' {
			dst = append(dst, c)
			continue
		}
		if i+2 >= len(s) {
			return dst, false
		}
		hi, ok1 := unhex(s[i+1])
		lo, ok2 := unhex(s[i+2])
		if !ok1 || !ok2 {
			return dst, false
		}
		dst = append(dst, hi<<4|lo)
		i += 2
	}
	return dst, true
}

func unhex(c byte) (byte, bool) {
	switch {
	case '0' <= c && c <= '9':
		return c - '0', true
	case 'a' <= c && c <= 'f':
		return c - 'a' + 10, true
	case 'A' <= c && c <= 'F':
		return c - 'A' + 10, true
	}
	return 0, false
}

// appendEscapeBytes is appendEscape for a byte slice.
func appendEscapeBytes(dst, s []byte) []byte {
	const hexDigits = "0123456789ABCDEF"
	for _, c := range s {
		if 'A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '-' || c == '_' || c == '.' || c == '~' {
			dst = append(dst, c)
			continue
		}
		dst = append(dst, '%', hexDigits[c>>4], hexDigits[c&15])
	}
	return dst
}
