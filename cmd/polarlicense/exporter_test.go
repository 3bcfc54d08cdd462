package main

import (
	"bufio"
	"bytes"
	"context"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	yaml "go.yaml.in/yaml/v3"

	polarlicense "github.com/polarlicense/polarlicense-go"
	"github.com/polarlicense/polarlicense-go/audit"
	"github.com/polarlicense/polarlicense-go/nodecheck"
	"github.com/polarlicense/polarlicense-go/polarlicensetest"
)

// syncBuffer is a bytes.Buffer safe for the exporter's writes and the
// test's reads.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// runningExporter is "polarlicense exporter" running in the test.
type runningExporter struct {
	url    string // http://127.0.0.1:PORT
	stderr *syncBuffer
	stop   func() result
}

var listeningRe = regexp.MustCompile(`msg="exporter listening" address=(\S+)`)

// startExporter runs the exporter against srv on 127.0.0.1:0 and waits
// until it listens.
func startExporter(t *testing.T, srv *polarlicensetest.Server, args ...string) *runningExporter {
	t.Helper()
	return startExporterIn(t, testEnv(srv), args...)
}

// startExporterIn runs the exporter in env on 127.0.0.1:0 and waits until
// it listens.
func startExporterIn(t *testing.T, env environment, args ...string) *runningExporter {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	stdout, stderr := &syncBuffer{}, &syncBuffer{}
	done := make(chan int, 1)
	go func() {
		done <- runWith(ctx, env, append([]string{"exporter", "--listen", "127.0.0.1:0"}, args...), stdout, stderr)
	}()
	var stopped *result
	stop := func() result {
		if stopped == nil {
			cancel()
			select {
			case code := <-done:
				stopped = &result{stdout: stdout.String(), stderr: stderr.String(), code: code}
			case <-time.After(20 * time.Second):
				t.Fatal("the exporter did not stop")
			}
		}
		return *stopped
	}
	t.Cleanup(func() { stop() })
	var addr string
	require.Eventually(t, func() bool {
		m := listeningRe.FindStringSubmatch(stderr.String())
		if m != nil {
			addr = m[1]
		}
		return m != nil
	}, 10*time.Second, 10*time.Millisecond, "stderr: %s", stderr.String())
	assert.True(t, strings.HasPrefix(addr, "127.0.0.1:"), addr)
	return &runningExporter{url: "http://" + addr, stderr: stderr, stop: stop}
}

// scrape reads /metrics with the Prometheus text parser.
func (e *runningExporter) scrape(t *testing.T) map[string]*dto.MetricFamily {
	t.Helper()
	resp, err := http.Get(e.url + "/metrics")
	require.NoError(t, err)
	defer resp.Body.Close()
	require.Equal(t, http.StatusOK, resp.StatusCode)
	assert.Contains(t, resp.Header.Get("Content-Type"), "text/plain")
	parser := expfmt.NewTextParser(model.UTF8Validation)
	fams, err := parser.TextToMetricFamilies(resp.Body)
	require.NoError(t, err)
	return fams
}

// waitFor scrapes until cond holds of the metrics, and returns them.
func (e *runningExporter) waitFor(t *testing.T, what string, cond func(map[string]*dto.MetricFamily) bool) map[string]*dto.MetricFamily {
	t.Helper()
	var fams map[string]*dto.MetricFamily
	require.Eventually(t, func() bool {
		fams = e.scrape(t)
		return cond(fams)
	}, 30*time.Second, 20*time.Millisecond, "%s; stderr: %s", what, e.stderr.String())
	return fams
}

// value returns the value of the series of a family with these labels
// (name, value pairs; all of the series' labels), and whether there is one.
func value(fams map[string]*dto.MetricFamily, name string, labels ...string) (float64, bool) {
	f := fams[name]
	if f == nil {
		return 0, false
	}
	want := map[string]string{}
	for i := 0; i+1 < len(labels); i += 2 {
		want[labels[i]] = labels[i+1]
	}
next:
	for _, m := range f.GetMetric() {
		if len(m.GetLabel()) != len(want) {
			continue
		}
		for _, l := range m.GetLabel() {
			if v, ok := want[l.GetName()]; !ok || v != l.GetValue() {
				continue next
			}
		}
		switch {
		case m.Gauge != nil:
			return m.GetGauge().GetValue(), true
		case m.Counter != nil:
			return m.GetCounter().GetValue(), true
		}
		return m.GetUntyped().GetValue(), true
	}
	return 0, false
}

func upIs(v float64) func(map[string]*dto.MetricFamily) bool {
	return func(fams map[string]*dto.MetricFamily) bool {
		got, ok := value(fams, "polarlicense_audit_up")
		return ok && got == v
	}
}

// checkAgainstEmulator checks every order and code metric against the
// emulator's data, and the findings against the audit of that data.
func checkAgainstEmulator(t *testing.T, fams map[string]*dto.MetricFamily, srv *polarlicensetest.Server) {
	t.Helper()
	var orders []audit.Order
	codes := 0
	for _, o := range srv.Handler.Orders() {
		id := o.AliyunOrderID
		cs := srv.Handler.Codes(id)
		orders = append(orders, audit.Order{LicenseOrder: o, Codes: cs})
		codes += len(cs)
		check := func(name string, want float64, labels ...string) {
			t.Helper()
			got, ok := value(fams, name, labels...)
			if assert.True(t, ok, "%s%v missing", name, labels) {
				assert.Equal(t, want, got, "%s%v", name, labels)
			}
		}
		check("polarlicense_order_activation_code_quota", float64(o.ActivationCodeQuota),
			"aliyun_order_id", id, "engine", string(o.Engine), "package_type", string(o.PackageType))
		check("polarlicense_order_activated_codes", float64(o.ActivatedCodeCount), "aliyun_order_id", id)
		check("polarlicense_order_remaining_codes", float64(o.RemainingQuota()), "aliyun_order_id", id)
		check("polarlicense_order_frozen", boolValue(o.IsVirtualOrder && o.IsVirtualOrderFrozen), "aliyun_order_id", id)
		for _, c := range cs {
			check("polarlicense_code_expiry_timestamp_seconds", float64(c.ExpireAt.Unix()),
				"aliyun_order_id", id, "activation_code_id", strconv.FormatInt(c.ID, 10), "name", c.Name, "mac_address", c.MacAddress)
		}
	}
	for name, n := range map[string]int{
		"polarlicense_order_activation_code_quota":   len(orders),
		"polarlicense_order_activated_codes":         len(orders),
		"polarlicense_order_remaining_codes":         len(orders),
		"polarlicense_order_frozen":                  len(orders),
		"polarlicense_code_expiry_timestamp_seconds": codes,
		"polarlicense_findings":                      len(audit.Checks()),
	} {
		require.Contains(t, fams, name)
		assert.Len(t, fams[name].GetMetric(), n, "%s: no series but the emulator's", name)
	}
	want := map[string]int{}
	for _, f := range audit.Evaluate(orders, audit.Policy{Now: auditNow}) {
		want[f.Check]++
	}
	for _, c := range audit.Checks() {
		got, ok := value(fams, "polarlicense_findings", "check", c.Name, "severity", c.Severity.String())
		assert.True(t, ok, c.Name)
		assert.Equal(t, float64(want[c.Name]), got, c.Name)
	}
}

func TestExporterServesTheAudit(t *testing.T) {
	t.Parallel()
	srv := newServer(t, seeded()...)
	before := time.Now()
	e := startExporter(t, srv, "--interval", "1h")
	fams := e.waitFor(t, "the first audit", upIs(1))

	checkAgainstEmulator(t, fams, srv)
	// The known answer of the seeded data set, as counts.
	for _, w := range []struct {
		check, severity string
		n               float64
	}{
		{"code-expired", "error", 1}, {"code-count-mismatch", "error", 1}, {"quota-exceeded", "error", 0},
		{"code-expiring", "warning", 1}, {"quota-high", "warning", 1}, {"quota-exhausted", "warning", 1},
		{"code-duplicate", "warning", 0}, {"virtual-order-frozen", "info", 1},
	} {
		v, ok := value(fams, "polarlicense_findings", "check", w.check, "severity", w.severity)
		assert.True(t, ok, w.check)
		assert.Equal(t, w.n, v, w.check)
	}
	v, _ := value(fams, "polarlicense_order_frozen", "aliyun_order_id", orderD)
	assert.Equal(t, 1.0, v)
	v, _ = value(fams, "polarlicense_audits_total")
	assert.Equal(t, 1.0, v)
	v, _ = value(fams, "polarlicense_audit_failures_total")
	assert.Equal(t, 0.0, v)
	last, ok := value(fams, "polarlicense_audit_last_success_timestamp_seconds")
	require.True(t, ok)
	assert.GreaterOrEqual(t, last, float64(before.Unix()))
	assert.LessOrEqual(t, last, float64(time.Now().Unix()+1))
	took, ok := value(fams, "polarlicense_audit_duration_seconds")
	require.True(t, ok)
	assert.Greater(t, took, 0.0)
	assert.Equal(t, dto.MetricType_COUNTER, fams["polarlicense_audit_failures_total"].GetType())
	assert.Equal(t, dto.MetricType_GAUGE, fams["polarlicense_code_expiry_timestamp_seconds"].GetType())
	assert.Contains(t, fams, "go_goroutines", "the Go runtime's metrics too")

	// A scrape reads memory: it never calls the API.
	sent := srv.RequestCount("")
	for range 5 {
		e.scrape(t)
	}
	assert.Equal(t, sent, srv.RequestCount(""))

	resp, err := http.Get(e.url + "/healthz")
	require.NoError(t, err)
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	assert.Equal(t, http.StatusOK, resp.StatusCode)
	assert.Equal(t, "ok\n", string(body))
	assert.Equal(t, sent, srv.RequestCount(""), "nor does /healthz")

	r := e.stop()
	assert.Equal(t, exitOK, r.code, r.stderr)
	assert.Empty(t, r.stdout)
	lines := strings.Split(strings.TrimSuffix(r.stderr, "\n"), "\n")
	require.Len(t, lines, 3, r.stderr)
	assert.Contains(t, lines[0], `msg="exporter listening"`)
	assert.Regexp(t, `level=INFO msg=audit orders=6 codes=18 errors=2 warnings=3 info=1 duration=\S+$`, lines[1])
	assert.Contains(t, lines[2], `msg="exporter stopped"`)
	_, err = http.Get(e.url + "/metrics")
	assert.Error(t, err, "the port is closed")
}

func TestExporterBeforeTheFirstAudit(t *testing.T) {
	t.Parallel()
	// The first audit hangs: the exporter serves already, with up 0 and
	// no figures.
	srv := newServer(t, append(seeded(orderF), polarlicensetest.WithFaults(polarlicensetest.Fault{
		Operation: "DescribeLicenseOrders", Kind: polarlicensetest.FaultDelay, Delay: time.Hour}))...)
	e := startExporter(t, srv, "--interval", "1h")
	fams := e.scrape(t)
	v, ok := value(fams, "polarlicense_audit_up")
	assert.True(t, ok)
	assert.Zero(t, v)
	for _, name := range []string{"polarlicense_order_activation_code_quota", "polarlicense_code_expiry_timestamp_seconds",
		"polarlicense_findings", "polarlicense_audit_last_success_timestamp_seconds", "polarlicense_audit_duration_seconds"} {
		assert.NotContains(t, fams, name, "no figures before an audit has finished")
	}
	r := e.stop()
	assert.Equal(t, exitOK, r.code, "a stop during an audit is clean: %s", r.stderr)
	assert.NotContains(t, r.stderr, "audit failed", "an audit cut short by the stop is not a failure")
}

func TestExporterFollowsChangesAndKeepsLastValuesOnFailure(t *testing.T) {
	t.Parallel()
	srv := newServer(t, seeded(orderA, orderF)...)
	e := startExporter(t, srv, "--interval", "1s")
	fams := e.waitFor(t, "the first audit", upIs(1))
	checkAgainstEmulator(t, fams, srv)
	v, _ := value(fams, "polarlicense_order_activated_codes", "aliyun_order_id", orderF)
	assert.Equal(t, 1.0, v)

	// A code is created: a later audit shows it.
	client, err := polarlicense.NewClient(srv.ClientOptions()...)
	require.NoError(t, err)
	created, err := client.CreateActivationCode(context.Background(), &polarlicense.CreateActivationCodeRequest{
		AliyunOrderID: orderF, MacAddress: "00:16:3e:00:00:62", Name: "node-62", SystemIdentifier: "7000000000000000062"})
	require.NoError(t, err)
	newID := strconv.FormatInt(created.ID, 10)
	// (An audit that listed the orders before the create and the codes after
	// it shows the code with the old count: wait for one wholly after it.)
	fams = e.waitFor(t, "the new code", func(fams map[string]*dto.MetricFamily) bool {
		_, ok := value(fams, "polarlicense_code_expiry_timestamp_seconds",
			"aliyun_order_id", orderF, "activation_code_id", newID, "name", "node-62", "mac_address", created.MacAddress)
		n, _ := value(fams, "polarlicense_order_activated_codes", "aliyun_order_id", orderF)
		return ok && n == 2
	})
	checkAgainstEmulator(t, fams, srv)
	v, _ = value(fams, "polarlicense_order_activated_codes", "aliyun_order_id", orderF)
	assert.Equal(t, 2.0, v)
	good := fams

	// The emulator fails: up 0, failures counted, the last good figures kept.
	srv.Handler.InjectFault(polarlicensetest.Fault{Kind: polarlicensetest.FaultServiceUnavailable, Count: 1 << 30})
	fams = e.waitFor(t, "a failed audit", func(fams map[string]*dto.MetricFamily) bool {
		f, _ := value(fams, "polarlicense_audit_failures_total")
		return upIs(0)(fams) && f >= 1
	})
	for _, name := range []string{"polarlicense_order_activation_code_quota", "polarlicense_order_activated_codes",
		"polarlicense_order_remaining_codes", "polarlicense_order_frozen", "polarlicense_code_expiry_timestamp_seconds",
		"polarlicense_findings", "polarlicense_audit_last_success_timestamp_seconds"} {
		assert.Equal(t, seriesOf(good[name]), seriesOf(fams[name]), "%s: the last good values", name)
	}
	failures, _ := value(fams, "polarlicense_audit_failures_total")
	audits, _ := value(fams, "polarlicense_audits_total")
	assert.GreaterOrEqual(t, audits, failures+2)

	// It recovers.
	srv.Handler.ClearFaults()
	e.waitFor(t, "a good audit again", upIs(1))

	r := e.stop()
	assert.Equal(t, exitOK, r.code)
	assert.Regexp(t, `(?m)^time=\S+ level=WARN msg="audit failed" error="the service failed: ServiceUnavailable: .*\(HTTP 503, request id [0-9A-F-]+\)" duration=\S+ failures=\d+$`, r.stderr)
	for _, line := range strings.Split(strings.TrimSpace(r.stderr), "\n") {
		assert.Regexp(t, `msg=("exporter listening"|audit|"audit failed"|"exporter stopped") `+"|"+`msg="exporter stopped"$`, line)
	}
}

// seriesOf writes a family's series, sorted, to compare two scrapes.
func seriesOf(f *dto.MetricFamily) []string {
	var out []string
	for _, m := range f.GetMetric() {
		var b strings.Builder
		for _, l := range m.GetLabel() {
			b.WriteString(l.GetName() + "=" + l.GetValue() + ",")
		}
		b.WriteString(strconv.FormatFloat(m.GetGauge().GetValue()+m.GetCounter().GetValue(), 'g', -1, 64))
		out = append(out, b.String())
	}
	sort.Strings(out)
	return out
}

func TestExporterAuditTakesAtMostTheInterval(t *testing.T) {
	t.Parallel()
	srv := newServer(t, append(seeded(orderF), polarlicensetest.WithFaults(polarlicensetest.Fault{
		Operation: "DescribeLicenseOrders", Kind: polarlicensetest.FaultDelay, Delay: time.Hour, Count: 100}))...)
	e := startExporter(t, srv, "--interval", "1s")
	fams := e.waitFor(t, "the audit cut short", func(fams map[string]*dto.MetricFamily) bool {
		f, _ := value(fams, "polarlicense_audit_failures_total")
		return f >= 1
	})
	v, _ := value(fams, "polarlicense_audit_up")
	assert.Zero(t, v)
	took, _ := value(fams, "polarlicense_audit_duration_seconds")
	assert.GreaterOrEqual(t, took, 1.0)
	r := e.stop()
	assert.Equal(t, exitOK, r.code)
	assert.Regexp(t, `msg="audit failed" error="timed out; an audit may take at most --interval \(1s\)"`, r.stderr)
}

func TestExporterFlags(t *testing.T) {
	t.Parallel()
	srv := newServer(t, seeded(orderF)...)
	for _, c := range []struct {
		args []string
		msg  string
	}{
		{[]string{"--interval", "500ms"}, "invalid --interval 500ms: want 1s or more"},
		{[]string{"--interval", "0"}, "invalid --interval 0: want 1s or more"},
		{[]string{"--listen", "localhost"}, `invalid --listen "localhost": want HOST:PORT, such as 127.0.0.1:9479`},
		{[]string{"--concurrency", "0"}, "invalid --concurrency 0: want 1 or more"},
		{[]string{"--quota-warn", "0%"}, `invalid argument "0%" for "--quota-warn" flag`},
		// The exporter runs until stopped: --timeout would stop it, exit
		// 0, and a unit with Restart=on-failure would leave it dead.
		{[]string{"--timeout", "1m"}, "--timeout does not apply to exporter, which runs until stopped: each audit is given at most --interval"},
	} {
		r := runAt(t, srv, append([]string{"exporter"}, c.args...)...)
		assert.Equal(t, exitUsage, r.code, c.args)
		assert.Contains(t, oneLineOn(t, r.stderr), c.msg)
	}
	assert.Zero(t, srv.RequestCount(""), "bad flags sent nothing")

	// The port is taken, or not a port: a failure, at once, said as such.
	e := startExporter(t, srv, "--interval", "1h")
	busy := strings.TrimPrefix(e.url, "http://")
	r := runAt(t, srv, "exporter", "--listen", busy)
	assert.Equal(t, exitFailure, r.code)
	assert.Equal(t, "polarlicense: cannot listen on "+busy+": address already in use", oneLineOn(t, r.stderr))
	r = runAt(t, srv, "exporter", "--listen", "127.0.0.1:99999")
	assert.Equal(t, exitFailure, r.code)
	assert.Equal(t, "polarlicense: cannot listen on 127.0.0.1:99999: address 99999: invalid port", oneLineOn(t, r.stderr))

	help := ok(t, runAt(t, srv, "exporter", "--help")).stdout
	for _, flag := range []string{"--listen address", "--interval duration", "--expiring-within duration", "--quota-warn percentage", "--concurrency many"} {
		assert.Contains(t, help, flag)
	}
	assert.Contains(t, help, `(default "127.0.0.1:9479")`)
	assert.Contains(t, help, "(default 10m)")
}

// TestExporterStopsOnSignal runs the real program in a child process and
// stops it with SIGTERM, then SIGINT.
func TestExporterStopsOnSignal(t *testing.T) {
	if os.Getenv("POLARLICENSE_TEST_EXPORTER_CHILD") == "1" {
		os.Args = []string{"polarlicense", "--emulator", "exporter", "--listen", "127.0.0.1:0", "--interval", "1h"}
		main()
		return
	}
	t.Parallel()
	for _, sig := range []syscall.Signal{syscall.SIGTERM, syscall.SIGINT} {
		cmd := exec.Command(os.Args[0], "-test.run=^TestExporterStopsOnSignal$")
		cmd.Env = append(os.Environ(), "POLARLICENSE_TEST_EXPORTER_CHILD=1")
		stderr, err := cmd.StderrPipe()
		require.NoError(t, err)
		require.NoError(t, cmd.Start())
		lines := bufio.NewScanner(stderr)
		var addr string
		for addr == "" && lines.Scan() {
			if m := listeningRe.FindStringSubmatch(lines.Text()); m != nil {
				addr = m[1]
			}
		}
		require.NotEmpty(t, addr)
		for lines.Scan() && !strings.Contains(lines.Text(), "msg=audit ") {
		}
		resp, err := http.Get("http://" + addr + "/healthz")
		require.NoError(t, err)
		resp.Body.Close()
		require.NoError(t, cmd.Process.Signal(sig))
		var rest []string
		for lines.Scan() {
			rest = append(rest, lines.Text())
		}
		require.NoError(t, cmd.Wait(), "%v: exit status 0", sig)
		require.NotEmpty(t, rest)
		assert.Contains(t, rest[len(rest)-1], `msg="exporter stopped"`, sig)
	}
}

// alertRules is docs/prometheus-alerts.yaml, read strictly.
type alertRules struct {
	Groups []struct {
		Name  string `yaml:"name"`
		Rules []struct {
			Alert       string            `yaml:"alert"`
			Expr        string            `yaml:"expr"`
			For         string            `yaml:"for"`
			Labels      map[string]string `yaml:"labels"`
			Annotations map[string]string `yaml:"annotations"`
		} `yaml:"rules"`
	} `yaml:"groups"`
}

func readAlertRules(t *testing.T) alertRules {
	t.Helper()
	b, err := os.ReadFile("../../docs/prometheus-alerts.yaml")
	require.NoError(t, err)
	var doc alertRules
	dec := yaml.NewDecoder(bytes.NewReader(b))
	dec.KnownFields(true)
	require.NoError(t, dec.Decode(&doc))
	return doc
}

// nodeMetrics are the metrics "polarlicense license check --textfile-dir"
// writes for node_exporter (package nodecheck).
var nodeMetrics = []string{
	"polarlicense_node_license_status",
	"polarlicense_node_license_check",
	"polarlicense_node_license_expiry_timestamp_seconds",
	"polarlicense_node_license_last_check_timestamp_seconds",
}

// nodeMetricsWritten returns the node check's metric names as package
// nodecheck spells them (its Metric… constants), or nil when the
// repository has no nodecheck package.
func nodeMetricsWritten(t *testing.T) []string {
	t.Helper()
	files, err := filepath.Glob("../../nodecheck/*.go")
	require.NoError(t, err)
	var names []string
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		b, err := os.ReadFile(f)
		require.NoError(t, err)
		for _, m := range regexp.MustCompile(`"(polarlicense_node_[a-z_]+)"`).FindAllStringSubmatch(string(b), -1) {
			names = append(names, m[1])
		}
	}
	return names
}

// TestAlertRulesUseServedMetrics checks docs/prometheus-alerts.yaml: the
// alerts the README promises, and that every metric their expressions name
// is one the exporter serves, one the node check writes for node_exporter,
// or up, which Prometheus records of every target.
func TestAlertRulesUseServedMetrics(t *testing.T) {
	t.Parallel()
	doc := readAlertRules(t)

	// Data with a code without expiry, so that every series the exporter
	// can serve is served.
	e := startExporterIn(t, hostileData(t), "--interval", "1h")
	served := e.waitFor(t, "the first audit", upIs(1))
	require.Contains(t, served, "polarlicense_code_expiry_unknown")
	node := map[string]bool{}
	for _, n := range nodeMetrics {
		node[n] = true
	}
	written := nodeMetricsWritten(t)
	require.NotNil(t, written, "package nodecheck's source was found")
	for _, n := range nodeMetrics {
		assert.Contains(t, written, n, "package nodecheck writes %s", n)
	}

	var alerts []string
	for _, g := range doc.Groups {
		for _, r := range g.Rules {
			alerts = append(alerts, r.Alert)
			assert.Contains(t, []string{"warning", "critical"}, r.Labels["severity"], r.Alert)
			assert.NotEmpty(t, r.Annotations["summary"], r.Alert)
			assert.NotEmpty(t, r.Annotations["description"], r.Alert)
			_, err := model.ParseDuration(r.For)
			assert.NoError(t, err, "%s: for %q", r.Alert, r.For)
			names := metricNames(r.Expr)
			assert.NotEmpty(t, names, "%s: %s", r.Alert, r.Expr)
			for _, n := range names {
				switch {
				case n == "up":
				case strings.HasPrefix(n, "polarlicense_node_"):
					assert.True(t, node[n], "%s names %s, which the node check does not write", r.Alert, n)
					assert.Equal(t, "polarlicense-node", g.Name, "%s: node rules in their own group", r.Alert)
				default:
					assert.Contains(t, served, n, "%s names %s, which the exporter does not serve", r.Alert, n)
				}
			}
			if r.Alert == "PolarLicenseExporterDown" {
				assert.Equal(t, 2, strings.Count(r.Expr, `job="polarlicense"`), "the job label the README documents: %s", r.Expr)
			}
		}
	}
	assert.Equal(t, []string{"PolarLicenseCodeExpiringWithin30Days", "PolarLicenseCodeExpiringWithin7Days", "PolarLicenseCodeExpired",
		"PolarLicenseCodeExpiryUnknown", "PolarLicenseQuotaExhausted", "PolarLicenseAuditFailing",
		"PolarLicenseExporterDown", "PolarLicenseAuditStale",
		"PolarLicenseNodeLicenseCritical", "PolarLicenseNodeLicenseUnknown", "PolarLicenseNodeLicenseExpiringWithin7Days",
		"PolarLicenseNodeLicenseExpired", "PolarLicenseNodeCheckStale", "PolarLicenseNodeCheckMissing"}, alerts)
}

// nodeMetricLabels are the labels of each metric the node check writes, as
// package nodecheck writes them (node_exporter adds job and instance).
var nodeMetricLabels = map[string][]string{
	"polarlicense_node_license_status":                       {"license_path"},
	"polarlicense_node_license_check":                        {"license_path", "check"},
	"polarlicense_node_license_expiry_timestamp_seconds":     {"license_path", "aliyun_order_id", "activation_code_id"},
	"polarlicense_node_license_last_check_timestamp_seconds": {"license_path"},
}

// TestNodeRulesUseTheNodeCheckLabels checks that the node rules, and the
// series their promtool tests feed them, use only the labels the node
// check writes (and job and instance, which node_exporter's scrape adds),
// and, where the repository has package nodecheck, that its source writes
// each of them.
func TestNodeRulesUseTheNodeCheckLabels(t *testing.T) {
	t.Parallel()
	require.Len(t, nodeMetricLabels, len(nodeMetrics))
	allowed := func(metrics []string) map[string]bool {
		m := map[string]bool{"job": true, "instance": true}
		for _, n := range metrics {
			for _, l := range nodeMetricLabels[n] {
				m[l] = true
			}
		}
		return m
	}
	rules := 0
	for _, g := range readAlertRules(t).Groups {
		if g.Name != "polarlicense-node" {
			continue
		}
		for _, r := range g.Rules {
			rules++
			names := metricNames(r.Expr)
			for _, n := range names {
				require.Contains(t, nodeMetricLabels, n, r.Alert)
			}
			ok := allowed(names)
			var used []string
			for _, a := range r.Annotations {
				for _, m := range regexp.MustCompile(`\$labels\.([a-zA-Z_]+)`).FindAllStringSubmatch(a, -1) {
					used = append(used, m[1])
				}
			}
			for _, m := range regexp.MustCompile(`([a-zA-Z_]+)\s*(?:=|!=|=~|!~)\s*"`).FindAllStringSubmatch(r.Expr, -1) {
				used = append(used, m[1])
			}
			for _, m := range regexp.MustCompile(`\b(?:on|ignoring|by|without)\s*\(([^)]*)\)`).FindAllStringSubmatch(r.Expr, -1) {
				for _, l := range strings.Split(m[1], ",") {
					if l = strings.TrimSpace(l); l != "" {
						used = append(used, l)
					}
				}
			}
			for _, l := range used {
				assert.True(t, ok[l], "%s uses the label %s, which %v do not have", r.Alert, l, names)
			}
		}
	}
	assert.Equal(t, 6, rules, "the node rules")

	// The promtool tests feed the node rules series labelled as the node
	// check's are.
	b, err := os.ReadFile("../../docs/prometheus-alerts.test.yaml")
	require.NoError(t, err)
	var tests struct {
		Tests []struct {
			InputSeries []struct {
				Series string `yaml:"series"`
			} `yaml:"input_series"`
		} `yaml:"tests"`
	}
	require.NoError(t, yaml.Unmarshal(b, &tests))
	fed := 0
	for _, tc := range tests.Tests {
		for _, in := range tc.InputSeries {
			name, rest, _ := strings.Cut(in.Series, "{")
			if !strings.HasPrefix(name, "polarlicense_node_") {
				continue
			}
			fed++
			require.Contains(t, nodeMetricLabels, name, in.Series)
			var got []string
			for _, m := range regexp.MustCompile(`([a-zA-Z_]+)="`).FindAllStringSubmatch(rest, -1) {
				got = append(got, m[1])
			}
			want := append([]string{"job", "instance"}, nodeMetricLabels[name]...)
			if !slices.Contains(got, "license_path") && name != nodecheck.MetricExpiry {
				// As a check wrote it before every node series carried
				// license_path (the rules must not fire on an upgrade).
				want = slices.DeleteFunc(want, func(l string) bool { return l == "license_path" })
			}
			assert.ElementsMatch(t, want, got, in.Series)
		}
	}
	assert.NotZero(t, fed)

	// Package nodecheck, once merged, writes these labels.
	files, err := filepath.Glob("../../nodecheck/*.go")
	require.NoError(t, err)
	var src strings.Builder
	for _, f := range files {
		if !strings.HasSuffix(f, "_test.go") {
			b, err := os.ReadFile(f)
			require.NoError(t, err)
			src.Write(b)
		}
	}
	require.NotZero(t, src.Len(), "package nodecheck's source was found")
	for n, labels := range nodeMetricLabels {
		for _, l := range labels {
			assert.Regexp(t, `\b`+l+`=`, src.String(), "package nodecheck writes the label %s of %s", l, n)
		}
	}
}

// promBinary returns the path of a Prometheus program (promtool,
// prometheus), or skips the test when it is missing, except in CI
// (CI=true), where it fails.
func promBinary(t *testing.T, name string) string {
	t.Helper()
	if p, err := exec.LookPath(name); err == nil {
		return p
	}
	if os.Getenv("CI") == "true" {
		t.Fatalf("%s is not installed (apt-get install prometheus); CI=true requires it", name)
	}
	t.Skipf("%s is not installed (apt-get install prometheus)", name)
	return ""
}

// TestAlertRulesWithPromtool has Prometheus check the rules and run their
// unit tests, docs/prometheus-alerts.test.yaml, which must test every alert
// both firing and silent.
func TestAlertRulesWithPromtool(t *testing.T) {
	t.Parallel()
	promtool := promBinary(t, "promtool")
	run := func(args ...string) string {
		t.Helper()
		cmd := exec.Command(promtool, args...)
		cmd.Dir = "../../docs"
		out, err := cmd.CombinedOutput()
		require.NoError(t, err, "promtool %s:\n%s", strings.Join(args, " "), out)
		return string(out)
	}
	assert.Contains(t, run("check", "rules", "prometheus-alerts.yaml"), "SUCCESS: 14 rules found")
	assert.Contains(t, run("test", "rules", "prometheus-alerts.test.yaml"), "SUCCESS")

	// Every alert is tested firing and silent.
	b, err := os.ReadFile("../../docs/prometheus-alerts.test.yaml")
	require.NoError(t, err)
	var tests struct {
		Tests []struct {
			AlertRuleTest []struct {
				Alertname string           `yaml:"alertname"`
				ExpAlerts []map[string]any `yaml:"exp_alerts"`
			} `yaml:"alert_rule_test"`
		} `yaml:"tests"`
	}
	require.NoError(t, yaml.Unmarshal(b, &tests))
	fires, silent := map[string]bool{}, map[string]bool{}
	for _, tc := range tests.Tests {
		for _, a := range tc.AlertRuleTest {
			if len(a.ExpAlerts) > 0 {
				fires[a.Alertname] = true
			} else {
				silent[a.Alertname] = true
			}
		}
	}
	for _, g := range readAlertRules(t).Groups {
		for _, r := range g.Rules {
			assert.True(t, fires[r.Alert], "%s is never tested firing", r.Alert)
			assert.True(t, silent[r.Alert], "%s is never tested silent", r.Alert)
		}
	}

	// And the test catches a rule that is wrong: the 30-day window made 31.
	dir := t.TempDir()
	rules, err := os.ReadFile("../../docs/prometheus-alerts.yaml")
	require.NoError(t, err)
	broken := strings.Replace(string(rules), "<= 30 * 86400", "<= 31 * 86400", 1)
	require.NotEqual(t, string(rules), broken)
	require.NoError(t, os.WriteFile(filepath.Join(dir, "prometheus-alerts.yaml"), []byte(broken), 0o600))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "prometheus-alerts.test.yaml"), b, 0o600))
	cmd := exec.Command(promtool, "test", "rules", "prometheus-alerts.test.yaml")
	cmd.Dir = dir
	out, err := cmd.CombinedOutput()
	assert.Error(t, err, "promtool must fail the broken rule:\n%s", out)
	assert.Contains(t, string(out), "PolarLicenseCodeExpiringWithin30Days")
}

// PromQL words that are not metric names.
var promqlWords = map[string]bool{"and": true, "or": true, "unless": true, "on": true, "ignoring": true, "by": true,
	"without": true, "group_left": true, "group_right": true, "bool": true, "offset": true}

// metricNames returns the metric names a PromQL expression reads: its
// identifiers, less strings, label matchers, the label lists of on/by/…,
// function names and keywords.
func metricNames(expr string) []string {
	expr = regexp.MustCompile(`"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'`).ReplaceAllString(expr, `""`)
	expr = regexp.MustCompile(`\{[^}]*\}`).ReplaceAllString(expr, " ")
	expr = regexp.MustCompile(`\b(on|ignoring|by|without|group_left|group_right)\s*\([^)]*\)`).ReplaceAllString(expr, " ")
	expr = regexp.MustCompile(`\[[^\]]*\]|\boffset\s+-?[0-9a-z]+`).ReplaceAllString(expr, " ")
	var out []string
	for _, m := range regexp.MustCompile(`[a-zA-Z_:][a-zA-Z0-9_:]*(\s*\()?`).FindAllString(expr, -1) {
		if strings.HasSuffix(m, "(") || promqlWords[m] {
			continue
		}
		if _, err := strconv.ParseFloat(m, 64); err == nil { // Inf, NaN
			continue
		}
		out = append(out, m)
	}
	return out
}

func TestMetricNames(t *testing.T) {
	t.Parallel()
	assert.Equal(t, []string{"a_total", "b", "c"},
		metricNames(`sum by (job) (rate(a_total{x="y", z=~"w.*"}[5m])) > on (i) group_left (j) b unless ignoring(k) c offset 5m`))
	assert.Equal(t, []string{"polarlicense_code_expiry_timestamp_seconds"}, metricNames("polarlicense_code_expiry_timestamp_seconds - time() <= 30 * 86400"))
	assert.Empty(t, metricNames(`vector(1) > bool 0`))
}
