package polarlicensetest_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	polarlicense "github.com/polarlicense/polarlicense-go"
	"github.com/polarlicense/polarlicense-go/polarlicensetest"
)

// TestConcurrentCreateNeverOversells has many goroutines create codes on one
// order: exactly the quota succeeds, every other call gets the quota error.
func TestConcurrentCreateNeverOversells(t *testing.T) {
	const quota, workers, perWorker = 20, 48, 2
	const orderID = "800000000000001"
	srv := polarlicensetest.NewServer(polarlicensetest.WithOrders(polarlicense.LicenseOrder{
		AliyunOrderID: orderID, Engine: polarlicense.EngineMySQL, PackageType: polarlicense.PackageSingleNodeLongTerm,
		PurchaseChannel: polarlicense.ChannelMarketplace, ActivationCodeQuota: quota,
	}))
	defer srv.Close()
	clients := []*polarlicense.Client{
		newClient(t, srv, polarlicense.SignatureV3),
		newClient(t, srv, polarlicense.SignatureRPC),
	}

	var ok, exceeded atomic.Int32
	errs := make(chan error, workers*perWorker)
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c := clients[w%len(clients)]
			for i := 0; i < perWorker; i++ {
				_, err := c.CreateActivationCode(context.Background(), &polarlicense.CreateActivationCodeRequest{
					AliyunOrderID: orderID, MacAddress: fmt.Sprintf("02:00:00:00:%02x:%02x", w, i),
					Name: fmt.Sprintf("w%d-%d", w, i), SystemIdentifier: fmt.Sprint(w*100 + i + 1), // 0 is no system identifier
				})
				var ae *polarlicense.APIError
				switch {
				case err == nil:
					ok.Add(1)
				case errors.As(err, &ae) && ae.Code == polarlicensetest.CodeQuotaExceeded && ae.StatusCode == http.StatusBadRequest:
					exceeded.Add(1)
				default:
					errs <- err
				}
			}
		}()
	}
	// Readers and fault injection race the writers (for -race).
	wg.Add(1)
	go func() {
		defer wg.Done()
		for i := 0; i < 50; i++ {
			_, _ = srv.Order(orderID)
			_ = srv.Codes(orderID)
			_ = srv.Requests()
			srv.InjectFault(polarlicensetest.Fault{Operation: "DescribeLicenseOrders", Kind: polarlicensetest.FaultInternalError})
			_ = srv.PendingFaults()
		}
	}()
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Errorf("unexpected error: %v", err)
	}
	assert.EqualValues(t, quota, ok.Load())
	assert.EqualValues(t, workers*perWorker-quota, exceeded.Load())
	o, found := srv.Order(orderID)
	require.True(t, found)
	assert.Equal(t, quota, o.ActivatedCodeCount)
	codes := srv.Codes(orderID)
	require.Len(t, codes, quota)
	ids := map[int64]bool{}
	for _, c := range codes {
		ids[c.ID] = true
	}
	assert.Len(t, ids, quota, "code IDs are unique")
	assert.Equal(t, workers*perWorker, srv.RequestCount("CreateActivationCode"))
}
