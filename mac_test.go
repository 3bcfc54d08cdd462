package polarlicense

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestNormalizeMacAddress(t *testing.T) {
	for in, want := range map[string]string{
		"00:16:3e:1a:2b:01": "00:16:3e:1a:2b:01",
		"00-16-3E-1A-2B-01": "00:16:3e:1a:2b:01",
		"00:16:3E:1a:2B:01": "00:16:3e:1a:2b:01",
		"AA-BB-CC-DD-EE-FF": "aa:bb:cc:dd:ee:ff",
	} {
		got, err := NormalizeMacAddress(in)
		require.NoError(t, err, in)
		assert.Equal(t, want, got, in)
		assert.True(t, ValidMacAddress(got))
	}
	for _, in := range []string{"", "00163e1a2b01", "00:16:3e:1a:2b", "00:16-3e:1a:2b:01", "00:16:3e:1a:2b:0g", " 00:16:3e:1a:2b:01", "0016.3e1a.2b01", strings.Repeat("x", 1000)} {
		_, err := NormalizeMacAddress(in)
		require.Error(t, err, "%q", in)
		assert.ErrorIs(t, err, ErrInvalidMacAddress)
		assert.Less(t, len(err.Error()), 250, "a long input is quoted in part")
	}
}

func TestCodeNameAndDescriptionRules(t *testing.T) {
	long := strings.Repeat("n", MaxCodeNameLength)
	cases := []struct {
		name, desc string
		field      string // "" when valid
	}{
		{long, "", ""},
		{long + "n", "", "Name"},
		{"n", "ab", ""},
		{"n", "a", "Description"},
		{"n", "中", "Description"},
		{"n", "中文", ""},
		{"n", strings.Repeat("é", MaxCodeDescriptionLength), ""},
		{"n", strings.Repeat("é", MaxCodeDescriptionLength+1), "Description"},
		{"n", "http://example.com/x", "Description"},
		{"n", "HTTPS://example.com/x", "Description"},
		{"n", "see https://example.com", ""},
		{"n", "ab\xff", "Description"},
	}
	for _, tc := range cases {
		m := newMockAPI(t)
		m.answer(200, `{"RequestId":"r","Id":1}`)
		_, err := m.client.CreateActivationCode(context.Background(), &CreateActivationCodeRequest{AliyunOrderID: "1", MacAddress: "00:16:3e:1a:2b:01", Name: tc.name, Description: tc.desc})
		if tc.field == "" {
			assert.NoError(t, err, "%q %q", tc.name, tc.desc)
			continue
		}
		var ve *ValidationError
		require.True(t, errors.As(err, &ve), "%q %q: %v", tc.name, tc.desc, err)
		assert.Equal(t, tc.field, ve.Field)
		assert.Equal(t, "CreateActivationCode", ve.Operation)
		assert.Zero(t, m.sent(), "refused before anything was sent")
	}
}

func TestDescribeActivationCodesMacFilter(t *testing.T) {
	m := newMockAPI(t)
	_, err := m.client.DescribeActivationCodes(context.Background(), &DescribeActivationCodesRequest{AliyunOrderID: "1", MacAddress: "not-a-mac"})
	var ve *ValidationError
	require.ErrorAs(t, err, &ve)
	assert.Equal(t, "MacAddress", ve.Field)
	assert.Zero(t, m.sent())
}

// FuzzNormalizeMacAddress: a text is accepted exactly when ValidMacAddress
// accepts it, and the normal form is valid, a fixed point, and the same
// address as the input.
func FuzzNormalizeMacAddress(f *testing.F) {
	for _, s := range []string{"00:16:3e:1a:2b:01", "00-16-3E-1A-2B-01", "00:16-3e:1a:2b:01", "", "zz:zz:zz:zz:zz:zz"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		n, err := NormalizeMacAddress(s)
		if (err == nil) != ValidMacAddress(s) {
			t.Fatalf("%q: error %v, ValidMacAddress %t", s, err, ValidMacAddress(s))
		}
		if err != nil {
			return
		}
		again, err := NormalizeMacAddress(n)
		if err != nil || again != n {
			t.Fatalf("%q: the normal form %q is not a fixed point", s, n)
		}
		if !strings.EqualFold(strings.ReplaceAll(s, "-", ":"), n) || strings.ToLower(n) != n {
			t.Fatalf("%q: %q is not the same address in lower case", s, n)
		}
	})
}
