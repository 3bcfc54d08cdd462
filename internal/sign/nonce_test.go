package sign

import (
	"regexp"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestAppendNonce(t *testing.T) {
	format := regexp.MustCompile(`^[0-9a-f]{32}$`)
	seen := make(map[string]bool)
	var mu sync.Mutex
	var wg sync.WaitGroup
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			buf := make([]byte, 0, 32)
			for i := 0; i < 2000; i++ {
				n := string(AppendNonce(buf[:0]))
				mu.Lock()
				seen[n] = true
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	require.Len(t, seen, 16000, "nonces must be unique")
	for n := range seen {
		require.Regexp(t, format, n)
	}

	got := AppendNonce([]byte("nonce="))
	assert.Regexp(t, `^nonce=[0-9a-f]{32}$`, string(got))
}

func TestAppendNonceNoAllocs(t *testing.T) {
	if raceEnabled {
		t.Skip("race instrumentation changes escape analysis")
	}
	buf := make([]byte, 0, 32)
	allocs := testing.AllocsPerRun(100, func() { buf = AppendNonce(buf[:0]) })
	assert.Zero(t, allocs)
}

func TestTimeFormat(t *testing.T) {
	ts := time.Date(2024, 1, 2, 3, 4, 5, 600, time.FixedZone("X", 8*3600))
	assert.Equal(t, "2024-01-01T19:04:05Z", string(ts.UTC().AppendFormat(nil, TimeFormat)))
}
