package sign

import (
	"net/url"
	"slices"
	"strings"
	"testing"
)

func FuzzAppendEscape(f *testing.F) {
	for _, s := range []string{"", "a b*~", "abc", "%7E", "+/=&", "中文", "\xff\x00"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got := string(AppendEscape([]byte("p"), s))
		if want := "p" + refEscape(s); got != want {
			t.Fatalf("AppendEscape(%q) = %q, want %q", s, got, want)
		}
		if b := string(appendEscapeBytes(nil, []byte(s))); b != got[1:] {
			t.Fatalf("appendEscapeBytes(%q) = %q, want %q", s, b, got[1:])
		}
		if u, err := url.PathUnescape(got[1:]); err != nil || u != s {
			t.Fatalf("PathUnescape(AppendEscape(%q)) = %q, %v", s, u, err)
		}
	})
}

// parseFuzzParams turns fuzz input into params: pairs separated by "&",
// key and value split at the first "=" (a missing "=" means an empty value).
func parseFuzzParams(s string) []Param {
	if s == "" {
		return nil
	}
	var p []Param
	for item := range strings.SplitSeq(s, "&") {
		k, v, _ := strings.Cut(item, "=")
		p = append(p, Param{k, v})
	}
	return p
}

func FuzzCanonicalQuery(f *testing.F) {
	for _, s := range []string{"", "test=ok", "test=ok&empty=", "b=2&a=1&a=0&a=1", "k=a b*~&k=+&=&=x", "中=文&%=%25"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		params := parseFuzzParams(s)
		orig := slices.Clone(params)
		want := refCanonicalQuery(params)

		SortParams(params)
		for i := 1; i < len(params); i++ {
			if compareParams(params[i-1], params[i]) > 0 {
				t.Fatalf("not sorted at %d: %q", i, params)
			}
		}
		got := string(AppendCanonicalQuery(nil, params))
		if got != want {
			t.Fatalf("canonical query of %q = %q, want %q", orig, got, want)
		}

		// The text must parse back into the same pairs.
		if len(params) > 0 && len(params) < 1000 {
			vals, err := url.ParseQuery(got)
			if err != nil {
				t.Fatalf("ParseQuery(%q): %v", got, err)
			}
			for _, p := range params {
				if len(vals[p.Key]) == 0 || vals[p.Key][0] != p.Value {
					t.Fatalf("ParseQuery(%q) lost %q", got, p)
				}
				vals[p.Key] = vals[p.Key][1:]
			}
			for k, rest := range vals {
				if len(rest) != 0 {
					t.Fatalf("ParseQuery(%q) has extra %q=%q", got, k, rest)
				}
			}
		}
	})
}

func FuzzParseAuthorization(f *testing.F) {
	f.Add("ACS3-HMAC-SHA256 Credential=acesskey,SignedHeaders=x-acs-test,Signature=4ab5")
	f.Add("ACS3-HMAC-SHA256  Credential=a, SignedHeaders=h ,Signature=s,")
	f.Add("")
	f.Fuzz(func(t *testing.T, v string) {
		id, signed, sig, ok := ParseAuthorization(v)
		if !ok {
			if id != "" || signed != "" || sig != "" {
				t.Fatalf("partial result for %q", v)
			}
			return
		}
		if id == "" || signed == "" || sig == "" {
			t.Fatalf("empty part accepted in %q", v)
		}
		// Re-encoding what was parsed must parse back to the same parts.
		var hs []Param
		for name := range strings.SplitSeq(signed, ";") {
			hs = append(hs, Param{Key: name})
		}
		id2, signed2, sig2, ok2 := ParseAuthorization(string(AppendAuthorization(nil, id, hs, []byte(sig))))
		if !ok2 || id2 != id || signed2 != signed || sig2 != sig {
			t.Fatalf("round trip of %q failed", v)
		}
	})
}
