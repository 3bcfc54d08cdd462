package sign

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestRPCKnownAnswer(t *testing.T) {
	// From the specification: params {"test": "ok"}, method "", secret
	// "accessKeySecret".
	q := AppendCanonicalQuery(nil, []Param{{"test", "ok"}})
	require.Equal(t, "test=ok", string(q))
	assert.Equal(t, "&%2F&test%3Dok", string(AppendRPCStringToSign(nil, "", q)))

	var s RPCSigner
	for i := 0; i < 3; i++ { // the second and third use the pooled state
		assert.Equal(t, "jHx/oHoHNrbVfhncHEvPdHXZwHU=", string(s.Sign(nil, "", q, "accessKeySecret")))
	}
	assert.Equal(t, "pre:jHx/oHoHNrbVfhncHEvPdHXZwHU=", string(s.Sign([]byte("pre:"), "", q, "accessKeySecret")))
}

func TestRPCSignMatchesReference(t *testing.T) {
	var s RPCSigner
	params := []Param{
		{"Action", "DescribeLicenseOrders"}, {"Version", "2017-08-01"}, {"Timestamp", "2024-01-02T03:04:05Z"},
		{"Name", "a b*~/中"}, {"Empty", ""},
	}
	SortParams(params)
	q := AppendCanonicalQuery(nil, params)
	for _, secret := range []string{"", "x", "accessKeySecret", string(make([]byte, 200)), "s3cr&t=%"} {
		for _, method := range []string{"GET", "POST", ""} {
			assert.Equal(t, refRPCSign(method, string(q), secret), string(s.Sign(nil, method, q, secret)))
		}
	}
}

func TestRPCSignNoAllocs(t *testing.T) {
	if raceEnabled {
		t.Skip("sync.Pool drops items under -race")
	}
	var s RPCSigner
	q := AppendCanonicalQuery(nil, []Param{{"Action", "X"}, {"Version", "2017-08-01"}})
	dst := make([]byte, 0, 64)
	s.Sign(dst, "POST", q, "secret") // warm the pool
	allocs := testing.AllocsPerRun(200, func() {
		dst = s.Sign(dst[:0], "POST", q, "secret")
	})
	assert.Zero(t, allocs)
}
