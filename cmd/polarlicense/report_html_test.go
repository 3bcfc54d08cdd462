package main

import (
	"bytes"
	"encoding/json"
	"flag"
	"html"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	polarlicense "github.com/polarlicense/polarlicense-go"
	"github.com/polarlicense/polarlicense-go/audit"
	"github.com/polarlicense/polarlicense-go/polarlicensetest"
)

var updateScreenshot = flag.Bool("update-screenshot", false, "write the HTML report's screenshot to docs/audit-report.png")

func TestAuditHTMLReport(t *testing.T) {
	t.Parallel()
	srv := newServer(t, seeded()...)
	r := runAt(t, srv, "audit", "-o", "html")
	require.Equal(t, exitFindings, r.code, r.stderr)
	assert.Equal(t, "audit: 6 orders, 18 codes: 2 errors, 3 warnings, 1 info: FAIL (--fail-on warning)\n", r.stderr, "the summary goes to stderr")
	page := r.stdout

	assert.True(t, strings.HasPrefix(page, "<!DOCTYPE html>"), page[:40])
	assert.Contains(t, page, `<span class="verdict FAIL">FAIL</span>`)
	assert.Contains(t, page, "Checked at 2030-06-01 00:00 UTC")
	for _, w := range wantFindings {
		assert.Contains(t, page, escaped(w.Message), w.Check)
	}
	assert.Equal(t, len(wantFindings), strings.Count(page, `<tr class="finding">`))
	assert.Equal(t, 6, strings.Count(page, `<tr class="order">`))
	assert.Contains(t, page, `<span class="high" style="width: 90.0%">`, "order B's bar: 90%, over the warning")
	assert.Contains(t, page, `<span class="full" style="width: 100.0%">`, "order C: used up")
	assert.Contains(t, page, `<span class="frozen" style="width: 30.0%">`, "order D: frozen")
	assert.Contains(t, page, `<span class="ok" style="width: 20.0%">`, "order A and F")

	// Self-contained: no script, no stylesheet or image fetched, no URL but
	// the SVG namespace.
	for _, bad := range []string{"<script", "<link", "<img", "src=", "@import", "url("} {
		assert.NotContains(t, page, bad)
	}
	urls := regexp.MustCompile(`https?://[^"\s<]+`).FindAllString(page, -1)
	assert.Equal(t, []string{"http://www.w3.org/2000/svg"}, urls)

	// The timeline: one mark per code, in the colour of its state, today and
	// the horizon marked.
	assert.Equal(t, 7, strings.Count(page, ` code"`), "a mark per code, those beyond the range grouped by order")
	counts := regexp.MustCompile(`<text class="count"[^>]*>(\d+)</text>`).FindAllStringSubmatch(page, -1)
	var grouped []string
	for _, c := range counts {
		grouped = append(grouped, c[1])
	}
	assert.Equal(t, []string{"9", "2", "3"}, grouped, "orders B, C and D: 9, 2 and 3 codes in 2040")
	assert.Equal(t, 1, strings.Count(page, `class="expired code"`))
	assert.Equal(t, 1, strings.Count(page, `class="expiring code"`))
	assert.Contains(t, page, `<text class="label-today"`)
	assert.Contains(t, page, ">today 2030-06-01</text>")
	assert.Contains(t, page, ">warning horizon 2030-08-30</text>")
	assert.Contains(t, page, "16 expire after", "the 2040 codes are clamped at the right edge")
}

func TestAuditHTMLEmptyAccount(t *testing.T) {
	t.Parallel()
	srv := newServer(t, polarlicensetest.WithoutDemoData())
	r := runAt(t, srv, "audit", "-o", "html", "--expiring-within", "0")
	require.Equal(t, exitOK, r.code, r.stderr)
	assert.Equal(t, "audit: 0 orders, 0 codes: 0 errors, 0 warnings, 0 info: PASS (--fail-on warning)\n", r.stderr)
	assert.Contains(t, r.stdout, `<span class="verdict PASS">PASS</span>`)
	assert.Contains(t, r.stdout, "No findings.")
	assert.Contains(t, r.stdout, "No license orders.")
	assert.Contains(t, r.stdout, "no activation codes")
	assert.Contains(t, r.stdout, "expiry warning off")
	assert.NotContains(t, r.stdout, `class="horizon"`, "no horizon when the check is off")
}

// escaped is s as html/template escapes text.
func escaped(s string) string {
	return strings.NewReplacer(`&`, "&amp;", `"`, "&#34;", `'`, "&#39;", `<`, "&lt;", `>`, "&gt;").Replace(s)
}

func TestHTMLReportEscapes(t *testing.T) {
	t.Parallel()
	now := auditNow
	res := &audit.Report{CheckedAt: now, Policy: audit.Policy{Now: now, ExpiringWithin: 30 * 24 * time.Hour, QuotaWarnPercent: 80},
		Orders: []audit.Order{{LicenseOrder: polarlicense.LicenseOrder{AliyunOrderID: `<em>1</em>`, Engine: `"PG"`, ActivationCodeQuota: 1},
			Codes: []polarlicense.ActivationCode{{ID: 1, Name: `<img src=x>`, ExpireAt: now.Add(time.Hour)}}}},
		Findings: []audit.Finding{{Severity: audit.SeverityError, Check: "code-expired", AliyunOrderID: `<em>1</em>`, Message: `<script>alert(1)</script>`}},
	}
	rep := newAuditReport(res, sevWarning)
	var b bytes.Buffer
	require.NoError(t, writeHTMLReport(&b, res, &rep))
	page := b.String()
	assert.NotContains(t, page, "<script>")
	assert.NotContains(t, page, "<em>1</em>")
	assert.NotContains(t, page, "<img")
	assert.Contains(t, page, "&lt;script&gt;alert(1)&lt;/script&gt;")
	assert.Contains(t, page, "&lt;em&gt;1&lt;/em&gt;")

	res.Findings[0].Message = "expired \u202egnp.exe\x1b[31m"
	rep = newAuditReport(res, sevWarning)
	b.Reset()
	require.NoError(t, writeHTMLReport(&b, res, &rep))
	assert.Contains(t, b.String(), `expired \u202egnp.exe\x1b[31m`, "control and bidi characters as escapes")
	assert.NotContains(t, b.String(), "\u202e")
}

func TestHTMLTimelineLayout(t *testing.T) {
	t.Parallel()
	now := auditNow
	code := func(id int64, e time.Time) polarlicense.ActivationCode {
		return polarlicense.ActivationCode{ID: id, ExpireAt: e}
	}
	res := &audit.Report{CheckedAt: now, Policy: audit.Policy{Now: now, ExpiringWithin: 90 * 24 * time.Hour},
		Orders: []audit.Order{
			{LicenseOrder: polarlicense.LicenseOrder{AliyunOrderID: "a"}, Codes: []polarlicense.ActivationCode{
				code(1, now.AddDate(-10, 0, 0)), code(2, now.Add(-24*time.Hour)), code(3, now.AddDate(0, 0, 45)), code(4, now.AddDate(30, 0, 0)), code(5, time.Time{})}},
			{LicenseOrder: polarlicense.LicenseOrder{AliyunOrderID: "no codes"}},
			{LicenseOrder: polarlicense.LicenseOrder{AliyunOrderID: "b"}, Codes: []polarlicense.ActivationCode{code(6, now.AddDate(0, 4, 0))}},
		}}
	tl := timeline(res)
	require.Len(t, tl.Lanes, 2, "no lane for an order without codes")
	assert.Equal(t, []string{"a", "b"}, []string{tl.Lanes[0].Label, tl.Lanes[1].Label})
	a := tl.Lanes[0].Marks
	require.Len(t, a, 4, "no mark for a code without an expiry")
	assert.Equal(t, 1, tl.Undated, "but a count")
	assert.Equal(t, []string{"expired", "expired", "expiring", "valid"}, []string{a[0].Class, a[1].Class, a[2].Class, a[3].Class})
	assert.True(t, a[0].Clamped)
	assert.Equal(t, tl.Left, a[0].X, "ten years ago: at the left edge")
	assert.True(t, a[3].Clamped)
	assert.Equal(t, tl.Right, a[3].X, "in 30 years: at the right edge")
	assert.Equal(t, 1, tl.Earlier)
	assert.Equal(t, 1, tl.Later)
	assert.False(t, a[1].Clamped)
	assert.Less(t, a[1].X, tl.TodayX)
	assert.Greater(t, a[2].X, tl.TodayX)
	assert.Less(t, a[2].X, tl.HorizonX)
	b := tl.Lanes[1].Marks[0]
	assert.Greater(t, b.X, tl.HorizonX, "in four months: after the 90-day horizon")
	assert.Less(t, b.X, tl.Right)
	assert.Less(t, tl.Left, tl.TodayX)
	assert.Less(t, tl.HorizonX, tl.Right)
	assert.InDelta(t, tl.HorizonX-tl.TodayX, tl.WindowWidth, 0.11)
	assert.Equal(t, tl.Lanes[0].Y, a[1].Y)
	assert.Greater(t, tl.Lanes[1].Y, tl.Lanes[0].Y)
	require.NotEmpty(t, tl.Ticks)
	assert.LessOrEqual(t, len(tl.Ticks), 11)
	for _, tk := range tl.Ticks {
		assert.GreaterOrEqual(t, tk.X, tl.Left)
		assert.LessOrEqual(t, tk.X, tl.Right)
	}

	res.Policy.ExpiringWithin = -1
	off := timeline(res)
	assert.Empty(t, off.HorizonLabel, "no horizon when code-expiring is off")
	assert.Equal(t, off.TodayX, off.HorizonX)
}

// chromium returns the headless browser to render with, or skips the test
// when there is none, except in CI (CI=true), where it fails.
func chromium(t *testing.T) string {
	t.Helper()
	for _, name := range []string{"chromium", "chromium-browser"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	if os.Getenv("CI") == "true" {
		t.Fatal("chromium is not installed (apt-get install chromium); CI=true requires it")
	}
	t.Skip("chromium is not installed (apt-get install chromium)")
	return ""
}

// TestAuditHTMLInChromium renders a seeded report in headless Chromium: the
// screenshot must be a real page's, and the DOM must hold a known finding.
// go test -run TestAuditHTMLInChromium -update-screenshot writes the
// screenshot to docs/audit-report.png for the README.
func TestAuditHTMLInChromium(t *testing.T) {
	t.Parallel()
	bin := chromium(t)
	srv := newServer(t, seeded()...)
	r := runAt(t, srv, "audit", "-o", "html")
	require.Equal(t, exitFindings, r.code, r.stderr)
	dir := t.TempDir()
	page := filepath.Join(dir, "audit.html")
	require.NoError(t, os.WriteFile(page, []byte(r.stdout), 0o600))

	browse := func(args ...string) []byte {
		t.Helper()
		cmd := exec.Command(bin, append([]string{"--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
			"--disable-background-networking", "--disable-component-update", "--disable-sync", "--hide-scrollbars",
			"--user-data-dir=" + filepath.Join(dir, "profile"), "--window-size=1100,1280"}, append(args, "file://"+page)...)...)
		var stdout, stderr bytes.Buffer
		cmd.Stdout, cmd.Stderr = &stdout, &stderr
		require.NoError(t, cmd.Run(), "chromium: %s", stderr.String())
		return stdout.Bytes()
	}

	shot := filepath.Join(dir, "audit.png")
	browse("--screenshot=" + shot)
	b, err := os.ReadFile(shot)
	require.NoError(t, err)
	assert.Greater(t, len(b), 20_000, "a page with tables and a timeline, not a blank one")
	img, err := png.Decode(bytes.NewReader(b))
	require.NoError(t, err)
	assert.Equal(t, 1100, img.Bounds().Dx())
	assert.Equal(t, 1280, img.Bounds().Dy())
	if *updateScreenshot {
		require.NoError(t, os.WriteFile(filepath.Join("..", "..", "docs", "audit-report.png"), b, 0o644))
	}

	dom := string(browse("--dump-dom"))
	assert.Contains(t, dom, wantFindings[0].Message, "the known finding, in the rendered DOM")
	assert.Contains(t, dom, "quota 90% used: 9 of 10 codes issued, 1 left")
	assert.Contains(t, dom, "<svg")
}

// TestAuditHTMLAt700Pixels renders the report in a 700-pixel-wide headless
// Chromium: the page must not be wider than the window; the quota table fits
// or scrolls within its own box. A script added to the test's copy of the
// page measures the layout and writes it into the DOM.
func TestAuditHTMLAt700Pixels(t *testing.T) {
	t.Parallel()
	bin := chromium(t)
	srv := newServer(t, seeded()...)
	r := runAt(t, srv, "audit", "-o", "html")
	require.Equal(t, exitFindings, r.code, r.stderr)
	measure := `<script>
(function () {
  var q = document.querySelector("#quota table");
  var box = q.parentElement;
  var style = getComputedStyle(box);
  var out = {
    viewport: window.innerWidth,
    page: document.documentElement.scrollWidth,
    tableRight: Math.round(q.getBoundingClientRect().right),
    boxRight: Math.round(box.getBoundingClientRect().right),
    boxScrolls: style.overflowX === "auto" || style.overflowX === "scroll",
    tableWider: q.scrollWidth > box.clientWidth
  };
  var pre = document.createElement("pre");
  pre.id = "measure";
  pre.textContent = JSON.stringify(out);
  document.body.appendChild(pre);
})();
</script>`
	page := strings.Replace(r.stdout, "</body>", measure+"</body>", 1)
	dir := t.TempDir()
	file := filepath.Join(dir, "audit.html")
	require.NoError(t, os.WriteFile(file, []byte(page), 0o600))
	cmd := exec.Command(bin, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
		"--disable-background-networking", "--disable-component-update", "--disable-sync",
		"--user-data-dir="+filepath.Join(dir, "profile"), "--window-size=700,900", "--dump-dom", "file://"+file)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	require.NoError(t, cmd.Run(), "chromium: %s", stderr.String())
	m := regexp.MustCompile(`<pre id="measure">([^<]*)</pre>`).FindStringSubmatch(stdout.String())
	require.NotNil(t, m, "the measure: %s", stdout.String())
	var got struct {
		Viewport, Page, TableRight, BoxRight int
		BoxScrolls, TableWider               bool
	}
	require.NoError(t, json.Unmarshal([]byte(html.UnescapeString(m[1])), &got))
	require.Equal(t, 700, got.Viewport, "%+v", got)
	assert.LessOrEqual(t, got.Page, got.Viewport, "the page is no wider than the window: %+v", got)
	assert.LessOrEqual(t, got.BoxRight, got.Viewport, "the quota table's box is within the window: %+v", got)
	if got.TableWider {
		assert.True(t, got.BoxScrolls, "a quota table wider than its box scrolls within it: %+v", got)
	} else {
		assert.LessOrEqual(t, got.TableRight, got.Viewport, "%+v", got)
	}
}

// Codes of an order expiring at the same time are one dot with their count,
// its title listing each; codes at the same time in another state, or in
// another order, are not merged with them.
func TestHTMLTimelineCountsCodesAtTheSameTime(t *testing.T) {
	t.Parallel()
	now := auditNow
	when := now.AddDate(0, 0, 45)
	code := func(id int64, e time.Time) polarlicense.ActivationCode {
		return polarlicense.ActivationCode{ID: id, Name: "n" + strconv.FormatInt(id, 10), ExpireAt: e}
	}
	res := &audit.Report{CheckedAt: now, Policy: audit.Policy{Now: now, ExpiringWithin: 90 * 24 * time.Hour},
		Orders: []audit.Order{
			{LicenseOrder: polarlicense.LicenseOrder{AliyunOrderID: "a"}, Codes: []polarlicense.ActivationCode{
				code(1, when), code(2, when), code(3, when), code(4, when.AddDate(0, 0, 10))}},
			{LicenseOrder: polarlicense.LicenseOrder{AliyunOrderID: "b"}, Codes: []polarlicense.ActivationCode{code(5, when)}},
		}}
	tl := timeline(res)
	require.Len(t, tl.Lanes, 2)
	a := tl.Lanes[0].Marks
	require.Len(t, a, 2, "three codes at the same time are one mark")
	assert.Equal(t, 3, a[0].Count)
	assert.Equal(t, 3, strings.Count(a[0].Title, "expires 2030-07-16 00:00 UTC"), a[0].Title)
	for _, n := range []string{`"n1"`, `"n2"`, `"n3"`} {
		assert.Contains(t, a[0].Title, n)
	}
	assert.Equal(t, 1, a[1].Count)
	assert.Greater(t, a[0].CountX, a[0].X, "the count beside the dot")
	require.Len(t, tl.Lanes[1].Marks, 1)
	assert.Equal(t, 1, tl.Lanes[1].Marks[0].Count)

	rep := newAuditReport(res, sevWarning)
	var b bytes.Buffer
	require.NoError(t, writeHTMLReport(&b, res, &rep))
	counts := regexp.MustCompile(`<circle class="expiring code"[^>]*><title>[^<]*</title></circle><text class="count"[^>]*>(\d+)</text>`).FindAllStringSubmatch(b.String(), -1)
	require.Len(t, counts, 1, "one count on the page")
	assert.Equal(t, "3", counts[0][1])
}
