package main

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// dashboardPanel is what the tests read of a Grafana panel.
type dashboardPanel struct {
	ID         int    `json:"id"`
	Type       string `json:"type"`
	Title      string `json:"title"`
	Datasource *struct {
		Type string `json:"type"`
		UID  string `json:"uid"`
	} `json:"datasource"`
	GridPos struct {
		H, W, X, Y int
	} `json:"gridPos"`
	Targets []struct {
		Expr         string `json:"expr"`
		RefID        string `json:"refId"`
		LegendFormat string `json:"legendFormat"`
	} `json:"targets"`
	Transformations []struct {
		ID      string          `json:"id"`
		Options json.RawMessage `json:"options"`
	} `json:"transformations"`
	FieldConfig struct {
		Overrides []struct {
			Matcher struct {
				ID      string `json:"id"`
				Options string `json:"options"`
			} `json:"matcher"`
		} `json:"overrides"`
	} `json:"fieldConfig"`
	Options struct {
		SortBy []struct {
			DisplayName string `json:"displayName"`
		} `json:"sortBy"`
	} `json:"options"`
	Panels []dashboardPanel `json:"panels"` // a row's
}

// readDashboard returns docs/grafana-dashboard.json's panels, those of rows
// included, and its queries.
func readDashboard(t *testing.T) (panels []dashboardPanel, exprs []string) {
	t.Helper()
	b, err := os.ReadFile("../../docs/grafana-dashboard.json")
	require.NoError(t, err)
	var d struct {
		Title      string           `json:"title"`
		UID        string           `json:"uid"`
		Panels     []dashboardPanel `json:"panels"`
		Templating struct {
			List []struct {
				Name, Type, Query string
			} `json:"list"`
		} `json:"templating"`
	}
	require.NoError(t, json.Unmarshal(b, &d))
	require.NotEmpty(t, d.Title)
	require.NotEmpty(t, d.UID)
	require.Len(t, d.Templating.List, 1)
	assert.Equal(t, "datasource", d.Templating.List[0].Name)
	assert.Equal(t, "prometheus", d.Templating.List[0].Query)
	var walk func([]dashboardPanel)
	walk = func(ps []dashboardPanel) {
		for _, p := range ps {
			panels = append(panels, p)
			for _, tg := range p.Targets {
				exprs = append(exprs, tg.Expr)
			}
			walk(p.Panels)
		}
	}
	walk(d.Panels)
	return panels, exprs
}

// TestGrafanaDashboard checks docs/grafana-dashboard.json: every query
// names only metrics the exporter serves or the node check writes (or up),
// every panel reads the dashboard's Prometheus, and the panels the README
// promises are there, the expiries sorted by time left.
func TestGrafanaDashboard(t *testing.T) {
	t.Parallel()
	panels, exprs := readDashboard(t)
	e := startExporterIn(t, hostileData(t), "--interval", "1h")
	served := e.waitFor(t, "the first audit", upIs(1))
	node := map[string]bool{}
	for _, n := range nodeMetrics {
		node[n] = true
	}

	ids := map[int]bool{}
	titles := map[string]dashboardPanel{}
	for _, p := range panels {
		assert.False(t, ids[p.ID], "panel id %d twice", p.ID)
		ids[p.ID] = true
		titles[p.Title] = p
		assert.LessOrEqual(t, p.GridPos.X+p.GridPos.W, 24, p.Title)
		assert.Positive(t, p.GridPos.H, p.Title)
		if p.Type == "row" {
			continue
		}
		require.NotNil(t, p.Datasource, p.Title)
		assert.Equal(t, "${datasource}", p.Datasource.UID, p.Title)
		require.NotEmpty(t, p.Targets, p.Title)
	}
	require.NotEmpty(t, exprs)
	metrics := map[string]bool{}
	for _, expr := range exprs {
		names := metricNames(expr)
		assert.NotEmpty(t, names, expr)
		for _, n := range names {
			metrics[n] = true
			switch {
			case n == "up":
			case strings.HasPrefix(n, "polarlicense_node_"):
				assert.True(t, node[n], "%q names %s, which the node check does not write", expr, n)
			default:
				assert.Contains(t, served, n, "%q names %s, which the exporter does not serve", expr, n)
			}
		}
	}
	// Every metric of the exporter and the node check is on the dashboard.
	for name := range served {
		if strings.HasPrefix(name, "polarlicense_") && name != "polarlicense_audits_total" {
			assert.True(t, metrics[name], "%s is on no panel", name)
		}
	}
	for _, n := range nodeMetrics {
		assert.True(t, metrics[n], "%s is on no panel", n)
	}

	// The expiries: a table of time left, sorted soonest first.
	exp, ok := titles["Code expiries, soonest first"]
	require.True(t, ok)
	assert.Equal(t, "table", exp.Type)
	assert.Equal(t, "polarlicense_code_expiry_timestamp_seconds - time()", exp.Targets[0].Expr)
	sorted := false
	for _, tr := range exp.Transformations {
		if tr.ID == "sortBy" {
			assert.JSONEq(t, `{"fields": {}, "sort": [{"field": "Time left", "desc": false}]}`, string(tr.Options))
			sorted = true
		}
	}
	assert.True(t, sorted, "the expiry table is sorted by time left")
	for _, title := range []string{"Quota per order", "Quota used per order", "Last audit", "Exporter scraped",
		"Since the last successful audit", "Codes without an expiry time", "Node license status", "Failing node checks",
		"Node licenses, soonest expiry first", "Since each node's last check"} {
		assert.Contains(t, titles, title)
	}
}

// TestGrafanaDashboardFieldNames checks the tables' field names as Grafana
// applies them: transformations first (organize renames, then sortBy sorts
// by the names it left), field overrides after. A sort (the transformation's
// or the table's) must name a field organize produced, and an override must
// not match a name organize renamed away or excluded: either matches
// nothing and silently does nothing.
func TestGrafanaDashboardFieldNames(t *testing.T) {
	t.Parallel()
	panels, _ := readDashboard(t)
	tables := 0
	for _, p := range panels {
		var renamed map[string]string // organize's renameByName
		excluded := map[string]bool{}
		var sorts []string
		for i, tr := range p.Transformations {
			switch tr.ID {
			case "organize":
				var o struct {
					ExcludeByName map[string]bool   `json:"excludeByName"`
					RenameByName  map[string]string `json:"renameByName"`
				}
				require.NoError(t, json.Unmarshal(tr.Options, &o), p.Title)
				renamed, excluded = o.RenameByName, o.ExcludeByName
			case "sortBy":
				require.NotNil(t, renamed, "%s: sortBy (transformation %d) before any organize names the fields", p.Title, i)
				var o struct {
					Sort []struct {
						Field string `json:"field"`
					} `json:"sort"`
				}
				require.NoError(t, json.Unmarshal(tr.Options, &o), p.Title)
				require.NotEmpty(t, o.Sort, p.Title)
				for _, s := range o.Sort {
					sorts = append(sorts, s.Field)
				}
			case "merge":
			default:
				t.Errorf("%s: transformation %s not checked by this test", p.Title, tr.ID)
			}
		}
		for _, s := range p.Options.SortBy {
			sorts = append(sorts, s.DisplayName)
		}
		produced := map[string]bool{}
		for from, to := range renamed {
			assert.False(t, excluded[from], "%s: %s renamed and excluded", p.Title, from)
			produced[to] = true
		}
		for _, s := range sorts {
			assert.True(t, produced[s], "%s: sorted by %q, which no organize transformation names (it renames to %v)", p.Title, s, renamed)
		}
		for _, o := range p.FieldConfig.Overrides {
			if o.Matcher.ID != "byName" {
				continue
			}
			_, gone := renamed[o.Matcher.Options]
			assert.False(t, gone, "%s: an override matches %q, which organize renamed to %q", p.Title, o.Matcher.Options, renamed[o.Matcher.Options])
			assert.False(t, excluded[o.Matcher.Options], "%s: an override matches %q, which organize excludes", p.Title, o.Matcher.Options)
		}
		if p.Type == "table" {
			tables++
		}
	}
	assert.Equal(t, 6, tables)
}

// TestGrafanaQuotaShareWithPromtool has Prometheus evaluate the "Quota used
// per order" query: an order of quota 0 is left out (not +Inf, nor NaN when
// it has no code either), the others get their share in percent.
func TestGrafanaQuotaShareWithPromtool(t *testing.T) {
	t.Parallel()
	promtool := promBinary(t, "promtool")
	panels, _ := readDashboard(t)
	expr := ""
	for _, p := range panels {
		if p.Title == "Quota used per order" {
			expr = p.Targets[0].Expr
		}
	}
	require.NotEmpty(t, expr)
	q, err := json.Marshal(expr) // a JSON string is a YAML string
	require.NoError(t, err)
	test := `rule_files: []
evaluation_interval: 1m
tests:
  - interval: 1m
    input_series:
      - series: 'polarlicense_order_activation_code_quota{aliyun_order_id="10",engine="PG",package_type="p"}'
        values: '10x5'
      - series: 'polarlicense_order_activated_codes{aliyun_order_id="10",engine="PG",package_type="p"}'
        values: '4x5'
      - series: 'polarlicense_order_activation_code_quota{aliyun_order_id="0a",engine="PG",package_type="p"}'
        values: '0x5'
      - series: 'polarlicense_order_activated_codes{aliyun_order_id="0a",engine="PG",package_type="p"}'
        values: '2x5'
      - series: 'polarlicense_order_activation_code_quota{aliyun_order_id="0b",engine="PG",package_type="p"}'
        values: '0x5'
      - series: 'polarlicense_order_activated_codes{aliyun_order_id="0b",engine="PG",package_type="p"}'
        values: '0x5'
    promql_expr_test:
      - expr: ` + string(q) + `
        eval_time: 2m
        exp_samples:
          - labels: '{aliyun_order_id="10"}'
            value: 40
`
	dir := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(dir, "quota.test.yaml"), []byte(test), 0o644))
	cmd := exec.Command(promtool, "test", "rules", "quota.test.yaml")
	cmd.Dir = dir
	out, err := cmd.CombinedOutput()
	require.NoError(t, err, "promtool test rules:\n%s", out)
	assert.Contains(t, string(out), "SUCCESS")
}

// TestGrafanaNodePanelsNameEveryLabel checks that the node panels tell the
// node check's series apart by every label they carry: license_path too,
// since one node's several databases differ by it alone. A table names each
// label's column (or leaves it out on purpose); another panel's legend names
// each label, or the databases of one node show under one name.
func TestGrafanaNodePanelsNameEveryLabel(t *testing.T) {
	t.Parallel()
	panels, _ := readDashboard(t)
	checked := 0
	for _, p := range panels {
		for _, tg := range p.Targets {
			for _, metric := range metricNames(tg.Expr) {
				labels, ok := nodeMetricLabels[metric]
				if !ok {
					continue
				}
				checked++
				labels = append([]string{"instance"}, labels...)
				if p.Type != "table" {
					for _, l := range labels {
						assert.Contains(t, tg.LegendFormat, "{{"+l+"}}", "%s: the legend does not name %s", p.Title, l)
					}
					continue
				}
				named := map[string]bool{}
				for _, tr := range p.Transformations {
					if tr.ID != "organize" {
						continue
					}
					var o struct {
						ExcludeByName map[string]bool   `json:"excludeByName"`
						RenameByName  map[string]string `json:"renameByName"`
					}
					require.NoError(t, json.Unmarshal(tr.Options, &o), p.Title)
					for l := range o.RenameByName {
						named[l] = true
					}
					for l, ex := range o.ExcludeByName {
						named[l] = named[l] || ex
					}
				}
				for _, l := range labels {
					assert.True(t, named[l], "%s: the column %s is neither named nor left out", p.Title, l)
				}
			}
		}
	}
	assert.Equal(t, len(nodeMetricLabels), checked, "a panel for each node metric")
}
