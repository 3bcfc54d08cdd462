package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/polarlicense/polarlicense-go/audit"
)

// audit: package audit walks every order and its codes and applies the
// rules; this file prints its Report.

// auditFlags are the flags that shape an audit, shared by audit and
// exporter.
type auditFlags struct {
	expiring    durationValue
	quotaWarn   percentValue
	concurrency int
}

func newAuditFlags() *auditFlags {
	return &auditFlags{
		expiring:    durationValue{d: audit.DefaultExpiringWithin, text: "90d"},
		quotaWarn:   percentValue{p: audit.DefaultQuotaWarnPercent},
		concurrency: audit.DefaultConcurrency,
	}
}

func (f *auditFlags) register(fs *pflag.FlagSet) {
	fs.Var(&f.expiring, "expiring-within", "report codes expiring within this `duration`: 90d, 36h, 1d12h (0: off)")
	fs.Var(&f.quotaWarn, "quota-warn", "report orders with at least this `percentage` of their quota used")
	fs.IntVar(&f.concurrency, "concurrency", audit.DefaultConcurrency, "list the codes of this `many` orders at once")
}

// policy is the audit policy the flags describe, checked at now.
func (f *auditFlags) policy(now time.Time) (audit.Policy, error) {
	if f.concurrency < 1 {
		return audit.Policy{}, usagef("invalid --concurrency %d: want 1 or more", f.concurrency)
	}
	within := f.expiring.d
	if within == 0 {
		within = -1 // --expiring-within 0 turns the check off
	}
	return audit.Policy{Now: now, ExpiringWithin: within, QuotaWarnPercent: f.quotaWarn.p, Concurrency: f.concurrency}, nil
}

// runAudit runs an audit with the run's client, showing its progress.
func (a *app) runAudit(ctx context.Context, p audit.Policy) (*audit.Report, error) {
	client, err := a.newClient()
	if err != nil {
		return nil, err
	}
	p.Progress = func(pr audit.Progress) {
		if pr.Listed {
			a.progress.update("audit: codes of %d of %d orders", pr.OrdersWalked, pr.Orders)
		} else {
			a.progress.update("audit: listing orders: %d", pr.Orders)
		}
	}
	rep, err := audit.Run(ctx, client, p)
	a.progress.clear()
	var oe *audit.OrderError
	if errors.As(err, &oe) {
		// Name the order, and let its not-found codes read as such.
		return nil, &hintError{err: about(oe.Err, oe.AliyunOrderID, 0), hint: "listing the activation codes of order " + oe.AliyunOrderID}
	}
	return rep, err
}

func (a *app) auditCommand() *cobra.Command {
	flags := newAuditFlags()
	failOn := severityValue{s: sevWarning}
	cmd := &cobra.Command{
		Use:   "audit [--expiring-within 90d] [--quota-warn 80%] [--fail-on LEVEL]",
		Short: "Check every order and code: expiry, quota, frozen orders, counts",
		Long: `Walk every license order and every code of each, then report: each order's
quota (used and left) and the findings, the most severe first, then a summary.

` + checksHelp() + `
Exit status 3 when a finding is at --fail-on or above (info < warning < error;
none never fails), or when a code could not be dated (code-expiry-unknown) at
any level but none, 0 otherwise, so the command can gate a pipeline; 1 when
the walk failed, with no report. With -o table the summary is the report's
last line; with json it is the "summary" object, and with csv (the findings
only) and html (a self-contained page to attach to a ticket) it goes to
stderr.`,
		Example: `  polarlicense audit
  polarlicense audit --expiring-within 30d --quota-warn 90% --fail-on error
  polarlicense audit -o json > audit.json
  polarlicense audit -o html > audit.html`,
		Args: exactArgs(),
		RunE: a.action(func(ctx context.Context, _ *cobra.Command, _ []string) error {
			policy, err := flags.policy(a.env.now())
			if err != nil {
				return err
			}
			rep, err := a.runAudit(ctx, policy)
			if err != nil {
				return err
			}
			if err := a.report(rep, failOn.s); err != nil {
				return err
			}
			if fails(rep, failOn.s) {
				return findingsError{}
			}
			return nil
		}),
	}
	flags.register(cmd.Flags())
	cmd.Flags().Var(&failOn, "fail-on", "exit 3 when a finding is at this `level` or above: info, warning, error or none")
	return cmd
}

// checksHelp is the table of checks for the help text.
func checksHelp() string {
	var b strings.Builder
	fmt.Fprintf(&b, "  %-21s %-8s %s\n", "check", "level", "when")
	for _, c := range audit.Checks() {
		fmt.Fprintf(&b, "  %-21s %-8s %s\n", c.Name, c.Severity, c.Description)
	}
	return b.String()
}

// auditReport is the audit in JSON.
type auditReport struct {
	CheckedAt             timestamp          `json:"checked_at"`
	ExpiringWithinSeconds int64              `json:"expiring_within_seconds"`
	QuotaWarnPercent      float64            `json:"quota_warn_percent"`
	FailOn                string             `json:"fail_on"`
	Orders                []auditOrderRecord `json:"orders"`
	Findings              []findingRecord    `json:"findings"`
	Summary               auditSummary       `json:"summary"`
}

// auditOrderRecord is an order's line in the report.
type auditOrderRecord struct {
	AliyunOrderID        string  `json:"aliyun_order_id"`
	Engine               string  `json:"engine"`
	PackageType          string  `json:"package_type"`
	IsVirtualOrder       bool    `json:"is_virtual_order"`
	IsVirtualOrderFrozen bool    `json:"is_virtual_order_frozen"`
	ActivationCodeQuota  int     `json:"activation_code_quota"`
	ActivatedCodeCount   int     `json:"activated_code_count"`
	RemainingQuota       int     `json:"remaining_quota"`
	QuotaUsedPercent     float64 `json:"quota_used_percent"`
	CodesListed          int     `json:"codes_listed"`
	CodesExpired         int     `json:"codes_expired"`
	CodesExpiring        int     `json:"codes_expiring"`
}

// findingRecord is a finding in the output.
type findingRecord struct {
	Severity         string `json:"severity"`
	Check            string `json:"check"`
	AliyunOrderID    string `json:"aliyun_order_id"`
	ActivationCodeID *int64 `json:"activation_code_id"` // null when the finding is about the order
	Message          string `json:"message"`
}

// auditSummary counts the findings by level.
type auditSummary struct {
	Orders  int  `json:"orders"`
	Codes   int  `json:"codes"`
	Error   int  `json:"error"`
	Warning int  `json:"warning"`
	Info    int  `json:"info"`
	Failed  bool `json:"failed"`
}

var auditOrderTable = []tableColumn[auditOrderRecord]{
	{"ORDER ID", func(r *auditOrderRecord) string { return r.AliyunOrderID }},
	{"ENGINE", func(r *auditOrderRecord) string { return r.Engine }},
	{"PACKAGE", func(r *auditOrderRecord) string { return r.PackageType }},
	{"VIRTUAL", func(r *auditOrderRecord) string { return virtualState(r.IsVirtualOrder, r.IsVirtualOrderFrozen) }},
	{"QUOTA", func(r *auditOrderRecord) string { return strconv.Itoa(r.ActivationCodeQuota) }},
	{"USED", func(r *auditOrderRecord) string { return strconv.Itoa(r.ActivatedCodeCount) }},
	{"LEFT", func(r *auditOrderRecord) string { return strconv.Itoa(r.RemainingQuota) }},
	{"USED%", func(r *auditOrderRecord) string { return formatPercent(r.QuotaUsedPercent) }},
	{"CODES", func(r *auditOrderRecord) string { return strconv.Itoa(r.CodesListed) }},
	{"EXPIRED", func(r *auditOrderRecord) string { return strconv.Itoa(r.CodesExpired) }},
	{"EXPIRING", func(r *auditOrderRecord) string { return strconv.Itoa(r.CodesExpiring) }},
}

var findingTable = []tableColumn[findingRecord]{
	{"LEVEL", func(r *findingRecord) string { return r.Severity }},
	{"CHECK", func(r *findingRecord) string { return r.Check }},
	{"ORDER ID", func(r *findingRecord) string { return r.AliyunOrderID }},
	{"CODE", func(r *findingRecord) string {
		if r.ActivationCodeID == nil {
			return "-"
		}
		return strconv.FormatInt(*r.ActivationCodeID, 10)
	}},
	{"MESSAGE", func(r *findingRecord) string { return r.Message }},
}

// newAuditReport puts an audit's result in output form.
func newAuditReport(res *audit.Report, failOn severity) auditReport {
	p := &res.Policy
	rep := auditReport{
		CheckedAt:             timestamp(res.CheckedAt),
		ExpiringWithinSeconds: max(int64(p.ExpiringWithin/time.Second), 0),
		QuotaWarnPercent:      p.QuotaWarnPercent,
		FailOn:                failOn.String(),
		Orders:                make([]auditOrderRecord, 0, len(res.Orders)),
		Findings:              make([]findingRecord, 0, len(res.Findings)),
		Summary: auditSummary{
			Orders: len(res.Orders), Codes: res.Codes(),
			Error: res.Count(audit.SeverityError), Warning: res.Count(audit.SeverityWarning), Info: res.Count(audit.SeverityInfo),
			Failed: fails(res, failOn),
		},
	}
	for i := range res.Orders {
		o := &res.Orders[i]
		rep.Orders = append(rep.Orders, auditOrderRecord{
			AliyunOrderID:        o.AliyunOrderID,
			Engine:               string(o.Engine),
			PackageType:          string(o.PackageType),
			IsVirtualOrder:       o.IsVirtualOrder,
			IsVirtualOrderFrozen: o.IsVirtualOrderFrozen,
			ActivationCodeQuota:  o.ActivationCodeQuota,
			ActivatedCodeCount:   o.ActivatedCodeCount,
			RemainingQuota:       o.RemainingQuota(),
			QuotaUsedPercent:     math.Round(o.UsedPercent()*10) / 10,
			CodesListed:          len(o.Codes),
			CodesExpired:         res.CountFor(o.AliyunOrderID, audit.CheckCodeExpired),
			CodesExpiring:        res.CountFor(o.AliyunOrderID, audit.CheckCodeExpiring),
		})
	}
	for _, f := range res.Findings {
		r := findingRecord{Severity: f.Severity.String(), Check: f.Check, AliyunOrderID: f.AliyunOrderID, Message: f.Message}
		if f.ActivationCodeID != 0 {
			id := f.ActivationCodeID
			r.ActivationCodeID = &id
		}
		rep.Findings = append(rep.Findings, r)
	}
	return rep
}

// summaryLine is the audit's last word: counts and the verdict.
func summaryLine(s *auditSummary, failOn severity) string {
	verdict := "PASS"
	if s.Failed {
		verdict = "FAIL"
	}
	return fmt.Sprintf("audit: %s, %s: %s, %s, %d info: %s (--fail-on %s)",
		plural(s.Orders, "order", "orders"), plural(s.Codes, "code", "codes"),
		plural(s.Error, "error", "errors"), plural(s.Warning, "warning", "warnings"), s.Info, verdict, failOn)
}

// report writes the audit in the run's format.
func (a *app) report(res *audit.Report, failOn severity) error {
	rep := newAuditReport(res, failOn)
	line := summaryLine(&rep.Summary, failOn)
	switch a.format {
	case formatHTML:
		if err := writeHTMLReport(a.stdout, res, &rep); err != nil {
			return err
		}
		_, err := fmt.Fprintln(a.stderr, line)
		return err
	case formatJSON:
		if err := writeJSON(a.stdout, rep); err != nil {
			return err
		}
		_, err := fmt.Fprintln(a.stderr, line)
		return err
	case formatCSV:
		if err := writeCSV(a.stdout, rep.Findings); err != nil {
			return err
		}
		_, err := fmt.Fprintln(a.stderr, line)
		return err
	}
	return writeAuditTable(a.stdout, &rep, line)
}

func writeAuditTable(w io.Writer, rep *auditReport, line string) error {
	if err := writeTable(w, auditOrderTable, rep.Orders); err != nil {
		return err
	}
	fmt.Fprintln(w)
	if len(rep.Findings) == 0 {
		fmt.Fprintln(w, "no findings")
	} else if err := writeTable(w, findingTable, rep.Findings); err != nil {
		return err
	}
	fmt.Fprintln(w)
	_, err := fmt.Fprintln(w, line)
	return err
}

// formatPercent writes a percentage with at most one decimal.
func formatPercent(p float64) string {
	return strconv.FormatFloat(math.Round(p*10)/10, 'f', -1, 64)
}

// plural writes a count with its noun.
func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return strconv.Itoa(n) + " " + many
}
