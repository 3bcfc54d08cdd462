package main

import (
	_ "embed"
	"fmt"
	"html/template"
	"io"
	"math"
	"strconv"
	"time"

	"github.com/polarlicense/polarlicense-go/audit"
)

// -o html: the audit as one self-contained page, for people who do not read
// JSON: the summary, the findings, each order's quota as a bar and a
// timeline of code expiries (inline SVG) with today and the warning horizon
// marked. No script, no external asset: it opens from a ticket attachment as
// it is. html/template escapes every value the service sent, and control and
// bidirectional characters are written as escapes, as in tables.

// formatHTML is -o html, for audit only.
const formatHTML outputFormat = "html"

//go:embed report_html.tmpl
var reportHTMLText string

var reportHTML = template.Must(template.New("report").Parse(reportHTMLText))

// htmlReport is what the template shows.
type htmlReport struct {
	CheckedAt      string
	Verdict        string // PASS or FAIL
	FailOn         string
	ExpiringWithin string // "90 days", or "off"
	QuotaWarn      string
	Summary        auditSummary
	Findings       []findingRecord
	Orders         []htmlOrder
	Timeline       htmlTimeline
}

// htmlOrder is an order's quota bar.
type htmlOrder struct {
	auditOrderRecord
	Width  float64 // of the bar, in percent, 0 to 100
	Class  string  // ok, high, full, over or frozen
	Detail string
}

// htmlTimeline is the expiry timeline's SVG, laid out in Go: the template
// only places what is computed here.
type htmlTimeline struct {
	Width, Height          int
	Left, Right            float64 // the plot's x range
	Top, Bottom            float64 // its y range
	PlotHeight             float64
	TodayX, HorizonX       float64 // HorizonX == TodayX when code-expiring is off
	WindowWidth            float64 // from today to the horizon
	LaneLabelX, TickLabelY float64
	MarkLabelY             float64
	Today, HorizonLabel    string
	Start, End             string // the plot's first and last days
	Lanes                  []htmlLane
	Ticks                  []htmlTick
	Earlier, Later         int // codes drawn clamped at an edge
	Undated                int // codes without an expiry time, not drawn
}

// htmlLane is an order's row of codes.
type htmlLane struct {
	Y, TextY float64
	Label    string
	Marks    []htmlMark
}

// htmlMark is a code: a dot at its expiry, or a triangle at the edge it is
// beyond.
type htmlMark struct {
	X, Y    float64
	Class   string // expired, expiring or valid
	Clamped bool
	Points  string // the triangle's, when Clamped
	Title   string
	// Count is the number of codes the mark stands for (codes expiring at
	// the same time, or clamped at the same edge), written at CountX when
	// more than one.
	Count          int
	CountX, CountY float64
}

// htmlTick is a month on the axis.
type htmlTick struct {
	X     float64
	Label string
}

// The timeline's geometry, in SVG user units.
const (
	tlWidth     = 960
	tlLeft      = 170
	tlRight     = 940
	tlTop       = 40
	tlLane      = 26
	tlAxisSpace = 34
)

// writeHTMLReport writes the page.
func writeHTMLReport(w io.Writer, res *audit.Report, rep *auditReport) error {
	verdict := "PASS"
	if rep.Summary.Failed {
		verdict = "FAIL"
	}
	page := htmlReport{
		CheckedAt:      res.CheckedAt.UTC().Format("2006-01-02 15:04 MST"),
		Verdict:        verdict,
		FailOn:         rep.FailOn,
		ExpiringWithin: "off",
		QuotaWarn:      formatPercent(rep.QuotaWarnPercent) + "%",
		Summary:        rep.Summary,
		Timeline:       timeline(res),
	}
	for _, f := range rep.Findings {
		f.Check, f.AliyunOrderID, f.Message = escapeText(f.Check), escapeText(f.AliyunOrderID), escapeText(f.Message)
		page.Findings = append(page.Findings, f)
	}
	if d := res.Policy.ExpiringWithin; d > 0 {
		page.ExpiringWithin = describeWindow(d)
	}
	for i := range rep.Orders {
		r := rep.Orders[i]
		r.AliyunOrderID, r.Engine, r.PackageType = escapeText(r.AliyunOrderID), escapeText(r.Engine), escapeText(r.PackageType)
		o := htmlOrder{auditOrderRecord: r, Width: math.Min(math.Max(r.QuotaUsedPercent, 0), 100)}
		switch {
		case r.ActivatedCodeCount > r.ActivationCodeQuota:
			o.Class = "over"
		case r.IsVirtualOrder && r.IsVirtualOrderFrozen:
			o.Class = "frozen"
		case r.RemainingQuota == 0:
			o.Class = "full"
		case r.QuotaUsedPercent >= rep.QuotaWarnPercent:
			o.Class = "high"
		default:
			o.Class = "ok"
		}
		o.Detail = fmt.Sprintf("%d of %d used, %d left", r.ActivatedCodeCount, r.ActivationCodeQuota, r.RemainingQuota)
		if o.Class == "frozen" {
			o.Detail += " (frozen virtual order)"
		}
		page.Orders = append(page.Orders, o)
	}
	return reportHTML.Execute(w, &page)
}

// describeWindow writes a window in days, or hours under two days.
func describeWindow(d time.Duration) string {
	if d >= 48*time.Hour {
		return plural(int(d/(24*time.Hour)), "day", "days")
	}
	return plural(int(math.Ceil(d.Hours())), "hour", "hours")
}

// timeline lays out every code's expiry: one lane per order that has codes,
// time running left to right. The range covers today and the warning
// horizon, and the codes near them; codes far in the past or the future are
// drawn clamped at the edges, so that a 30-year code does not squash the
// months that matter.
func timeline(res *audit.Report) htmlTimeline {
	now := res.CheckedAt
	horizon := res.Policy.Horizon()
	window := horizon.Sub(now)
	if window <= 0 {
		window = audit.DefaultExpiringWithin
	}
	// The range: from a third of the window before today (or the earliest
	// expiry, if later than two windows back) to the end of the horizon plus
	// a window (or the latest expiry, if sooner than three windows on).
	start, end := now.Add(-window/3), now.Add(window+window/3)
	minStart, maxEnd := now.Add(-2*window), now.Add(3*window)
	for i := range res.Orders {
		for _, c := range res.Orders[i].Codes {
			if e := c.ExpireAt; !e.IsZero() {
				if e.Before(start) {
					start = maxTime(e.Add(-window/6), minStart)
				}
				if e.After(end) {
					end = minTime(e.Add(window/6), maxEnd)
				}
			}
		}
	}
	span := end.Sub(start).Seconds()
	x := func(t time.Time) float64 {
		return round1(tlLeft + (tlRight-tlLeft)*t.Sub(start).Seconds()/span)
	}
	tl := htmlTimeline{Width: tlWidth, Left: tlLeft, Right: tlRight, Top: tlTop - 14, TodayX: x(now), HorizonX: x(horizon),
		LaneLabelX: tlLeft - 10, MarkLabelY: tlTop - 20, Today: now.UTC().Format(time.DateOnly),
		Start: start.UTC().Format(time.DateOnly), End: end.UTC().Format(time.DateOnly)}
	tl.WindowWidth = round1(tl.HorizonX - tl.TodayX)
	if res.Policy.ExpiringWithin > 0 {
		tl.HorizonLabel = "warning horizon " + horizon.UTC().Format(time.DateOnly)
	}
	y := float64(tlTop)
	for i := range res.Orders {
		o := &res.Orders[i]
		if len(o.Codes) == 0 {
			continue
		}
		lane := htmlLane{Y: y, TextY: y + 4, Label: escapeText(o.AliyunOrderID)}
		for _, c := range o.Codes {
			if c.ExpireAt.IsZero() {
				tl.Undated++
				continue
			}
			m := htmlMark{X: x(c.ExpireAt), Y: y, Class: "valid"}
			switch {
			case c.Expired(now):
				m.Class = "expired"
			case !c.ExpireAt.After(horizon):
				m.Class = "expiring"
			}
			switch {
			case c.ExpireAt.Before(start):
				m.X, m.Clamped = tlLeft, true
				m.Points = fmt.Sprintf("%g,%g %g,%g %g,%g", m.X, y, m.X+10, y-6, m.X+10, y+6)
				tl.Earlier++
			case c.ExpireAt.After(end):
				m.X, m.Clamped = tlRight, true
				m.Points = fmt.Sprintf("%g,%g %g,%g %g,%g", m.X, y, m.X-10, y-6, m.X-10, y+6)
				tl.Later++
			}
			m.Title = fmt.Sprintf("order %s, code %d", escapeText(o.AliyunOrderID), c.ID)
			if c.Name != "" {
				m.Title += " " + strconv.Quote(c.Name)
			}
			m.Title += ": " + m.Class + ", expires " + c.ExpireAt.UTC().Format("2006-01-02 15:04 UTC")
			lane.Marks = append(lane.Marks, m)
		}
		lane.Marks = groupMarks(lane.Marks)
		tl.Lanes = append(tl.Lanes, lane)
		y += tlLane
	}
	tl.Bottom = y - tlLane/2
	if len(tl.Lanes) == 0 {
		tl.Bottom = tlTop + tlLane/2
	}
	tl.PlotHeight = tl.Bottom - tl.Top
	tl.TickLabelY = tl.Bottom + 16
	tl.Height = int(tl.Bottom) + tlAxisSpace
	tl.Ticks = ticks(start, end, x)
	return tl
}

// groupMarks draws the codes of a lane that fall on the same spot in the
// same state (expiring at the same time, or clamped at the same edge) as one
// mark with their count; its title lists them.
func groupMarks(marks []htmlMark) []htmlMark {
	out := marks[:0:0]
	type spot struct {
		x       float64
		class   string
		clamped bool
	}
	index := map[spot]int{}
	for _, m := range marks {
		key := spot{m.X, m.Class, m.Clamped}
		i, ok := index[key]
		if !ok {
			m.Count = 1
			m.CountX, m.CountY = m.X+9, m.Y+4 // right of a dot
			switch {
			case m.Clamped && m.X == tlLeft:
				m.CountX = m.X + 14
			case m.Clamped:
				m.CountX = m.X - 14
			}
			index[key] = len(out)
			out = append(out, m)
			continue
		}
		out[i].Count++
		out[i].Title += "\n" + m.Title
	}
	return out
}

// ticks marks the first day of months across the range, a few months apart
// so that at most ten are labelled.
func ticks(start, end time.Time, x func(time.Time) float64) []htmlTick {
	months := int(end.Sub(start).Hours()/(24*30)) + 1
	step := 1
	for _, s := range []int{1, 2, 3, 6, 12, 24, 60} {
		step = s
		if months/s <= 10 {
			break
		}
	}
	s := start.UTC()
	t := time.Date(s.Year(), s.Month(), 1, 0, 0, 0, 0, time.UTC).AddDate(0, 1, 0)
	for (int(t.Month())-1)%step != 0 {
		t = t.AddDate(0, 1, 0)
	}
	var out []htmlTick
	for ; t.Before(end); t = t.AddDate(0, step, 0) {
		out = append(out, htmlTick{X: x(t), Label: t.Format("Jan 2006")})
	}
	return out
}

func round1(f float64) float64 { return math.Round(f*10) / 10 }

func minTime(a, b time.Time) time.Time {
	if a.Before(b) {
		return a
	}
	return b
}

func maxTime(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}
