package audit

import (
	"context"
	"errors"
	"fmt"
	"sync"

	polarlicense "github.com/polarlicense/polarlicense-go"
)

// OrderError is the failure to list one order's activation codes, the error
// that ended a Run.
type OrderError struct {
	// AliyunOrderID is the order whose codes could not be listed.
	AliyunOrderID string
	// Err is the cause, such as a *polarlicense.APIError.
	Err error
}

// Error names the order and the cause.
func (e *OrderError) Error() string {
	return "audit: listing the activation codes of order " + e.AliyunOrderID + ": " + e.Err.Error()
}

// Unwrap returns the cause.
func (e *OrderError) Unwrap() error { return e.Err }

// Run lists every license order of the account c signs for, then every
// activation code of each, p.Concurrency orders at a time, and evaluates the
// rules. An order or a code listed twice (paging shifted by a creation
// during the walk) counts once; one that paging skipped shows as a
// code-count-mismatch. The first failure ends the walk: Run cancels the
// listings still running and returns the error (an *OrderError when it
// concerns one order's codes) and no Report, so that a walk that did not see
// everything never passes. A Policy that cannot be applied is a
// *PolicyError, returned before anything is sent.
func Run(ctx context.Context, c *polarlicense.Client, p Policy) (*Report, error) {
	if c == nil {
		return nil, errors.New("audit: Run: nil *polarlicense.Client")
	}
	rp, err := p.resolve()
	if err != nil {
		return nil, err
	}
	orders, err := walk(ctx, c, &rp)
	if err != nil {
		return nil, err
	}
	return &Report{CheckedAt: rp.Now, Policy: rp, Orders: orders, Findings: evaluate(orders, &rp)}, nil
}

// walk lists the orders, then their codes.
func walk(ctx context.Context, c *polarlicense.Client, p *Policy) ([]Order, error) {
	report := func(pr Progress) {
		if p.Progress != nil {
			p.Progress(pr)
		}
	}
	orders := []Order{}
	seen := map[string]bool{}
	for o, err := range c.LicenseOrders(ctx, nil) {
		if err != nil {
			return nil, fmt.Errorf("audit: listing license orders: %w", err)
		}
		if seen[o.AliyunOrderID] {
			continue // listed again, as paging shifted under a creation
		}
		seen[o.AliyunOrderID] = true
		orders = append(orders, Order{LicenseOrder: o, Codes: []polarlicense.ActivationCode{}})
		report(Progress{Orders: len(orders)})
	}
	report(Progress{Orders: len(orders), Listed: true})

	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var (
		wg       sync.WaitGroup
		mu       sync.Mutex
		firstErr error
		done     int
	)
	jobs := make(chan int)
	for range min(p.Concurrency, len(orders)) {
		wg.Go(func() {
			for i := range jobs {
				id := orders[i].AliyunOrderID
				codes, err := listCodesRecovered(ctx, c, id)
				mu.Lock()
				switch {
				case err != nil:
					if firstErr == nil {
						firstErr = &OrderError{AliyunOrderID: id, Err: err}
						cancel()
					}
				case firstErr == nil:
					orders[i].Codes = codes
					done++
					report(Progress{Orders: len(orders), Listed: true, OrdersWalked: done})
				}
				mu.Unlock()
			}
		})
	}
feed:
	for i := range orders {
		select {
		case jobs <- i:
		case <-ctx.Done():
			break feed
		}
	}
	close(jobs)
	wg.Wait()
	if firstErr == nil && ctx.Err() != nil {
		firstErr = fmt.Errorf("audit: %w", context.Cause(ctx))
	}
	if firstErr != nil {
		return nil, firstErr
	}
	return orders, nil
}

// listCodesRecovered is listCodes, with a panic on the way (in a hook, say)
// made its error: it runs in a goroutine of the walk, where no caller could
// recover it, and an audit that did not finish never passes.
func listCodesRecovered(ctx context.Context, c *polarlicense.Client, orderID string) (codes []polarlicense.ActivationCode, err error) {
	defer func() {
		if r := recover(); r != nil {
			codes, err = nil, fmt.Errorf("panic: %v", r)
		}
	}()
	return listCodes(ctx, c, orderID)
}

// listCodes lists every code of an order, each once.
func listCodes(ctx context.Context, c *polarlicense.Client, orderID string) ([]polarlicense.ActivationCode, error) {
	codes := []polarlicense.ActivationCode{}
	seen := map[int64]bool{}
	for code, err := range c.ActivationCodes(ctx, &polarlicense.DescribeActivationCodesRequest{AliyunOrderID: orderID}) {
		if err != nil {
			return nil, err
		}
		if seen[code.ID] {
			continue
		}
		seen[code.ID] = true
		codes = append(codes, code)
	}
	return codes, nil
}
