package sign

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestV3KnownAnswer(t *testing.T) {
	// From the specification: method "", path "", query {test: "ok",
	// empty: ""}, headers {x-acs-test: "http", x-acs-TEST: "https"}, the
	// given payload hash, AccessKeyId "acesskey", secret "secret".
	const payloadHash = "55e12e91650d2fec56ec74e1d3e4ddbfce2ef3a65890c2a19ecf88a307e76a23"
	query := []Param{{"test", "ok"}, {"empty", ""}}
	SortParams(query)
	q := AppendCanonicalQuery(nil, query)
	require.Equal(t, "empty=&test=ok", string(q))

	headers := CanonicalHeaders([]Param{{"x-acs-test", "http"}, {"x-acs-TEST", "https"}})
	require.Equal(t, []Param{{"x-acs-test", "http,https"}}, headers)

	// The empty path is signed as "/", as in the official openapi-util.
	cr := AppendV3CanonicalRequest(nil, "", "", q, headers, payloadHash)
	assert.Equal(t, "\n/\nempty=&test=ok\nx-acs-test:http,https\n\nx-acs-test\n"+payloadHash, string(cr))

	var s V3Signer
	const want = "ACS3-HMAC-SHA256 Credential=acesskey,SignedHeaders=x-acs-test,Signature=4ab59fffe3c5738ff8a2729f90cc04fe18b02a4b15b2102cbaf92f9ff3df2ea3"
	for i := 0; i < 3; i++ { // the second and third use the pooled state
		sig := s.Sign(nil, "", "", q, headers, payloadHash, "secret")
		assert.Equal(t, want, string(AppendAuthorization(nil, "acesskey", headers, sig)))
	}
	// Passing "/" explicitly is the same request.
	sig := s.Sign(nil, "", "/", q, headers, payloadHash, "secret")
	assert.Equal(t, want, string(AppendAuthorization(nil, "acesskey", headers, sig)))

	id, signed, signature, ok := ParseAuthorization(want)
	require.True(t, ok)
	assert.Equal(t, "acesskey", id)
	assert.Equal(t, "x-acs-test", signed)
	assert.Equal(t, string(sig), signature)
}

func TestV3StringToSign(t *testing.T) {
	got := string(AppendV3StringToSign([]byte("pre:"), nil))
	assert.Equal(t, "pre:ACS3-HMAC-SHA256\n"+EmptyPayloadHash, got)
}

func TestV3SignMatchesReference(t *testing.T) {
	var s V3Signer
	query := []Param{{"PageSize", "20"}, {"Name", "a b*~/中"}, {"Empty", ""}}
	SortParams(query)
	q := AppendCanonicalQuery(nil, query)
	headers := []Param{
		{"content-type", "application/x-www-form-urlencoded"},
		{"host", "polardb.aliyuncs.com"},
		{"x-acs-action", "DescribeLicenseOrders"},
		{"x-acs-content-sha256", EmptyPayloadHash},
	}
	for _, secret := range []string{"", "x", "secret", string(make([]byte, 200))} {
		for _, uri := range []string{"", "/", "/a%20b"} {
			want := refV3Sign("POST", uri, string(q), headers, EmptyPayloadHash, secret)
			assert.Equal(t, want, string(s.Sign(nil, "POST", uri, q, headers, EmptyPayloadHash, secret)))
		}
	}
	// No headers at all still signs.
	assert.Equal(t, refV3Sign("GET", "/", "", nil, EmptyPayloadHash, "k"),
		string(s.Sign(nil, "GET", "/", nil, nil, EmptyPayloadHash, "k")))
}

func TestV3SignNoAllocs(t *testing.T) {
	if raceEnabled {
		t.Skip("sync.Pool drops items under -race")
	}
	var s V3Signer
	q := AppendCanonicalQuery(nil, []Param{{"PageSize", "20"}})
	headers := []Param{{"host", "h"}, {"x-acs-action", "A"}}
	dst := make([]byte, 0, 64)
	s.Sign(dst, "POST", "/", q, headers, EmptyPayloadHash, "secret") // warm the pool
	allocs := testing.AllocsPerRun(200, func() {
		dst = s.Sign(dst[:0], "POST", "/", q, headers, EmptyPayloadHash, "secret")
	})
	assert.Zero(t, allocs)
}

func TestHashPayload(t *testing.T) {
	assert.Equal(t, EmptyPayloadHash, HashPayload(nil))
	assert.Equal(t, EmptyPayloadHash, HashPayload([]byte{}))
	assert.Equal(t, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad", HashPayload([]byte("abc")))
}

func TestCanonicalHeaders(t *testing.T) {
	t.Run("nothing signed", func(t *testing.T) {
		assert.Empty(t, CanonicalHeaders(nil))
		assert.Empty(t, CanonicalHeaders([]Param{{"Accept", "*/*"}, {"User-Agent", "x"}, {"x-acs", "no dash"}, {"x-acsfoo", "no"}}))
	})
	t.Run("filter, case, trim, sort", func(t *testing.T) {
		in := []Param{
			{"X-Acs-Version", " 2017-08-01 "},
			{"User-Agent", "AlibabaCloud"},
			{"Host", "polardb.aliyuncs.com"},
			{"Content-Type", "\tapplication/json\t"},
			{"Authorization", "ACS3-HMAC-SHA256 ..."},
			{"x-acs-action", "DescribeLicenseOrders"},
			{"Content-Length", "0"},
			{"X-ACS-DATE", "2024-01-02T03:04:05Z"},
			{"x-acs-", "empty suffix"},
		}
		orig := append([]Param(nil), in...)
		got := CanonicalHeaders(in)
		assert.Equal(t, []Param{
			{"content-type", "application/json"},
			{"host", "polardb.aliyuncs.com"},
			{"x-acs-", "empty suffix"},
			{"x-acs-action", "DescribeLicenseOrders"},
			{"x-acs-date", "2024-01-02T03:04:05Z"},
			{"x-acs-version", "2017-08-01"},
		}, got)
		assert.Equal(t, orig, in, "input must not be modified")
		assert.Equal(t, "content-type;host;x-acs-;x-acs-action;x-acs-date;x-acs-version", string(AppendSignedHeaders(nil, got)))
	})
	t.Run("duplicates merged with sorted values", func(t *testing.T) {
		got := CanonicalHeaders([]Param{
			{"x-acs-b", "z"},
			{"X-Acs-A", " 2 "},
			{"x-acs-a", "10"},
			{"x-acs-b", "y"},
			{"X-ACS-A", "1"},
			{"x-acs-a", ""},
		})
		assert.Equal(t, []Param{{"x-acs-a", ",1,10,2"}, {"x-acs-b", "y,z"}}, got)
	})
}

func TestAppendSignedHeaders(t *testing.T) {
	assert.Empty(t, AppendSignedHeaders(nil, nil))
	assert.Equal(t, "x;host", string(AppendSignedHeaders([]byte("x;"), []Param{{"host", "h"}})))
	assert.Equal(t, "a;b;c", string(AppendSignedHeaders(nil, []Param{{"a", ""}, {"b", ""}, {"c", ""}})))
}

func TestParseAuthorization(t *testing.T) {
	good := []struct {
		in, id, signed, sig string
	}{
		{"ACS3-HMAC-SHA256 Credential=id,SignedHeaders=host;x-acs-date,Signature=abc", "id", "host;x-acs-date", "abc"},
		{"ACS3-HMAC-SHA256  Credential=id, SignedHeaders=h ,\tSignature=abc ", "id", "h", "abc"},
		{"ACS3-HMAC-SHA256\tSignature=abc,Credential=id,SignedHeaders=h", "id", "h", "abc"},
		{"ACS3-HMAC-SHA256 Credential=a=b,SignedHeaders=h,Signature=c==", "a=b", "h", "c=="},
	}
	for _, tt := range good {
		id, signed, sig, ok := ParseAuthorization(tt.in)
		if assert.True(t, ok, "%q", tt.in) {
			assert.Equal(t, tt.id, id)
			assert.Equal(t, tt.signed, signed)
			assert.Equal(t, tt.sig, sig)
		}
	}

	// Round trip with AppendAuthorization.
	h := []Param{{"host", "x"}, {"x-acs-action", "y"}}
	id, signed, sig, ok := ParseAuthorization(string(AppendAuthorization(nil, "LTAI123", h, []byte("00ff"))))
	require.True(t, ok)
	assert.Equal(t, []string{"LTAI123", "host;x-acs-action", "00ff"}, []string{id, signed, sig})

	bad := []string{
		"",
		"ACS3-HMAC-SHA256",
		"ACS3-HMAC-SHA256 ",
		"ACS3-HMAC-SHA256Credential=id,SignedHeaders=h,Signature=s",
		"acs3-hmac-sha256 Credential=id,SignedHeaders=h,Signature=s",
		"ACS3-HMAC-SM3 Credential=id,SignedHeaders=h,Signature=s",
		"ACS3-HMAC-SHA2567 Credential=id,SignedHeaders=h,Signature=s",
		"acs id:sig",
		"ACS3-HMAC-SHA256 Credential=id,SignedHeaders=h",
		"ACS3-HMAC-SHA256 Credential=id,Signature=s",
		"ACS3-HMAC-SHA256 SignedHeaders=h,Signature=s",
		"ACS3-HMAC-SHA256 Credential=,SignedHeaders=h,Signature=s",
		"ACS3-HMAC-SHA256 Credential=id,SignedHeaders=,Signature=s",
		"ACS3-HMAC-SHA256 Credential=id,SignedHeaders=h,Signature=",
		"ACS3-HMAC-SHA256 Credential=id,SignedHeaders=h,Signature",
		"ACS3-HMAC-SHA256 Credential=id,SignedHeaders=h,Signature=s,",
		"ACS3-HMAC-SHA256 ,Credential=id,SignedHeaders=h,Signature=s",
		"ACS3-HMAC-SHA256 Credential=id,,SignedHeaders=h,Signature=s",
		"ACS3-HMAC-SHA256 Credential=id,SignedHeaders=h,Signature=s,Credential=id",
		"ACS3-HMAC-SHA256 Credential=id,SignedHeaders=h,Signature=s,Signature=t",
		"ACS3-HMAC-SHA256 Credential=id,SignedHeaders=h,SignedHeaders=h,Signature=s",
		"ACS3-HMAC-SHA256 Credential=id,SignedHeaders=h,Signature=s,Extra=x",
		"ACS3-HMAC-SHA256 credential=id,signedheaders=h,signature=s",
		"ACS3-HMAC-SHA256 Credential=id;SignedHeaders=h;Signature=s",
		"ACS3-HMAC-SHA256 Credential = id,SignedHeaders=h,Signature=s",
	}
	for _, in := range bad {
		id, signed, sig, ok := ParseAuthorization(in)
		assert.False(t, ok, "%q", in)
		assert.Empty(t, id+signed+sig, "%q: no partial results", in)
	}
}
