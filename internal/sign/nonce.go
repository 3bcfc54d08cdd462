package sign

import (
	"crypto/rand"
	"encoding/hex"
)

// TimeFormat is the layout of the Timestamp query parameter (RPC) and the
// x-acs-date header (V3): UTC, second precision, e.g. 2024-01-02T15:04:05Z.
// Format a time.Time with t.UTC().AppendFormat(dst, TimeFormat).
const TimeFormat = "2006-01-02T15:04:05Z"

// nonceBytes is the number of random bytes in a nonce (hex-encoded to
// twice as many characters).
const nonceBytes = 16

// AppendNonce appends a fresh random nonce for the SignatureNonce parameter
// or the x-acs-signature-nonce header: 16 bytes from crypto/rand written as
// 32 lower-case hex characters. Every attempt of a request, retries
// included, needs a new one. It does not allocate when dst has room.
func AppendNonce(dst []byte) []byte {
	var b [nonceBytes]byte
	// crypto/rand.Read never returns an error: it crashes the program if
	// the system's randomness source fails.
	_, _ = rand.Read(b[:])
	return hex.AppendEncode(dst, b[:])
}
