package polarlicense

import (
	"net/url"
	"strings"
	"testing"

	"github.com/polarlicense/polarlicense-go/internal/sign"
)

// FuzzScrubSecrets feeds arbitrary texts and secrets to the scrubber: it
// must never panic, and no form of the secret (raw, RPC-escaped, Go's query
// escaping, escaped twice; hex digits in either case) may survive.
func FuzzScrubSecrets(f *testing.F) {
	for _, s := range [][2]string{
		{"token STSq81ZpL0+vW/Kd9=Tz in a message", "STSq81ZpL0+vW/Kd9=Tz"},
		{"q=STSq81ZpL0%2bvW%2FKd9%3DTz&x", "STSq81ZpL0+vW/Kd9=Tz"},
		{"Server String To Sign Is: POST&%2F&SecurityToken%3DSTSq81ZpL0%252BvW", "STSq81ZpL0+vW"},
		{"cut short at the end: secretval…", "secretvalue-long"},
		{"", "x"},
	} {
		f.Add(s[0], s[1])
	}
	f.Fuzz(func(t *testing.T, text, secret string) {
		if len(secret) < minPartialSecret || strings.ContainsAny(secret, "[]") || strings.Contains(secret, "REDACTED") {
			t.Skip() // a secret overlapping the replacement text could be rebuilt by it
		}
		sc := newScrubber([]string{secret})
		out := sc.text(text)
		rpc := string(sign.AppendEscape(nil, secret))
		for _, form := range []string{secret, rpc, url.QueryEscape(secret), string(sign.AppendEscape(nil, rpc))} {
			if strings.Contains(hexUpper(out), hexUpper(form)) {
				t.Fatalf("form %q of the secret survived in %q", form, out)
			}
		}
		if out != cutStringToSign(text) && !mayHoldSecret(text, secret) {
			t.Fatalf("mayHoldSecret says %q holds nothing the scrubber replaces; it made %q of it", text, out)
		}
		_ = sc.error(&APIError{Message: text, RequestID: text})
	})
}
