package polarlicensetest

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// junkRequest is an unauthenticated POST naming a made-up Action, with
// many big parameters.
func junkRequest(i int) *http.Request {
	form := url.Values{}
	form.Set("Action", "Junk"+strconv.Itoa(i)+strings.Repeat("x", 1000))
	form.Set("Version", APIVersion)
	for j := range 20 {
		form.Set("P"+strconv.Itoa(j)+strings.Repeat("k", 100), strings.Repeat("v", 1000))
	}
	r := httptest.NewRequest(http.MethodPost, "/", strings.NewReader(form.Encode()))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return r
}

func heapInUse() uint64 {
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapAlloc
}

func TestJunkTrafficKeepsTheHandlerBounded(t *testing.T) {
	const requests = 5000
	h := NewHandler(WithoutDemoData())
	before := heapInUse()
	for i := range requests {
		w := httptest.NewRecorder()
		h.ServeHTTP(w, junkRequest(i))
		require.Equal(t, http.StatusNotFound, w.Code)
	}
	grown := int64(heapInUse()) - int64(before)

	log := h.Requests()
	assert.Len(t, log, RequestLogSize, "the log is a ring")
	h.logMu.Lock()
	assert.LessOrEqual(t, len(h.counts), len(operations)+2, "counts are kept for known names only")
	h.logMu.Unlock()
	assert.Equal(t, requests, h.RequestCount(UnknownActions))
	assert.Equal(t, requests, h.RequestCount(""))
	assert.Panics(t, func() { h.RequestCount("Junk7" + strings.Repeat("x", 1000)) }, "counted under UnknownActions, not by name")

	for _, rec := range log {
		assert.LessOrEqual(t, len(rec.Operation), maxLoggedName)
		assert.True(t, strings.HasPrefix(rec.Operation, "Junk"), rec.Operation)
		assert.LessOrEqual(t, len(rec.Params), maxLoggedParams)
		total := 0
		for k, v := range rec.Params {
			assert.LessOrEqual(t, len(k), maxLoggedKey)
			assert.LessOrEqual(t, len(v), maxLoggedValue)
			total += len(k) + len(v)
		}
		assert.LessOrEqual(t, total, maxLoggedParamBytes)
	}
	// 5,000 requests of 22 KiB each: the log keeps a few KiB of each of the
	// last RequestLogSize, and nothing of the bodies.
	assert.Less(t, grown, int64(8<<20), "heap growth after %d junk requests", requests)
}

func TestRequestLogKeepsRealParametersWhole(t *testing.T) {
	h := NewHandler()
	desc := strings.Repeat("集群", 128) // 256 characters, 768 bytes: the longest Description
	form := url.Values{
		"Action": {"CreateActivationCode"}, "Version": {APIVersion},
		"AliyunOrderId": {DemoOrderPG}, "MacAddress": {"00:16:3e:00:00:01"},
		"Name": {strings.Repeat("n", 64)}, "SystemIdentifier": {"7000000000000000001"}, "Description": {desc},
	}
	r := httptest.NewRequest(http.MethodPost, "/", strings.NewReader(form.Encode()))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	h.ServeHTTP(httptest.NewRecorder(), r)
	log := h.Requests()
	require.Len(t, log, 1)
	assert.Equal(t, map[string]string{
		"AliyunOrderId": DemoOrderPG, "MacAddress": "00:16:3e:00:00:01", "Name": strings.Repeat("n", 64),
		"SystemIdentifier": "7000000000000000001", "Description": desc,
	}, log[0].Params)
	assert.Equal(t, 1, h.RequestCount("CreateActivationCode"))
	assert.Zero(t, h.RequestCount(UnknownActions))
}

func TestWithRequestLogSize(t *testing.T) {
	h := NewHandler(WithRequestLogSize(3))
	for i := range 5 {
		h.ServeHTTP(httptest.NewRecorder(), junkRequest(i))
	}
	log := h.Requests()
	require.Len(t, log, 3)
	for i, rec := range log {
		assert.True(t, strings.HasPrefix(rec.Operation, "Junk"+strconv.Itoa(i+2)), "oldest first: %q", rec.Operation)
	}

	h = NewHandler(WithRequestLogSize(0))
	h.ServeHTTP(httptest.NewRecorder(), junkRequest(0))
	assert.Empty(t, h.Requests())
	assert.Equal(t, 1, h.RequestCount(""), "counted all the same")

	assert.Panics(t, func() { NewHandler(WithRequestLogSize(-1)) })
}

func TestClip(t *testing.T) {
	assert.Equal(t, "short", clip("short", 8))
	assert.Equal(t, "abcde…", clip("abcdefghijkl", 8))
	// Never in the middle of a character.
	got := clip(strings.Repeat("集", 10), 8)
	assert.True(t, utf8.ValidString(got), "%q", got)
	assert.Equal(t, "集…", got)
	assert.LessOrEqual(t, len(got), 8)
	assert.Equal(t, "", clip("abcdef", 2))
}

func TestRequestLogParamsStayWithinTheirBudget(t *testing.T) {
	// Two short names with long values leave 46 bytes of the budget: a
	// 64-byte name after them must not take the log past it.
	form := url.Values{
		"Action": {"DescribeLicenseOrders"}, "Version": {APIVersion},
		"a": {strings.Repeat("v", 1000)}, "b": {strings.Repeat("v", 1000)},
		strings.Repeat("k", 64): {"x"},
	}
	r := httptest.NewRequest(http.MethodPost, "/", strings.NewReader(form.Encode()))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	h := NewHandler()
	h.ServeHTTP(httptest.NewRecorder(), r)
	log := h.Requests()
	require.Len(t, log, 1)
	total := 0
	for k, v := range log[0].Params {
		total += len(k) + len(v)
	}
	assert.LessOrEqual(t, total, maxLoggedParamBytes, "%d params", len(log[0].Params))
	assert.Contains(t, log[0].Params, "a")
	assert.Contains(t, log[0].Params, "b")
}
