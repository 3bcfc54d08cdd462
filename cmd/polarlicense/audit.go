package main

import (
	"context"
	"fmt"
	"io"
	"math"
	"strconv"
	"sync"
	"time"

	"github.com/spf13/cobra"

	polarlicense "github.com/polarlicense/polarlicense-go"
)

// audit: one pass over every order and its codes, then the rules of
// findings.go, then the report.

// auditConcurrency is how many orders' codes are listed at once.
const auditConcurrency = 4

func (a *app) auditCommand() *cobra.Command {
	expiring := durationValue{d: 90 * 24 * time.Hour, text: "90d"}
	quotaWarn := percentValue{p: 80}
	failOn := severityValue{s: sevWarning}
	cmd := &cobra.Command{
		Use:   "audit [--expiring-within 90d] [--quota-warn 80%] [--fail-on LEVEL]",
		Short: "Check every order and code: expiry, quota, frozen orders, counts",
		Long: `Walk every license order and every code of each, then report: each order's
quota (used and left) and the findings, the most severe first, then a summary.

  check                 level    when
  code-expired          error    a code's expiry time has passed
  code-expiring         warning  a code expires within --expiring-within
  code-count-mismatch   error    ActivatedCodeCount differs from the codes listed
  quota-exceeded        error    more codes issued than the quota
  quota-exhausted       warning  the quota is used up (not for frozen virtual orders)
  quota-high            warning  at least --quota-warn of the quota is used (idem)
  virtual-order-frozen  info     a frozen virtual order

Exit status 3 when a finding is at --fail-on or above (info < warning < error;
none never fails), 0 otherwise, so the command can gate a pipeline. With -o
table the summary is the report's last line; with json it is the "summary"
object and with csv (the findings only) it goes to stderr.`,
		Example: `  polarlicense audit
  polarlicense audit --expiring-within 30d --quota-warn 90% --fail-on error
  polarlicense audit -o json > audit.json`,
		Args: exactArgs(),
		RunE: a.action(func(ctx context.Context, _ *cobra.Command, _ []string) error {
			client, err := a.newClient()
			if err != nil {
				return err
			}
			orders, err := a.collect(ctx, client)
			if err != nil {
				return err
			}
			policy := auditPolicy{Now: a.env.now(), ExpiringWithin: expiring.d, QuotaWarnPercent: quotaWarn.p}
			res := audit(orders, policy)
			if err := a.report(&res, policy, failOn.s); err != nil {
				return err
			}
			if res.fails(failOn.s) {
				return findingsError{}
			}
			return nil
		}),
	}
	f := cmd.Flags()
	f.Var(&expiring, "expiring-within", "report codes expiring within this `duration`: 90d, 36h, 1d12h (0: off)")
	f.Var(&quotaWarn, "quota-warn", "report orders with at least this `percentage` of their quota used")
	f.Var(&failOn, "fail-on", "exit 3 when a finding is at this `level` or above: info, warning, error or none")
	return cmd
}

// collect lists every order, then every order's codes, a few orders at a
// time. The first failure ends it.
func (a *app) collect(ctx context.Context, client *polarlicense.Client) ([]orderCodes, error) {
	var orders []orderCodes
	for o, err := range client.LicenseOrders(ctx, nil) {
		if err != nil {
			return nil, err
		}
		orders = append(orders, orderCodes{Order: o})
		a.progress.update("audit: listing orders: %d", len(orders))
	}

	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var (
		wg       sync.WaitGroup
		mu       sync.Mutex
		firstErr error
		done     int
	)
	jobs := make(chan int)
	for range min(auditConcurrency, len(orders)) {
		wg.Go(func() {
			for i := range jobs {
				id := orders[i].Order.AliyunOrderID
				codes, err := listCodes(ctx, client, id)
				mu.Lock()
				if err != nil {
					if firstErr == nil {
						firstErr = about(err, id, 0)
						cancel()
					}
				} else {
					orders[i].Codes = codes
					done++
					a.progress.update("audit: codes of %d of %d orders", done, len(orders))
				}
				mu.Unlock()
			}
		})
	}
feed:
	for i := range orders {
		select {
		case jobs <- i:
		case <-ctx.Done():
			break feed
		}
	}
	close(jobs)
	wg.Wait()
	a.progress.clear()
	if firstErr == nil {
		firstErr = ctx.Err()
	}
	if firstErr != nil {
		return nil, firstErr
	}
	return orders, nil
}

// listCodes lists every code of an order.
func listCodes(ctx context.Context, client *polarlicense.Client, orderID string) ([]polarlicense.ActivationCode, error) {
	var codes []polarlicense.ActivationCode
	for c, err := range client.ActivationCodes(ctx, &polarlicense.DescribeActivationCodesRequest{AliyunOrderID: orderID}) {
		if err != nil {
			return nil, err
		}
		codes = append(codes, c)
	}
	return codes, nil
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
func newAuditReport(res *auditResult, p auditPolicy, failOn severity) auditReport {
	rep := auditReport{
		CheckedAt:             timestamp(p.Now),
		ExpiringWithinSeconds: int64(p.ExpiringWithin / time.Second),
		QuotaWarnPercent:      p.QuotaWarnPercent,
		FailOn:                failOn.String(),
		Orders:                make([]auditOrderRecord, 0, len(res.Orders)),
		Findings:              make([]findingRecord, 0, len(res.Findings)),
		Summary: auditSummary{
			Orders: len(res.Orders), Codes: res.Codes,
			Error: res.count(sevError), Warning: res.count(sevWarning), Info: res.count(sevInfo),
			Failed: res.fails(failOn),
		},
	}
	for _, u := range res.Orders {
		o := &u.Order
		rep.Orders = append(rep.Orders, auditOrderRecord{
			AliyunOrderID:        o.AliyunOrderID,
			Engine:               string(o.Engine),
			PackageType:          string(o.PackageType),
			IsVirtualOrder:       o.IsVirtualOrder,
			IsVirtualOrderFrozen: o.IsVirtualOrderFrozen,
			ActivationCodeQuota:  o.ActivationCodeQuota,
			ActivatedCodeCount:   o.ActivatedCodeCount,
			RemainingQuota:       o.RemainingQuota(),
			QuotaUsedPercent:     math.Round(u.UsedPercent*10) / 10,
			CodesListed:          u.CodesListed,
			CodesExpired:         u.CodesExpired,
			CodesExpiring:        u.CodesExpiring,
		})
	}
	for _, f := range res.Findings {
		r := findingRecord{Severity: f.Severity.String(), Check: f.Check, AliyunOrderID: f.OrderID, Message: f.Message}
		if f.CodeID != 0 {
			id := f.CodeID
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
func (a *app) report(res *auditResult, p auditPolicy, failOn severity) error {
	rep := newAuditReport(res, p, failOn)
	line := summaryLine(&rep.Summary, failOn)
	switch a.format {
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
