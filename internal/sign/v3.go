package sign

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"hash"
	"strings"
)

// V3Algorithm is the name of the V3 signature algorithm as it appears in
// the string to sign and at the start of the Authorization header.
const V3Algorithm = "ACS3-HMAC-SHA256"

// EmptyPayloadHash is the lower-hex SHA-256 of the empty body, the
// x-acs-content-sha256 value (and hashed payload) of a request without a
// body.
const EmptyPayloadHash = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

// HashPayload returns the lower-hex SHA-256 of body, the value of the
// x-acs-content-sha256 header and the last line of the V3 canonical request.
func HashPayload(body []byte) string {
	sum := sha256.Sum256(body)
	return hex.EncodeToString(sum[:])
}

// V3Signer computes V3 (ACS3-HMAC-SHA256) signatures.
//
// The zero value is ready to use and safe for concurrent use by many
// goroutines, with the same or different secrets. It keeps keyed HMAC
// states in a pool, so signing repeatedly with the same secret does not
// allocate. A V3Signer must not be copied after first use.
type V3Signer struct {
	pool macPool
}

// Sign appends the lower-hex V3 signature,
// hex(HMAC-SHA256(secret, AppendV3StringToSign(AppendV3CanonicalRequest(...)))),
// to dst.
//
// canonicalURI is the request path; "" is treated as "/" (see
// AppendV3CanonicalRequest). canonicalQuery is the output of
// AppendCanonicalQuery. headers must already be canonical (see
// CanonicalHeaders): lower-case names, trimmed values, duplicates joined with
// ",", sorted by name. payloadHash is the lower-hex SHA-256 of the body
// (EmptyPayloadHash or HashPayload).
func (s *V3Signer) Sign(dst []byte, method, canonicalURI string, canonicalQuery []byte, headers []Param, payloadHash, secret string) []byte {
	st := s.pool.get(secret, newV3MAC)
	st.buf = AppendV3CanonicalRequest(st.buf[:0], method, canonicalURI, canonicalQuery, headers, payloadHash)
	crHash := sha256.Sum256(st.buf)
	st.buf = appendV3StringToSignFromHash(st.buf[:0], &crHash)
	st.mac.Write(st.buf)
	sum := st.mac.Sum(st.sum[:0])
	dst = hex.AppendEncode(dst, sum)
	s.pool.put(st)
	return dst
}

// newV3MAC returns HMAC-SHA256 keyed with secret.
func newV3MAC(secret string) hash.Hash {
	return hmac.New(sha256.New, []byte(secret))
}

// AppendV3CanonicalRequest appends the V3 canonical request to dst:
//
//	method \n canonicalURI \n canonicalQuery \n
//	name:value\n (for each header) \n
//	signed headers \n payloadHash
//
// V3Signer.Sign uses it; it is exported so that a verifier can report what
// it signed and a client can compare.
//
// An empty canonicalURI is written as "/". This follows the official
// algorithm (github.com/alibabacloud-go/openapi-util, service.GetAuthorization):
// it takes request.Pathname, replaces "" with "/", and otherwise only
// rewrites "+" to "%20", "*" to "%2A" and "%7E" to "~" without re-encoding
// the path. RPC-style APIs always use "/", and the known answer from the
// specification (method "", path "") only matches with "/". A non-empty
// canonicalURI is written exactly as given: pass the already-escaped path.
func AppendV3CanonicalRequest(dst []byte, method, canonicalURI string, canonicalQuery []byte, headers []Param, payloadHash string) []byte {
	if canonicalURI == "" {
		canonicalURI = "/"
	}
	dst = append(dst, method...)
	dst = append(dst, '\n')
	dst = append(dst, canonicalURI...)
	dst = append(dst, '\n')
	dst = append(dst, canonicalQuery...)
	dst = append(dst, '\n')
	for _, h := range headers {
		dst = append(dst, h.Key...)
		dst = append(dst, ':')
		dst = append(dst, h.Value...)
		dst = append(dst, '\n')
	}
	dst = append(dst, '\n')
	dst = AppendSignedHeaders(dst, headers)
	dst = append(dst, '\n')
	return append(dst, payloadHash...)
}

// AppendV3StringToSign appends the V3 string to sign for a canonical
// request, "ACS3-HMAC-SHA256\n" + lower-hex(SHA-256(canonicalRequest)), to
// dst. It is exported for diagnostics, like AppendV3CanonicalRequest.
func AppendV3StringToSign(dst, canonicalRequest []byte) []byte {
	h := sha256.Sum256(canonicalRequest)
	return appendV3StringToSignFromHash(dst, &h)
}

// appendV3StringToSignFromHash appends the string to sign given the
// SHA-256 of the canonical request.
func appendV3StringToSignFromHash(dst []byte, crHash *[sha256.Size]byte) []byte {
	dst = append(dst, V3Algorithm...)
	dst = append(dst, '\n')
	return hex.AppendEncode(dst, crHash[:])
}

// AppendSignedHeaders appends the names of canonical headers joined by ";",
// the SignedHeaders list of the canonical request and of the Authorization
// header.
func AppendSignedHeaders(dst []byte, headers []Param) []byte {
	for i, h := range headers {
		if i > 0 {
			dst = append(dst, ';')
		}
		dst = append(dst, h.Key...)
	}
	return dst
}

// CanonicalHeaders returns the headers that V3 signs, picked out of an
// arbitrary list such as an incoming request's headers (names in any case,
// names possibly repeated, values untrimmed): host, content-type and every
// x-acs-* header. Names are lower-cased, values trimmed of surrounding white
// space, the values of a repeated name sorted bytewise and joined with ","
// into one Param, and the result sorted by name. It returns nil if no header
// qualifies. h is not modified.
//
// The emulator uses it on incoming requests; the client builds its
// canonical list directly, in order, without allocating.
func CanonicalHeaders(h []Param) []Param {
	var out []Param
	for _, p := range h {
		name := strings.ToLower(p.Key)
		if name != "host" && name != "content-type" && !strings.HasPrefix(name, "x-acs-") {
			continue
		}
		out = append(out, Param{Key: name, Value: strings.TrimSpace(p.Value)})
	}
	// Sorting by (name, value) groups each name and orders its values.
	SortParams(out)
	merged := out[:0]
	for i := 0; i < len(out); {
		j := i + 1
		for j < len(out) && out[j].Key == out[i].Key {
			j++
		}
		p := out[i]
		if j-i > 1 {
			var b strings.Builder
			for k := i; k < j; k++ {
				if k > i {
					b.WriteByte(',')
				}
				b.WriteString(out[k].Value)
			}
			p.Value = b.String()
		}
		merged = append(merged, p)
		i = j
	}
	return merged
}

// AppendAuthorization appends the V3 Authorization header value,
// "ACS3-HMAC-SHA256 Credential=<id>,SignedHeaders=<list>,Signature=<hex>",
// to dst. headers are the canonical headers that were signed and signature
// is the output of V3Signer.Sign.
func AppendAuthorization(dst []byte, accessKeyID string, headers []Param, signature []byte) []byte {
	dst = append(dst, V3Algorithm...)
	dst = append(dst, " Credential="...)
	dst = append(dst, accessKeyID...)
	dst = append(dst, ",SignedHeaders="...)
	dst = AppendSignedHeaders(dst, headers)
	dst = append(dst, ",Signature="...)
	return append(dst, signature...)
}

// ParseAuthorization splits a V3 Authorization header value into its three
// parts, for a verifier. The value must start with "ACS3-HMAC-SHA256"
// followed by white space, then exactly the three comma-separated fields
// Credential=, SignedHeaders= and Signature=, each once and non-empty, in
// any order; spaces or tabs around fields are tolerated. Otherwise ok is
// false and the strings are empty. The values are returned as found; the
// caller checks signedHeaders against the request and compares the
// signature in constant time (crypto/hmac.Equal).
func ParseAuthorization(v string) (accessKeyID, signedHeaders, signature string, ok bool) {
	rest, found := strings.CutPrefix(v, V3Algorithm)
	if !found || rest == "" || !isOWS(rest[0]) {
		return "", "", "", false
	}
	var haveID, haveSigned, haveSig bool
	for more := true; more; {
		var field string
		field, rest, more = strings.Cut(rest, ",")
		field = trimOWS(field)
		name, value, found := strings.Cut(field, "=")
		if !found || value == "" {
			return "", "", "", false
		}
		switch name {
		case "Credential":
			if haveID {
				return "", "", "", false
			}
			accessKeyID, haveID = value, true
		case "SignedHeaders":
			if haveSigned {
				return "", "", "", false
			}
			signedHeaders, haveSigned = value, true
		case "Signature":
			if haveSig {
				return "", "", "", false
			}
			signature, haveSig = value, true
		default:
			return "", "", "", false
		}
	}
	if !haveID || !haveSigned || !haveSig {
		return "", "", "", false
	}
	return accessKeyID, signedHeaders, signature, true
}

// isOWS reports whether c is HTTP optional white space.
func isOWS(c byte) bool { return c == ' ' || c == '\t' }

// trimOWS removes leading and trailing spaces and tabs from s.
func trimOWS(s string) string {
	for s != "" && isOWS(s[0]) {
		s = s[1:]
	}
	for s != "" && isOWS(s[len(s)-1]) {
		s = s[:len(s)-1]
	}
	return s
}
