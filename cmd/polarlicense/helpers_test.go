package main

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"io"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/polarlicense/polarlicense-go/polarlicensetest"
)

// result is what one run printed and returned.
type result struct {
	stdout, stderr string
	code           int
}

// testEnv is an environment pointing at srv through the variables a user
// would export from "polarlicense emulator", with no terminal and a fixed
// clock.
func testEnv(srv *polarlicensetest.Server) environment {
	vars := map[string]string{}
	if srv != nil {
		vars[envEndpoint] = srv.URL
		vars[envKeyID] = srv.AccessKeyID
		vars[envSecret] = srv.AccessKeySecret
	}
	return environment{
		getenv:          func(k string) string { return vars[k] },
		now:             func() time.Time { return auditNow },
		isTerminal:      func(io.Writer) bool { return false },
		defaultStateDir: sync.OnceValues(func() (string, error) { return os.MkdirTemp(testStateRoot, "state-") }),
	}
}

// refusingEnv is testEnv for an endpoint that refuses connections
// (refusingAddr), with made-up credentials: nothing is ever sent. Closing a
// test's own server and calling its address instead raced with the servers
// of tests running in parallel, which could take the port.
func refusingEnv(t *testing.T) (env environment, endpoint string) {
	endpoint = "http://" + refusingAddr(t)
	vars := map[string]string{envEndpoint: endpoint, envKeyID: "LTAIrefused", envSecret: "refused-secret"}
	env = testEnv(nil)
	env.getenv = func(k string) string { return vars[k] }
	return env, endpoint
}

// testStateRoot holds the default state directories of the tests' runs
// (one per testEnv), never the machine's own; TestMain makes and removes it.
var testStateRoot string

// auditNow is the clock of the tests' runs.
var auditNow = time.Date(2030, 6, 1, 0, 0, 0, 0, time.UTC)

// runIn runs a command line in env.
func runIn(t *testing.T, env environment, args ...string) result {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	var stdout, stderr bytes.Buffer
	code := runWith(ctx, env, args, &stdout, &stderr)
	return result{stdout: stdout.String(), stderr: stderr.String(), code: code}
}

// runAt runs a command line against srv.
func runAt(t *testing.T, srv *polarlicensetest.Server, args ...string) result {
	t.Helper()
	return runIn(t, testEnv(srv), args...)
}

// newServer starts an emulator for the test.
func newServer(t *testing.T, opts ...polarlicensetest.Option) *polarlicensetest.Server {
	t.Helper()
	srv := polarlicensetest.NewServer(opts...)
	t.Cleanup(srv.Close)
	return srv
}

// ok asserts a run succeeded with nothing on stderr.
func ok(t *testing.T, r result) result {
	t.Helper()
	require.Equal(t, exitOK, r.code, "stderr: %s", r.stderr)
	require.Empty(t, r.stderr)
	return r
}

// decodeJSON parses a run's stdout.
func decodeJSON[T any](t *testing.T, s string) T {
	t.Helper()
	var v T
	dec := json.NewDecoder(strings.NewReader(s))
	dec.DisallowUnknownFields()
	require.NoError(t, dec.Decode(&v), s)
	return v
}

// decodeCSV parses a run's stdout into maps keyed by the header row.
func decodeCSV(t *testing.T, s string) (header []string, rows []map[string]string) {
	t.Helper()
	recs, err := csv.NewReader(strings.NewReader(s)).ReadAll()
	require.NoError(t, err, s)
	require.NotEmpty(t, recs, "no header row")
	header = recs[0]
	for _, rec := range recs[1:] {
		m := make(map[string]string, len(header))
		for i, h := range header {
			m[h] = rec[i]
		}
		rows = append(rows, m)
	}
	return header, rows
}

// oneLineOn asserts s is one line and returns it without its newline.
func oneLineOn(t *testing.T, s string) string {
	t.Helper()
	require.True(t, strings.HasSuffix(s, "\n"), "%q", s)
	line := strings.TrimSuffix(s, "\n")
	require.NotContains(t, line, "\n")
	return line
}

// UnmarshalJSON reads what MarshalJSON writes, so that tests can decode the
// output into the record types.
func (t *timestamp) UnmarshalJSON(b []byte) error {
	if string(b) == "null" {
		*t = timestamp{}
		return nil
	}
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return err
	}
	v, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return err
	}
	if v.Location() != time.UTC {
		return &time.ParseError{Layout: "UTC", Value: s, Message: ": not in UTC"}
	}
	*t = timestamp(v)
	return nil
}

// asOutput returns v as it reads back from the JSON output (times in UTC).
func asOutput[T any](t *testing.T, v T) T {
	t.Helper()
	var b bytes.Buffer
	require.NoError(t, writeJSON(&b, v))
	return decodeJSON[T](t, b.String())
}

// waitForCreates waits until srv has received n CreateActivationCode requests.
func waitForCreates(t *testing.T, srv *polarlicensetest.Server, n int) {
	t.Helper()
	require.Eventually(t, func() bool { return srv.RequestCount("CreateActivationCode") >= n }, 20*time.Second, 2*time.Millisecond)
}
