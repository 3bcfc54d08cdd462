package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"github.com/spf13/cobra"

	"github.com/polarlicense/polarlicense-go/audit"
)

// exporter: the audit for Prometheus. It audits at start and then every
// --interval (with jitter, so that many exporters do not call the API in
// step), keeps the last good Report in memory and serves it on /metrics: a
// scrape never calls the API. A failed audit keeps the last good figures,
// sets polarlicense_audit_up to 0 and counts the failure.
//
// The exporter never dies on data: the figures are built once per audit,
// from label values made valid UTF-8 first, and a panic in an audit or in
// building its figures is recovered and counts as a failed audit.

const (
	defaultExporterListen = "127.0.0.1:9479"
	minExporterInterval   = time.Second
	exporterJitter        = 0.1 // each wait is the interval ± 10 %
)

func (a *app) exporterCommand() *cobra.Command {
	flags := newAuditFlags()
	listen := defaultExporterListen
	interval := durationValue{d: 10 * time.Minute, text: "10m"}
	cmd := &cobra.Command{
		Use:   "exporter [--listen 127.0.0.1:9479] [--interval 10m] [--expiring-within 90d] [--quota-warn 80%]",
		Short: "Serve the audit as Prometheus metrics",
		Long: `Audit every order and code at start and then every --interval (with ±10 %
jitter), and serve the last result on /metrics in the Prometheus text
format, and "ok" on /healthz. A scrape reads the last result from memory and
never calls the API. A failed audit keeps the last good figures, sets
polarlicense_audit_up to 0 and adds one to polarlicense_audit_failures_total;
so does a panic during an audit, which is logged. Label values that are not
valid UTF-8 are served with U+FFFD in place of the invalid bytes. Each audit
is given at most --interval to finish, and logs one line on stderr; the
global --timeout does not apply (the exporter runs until stopped).

Metrics:
  polarlicense_order_activation_code_quota{aliyun_order_id,engine,package_type}
  polarlicense_order_activated_codes{aliyun_order_id}
  polarlicense_order_remaining_codes{aliyun_order_id}
  polarlicense_order_frozen{aliyun_order_id}                    1 for a frozen virtual order
  polarlicense_code_expiry_timestamp_seconds{aliyun_order_id,activation_code_id,name,mac_address}
  polarlicense_code_expiry_unknown{aliyun_order_id,activation_code_id,name,mac_address}
                                                                1 for a code without a usable ExpireAt
  polarlicense_findings{check,severity}                         the last audit's findings, by check
  polarlicense_audit_up                                         1 if the last audit succeeded
  polarlicense_audit_last_success_timestamp_seconds
  polarlicense_audit_duration_seconds                           of the last audit
  polarlicense_audit_interval_seconds                           --interval
  polarlicense_audit_failures_total
  polarlicense_audits_total

It listens on 127.0.0.1 unless --listen says otherwise, and stops cleanly on
SIGINT or SIGTERM.`,
		Example: `  polarlicense exporter
  polarlicense exporter --listen 0.0.0.0:9479 --interval 30m --expiring-within 30d
  polarlicense --emulator exporter --interval 1m`,
		Args: exactArgs(),
		RunE: a.action(func(ctx context.Context, cmd *cobra.Command, _ []string) error {
			// --timeout would stop the exporter, as a clean exit (status
			// 0) that a unit's Restart=on-failure leaves stopped.
			if cmd.Flags().Changed("timeout") {
				return usagef("--timeout does not apply to exporter, which runs until stopped: each audit is given at most --interval")
			}
			if interval.d < minExporterInterval {
				return usagef("invalid --interval %s: want 1s or more", interval.String())
			}
			if _, _, err := net.SplitHostPort(listen); err != nil {
				return usagef("invalid --listen %q: want HOST:PORT, such as %s", listen, defaultExporterListen)
			}
			if _, err := flags.policy(time.Time{}); err != nil {
				return err
			}
			if _, err := a.newClient(); err != nil {
				return err
			}
			a.progress = newProgress(a.stderr, false) // the log lines are stderr's

			ln, err := net.Listen("tcp", listen)
			if err != nil {
				return &listenError{addr: listen, err: err}
			}
			e := &exporter{
				audit: func(ctx context.Context) (*audit.Report, error) {
					p, err := flags.policy(a.env.now())
					if err != nil {
						return nil, err
					}
					return a.runAudit(ctx, p)
				},
				interval: interval.d,
				log:      slog.New(slog.NewTextHandler(a.stderr, nil)),
				describe: a.describe,
			}
			return e.serve(ctx, ln)
		}),
	}
	flags.register(cmd.Flags())
	cmd.Flags().StringVar(&listen, "listen", defaultExporterListen, "serve /metrics and /healthz on this `address`")
	cmd.Flags().Var(&interval, "interval", "audit this often (from 1s), such as 10m or 1h")
	return cmd
}

// exporter holds the last audit's result and serves it.
type exporter struct {
	audit    func(context.Context) (*audit.Report, error)
	interval time.Duration
	log      *slog.Logger
	describe func(error) string // an error in one line, for the log
	// figures builds the metrics of a report; nil means figuresOf.
	figures func(*audit.Report) figureSet

	mu          sync.Mutex
	last        []prometheus.Metric // the last good audit's figures, nil before the first
	leftOut     int                 // the series left out of them (see figuresOf)
	up          bool
	lastSuccess time.Time
	duration    time.Duration // of the last audit, good or not
	audits      uint64
	failures    uint64
}

// serve runs the audits and the HTTP server until ctx ends.
func (e *exporter) serve(ctx context.Context, ln net.Listener) error {
	reg := prometheus.NewRegistry()
	reg.MustRegister(e, collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", promhttp.HandlerFor(reg, promhttp.HandlerOpts{ErrorHandling: promhttp.ContinueOnError}))
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		_, _ = w.Write([]byte("ok\n"))
	})
	mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		_, _ = w.Write([]byte("polarlicense exporter: metrics on /metrics, health on /healthz\n"))
	})
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}

	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	// Said before the first audit starts, so that it is the first line
	// (the listener is bound already; Serve starts below).
	e.log.Info("exporter listening", "address", ln.Addr().String(), "interval", e.interval.String())
	var wg sync.WaitGroup
	wg.Go(func() { e.loop(ctx) })
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()

	var err error
	select {
	case <-ctx.Done():
	case err = <-served: // the listener failed
	}
	cancel()
	shutdown, stop := context.WithTimeout(context.Background(), 5*time.Second)
	defer stop()
	_ = srv.Shutdown(shutdown)
	wg.Wait()
	if err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	e.log.Info("exporter stopped")
	return nil
}

// loop audits now, then every interval with jitter, until ctx ends.
func (e *exporter) loop(ctx context.Context) {
	for {
		e.auditOnce(ctx)
		t := time.NewTimer(jittered(e.interval))
		select {
		case <-ctx.Done():
			t.Stop()
			return
		case <-t.C:
		}
	}
}

// jittered returns d give or take exporterJitter of it.
func jittered(d time.Duration) time.Duration {
	return d + time.Duration((rand.Float64()*2-1)*exporterJitter*float64(d))
}

// panicError is a panic recovered during an audit or while building its
// figures.
type panicError struct {
	during string // "the audit", "building the metrics"
	value  any
}

// Error says where the panic happened and with what value.
func (e *panicError) Error() string { return fmt.Sprintf("panic during %s: %v", e.during, e.value) }

// auditOnce runs one audit, given at most the interval, records its outcome
// and logs it. A panic in the audit or in building its figures is a failed
// audit.
func (e *exporter) auditOnce(ctx context.Context) {
	actx, cancel := context.WithTimeout(ctx, e.interval)
	defer cancel()
	start := time.Now()
	rep, err := e.safeAudit(actx)
	took := time.Since(start)
	if ctx.Err() != nil {
		return // stopping: not a failure of the audit
	}
	if err != nil && errors.Is(actx.Err(), context.DeadlineExceeded) {
		err = &hintError{err: err, hint: "an audit may take at most --interval (" + e.interval.String() + ")"}
	}
	var figs figureSet
	if err == nil {
		figs, err = e.safeFigures(rep)
	}
	e.mu.Lock()
	e.audits++
	e.duration = took
	e.up = err == nil
	if err == nil {
		e.last, e.leftOut, e.lastSuccess = figs.metrics, figs.dropped, time.Now()
	} else {
		e.failures++
	}
	failures := e.failures
	e.mu.Unlock()
	if err != nil {
		e.log.Warn("audit failed", "error", e.describe(err), "duration", took.Round(time.Millisecond).String(), "failures", failures)
		return
	}
	if figs.dropped > 0 {
		e.log.Warn("series left out", "reason", "the same labels as another series of the audit", "series", figs.dropped)
	}
	e.log.Info("audit", "orders", len(rep.Orders), "codes", rep.Codes(),
		"errors", rep.Count(audit.SeverityError), "warnings", rep.Count(audit.SeverityWarning), "info", rep.Count(audit.SeverityInfo),
		"duration", took.Round(time.Millisecond).String())
}

// safeAudit runs the audit with a panic made its error.
func (e *exporter) safeAudit(ctx context.Context) (rep *audit.Report, err error) {
	defer func() {
		if r := recover(); r != nil {
			rep, err = nil, &panicError{during: "the audit", value: r}
		}
	}()
	rep, err = e.audit(ctx)
	if err == nil && rep == nil {
		err = errors.New("the audit returned no report")
	}
	return rep, err
}

// safeFigures builds the metrics of a report with a panic made its error.
func (e *exporter) safeFigures(rep *audit.Report) (figs figureSet, err error) {
	defer func() {
		if r := recover(); r != nil {
			figs, err = figureSet{}, &panicError{during: "building the metrics", value: r}
		}
	}()
	build := e.figures
	if build == nil {
		build = figuresOf
	}
	return build(rep), nil
}

// The metrics' descriptions.
var (
	descQuota = prometheus.NewDesc("polarlicense_order_activation_code_quota",
		"How many activation codes the license order may issue.", []string{"aliyun_order_id", "engine", "package_type"}, nil)
	descActivated = prometheus.NewDesc("polarlicense_order_activated_codes",
		"How many activation codes the license order has issued.", []string{"aliyun_order_id"}, nil)
	descRemaining = prometheus.NewDesc("polarlicense_order_remaining_codes",
		"How many more activation codes the license order may issue.", []string{"aliyun_order_id"}, nil)
	descFrozen = prometheus.NewDesc("polarlicense_order_frozen",
		"1 if the license order is a frozen virtual order, which issues no more codes, else 0.", []string{"aliyun_order_id"}, nil)
	descExpiry = prometheus.NewDesc("polarlicense_code_expiry_timestamp_seconds",
		"When the activation code expires, in seconds since the Unix epoch.", codeLabels, nil)
	descExpiryUnknown = prometheus.NewDesc("polarlicense_code_expiry_unknown",
		"1 for an activation code whose ExpireAt is missing, null or empty: when it expires is unknown.", codeLabels, nil)
	descFindings = prometheus.NewDesc("polarlicense_findings",
		"The number of findings of the last successful audit, by check.", []string{"check", "severity"}, nil)
	descUp = prometheus.NewDesc("polarlicense_audit_up",
		"1 if the last audit succeeded, 0 if it failed or none has finished yet.", nil, nil)
	descLastSuccess = prometheus.NewDesc("polarlicense_audit_last_success_timestamp_seconds",
		"When the last successful audit finished, in seconds since the Unix epoch.", nil, nil)
	descDuration = prometheus.NewDesc("polarlicense_audit_duration_seconds",
		"How long the last audit took, successful or not.", nil, nil)
	descInterval = prometheus.NewDesc("polarlicense_audit_interval_seconds",
		"How often the exporter audits (--interval), in seconds.", nil, nil)
	descFailures = prometheus.NewDesc("polarlicense_audit_failures_total",
		"The number of audits that failed.", nil, nil)
	descAudits = prometheus.NewDesc("polarlicense_audits_total",
		"The number of audits run, successful or not.", nil, nil)
)

// codeLabels are the labels of a code's series.
var codeLabels = []string{"aliyun_order_id", "activation_code_id", "name", "mac_address"}

// Describe sends the metrics' descriptions (prometheus.Collector).
func (e *exporter) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{descQuota, descActivated, descRemaining, descFrozen, descExpiry, descExpiryUnknown,
		descFindings, descUp, descLastSuccess, descDuration, descInterval, descFailures, descAudits} {
		ch <- d
	}
}

// Collect sends the exporter's health and the last good audit's figures
// from memory (prometheus.Collector): it never calls the API, and the
// figures were built and checked when the audit finished.
func (e *exporter) Collect(ch chan<- prometheus.Metric) {
	defer func() {
		if r := recover(); r != nil {
			e.log.Error("collection failed", "error", fmt.Sprint(r))
		}
	}()
	e.mu.Lock()
	figs, up, lastSuccess, took, audits, failures := e.last, e.up, e.lastSuccess, e.duration, e.audits, e.failures
	e.mu.Unlock()

	send := func(d *prometheus.Desc, t prometheus.ValueType, v float64) {
		if m, err := prometheus.NewConstMetric(d, t, v); err == nil {
			ch <- m
		}
	}
	send(descUp, prometheus.GaugeValue, boolValue(up))
	send(descInterval, prometheus.GaugeValue, e.interval.Seconds())
	send(descFailures, prometheus.CounterValue, float64(failures))
	send(descAudits, prometheus.CounterValue, float64(audits))
	if audits > 0 {
		send(descDuration, prometheus.GaugeValue, took.Seconds())
	}
	if lastSuccess.IsZero() {
		return // no audit has succeeded yet
	}
	send(descLastSuccess, prometheus.GaugeValue, float64(lastSuccess.UnixNano())/1e9)
	for _, m := range figs {
		ch <- m
	}
}

// figureSet is the metrics of one report.
type figureSet struct {
	metrics []prometheus.Metric
	dropped int // series left out: their labels were another's
}

// figuresOf builds the metrics of a report. Every label value is made valid
// UTF-8 first (invalid bytes become U+FFFD, as Prometheus's clients do), so
// that no value the service sent can fail a scrape; a series whose labels
// are another's (two codes whose names differ only in invalid bytes, say) is
// left out and counted, as a scrape holding both would fail.
func figuresOf(rep *audit.Report) figureSet {
	var fs figureSet
	type series struct {
		desc   *prometheus.Desc
		labels string // the label values, joined by 0xff
	}
	seen := map[series]bool{}
	gauge := func(d *prometheus.Desc, v float64, labels ...string) {
		for i, l := range labels {
			labels[i] = strings.ToValidUTF8(l, "\uFFFD")
		}
		key := series{d, strings.Join(labels, "\xff")}
		if seen[key] {
			fs.dropped++
			return
		}
		m, err := prometheus.NewConstMetric(d, prometheus.GaugeValue, v, labels...)
		if err != nil {
			fs.dropped++
			return
		}
		seen[key] = true
		fs.metrics = append(fs.metrics, m)
	}
	for i := range rep.Orders {
		o := &rep.Orders[i]
		id := o.AliyunOrderID
		gauge(descQuota, float64(o.ActivationCodeQuota), id, string(o.Engine), string(o.PackageType))
		gauge(descActivated, float64(o.ActivatedCodeCount), id)
		gauge(descRemaining, float64(o.RemainingQuota()), id)
		gauge(descFrozen, boolValue(o.Frozen()), id)
		for _, c := range o.Codes {
			if c.ExpireAt.IsZero() {
				gauge(descExpiryUnknown, 1, id, strconv.FormatInt(c.ID, 10), c.Name, c.MacAddress)
				continue
			}
			gauge(descExpiry, float64(c.ExpireAt.Unix()), id, strconv.FormatInt(c.ID, 10), c.Name, c.MacAddress)
		}
	}
	counts := map[string]int{}
	for _, f := range rep.Findings {
		counts[f.Check]++
	}
	for _, c := range audit.Checks() {
		gauge(descFindings, float64(counts[c.Name]), c.Name, c.Severity.String())
	}
	return fs
}

func boolValue(b bool) float64 {
	if b {
		return 1
	}
	return 0
}
