package sign

import (
	"fmt"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
)

// TestSignersConcurrent shares one signer of each kind between many
// goroutines signing with different secrets (some shared, some private to a
// goroutine) and checks every result against a fresh reference computation.
// Run with -race.
func TestSignersConcurrent(t *testing.T) {
	var rpc RPCSigner
	var v3 V3Signer
	shared := []string{"", "secret", "accessKeySecret", "another-secret-that-is-quite-a-bit-longer-than-one-block-of-sha256-input-64B"}

	const goroutines = 16
	const iterations = 200
	var wg sync.WaitGroup
	errs := make(chan string, goroutines)
	for g := 0; g < goroutines; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			own := fmt.Sprintf("goroutine-%d-secret", g)
			var q, sig []byte
			for i := 0; i < iterations; i++ {
				secret := own
				if i%3 != 0 {
					secret = shared[(g+i)%len(shared)]
				}
				params := []Param{{"Action", "DescribeLicenseOrders"}, {"PageNumber", fmt.Sprint(i)}, {"Who", own}}
				SortParams(params)
				q = AppendCanonicalQuery(q[:0], params)
				headers := []Param{{"host", "polardb.aliyuncs.com"}, {"x-acs-signature-nonce", fmt.Sprint(g, i)}}

				sig = rpc.Sign(sig[:0], "POST", q, secret)
				if want := refRPCSign("POST", string(q), secret); string(sig) != want {
					errs <- fmt.Sprintf("rpc g=%d i=%d: got %s want %s", g, i, sig, want)
					return
				}
				sig = v3.Sign(sig[:0], "POST", "/", q, headers, EmptyPayloadHash, secret)
				if want := refV3Sign("POST", "/", string(q), headers, EmptyPayloadHash, secret); string(sig) != want {
					errs <- fmt.Sprintf("v3 g=%d i=%d: got %s want %s", g, i, sig, want)
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		assert.Fail(t, e)
	}
}
