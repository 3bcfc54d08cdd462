package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/polarlicense/polarlicense-go/polarlicensetest"
)

// promAlert is an alert as Prometheus's /api/v1/alerts lists it.
type promAlert struct {
	Labels map[string]string `json:"labels"`
	State  string            `json:"state"` // pending or firing
}

// freePort returns a port on 127.0.0.1 that was free a moment ago.
func freePort(t *testing.T) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	port := ln.Addr().(*net.TCPAddr).Port
	require.NoError(t, ln.Close())
	return port
}

// TestAlertsInPrometheus runs a real Prometheus server with
// docs/prometheus-alerts.yaml, unchanged, scraping the exporter, which
// audits the emulator's demo data (ora-1 expired a fortnight ago):
// PolarLicenseCodeExpired must fire for that code, then, once the exporter
// is stopped, PolarLicenseExporterDown must become pending. The rules'
// "for" is not shortened: an alert is pending from the first evaluation at
// which its expression holds, so pending proves the real expression (up
// == 0 for the target stopped) without waiting its 15 minutes.
func TestAlertsInPrometheus(t *testing.T) {
	t.Parallel()
	bin := promBinary(t, "prometheus")
	srv := polarlicensetest.NewServer() // the demo data
	t.Cleanup(srv.Close)
	var expired []string
	for _, o := range srv.Handler.Orders() {
		for _, c := range srv.Handler.Codes(o.AliyunOrderID) {
			if c.Expired(time.Now()) {
				expired = append(expired, strconv.FormatInt(c.ID, 10))
			}
		}
	}
	require.NotEmpty(t, expired, "the demo data holds an expired code")

	e := startExporter(t, srv, "--interval", "1s")
	e.waitFor(t, "the first audit", upIs(1))
	target := strings.TrimPrefix(e.url, "http://")

	dir := t.TempDir()
	rules, err := os.ReadFile("../../docs/prometheus-alerts.yaml")
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(filepath.Join(dir, "alerts.yaml"), rules, 0o600))
	config := fmt.Sprintf(`global:
  scrape_interval: 1s
  evaluation_interval: 1s
rule_files: [alerts.yaml]
scrape_configs:
  - job_name: polarlicense
    static_configs:
      - targets: [%q]
`, target)
	require.NoError(t, os.WriteFile(filepath.Join(dir, "prometheus.yml"), []byte(config), 0o600))
	port := freePort(t)
	cmd := exec.Command(bin, "--config.file="+filepath.Join(dir, "prometheus.yml"),
		"--storage.tsdb.path="+filepath.Join(dir, "data"), "--web.listen-address=127.0.0.1:"+strconv.Itoa(port),
		"--log.level=warn")
	var logs syncBuffer
	cmd.Stdout, cmd.Stderr = &logs, &logs
	require.NoError(t, cmd.Start())
	exited := make(chan struct{})
	go func() { _ = cmd.Wait(); close(exited) }()
	t.Cleanup(func() {
		_ = cmd.Process.Signal(os.Interrupt)
		select {
		case <-exited:
		case <-time.After(20 * time.Second):
			_ = cmd.Process.Kill()
			<-exited
		}
	})

	api := "http://127.0.0.1:" + strconv.Itoa(port) + "/api/v1/alerts"
	alerts := func() []promAlert {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, api, nil)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			return nil // not listening yet
		}
		defer resp.Body.Close()
		var body struct {
			Status string `json:"status"`
			Data   struct {
				Alerts []promAlert `json:"alerts"`
			} `json:"data"`
		}
		if resp.StatusCode != http.StatusOK || json.NewDecoder(resp.Body).Decode(&body) != nil || body.Status != "success" {
			return nil
		}
		return body.Data.Alerts
	}
	find := func(name, state string) *promAlert {
		for _, a := range alerts() {
			if a.Labels["alertname"] == name && a.State == state {
				return &a
			}
		}
		return nil
	}
	wait := func(name, state string) *promAlert {
		t.Helper()
		deadline := time.Now().Add(90 * time.Second)
		for {
			if a := find(name, state); a != nil {
				return a
			}
			select {
			case <-exited:
				t.Fatalf("prometheus exited: %s", logs.String())
			case <-time.After(200 * time.Millisecond):
			}
			if time.Now().After(deadline) {
				t.Fatalf("%s never %s; alerts: %+v; prometheus: %s", name, state, alerts(), logs.String())
			}
		}
	}

	a := wait("PolarLicenseCodeExpired", "firing")
	assert.Contains(t, expired, a.Labels["activation_code_id"])
	assert.Equal(t, "critical", a.Labels["severity"])
	assert.Equal(t, "polarlicense", a.Labels["job"])
	assert.Equal(t, target, a.Labels["instance"])
	assert.Nil(t, find("PolarLicenseExporterDown", "pending"), "not while the exporter is up")

	// Every query of the Grafana dashboard is one this Prometheus runs; the
	// exporter's give an answer.
	_, exprs := readDashboard(t)
	for _, expr := range exprs {
		resp, err := http.Get("http://127.0.0.1:" + strconv.Itoa(port) + "/api/v1/query?query=" + url.QueryEscape(expr))
		require.NoError(t, err)
		var body struct {
			Status string `json:"status"`
			Error  string `json:"error"`
			Data   struct {
				Result []json.RawMessage `json:"result"`
			} `json:"data"`
		}
		require.NoError(t, json.NewDecoder(resp.Body).Decode(&body))
		resp.Body.Close()
		assert.Equal(t, "success", body.Status, "%s: %s", expr, body.Error)
		if !strings.Contains(expr, "polarlicense_node_") && !strings.Contains(expr, "expiry_unknown") && !strings.Contains(expr, "[1d]") {
			assert.NotEmpty(t, body.Data.Result, "the dashboard's %q is empty on the exporter's data", expr)
		}
	}

	r := e.stop()
	require.Equal(t, exitOK, r.code, r.stderr)
	down := wait("PolarLicenseExporterDown", "pending")
	assert.Equal(t, map[string]string{"alertname": "PolarLicenseExporterDown", "severity": "critical",
		"job": "polarlicense", "instance": target}, down.Labels)
}
