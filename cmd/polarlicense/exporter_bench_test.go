package main

import (
	"io"
	"net/http/httptest"
	"strconv"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	polarlicense "github.com/polarlicense/polarlicense-go"
	"github.com/polarlicense/polarlicense-go/audit"
)

// benchAccount is the benchmarks' account: 500 orders of 20 codes,
// evaluated.
func benchAccount() *audit.Report {
	rep := &audit.Report{CheckedAt: auditNow, Policy: audit.Policy{Now: auditNow}}
	for i := range 500 {
		o := audit.Order{LicenseOrder: polarlicense.LicenseOrder{AliyunOrderID: strconv.Itoa(100000000000000 + i),
			Engine: polarlicense.EnginePG, PackageType: polarlicense.PackageSingleNodeSubscribe, ActivationCodeQuota: 25, ActivatedCodeCount: 20}}
		for j := range 20 {
			o.Codes = append(o.Codes, polarlicense.ActivationCode{ID: int64(j + 1), Name: "node-" + strconv.Itoa(j),
				MacAddress: "00:16:3e:00:00:" + strconv.Itoa(10+j), ExpireAt: auditNow.AddDate(0, j, 0)})
		}
		rep.Orders = append(rep.Orders, o)
	}
	rep.Findings = audit.Evaluate(rep.Orders, rep.Policy)
	return rep
}

// BenchmarkExporterScrape serves /metrics for an account of 500 orders of
// 20 codes from memory: the cost of one scrape.
func BenchmarkExporterScrape(b *testing.B) {
	rep := benchAccount()
	e := &exporter{last: figuresOf(rep).metrics, up: true, lastSuccess: time.Now(), duration: time.Second, audits: 1, interval: time.Hour}
	reg := prometheus.NewRegistry()
	reg.MustRegister(e)
	h := promhttp.HandlerFor(reg, promhttp.HandlerOpts{})
	b.ReportAllocs()
	for b.Loop() {
		w := httptest.NewRecorder()
		h.ServeHTTP(w, httptest.NewRequest("GET", "/metrics", nil))
		if w.Code != 200 {
			b.Fatal(w.Code)
		}
		_, _ = io.Copy(io.Discard, w.Body)
	}
}

// BenchmarkExporterFigures builds the metrics of that account once, as each
// audit does.
func BenchmarkExporterFigures(b *testing.B) {
	rep := benchAccount()
	b.ReportAllocs()
	for b.Loop() {
		if fs := figuresOf(rep); fs.dropped != 0 {
			b.Fatal(fs.dropped)
		}
	}
}
