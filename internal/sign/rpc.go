package sign

import (
	"crypto/hmac"
	"crypto/sha1"
	"encoding/base64"
	"hash"
)

// RPCSigner computes RPC signatures (SignatureMethod HMAC-SHA1,
// SignatureVersion 1.0), the value of the Signature query parameter.
//
// The zero value is ready to use and safe for concurrent use by many
// goroutines, with the same or different secrets. It keeps keyed HMAC
// states in a pool, so signing repeatedly with the same secret does not
// allocate. An RPCSigner must not be copied after first use.
type RPCSigner struct {
	pool macPool
}

// Sign appends base64(HMAC-SHA1(secret+"&", stringToSign)) to dst, where
// stringToSign is method + "&%2F&" + AppendEscape(canonicalQuery) (see
// AppendRPCStringToSign). canonicalQuery is the output of
// AppendCanonicalQuery for all parameters except Signature.
func (s *RPCSigner) Sign(dst []byte, method string, canonicalQuery []byte, secret string) []byte {
	st := s.pool.get(secret, newRPCMAC)
	st.buf = AppendRPCStringToSign(st.buf[:0], method, canonicalQuery)
	st.mac.Write(st.buf)
	sum := st.mac.Sum(st.sum[:0])
	dst = base64.StdEncoding.AppendEncode(dst, sum)
	s.pool.put(st)
	return dst
}

// newRPCMAC returns HMAC-SHA1 keyed with secret + "&".
func newRPCMAC(secret string) hash.Hash {
	key := make([]byte, 0, len(secret)+1)
	key = append(key, secret...)
	key = append(key, '&')
	return hmac.New(sha1.New, key)
}

// AppendRPCStringToSign appends the RPC string to sign,
// method + "&" + "%2F" + "&" + AppendEscape(canonicalQuery), to dst. Sign
// uses it; it is exported so that a verifier can report the string it
// signed (the real service does so in SignatureDoesNotMatch messages) and a
// client can compare it with its own.
func AppendRPCStringToSign(dst []byte, method string, canonicalQuery []byte) []byte {
	dst = append(dst, method...)
	dst = append(dst, "&%2F&"...)
	return appendEscapeBytes(dst, canonicalQuery)
}

// appendEscapeBytes is AppendEscape for a byte slice, without converting it
// to a string (which would allocate).
func appendEscapeBytes(dst, s []byte) []byte {
	start := 0
	for i, c := range s {
		if unreserved[c] {
			continue
		}
		dst = append(dst, s[start:i]...)
		dst = append(dst, '%', upperHex[c>>4], upperHex[c&0x0f])
		start = i + 1
	}
	return append(dst, s[start:]...)
}
