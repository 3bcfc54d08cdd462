package main

import (
	"context"
	"errors"
	"log/slog"
	"math/rand/v2"
	"net"
	"net/http"
	"strconv"
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
polarlicense_audit_up to 0 and adds one to polarlicense_audit_failures_total.
Each audit is given at most --interval to finish, and logs one line on stderr.

Metrics:
  polarlicense_order_activation_code_quota{aliyun_order_id,engine,package_type}
  polarlicense_order_activated_codes{aliyun_order_id}
  polarlicense_order_remaining_codes{aliyun_order_id}
  polarlicense_order_frozen{aliyun_order_id}                    1 for a frozen virtual order
  polarlicense_code_expiry_timestamp_seconds{aliyun_order_id,activation_code_id,name,mac_address}
  polarlicense_findings{check,severity}                         the last audit's findings, by check
  polarlicense_audit_up                                         1 if the last audit succeeded
  polarlicense_audit_last_success_timestamp_seconds
  polarlicense_audit_duration_seconds                           of the last audit
  polarlicense_audit_failures_total
  polarlicense_audits_total

It listens on 127.0.0.1 unless --listen says otherwise, and stops cleanly on
SIGINT or SIGTERM.`,
		Example: `  polarlicense exporter
  polarlicense exporter --listen 0.0.0.0:9479 --interval 30m --expiring-within 30d
  polarlicense --emulator exporter --interval 1m`,
		Args: exactArgs(),
		RunE: a.action(func(ctx context.Context, _ *cobra.Command, _ []string) error {
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
				return err
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

	mu          sync.Mutex
	last        *audit.Report // the last good report, nil before the first
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
	var wg sync.WaitGroup
	wg.Go(func() { e.loop(ctx) })
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	e.log.Info("exporter listening", "address", ln.Addr().String(), "interval", e.interval.String())

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

// auditOnce runs one audit, given at most the interval, records its outcome
// and logs it.
func (e *exporter) auditOnce(ctx context.Context) {
	actx, cancel := context.WithTimeout(ctx, e.interval)
	defer cancel()
	start := time.Now()
	rep, err := e.audit(actx)
	took := time.Since(start)
	if ctx.Err() != nil {
		return // stopping: not a failure of the audit
	}
	if err != nil && errors.Is(actx.Err(), context.DeadlineExceeded) {
		err = &hintError{err: err, hint: "an audit may take at most --interval (" + e.interval.String() + ")"}
	}
	e.mu.Lock()
	e.audits++
	e.duration = took
	e.up = err == nil
	if err == nil {
		e.last, e.lastSuccess = rep, time.Now()
	} else {
		e.failures++
	}
	failures := e.failures
	e.mu.Unlock()
	if err != nil {
		e.log.Warn("audit failed", "error", e.describe(err), "duration", took.Round(time.Millisecond).String(), "failures", failures)
		return
	}
	e.log.Info("audit", "orders", len(rep.Orders), "codes", rep.Codes(),
		"errors", rep.Count(audit.SeverityError), "warnings", rep.Count(audit.SeverityWarning), "info", rep.Count(audit.SeverityInfo),
		"duration", took.Round(time.Millisecond).String())
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
		"When the activation code expires, in seconds since the Unix epoch.", []string{"aliyun_order_id", "activation_code_id", "name", "mac_address"}, nil)
	descFindings = prometheus.NewDesc("polarlicense_findings",
		"The number of findings of the last successful audit, by check.", []string{"check", "severity"}, nil)
	descUp = prometheus.NewDesc("polarlicense_audit_up",
		"1 if the last audit succeeded, 0 if it failed or none has finished yet.", nil, nil)
	descLastSuccess = prometheus.NewDesc("polarlicense_audit_last_success_timestamp_seconds",
		"When the last successful audit finished, in seconds since the Unix epoch.", nil, nil)
	descDuration = prometheus.NewDesc("polarlicense_audit_duration_seconds",
		"How long the last audit took, successful or not.", nil, nil)
	descFailures = prometheus.NewDesc("polarlicense_audit_failures_total",
		"The number of audits that failed.", nil, nil)
	descAudits = prometheus.NewDesc("polarlicense_audits_total",
		"The number of audits run, successful or not.", nil, nil)
)

// Describe sends the metrics' descriptions (prometheus.Collector).
func (e *exporter) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{descQuota, descActivated, descRemaining, descFrozen, descExpiry, descFindings,
		descUp, descLastSuccess, descDuration, descFailures, descAudits} {
		ch <- d
	}
}

// Collect sends the last audit's figures from memory (prometheus.Collector):
// it never calls the API.
func (e *exporter) Collect(ch chan<- prometheus.Metric) {
	e.mu.Lock()
	rep, up, lastSuccess, took, audits, failures := e.last, e.up, e.lastSuccess, e.duration, e.audits, e.failures
	e.mu.Unlock()

	gauge := func(d *prometheus.Desc, v float64, labels ...string) {
		ch <- prometheus.MustNewConstMetric(d, prometheus.GaugeValue, v, labels...)
	}
	gauge(descUp, boolValue(up))
	ch <- prometheus.MustNewConstMetric(descFailures, prometheus.CounterValue, float64(failures))
	ch <- prometheus.MustNewConstMetric(descAudits, prometheus.CounterValue, float64(audits))
	if audits > 0 {
		gauge(descDuration, took.Seconds())
	}
	if rep == nil {
		return
	}
	gauge(descLastSuccess, float64(lastSuccess.UnixNano())/1e9)
	for i := range rep.Orders {
		o := &rep.Orders[i]
		id := o.AliyunOrderID
		gauge(descQuota, float64(o.ActivationCodeQuota), id, string(o.Engine), string(o.PackageType))
		gauge(descActivated, float64(o.ActivatedCodeCount), id)
		gauge(descRemaining, float64(o.RemainingQuota()), id)
		gauge(descFrozen, boolValue(o.Frozen()), id)
		for _, c := range o.Codes {
			if !c.ExpireAt.IsZero() {
				gauge(descExpiry, float64(c.ExpireAt.Unix()), id, strconv.FormatInt(c.ID, 10), c.Name, c.MacAddress)
			}
		}
	}
	counts := map[string]int{}
	for _, f := range rep.Findings {
		counts[f.Check]++
	}
	for _, c := range audit.Checks() {
		gauge(descFindings, float64(counts[c.Name]), c.Name, c.Severity.String())
	}
}

func boolValue(b bool) float64 {
	if b {
		return 1
	}
	return 0
}
