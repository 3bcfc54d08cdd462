package sign

import (
	"fmt"
	"math/rand/v2"
	"sort"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestAppendEscape(t *testing.T) {
	tests := []struct{ in, want string }{
		{"", ""},
		{"abcXYZ019", "abcXYZ019"},
		{"-_.~", "-_.~"},
		{" ", "%20"},
		{"a b", "a%20b"},
		{"*", "%2A"},
		{"+", "%2B"},
		{"/", "%2F"},
		{"%", "%25"},
		{"%7E", "%257E"},
		{"=&", "%3D%26"},
		{":/?#[]@", "%3A%2F%3F%23%5B%5D%40"},
		{"!$'()*+,;", "%21%24%27%28%29%2A%2B%2C%3B"},
		{"\"<>\\^`{|}", "%22%3C%3E%5C%5E%60%7B%7C%7D"},
		{"é", "%C3%A9"},
		{"中文", "%E4%B8%AD%E6%96%87"},
		{"😀", "%F0%9F%98%80"},
		{"\x00\x7f\xff", "%00%7F%FF"},
		{"\n\t", "%0A%09"},
		{"2024-01-02T03:04:05Z", "2024-01-02T03%3A04%3A05Z"},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%q", tt.in), func(t *testing.T) {
			assert.Equal(t, tt.want, string(AppendEscape(nil, tt.in)))
			assert.Equal(t, refEscape(tt.in), tt.want, "reference disagrees with table")
			assert.Equal(t, "pre"+tt.want, string(AppendEscape([]byte("pre"), tt.in)), "must append, not overwrite")
			assert.Equal(t, tt.want, string(appendEscapeBytes(nil, []byte(tt.in))))
		})
	}
}

func TestAppendEscapeAllBytes(t *testing.T) {
	for c := 0; c < 256; c++ {
		s := string([]byte{byte(c)})
		require.Equal(t, refEscape(s), string(AppendEscape(nil, s)), "byte %#x", c)
	}
}

func TestSortParams(t *testing.T) {
	t.Run("empty and nil", func(t *testing.T) {
		SortParams(nil)
		p := []Param{}
		SortParams(p)
		assert.Empty(t, p)
	})
	t.Run("bytewise keys", func(t *testing.T) {
		p := []Param{{"b", "1"}, {"B", "2"}, {"a", "3"}, {"A", "4"}, {"_", "5"}, {"Ab", "6"}, {"", "7"}}
		SortParams(p)
		assert.Equal(t, []Param{{"", "7"}, {"A", "4"}, {"Ab", "6"}, {"B", "2"}, {"_", "5"}, {"a", "3"}, {"b", "1"}}, p)
	})
	t.Run("ties by value", func(t *testing.T) {
		p := []Param{{"k", "b"}, {"a", "z"}, {"k", ""}, {"k", "a"}, {"k", "b"}, {"k", "B"}}
		SortParams(p)
		assert.Equal(t, []Param{{"a", "z"}, {"k", ""}, {"k", "B"}, {"k", "a"}, {"k", "b"}, {"k", "b"}}, p)
	})
	t.Run("already sorted and reversed", func(t *testing.T) {
		want := []Param{{"a", "1"}, {"b", "2"}, {"c", "3"}}
		p := append([]Param(nil), want...)
		SortParams(p)
		assert.Equal(t, want, p)
		p = []Param{{"c", "3"}, {"b", "2"}, {"a", "1"}}
		SortParams(p)
		assert.Equal(t, want, p)
	})
	t.Run("random, small and large", func(t *testing.T) {
		r := rand.New(rand.NewPCG(1, 2))
		for _, n := range []int{2, 5, insertionSortMax, insertionSortMax + 1, 50, 1000} {
			for round := 0; round < 20; round++ {
				p := make([]Param, n)
				for i := range p {
					// Few distinct keys and values so that ties are common.
					p[i] = Param{Key: string(rune('a' + r.IntN(4))), Value: fmt.Sprint(r.IntN(5))}
				}
				want := append([]Param(nil), p...)
				sort.SliceStable(want, func(i, j int) bool { return compareParams(want[i], want[j]) < 0 })
				SortParams(p)
				require.Equal(t, want, p, "n=%d", n)
			}
		}
	})
	t.Run("no allocation", func(t *testing.T) {
		for _, n := range []int{12, 200} {
			src := make([]Param, n)
			for i := range src {
				src[i] = Param{Key: fmt.Sprint(n - i), Value: "v"}
			}
			p := make([]Param, n)
			allocs := testing.AllocsPerRun(100, func() {
				copy(p, src)
				SortParams(p)
			})
			assert.Zero(t, allocs, "n=%d", n)
		}
	})
}

func TestAppendCanonicalQuery(t *testing.T) {
	assert.Empty(t, AppendCanonicalQuery(nil, nil))

	p := []Param{{"test", "ok"}, {"empty", ""}, {"Tag.1.Key", "a b*~"}, {"k y", "v/=&"}}
	SortParams(p)
	got := string(AppendCanonicalQuery([]byte("x"), p))
	assert.Equal(t, "xTag.1.Key=a%20b%2A~&empty=&k%20y=v%2F%3D%26&test=ok", got)
	assert.Equal(t, refCanonicalQuery(p), got[1:])
}
