package polarlicense

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

type ctxKey struct{}

// TestAttemptHooksSeeSuccessRetryAndFailure follows a call that is retried
// once and succeeds, one that fails for good, and one that gives up for
// every other reason. The hooks append without locking: the race detector
// would flag a hook run on a goroutine other than the caller's.
func TestAttemptHooksSeeSuccessRetryAndFailure(t *testing.T) {
	var first, second []AttemptInfo
	var order []string
	var ctxValues []any
	m := newMockAPI(t, quickRetries(),
		WithAttemptHook(func(ctx context.Context, a AttemptInfo) {
			first = append(first, a)
			order = append(order, fmt.Sprintf("first %d", a.Attempt))
			ctxValues = append(ctxValues, ctx.Value(ctxKey{}))
		}),
		WithAttemptHook(func(_ context.Context, a AttemptInfo) {
			second = append(second, a)
			order = append(order, fmt.Sprintf("second %d", a.Attempt))
		}))
	ctx := context.WithValue(context.Background(), ctxKey{}, "caller")

	t.Run("retried then succeeded", func(t *testing.T) {
		first, second, order, ctxValues = nil, nil, nil, nil
		m.handle = sequence("503", "ok")
		_, err := m.client.DescribeLicenseOrders(ctx, nil)
		require.NoError(t, err)
		require.Len(t, first, 2)
		assert.Equal(t, first, second, "every hook sees the same attempts")
		assert.Equal(t, []string{"first 1", "second 1", "first 2", "second 2"}, order, "hooks run in order, after each attempt")
		assert.Equal(t, []any{"caller", "caller"}, ctxValues, "hooks get the caller's context")

		a := first[0]
		assert.Equal(t, "DescribeLicenseOrders", a.Operation)
		assert.Equal(t, 1, a.Attempt)
		assert.Equal(t, 503, a.StatusCode)
		assert.Equal(t, "r503", a.RequestID)
		var apiErr *APIError
		require.ErrorAs(t, a.Err, &apiErr)
		assert.Equal(t, "ServiceUnavailable", apiErr.Code)
		assert.True(t, a.Retry)
		assert.Equal(t, time.Millisecond, a.Wait, "the Retryer's wait")
		assert.Empty(t, a.Reason)
		assert.Equal(t, "retry in 1ms", a.Decision())
		assert.Positive(t, a.Latency)

		b := first[1]
		assert.Equal(t, 2, b.Attempt)
		assert.Equal(t, 200, b.StatusCode)
		assert.Equal(t, "ok", b.RequestID)
		assert.NoError(t, b.Err)
		assert.False(t, b.Retry)
		assert.Zero(t, b.Wait)
		assert.Equal(t, "done", b.Decision())
	})

	t.Run("failed", func(t *testing.T) {
		first, second = nil, nil
		m.handle = sequence("400")
		_, err := m.client.DescribeLicenseOrders(ctx, nil)
		require.Error(t, err)
		require.Len(t, first, 1)
		a := first[0]
		assert.Equal(t, 400, a.StatusCode)
		assert.Equal(t, "r400", a.RequestID)
		var apiErr *APIError
		require.ErrorAs(t, a.Err, &apiErr)
		assert.Equal(t, "InvalidParameter", apiErr.Code)
		assert.False(t, a.Retry)
		assert.Equal(t, "not retryable", a.Reason)
		assert.Equal(t, "give up: not retryable", a.Decision())
	})

	reasons := map[string]struct {
		answers []string
		call    func(ctx context.Context) error
	}{
		"retryer declined": {answers: []string{"503"}, call: func(ctx context.Context) error {
			_, err := m.client.DescribeLicenseOrders(ctx, nil)
			return err
		}},
		"not idempotent and the request may have been processed": {answers: []string{"503"}, call: func(ctx context.Context) error {
			_, err := m.client.CreateActivationCode(ctx, &CreateActivationCodeRequest{AliyunOrderID: "1", MacAddress: "12:34:56:78:9a:bc", Name: "n"})
			return err
		}},
	}
	for reason, tc := range reasons {
		t.Run(reason, func(t *testing.T) {
			first = nil
			m.handle = sequence(tc.answers...)
			require.Error(t, tc.call(ctx))
			require.NotEmpty(t, first)
			last := first[len(first)-1]
			assert.False(t, last.Retry)
			assert.Equal(t, reason, last.Reason)
		})
	}

	t.Run("context ended", func(t *testing.T) {
		first = nil
		cctx, cancel := context.WithCancel(ctx)
		m.handle = func(*http.Request) (int, string) {
			cancel()
			return 503, `{"Code":"ServiceUnavailable","RequestId":"r503"}`
		}
		_, err := m.client.DescribeLicenseOrders(cctx, nil)
		require.Error(t, err)
		require.Len(t, first, 1)
		assert.Equal(t, "context ended", first[0].Reason)
	})
}

func TestAttemptInfoHoldsNoSecret(t *testing.T) {
	for _, alg := range []SignatureAlgorithm{SignatureV3, SignatureRPC} {
		t.Run(alg.String(), func(t *testing.T) {
			var seen bytes.Buffer
			m := newMockAPI(t, WithSTSToken(testKeyID, testSecret, testToken), WithSignatureAlgorithm(alg), quickRetries(),
				WithAttemptHook(func(_ context.Context, a AttemptInfo) {
					fmt.Fprintf(&seen, "%v %+v %#v %s\n", a, a, a, a.Err)
				}))
			m.handle = sequence("503", "400")
			_, err := m.client.DescribeActivationCodeDetails(context.Background(), &DescribeActivationCodeDetailsRequest{AliyunOrderID: "1"})
			require.Error(t, err)
			require.NotZero(t, seen.Len())
			for _, secret := range []string{testSecret, testToken, "Signature", "AliyunOrderId"} {
				assert.NotContains(t, seen.String(), secret)
			}
		})
	}
}

func TestAttemptHookOptionRejectsNil(t *testing.T) {
	_, err := NewClient(WithAccessKey("id", "secret"), WithAttemptHook(nil))
	assert.ErrorContains(t, err, "WithAttemptHook: nil hook")
	_, err = NewClient(WithAccessKey("id", "secret"), WithCallObserver(nil))
	assert.ErrorContains(t, err, "WithCallObserver: nil observer")
}

// eventHandler is a slog handler that notes each record's message and
// decision in a shared list of events.
type eventHandler struct {
	name   string
	events *[]string
}

func (h eventHandler) Enabled(context.Context, slog.Level) bool { return true }
func (h eventHandler) Handle(_ context.Context, r slog.Record) error {
	decision := ""
	r.Attrs(func(a slog.Attr) bool {
		if a.Key == "decision" {
			decision = a.Value.String()
		}
		return true
	})
	*h.events = append(*h.events, h.name+" "+decision)
	return nil
}
func (h eventHandler) WithAttrs([]slog.Attr) slog.Handler { return h }
func (h eventHandler) WithGroup(string) slog.Handler      { return h }

func TestWithLoggerIsAnAttemptHookInItsPlace(t *testing.T) {
	var events []string
	hook := WithAttemptHook(func(_ context.Context, a AttemptInfo) { events = append(events, "hook "+a.Decision()) })
	logger := func(name string) Option { return WithLogger(slog.New(eventHandler{name: name, events: &events})) }

	m := newMockAPI(t, quickRetries(), logger("first"), hook, logger("second"))
	m.handle = sequence("503", "ok")
	_, err := m.client.DescribeLicenseOrders(context.Background(), nil)
	require.NoError(t, err)
	assert.Equal(t, []string{"second retry in 1ms", "hook retry in 1ms", "second done", "hook done"}, events,
		"a later WithLogger replaces the earlier one, in its place before the hook")

	events = nil
	m = newMockAPI(t, logger("first"), hook, WithLogger(nil))
	_, err = m.client.DescribeLicenseOrders(context.Background(), nil)
	require.NoError(t, err)
	assert.Equal(t, []string{"hook done"}, events, "WithLogger(nil) removes the logger")

	events = nil
	m = newMockAPI(t, WithLogger(slog.New(slog.NewTextHandler(&bytes.Buffer{}, nil))), hook) // Info level: no debug records
	_, err = m.client.DescribeLicenseOrders(context.Background(), nil)
	require.NoError(t, err)
	assert.Equal(t, []string{"hook done"}, events)
}

// recordingObserver is a CallObserver that notes what it is told.
type recordingObserver struct {
	name     string
	events   *[]string
	attempts []AttemptInfo
	ends     []CallInfo
	starts   []CallStart
}

type observerKey struct{ name string }

func (o *recordingObserver) StartCall(ctx context.Context, s CallStart) context.Context {
	o.starts = append(o.starts, s)
	*o.events = append(*o.events, "start "+o.name)
	return context.WithValue(ctx, observerKey{o.name}, o.name)
}

func (o *recordingObserver) AttemptDone(ctx context.Context, a AttemptInfo) {
	o.attempts = append(o.attempts, a)
	*o.events = append(*o.events, fmt.Sprintf("attempt %d %s sees %v", a.Attempt, o.name, ctx.Value(observerKey{o.name})))
}

func (o *recordingObserver) EndCall(ctx context.Context, info CallInfo) {
	o.ends = append(o.ends, info)
	*o.events = append(*o.events, fmt.Sprintf("end %s sees %v", o.name, ctx.Value(observerKey{o.name})))
}

func TestCallObserversSeeTheWholeCall(t *testing.T) {
	var events []string
	outer := &recordingObserver{name: "outer", events: &events}
	inner := &recordingObserver{name: "inner", events: &events}
	var transportSaw []any
	var hookSaw []any
	rec := &recordingRetryer{inner: NewStandardRetryer(RetryPolicy{})}
	m := newMockAPI(t, WithRetryer(rec), WithCallObserver(outer), WithCallObserver(inner),
		WithAttemptHook(func(ctx context.Context, _ AttemptInfo) { hookSaw = append(hookSaw, ctx.Value(observerKey{"inner"})) }))
	seq := sequence("503", "ok")
	m.handle = func(r *http.Request) (int, string) {
		transportSaw = append(transportSaw, r.Context().Value(observerKey{"outer"}))
		return seq(r)
	}

	_, err := m.client.DescribeLicenseOrders(context.Background(), nil)
	require.NoError(t, err)
	assert.Equal(t, []string{
		"start outer", "start inner",
		"attempt 1 outer sees outer", "attempt 1 inner sees inner",
		"attempt 2 outer sees outer", "attempt 2 inner sees inner",
		"end inner sees inner", "end outer sees outer",
	}, events, "starts in order, ends in reverse, with the context the call ran in")
	assert.Equal(t, []any{"outer", "outer"}, transportSaw, "the call's context reaches the transport")
	assert.Equal(t, []any{"inner", "inner"}, hookSaw, "and the attempt hooks")
	for _, c := range rec.ctxs {
		assert.Equal(t, "inner", c.Value(observerKey{"inner"}), "and the Retryer")
	}
	assert.Equal(t, []CallStart{{Operation: "DescribeLicenseOrders", Host: "polardb.aliyuncs.com"}}, outer.starts)
	require.Len(t, outer.ends, 1)
	end := outer.ends[0]
	assert.Equal(t, "DescribeLicenseOrders", end.Operation)
	assert.Equal(t, "polardb.aliyuncs.com", end.Host)
	assert.Equal(t, 2, end.Attempts)
	assert.Equal(t, 200, end.StatusCode)
	assert.Equal(t, "ok", end.RequestID)
	assert.NoError(t, end.Err)
	assert.Positive(t, end.Duration)
	assert.Equal(t, outer.ends, inner.ends)
	assert.Len(t, outer.attempts, 2)

	t.Run("refused before sending", func(t *testing.T) {
		events = nil
		outer.ends, outer.attempts = nil, nil
		_, err := m.client.DescribeLicenseOrderDetails(context.Background(), &DescribeLicenseOrderDetailsRequest{})
		var ve *ValidationError
		require.ErrorAs(t, err, &ve)
		assert.Equal(t, []string{"start outer", "start inner", "end inner sees inner", "end outer sees outer"}, events)
		require.Len(t, outer.ends, 1)
		assert.Zero(t, outer.ends[0].Attempts)
		assert.Same(t, ve, outer.ends[0].Err.(*ValidationError), "EndCall gets the error the call returns")
		assert.Empty(t, outer.attempts)
	})

	t.Run("context already ended", func(t *testing.T) {
		outer.ends = nil
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		_, err := m.client.DescribeLicenseOrders(ctx, nil)
		require.ErrorIs(t, err, context.Canceled)
		require.Len(t, outer.ends, 1)
		assert.Zero(t, outer.ends[0].Attempts)
		assert.ErrorIs(t, outer.ends[0].Err, context.Canceled)
	})

	t.Run("failed", func(t *testing.T) {
		outer.ends = nil
		m.handle = sequence("400")
		_, err := m.client.DescribeLicenseOrders(context.Background(), nil)
		require.Error(t, err)
		require.Len(t, outer.ends, 1)
		end := outer.ends[0]
		assert.Equal(t, 1, end.Attempts)
		assert.Equal(t, 400, end.StatusCode)
		assert.Equal(t, "r400", end.RequestID)
		var oe *OperationError
		require.ErrorAs(t, end.Err, &oe)
		assert.Equal(t, err, end.Err)
	})
}

// nilContextObserver returns no context, which the client takes as "keep
// the one I gave you".
type nilContextObserver struct{ recordingObserver }

func (o *nilContextObserver) StartCall(context.Context, CallStart) context.Context { return nil }

func TestCallObserverReturningNilKeepsTheContext(t *testing.T) {
	var events []string
	o := &nilContextObserver{recordingObserver{name: "nil", events: &events}}
	m := newMockAPI(t, WithCallObserver(o))
	ctx := context.WithValue(context.Background(), observerKey{"nil"}, "caller")
	_, err := m.client.DescribeLicenseOrders(ctx, nil)
	require.NoError(t, err)
	assert.Equal(t, []string{"attempt 1 nil sees caller", "end nil sees caller"}, events)
}

// nopObserver is a CallObserver that does nothing.
type nopObserver struct{}

func (nopObserver) StartCall(ctx context.Context, _ CallStart) context.Context { return ctx }
func (nopObserver) AttemptDone(context.Context, AttemptInfo)                   {}
func (nopObserver) EndCall(context.Context, CallInfo)                          {}
