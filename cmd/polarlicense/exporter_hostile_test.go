package main

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	polarlicense "github.com/polarlicense/polarlicense-go"
	"github.com/polarlicense/polarlicense-go/audit"
	"github.com/polarlicense/polarlicense-go/polarlicensetest"
)

// rewritingAPI serves the emulator h on 127.0.0.1 with every answer's body
// passed through edit: answers the service may send and the emulator
// cannot (encoding/json writes valid UTF-8 and every member).
func rewritingAPI(t *testing.T, h *polarlicensetest.Handler, edit func([]byte) []byte) environment {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, r)
		for k, v := range rec.Header() {
			w.Header()[k] = v
		}
		body := edit(rec.Body.Bytes())
		w.Header().Set("Content-Length", strconv.Itoa(len(body)))
		w.WriteHeader(rec.Code)
		_, _ = w.Write(body)
	}))
	t.Cleanup(srv.Close)
	id, secret, _ := h.Credentials()
	vars := map[string]string{envEndpoint: srv.URL, envKeyID: id, envSecret: secret}
	env := testEnv(nil)
	env.getenv = func(k string) string { return vars[k] }
	return env
}

// hostileData is order F with a code whose name and MAC address the
// answers turn into bytes that are not UTF-8, an order whose engine and
// package type are not either, and codes whose ExpireAt is missing, null
// and empty.
func hostileData(t *testing.T) environment {
	t.Helper()
	bad := seededOrder(orderA, 10)
	bad.Engine, bad.PackageType = "BADENGINE", "BADPACKAGE"
	h := polarlicensetest.NewHandler(append(seeded(orderF),
		polarlicensetest.WithOrders(bad),
		polarlicensetest.WithActivationCode(orderA, polarlicense.ActivationCode{ID: 91, Name: "BADNAME", MacAddress: "badmac",
			SystemIdentifier: "7000000000000000091", ExpireAt: farFuture}, polarlicense.CertContent{}),
		polarlicensetest.WithActivationCode(orderA, polarlicense.ActivationCode{ID: 92, Name: "no-expiry-missing", ExpireAt: farFuture.AddDate(1, 0, 0)}, polarlicense.CertContent{}),
		polarlicensetest.WithActivationCode(orderA, polarlicense.ActivationCode{ID: 93, Name: "no-expiry-null", ExpireAt: farFuture.AddDate(2, 0, 0)}, polarlicense.CertContent{}),
		polarlicensetest.WithActivationCode(orderA, polarlicense.ActivationCode{ID: 94, Name: "no-expiry-empty", ExpireAt: farFuture.AddDate(3, 0, 0)}, polarlicense.CertContent{}),
	)...)
	missing := regexp.MustCompile(`"ExpireAt":"2041-[^"]*",?`)
	null := regexp.MustCompile(`"ExpireAt":"2042-[^"]*"`)
	empty := regexp.MustCompile(`"ExpireAt":"2043-[^"]*"`)
	return rewritingAPI(t, h, func(b []byte) []byte {
		for _, r := range [][2]string{{"BADNAME", "bad\xff\xfename"}, {"badmac", "00:16:3e\xc0:00"},
			{"BADENGINE", "PG\xed\xa0\x80"}, {"BADPACKAGE", "pkg\xfe"}} {
			b = bytes.ReplaceAll(b, []byte(r[0]), []byte(r[1]))
		}
		b = missing.ReplaceAll(b, nil)
		b = null.ReplaceAll(b, []byte(`"ExpireAt":null`))
		return empty.ReplaceAll(b, []byte(`"ExpireAt":""`))
	})
}

// The exporter serves labels from answers that are not UTF-8, with the
// invalid bytes replaced by U+FFFD as Prometheus's clients do, instead of
// dying on its first scrape; codes without an expiry are served as such.
func TestExporterSurvivesHostileAnswers(t *testing.T) {
	t.Parallel()
	e := startExporterIn(t, hostileData(t), "--interval", "1h")
	fams := e.waitFor(t, "the first audit", upIs(1))

	v, ok := value(fams, "polarlicense_code_expiry_timestamp_seconds", "aliyun_order_id", orderA, "activation_code_id", "91",
		"name", "bad\ufffdname", "mac_address", "00:16:3e\ufffd:00")
	assert.True(t, ok, "the code with invalid bytes in its name and MAC address: %v", seriesOf(fams["polarlicense_code_expiry_timestamp_seconds"]))
	assert.Equal(t, float64(farFuture.Unix()), v)
	_, ok = value(fams, "polarlicense_order_activation_code_quota", "aliyun_order_id", orderA, "engine", "PG\ufffd", "package_type", "pkg\ufffd")
	assert.True(t, ok, "%v", seriesOf(fams["polarlicense_order_activation_code_quota"]))
	for _, f := range fams {
		for _, m := range f.GetMetric() {
			for _, l := range m.GetLabel() {
				assert.True(t, utf8.ValidString(l.GetValue()), "%s %s=%q", f.GetName(), l.GetName(), l.GetValue())
			}
		}
	}

	// The three codes without a usable ExpireAt: no expiry series, an
	// expiry-unknown series and a finding each.
	for id, name := range map[string]string{"92": "no-expiry-missing", "93": "no-expiry-null", "94": "no-expiry-empty"} {
		v, ok := value(fams, "polarlicense_code_expiry_unknown", "aliyun_order_id", orderA, "activation_code_id", id, "name", name, "mac_address", "")
		assert.True(t, ok, "%s: %v", name, seriesOf(fams["polarlicense_code_expiry_unknown"]))
		assert.Equal(t, 1.0, v, name)
		for _, s := range seriesOf(fams["polarlicense_code_expiry_timestamp_seconds"]) {
			assert.NotContains(t, s, "activation_code_id="+id+",")
		}
	}
	assert.Len(t, fams["polarlicense_code_expiry_unknown"].GetMetric(), 3, "only the codes without an expiry")
	v, _ = value(fams, "polarlicense_findings", "check", "code-expiry-unknown", "severity", "warning")
	assert.Equal(t, 3.0, v)

	r := e.stop()
	assert.Equal(t, exitOK, r.code, r.stderr)
	assert.NotContains(t, r.stderr, "panic")
}

// The audit command reports the codes it cannot date, in every output.
func TestAuditCodeWithoutExpiry(t *testing.T) {
	t.Parallel()
	env := hostileData(t)
	for _, format := range []string{"table", "json", "csv", "html"} {
		r := runIn(t, env, "audit", "-o", format)
		assert.Equal(t, exitFindings, r.code, "%s: %s", format, r.stderr)
		for _, id := range []string{"92", "93", "94"} {
			assert.Regexp(t, `code-expiry-unknown[\s\S]*\b`+id+`\b`, r.stdout, format)
		}
		assert.Equal(t, 3, strings.Count(r.stdout, "has no expiry time (ExpireAt missing, null or empty)"), format)
		assert.Contains(t, r.stdout+r.stderr, "FAIL", format)
		if format == "html" {
			assert.Contains(t, r.stdout, "3 without an expiry time (code-expiry-unknown), not drawn")
		}
	}
	// Even at --fail-on warning's default an account with only such a code
	// does not pass.
	h := polarlicensetest.NewHandler(polarlicensetest.WithoutDemoData(), polarlicensetest.WithOrders(seededOrder(orderF, 5)),
		polarlicensetest.WithActivationCode(orderF, polarlicense.ActivationCode{ID: 61, Name: "n", ExpireAt: farFuture}, polarlicense.CertContent{}))
	env = rewritingAPI(t, h, func(b []byte) []byte {
		return regexp.MustCompile(`"ExpireAt":"[^"]*"`).ReplaceAll(b, []byte(`"ExpireAt":null`))
	})
	r := runIn(t, env, "audit")
	assert.Equal(t, exitFindings, r.code, r.stderr)
	assert.Contains(t, r.stderr, "1 warning")
	// Nor at --fail-on error, whose gate passes other warnings: only none,
	// the gate that never fails, lets it through.
	r = runIn(t, env, "audit", "--fail-on", "error")
	assert.Equal(t, exitFindings, r.code, r.stderr)
	assert.Contains(t, r.stderr, "FAIL (--fail-on error)")
	r = runIn(t, env, "audit", "--fail-on", "none")
	assert.Equal(t, exitOK, r.code, r.stderr)
}

// gathered gathers reg as a scrape would, and fails the test on an error.
func gathered(t testing.TB, reg *prometheus.Registry) map[string]*dto.MetricFamily {
	t.Helper()
	fs, err := reg.Gather()
	if err != nil {
		t.Fatalf("gather: %v", err)
	}
	out := map[string]*dto.MetricFamily{}
	for _, f := range fs {
		out[f.GetName()] = f
	}
	return out
}

// A panic in an audit, or in building its figures, is a failed audit: up
// 0, the failure counted and logged, the last good figures still served.
func TestExporterRecoversPanics(t *testing.T) {
	t.Parallel()
	good := &audit.Report{CheckedAt: auditNow, Policy: audit.Policy{Now: auditNow}, Orders: []audit.Order{{
		LicenseOrder: seededOrder(orderF, 5),
		Codes:        []polarlicense.ActivationCode{{ID: 61, Name: "node-61", ExpireAt: farFuture}},
	}}}
	var step atomic.Int32
	logs := &syncBuffer{}
	e := &exporter{
		audit: func(context.Context) (*audit.Report, error) {
			switch step.Load() {
			case 1:
				panic("boom")
			case 3:
				return nil, nil
			}
			return good, nil
		},
		interval: time.Hour,
		log:      slog.New(slog.NewTextHandler(logs, nil)),
		describe: func(err error) string { return err.Error() },
	}
	reg := prometheus.NewRegistry()
	reg.MustRegister(e)
	check := func(up, audits, failures float64) map[string]*dto.MetricFamily {
		t.Helper()
		fams := gathered(t, reg)
		for name, want := range map[string]float64{"polarlicense_audit_up": up, "polarlicense_audits_total": audits,
			"polarlicense_audit_failures_total": failures, "polarlicense_audit_interval_seconds": 3600} {
			v, ok := value(fams, name)
			assert.True(t, ok, name)
			assert.Equal(t, want, v, "%s after step %d", name, step.Load())
		}
		return fams
	}

	e.auditOnce(context.Background())
	first := check(1, 1, 0)
	require.Contains(t, first, "polarlicense_code_expiry_timestamp_seconds")

	step.Store(1) // the audit panics
	e.auditOnce(context.Background())
	fams := check(0, 2, 1)
	assert.Contains(t, logs.String(), `msg="audit failed" error="panic during the audit: boom"`)
	for _, name := range []string{"polarlicense_code_expiry_timestamp_seconds", "polarlicense_order_activation_code_quota",
		"polarlicense_findings", "polarlicense_audit_last_success_timestamp_seconds"} {
		assert.Equal(t, seriesOf(first[name]), seriesOf(fams[name]), "%s: the last good figures", name)
	}

	step.Store(2) // building the figures panics
	e.figures = func(*audit.Report) figureSet { panic("bad figures") }
	e.auditOnce(context.Background())
	fams = check(0, 3, 2)
	assert.Contains(t, logs.String(), `error="panic during building the metrics: bad figures"`)
	assert.Equal(t, seriesOf(first["polarlicense_code_expiry_timestamp_seconds"]), seriesOf(fams["polarlicense_code_expiry_timestamp_seconds"]))

	step.Store(3) // no report, no error
	e.figures = nil
	e.auditOnce(context.Background())
	check(0, 4, 3)

	step.Store(0) // it recovers
	e.auditOnce(context.Background())
	check(1, 5, 3)
}

// FuzzExporterFigures builds the metrics of hostile orders and codes (any
// bytes in every string, any numbers, two orders that may share an ID):
// the exporter must serve a scrape that Prometheus's parser reads, with
// valid UTF-8 labels, and never panic.
func FuzzExporterFigures(f *testing.F) {
	f.Add("100000000000001", "PG", "single_node_subscribe", "node-1", "00:16:3e:00:00:01", 10, 3, int64(1), farFuture.Unix(), false)
	f.Add("bad\xff\xfeid", "PG\xed\xa0\x80", "pkg\xfe", "bad\xff\xfename", "00:16:3e\xc0:00", -1, 1<<40, int64(-5), int64(0), true)
	f.Add("", "", "", "", "", 0, 0, int64(0), int64(-1<<62), true)
	f.Add("a\xff", "\x00", "\n\"\\", "{}=,", "\u202e", 1, 1, int64(1<<62), int64(1<<62), false)
	f.Fuzz(func(t *testing.T, orderID, engine, pkg, name, mac string, quota, count int, codeID, expire int64, sameID bool) {
		order := polarlicense.LicenseOrder{AliyunOrderID: orderID, Engine: polarlicense.Engine(engine),
			PackageType: polarlicense.PackageType(pkg), ActivationCodeQuota: quota, ActivatedCodeCount: count,
			IsVirtualOrder: quota%2 == 0, IsVirtualOrderFrozen: count%2 == 0}
		code := polarlicense.ActivationCode{ID: codeID, Name: name, MacAddress: mac}
		if expire != 0 {
			code.ExpireAt = time.Unix(expire%(1<<40), 0)
		}
		other := order
		if !sameID {
			other.AliyunOrderID = orderID + "\xff"
		}
		twin := code
		twin.Name = name + "\xfe" // the same label once made valid, when name ends in invalid bytes
		orders := []audit.Order{
			{LicenseOrder: order, Codes: []polarlicense.ActivationCode{code, twin, {ID: codeID}}},
			{LicenseOrder: other, Codes: []polarlicense.ActivationCode{code}},
		}
		rep := &audit.Report{CheckedAt: auditNow, Policy: audit.Policy{Now: auditNow}, Orders: orders,
			Findings: audit.Evaluate(orders, audit.Policy{Now: auditNow})}
		e := &exporter{audit: func(context.Context) (*audit.Report, error) { return rep, nil }, interval: time.Minute,
			log: slog.New(slog.NewTextHandler(io.Discard, nil)), describe: func(err error) string { return err.Error() }}
		e.auditOnce(context.Background())
		if !e.up {
			t.Fatal("the audit of hostile data failed")
		}
		reg := prometheus.NewRegistry()
		reg.MustRegister(e)
		fams, err := reg.Gather()
		if err != nil {
			t.Fatalf("gather: %v", err)
		}
		var text bytes.Buffer
		for _, fam := range fams {
			if _, err := expfmt.MetricFamilyToText(&text, fam); err != nil {
				t.Fatalf("encode %s: %v", fam.GetName(), err)
			}
		}
		parser := expfmt.NewTextParser(model.UTF8Validation)
		parsed, err := parser.TextToMetricFamilies(bytes.NewReader(text.Bytes()))
		if err != nil {
			t.Fatalf("Prometheus's parser: %v\n%s", err, text.String())
		}
		series := 0
		for _, fam := range parsed {
			for _, m := range fam.GetMetric() {
				series++
				for _, l := range m.GetLabel() {
					if !utf8.ValidString(l.GetValue()) {
						t.Fatalf("%s: label %s=%q", fam.GetName(), l.GetName(), l.GetValue())
					}
				}
			}
		}
		// Orders: 4 series each, codes: 1 each, findings: one per check,
		// health: up, interval, failures, audits, duration, last success;
		// less what shared labels left out.
		want := 2*4 + 4 + len(audit.Checks()) + 6
		if got := series + e.leftOut; got != want {
			t.Fatalf("%d series served + %d left out, want %d in all", series, e.leftOut, want)
		}
	})
}
