package main

import (
	"context"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/spf13/cobra"

	polarlicense "github.com/polarlicense/polarlicense-go"
	"github.com/polarlicense/polarlicense-go/fleet"
)

// fleet plan and fleet apply: thin layers over package fleet, which loads
// the inventory, plans and applies. README.md documents the inventory.

// Node states, in plan and apply records (package fleet's).
const (
	stateLicensed     = string(fleet.Licensed)
	stateExpiring     = string(fleet.Expiring)
	stateToRenew      = string(fleet.ToRenew)
	stateToIssue      = string(fleet.ToIssue)
	stateExpired      = string(fleet.Expired)
	stateFileMissing  = string(fleet.FileMissing)
	stateFileOutdated = string(fleet.FileOutdated)
	stateFileForeign  = string(fleet.FileForeign)
	stateDirMissing   = string(fleet.DirMissing)
	stateUncertain    = string(fleet.Uncertain)
	stateFailed       = string(fleet.Failed)
	stateNotStarted   = string(fleet.NotStarted)
)

// fleetRecord is one node in the output of plan and apply.
type fleetRecord struct {
	Cluster          string `json:"cluster"`
	Node             string `json:"node"`
	AliyunOrderID    string `json:"aliyun_order_id"`
	CodeName         string `json:"code_name"`
	MacAddress       string `json:"mac_address"`
	SystemIdentifier string `json:"system_identifier"`
	Path             string `json:"path"`
	State            string `json:"state"`
	// ActivationCodeID and ExpireAt are the node's code: its unexpired one,
	// else its latest expired one; null when it has none.
	ActivationCodeID *int64    `json:"activation_code_id"`
	ExpireAt         timestamp `json:"expire_at"`
	// Note says more about the state: a directory missing, an expiry.
	Note string `json:"note"`
	// Created, Renewed and Written are what apply did; always false in a
	// plan.
	Created bool `json:"created"`
	Renewed bool `json:"renewed"`
	Written bool `json:"written"`
	// Duplicates are, after a create, the ids of the host's other unexpired
	// codes (quota spent twice).
	Duplicates []int64 `json:"duplicates"`
	// Error is why apply could not do the node; empty otherwise.
	Error string `json:"error"`
}

var fleetTable = []tableColumn[fleetRecord]{
	{"CLUSTER", func(r *fleetRecord) string { return r.Cluster }},
	{"NODE", func(r *fleetRecord) string { return r.Node }},
	{"ORDER", func(r *fleetRecord) string { return r.AliyunOrderID }},
	{"STATE", func(r *fleetRecord) string { return r.State }},
	{"CODE", func(r *fleetRecord) string {
		if r.ActivationCodeID == nil {
			return "-"
		}
		return strconv.FormatInt(*r.ActivationCodeID, 10)
	}},
	{"EXPIRES", func(r *fleetRecord) string { return r.ExpireAt.table() }},
	{"PATH", func(r *fleetRecord) string { return r.Path }},
	{"NOTE", func(r *fleetRecord) string { return orDash(r.Note) }},
}

var fleetApplyTable = append(fleetTable[:len(fleetTable):len(fleetTable)],
	tableColumn[fleetRecord]{"CREATED", func(r *fleetRecord) string { return strconv.FormatBool(r.Created) }},
	tableColumn[fleetRecord]{"WRITTEN", func(r *fleetRecord) string { return strconv.FormatBool(r.Written) }},
	tableColumn[fleetRecord]{"ERROR", func(r *fleetRecord) string { return orDash(r.Error) }},
)

// nodeRecord is a node's record, as planned.
func nodeRecord(n *fleet.Node, state fleet.State, code *polarlicense.ActivationCode, note string) fleetRecord {
	r := fleetRecord{
		Cluster: n.Cluster, Node: n.Name, AliyunOrderID: n.AliyunOrderID, CodeName: n.CodeName,
		MacAddress: n.MacAddress, SystemIdentifier: n.SystemIdentifier, Path: n.Path, State: string(state), Note: note,
	}
	if code != nil {
		id := code.ID
		r.ActivationCodeID, r.ExpireAt = &id, timestamp(code.ExpireAt)
	}
	return r
}

// orderLines says, per order, how many codes the fleet needs against the
// quota left.
func orderLines(orders []fleet.OrderPlan) []string {
	lines := make([]string, 0, len(orders))
	for _, op := range orders {
		o := &op.Order
		left := o.RemainingQuota()
		line := fmt.Sprintf("order %s: %s to issue, %d of %d left", o.AliyunOrderID, codesCount(op.ToIssue), left, o.ActivationCodeQuota)
		switch {
		case op.ToIssue > 0 && o.IsVirtualOrderFrozen:
			line += "; frozen: it issues no codes"
		case op.ToIssue > left:
			line += "; not enough quota"
		case o.IsVirtualOrderFrozen:
			line += "; frozen"
		}
		lines = append(lines, line)
	}
	return lines
}

// codesCount is "1 code" or "n codes".
func codesCount(n int) string {
	if n == 1 {
		return "1 code"
	}
	return strconv.Itoa(n) + " codes"
}

func (a *app) fleetCommand() *cobra.Command {
	cmd := groupCommand("fleet", "Provision the license files of an inventory of clusters")
	cmd.Long = `Provision the license files of every node of an inventory of clusters (a YAML
file, described in the README): "fleet plan" shows what "fleet apply" would do,
"fleet apply" does it. Each node's code is found, or created only if the node
has none, so apply can be run again after any failure and spends nothing twice.
Both work on --concurrency nodes at once (default 8), with the fewest calls
(README.md counts them), and print the nodes in the inventory's order.`
	cmd.AddCommand(a.fleetPlanCommand(), a.fleetApplyCommand())
	return cmd
}

// fleetFlags are the flags fleet plan and fleet apply share.
type fleetFlags struct {
	file        string
	concurrency int
	maxRPS      float64
	force       bool
	owner       ownerFlag
	renewWithin durationValue
}

// register adds the shared flags.
func (f *fleetFlags) register(a *app, cmd *cobra.Command) {
	fs := cmd.Flags()
	fs.StringVarP(&f.file, "file", "f", "", "the inventory `file` (YAML) (required)")
	_ = cmd.MarkFlagRequired("file")
	fs.IntVar(&f.concurrency, "concurrency", fleet.DefaultConcurrency, "how many nodes (and calls) to work on at once")
	fs.Float64Var(&f.maxRPS, "max-rps", 0, "at most this many API calls a `rate` per second (retries included), slowing down further when the service throttles; 0: no limit")
	fs.BoolVar(&f.force, "force", false, "replace a file that holds something other than a license of its node (file-foreign); plan counts the codes apply --force would create")
	f.owner.add(fs)
	fs.Var(&f.renewWithin, "renew-within", "renew a node whose code expires within this `duration`, such as 30d (for clusters without renew_within:)")
	a.addStateDirFlag(fs)
}

// plannedFleet is a planned inventory: the plan, and the options it was made
// with.
type plannedFleet struct {
	plan *fleet.Plan
	inv  *fleet.Inventory
}

// planFleet loads the inventory and plans it.
func (a *app) planFleet(ctx context.Context, f *fleetFlags) (*plannedFleet, error) {
	switch {
	case f.concurrency < 1:
		return nil, usagef("--concurrency must be at least 1")
	case f.maxRPS < 0 || math.IsNaN(f.maxRPS) || math.IsInf(f.maxRPS, 0):
		return nil, usagef("--max-rps must be a positive number of calls a second, or 0 for no limit")
	}
	inv, err := fleet.Load(f.file)
	if err != nil {
		var ie *fleet.InventoryError
		if errors.As(err, &ie) {
			return nil, &usageError{msg: ie.Error()}
		}
		return nil, err
	}
	owner, err := f.owner.resolve()
	if err != nil {
		return nil, err
	}
	for i := range inv.Nodes {
		n := &inv.Nodes[i]
		if n.Owner == nil && owner != nil {
			n.Owner, n.OwnerSpec = owner, f.owner.spec
		}
		if n.RenewWithin == 0 {
			n.RenewWithin = f.renewWithin.d
		}
	}
	stateDir, err := a.stateDir() // the client coordinates through it too
	if err != nil {
		return nil, err
	}
	if f.maxRPS > 0 {
		a.clientOptions = append(a.clientOptions, polarlicense.WithRateLimit(f.maxRPS, max(1, int(f.maxRPS))))
	}
	client, err := a.newClient()
	if err != nil {
		return nil, err
	}
	opts := &fleet.Options{
		Concurrency: f.concurrency, StateDir: stateDir, Force: f.force,
		Progress: func(stage string, done, total int) { a.progress.update("fleet %s: node %d of %d", stage, done, total) },
	}
	plan, err := fleet.NewPlan(ctx, client, inv, opts)
	a.progress.clear()
	if err != nil {
		return nil, a.fleetError(err)
	}
	return &plannedFleet{plan: plan, inv: inv}, nil
}

// fleetError says what an error of the plan is about: the inventory line,
// the cluster, the order or node, then the cause in the tool's words.
func (a *app) fleetError(err error) error {
	var (
		oe *fleet.OrderError
		ne *fleet.NodeError
	)
	switch {
	case errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded):
		return err
	case errors.As(err, &oe):
		return errors.New(fmt.Sprintf("%s:%d: cluster %q: ", oe.Path, oe.Line, oe.Cluster) + a.describe(about(oe.Err, oe.AliyunOrderID, 0)))
	case errors.As(err, &ne):
		return errors.New(fmt.Sprintf("%s:%d: cluster %q node %q: ", ne.Path, ne.Line, ne.Cluster, ne.Node) + a.describe(ne.Err))
	}
	return err
}

func (a *app) fleetPlanCommand() *cobra.Command {
	var f fleetFlags
	cmd := &cobra.Command{
		Use:   "plan -f fleet.yaml",
		Short: "Show each node's license state and each order's quota; change nothing",
		Long: `Show, for each node of the inventory, its license state, and for each order how
many codes the fleet needs against the quota left. Nothing is changed.

States: licensed (an unexpired code, and the file holds its license), expiring
(the same, expiring within 90 days), to-renew (the code expires within the
cluster's renew_within: apply creates a new one), to-issue (no code: apply
creates one), expired (only expired codes, the latest shown with its date:
apply creates a new one), file-missing and file-outdated (an unexpired code,
and no file, or a file holding an older license of the host: apply writes
it), file-foreign (the file holds something else: apply leaves it and fails
the node unless --force: plan --force counts the codes that apply --force
would create for them), dir-missing (license_dir or the path's directory
does not exist, named in the NOTE: apply fails the node).

The order lines go to stdout after the table, or to stderr with -o json or csv.

Exit status 1, after the table, when apply would refuse to start (an order
lacks the quota for the codes it must issue, or is a frozen virtual order).`,
		Example: `  polarlicense fleet plan -f fleet.yaml
  polarlicense fleet plan -f fleet.yaml -o json`,
		Args: exactArgs(),
		RunE: a.action(func(ctx context.Context, _ *cobra.Command, _ []string) error {
			run, err := a.planFleet(ctx, &f)
			if err != nil {
				return err
			}
			p := run.plan
			rows := make([]fleetRecord, len(p.Nodes))
			for i := range p.Nodes {
				n := &p.Nodes[i]
				rows[i] = nodeRecord(&n.Node, n.State, n.Code, n.Note)
			}
			if err := a.emitFleet(rows, fleetTable, orderLines(p.Orders)); err != nil {
				return err
			}
			if len(p.Refusals) > 0 {
				return fmt.Errorf("apply would refuse to start: %s", strings.Join(p.Refusals, "; "))
			}
			return nil
		}),
	}
	f.register(a, cmd)
	return cmd
}

func (a *app) fleetApplyCommand() *cobra.Command {
	var f fleetFlags
	cmd := &cobra.Command{
		Use:   "apply -f fleet.yaml",
		Short: "Give every node of the inventory its license file, creating codes only where none exists",
		Long: `Give every node of the inventory its license file: find the node's unexpired
code, or create one only if it has none (or its code expires within the
cluster's renew_within), and write its license to the node's path (creating
<license_dir>/<i>/ under an existing license_dir), with the cluster's owner.

Before anything is spent, every order is checked: if one lacks the quota for
the codes it must issue, or is a frozen virtual order, apply refuses to start.
A node whose create's outcome is unknown is reported as uncertain and the
others carry on; running apply again picks its code up. A file holding
something other than a license of the node is left alone and the node fails,
unless --force. A run over a fleet that is already licensed spends nothing and
writes nothing. The order lines after the table are the numbers after the run.

Exit status 1 if any node failed, is uncertain or holds a duplicate code;
interrupted (Ctrl-C, SIGTERM), it reports the nodes it never started as
not-started and exits 130 or 143.`,
		Example: `  polarlicense fleet apply -f fleet.yaml
  polarlicense fleet apply -f fleet.yaml --concurrency 16 --max-rps 20 -o json`,
		Args: exactArgs(),
		RunE: a.action(func(ctx context.Context, _ *cobra.Command, _ []string) error {
			run, err := a.planFleet(ctx, &f)
			if err != nil {
				return err
			}
			rep, err := run.plan.Apply(ctx)
			a.progress.clear()
			var refused *fleet.RefusedError
			if errors.As(err, &refused) {
				return err
			}
			rows := make([]fleetRecord, len(rep.Nodes))
			failed, dups := 0, 0
			for i := range rep.Nodes {
				r := &rep.Nodes[i]
				rows[i] = a.resultRecord(r)
				if len(r.Duplicates) > 0 {
					dups++
				}
				if !r.Done() {
					failed++
				}
			}
			if werr := a.emitFleet(rows, fleetApplyTable, orderLines(rep.Orders)); werr != nil {
				return werr
			}
			if err != nil {
				return err // interrupted
			}
			switch {
			case dups > 0:
				return fmt.Errorf("%d of %d nodes are not done (see their error), %d holding more than one unexpired code (see duplicates): quota was spent twice", failed, len(rows), dups)
			case failed > 0:
				return fmt.Errorf("%d of %d nodes are not done (see their error); run apply again once the cause is fixed", failed, len(rows))
			}
			return nil
		}),
	}
	f.register(a, cmd)
	return cmd
}

// resultRecord is a node's record after apply, with its error in the
// tool's words and a note about a new file's owner on stderr.
func (a *app) resultRecord(r *fleet.NodeResult) fleetRecord {
	rec := nodeRecord(&r.Node, r.State, r.Code, r.Note)
	rec.Created, rec.Renewed, rec.Written = r.Created, r.Renewed, r.Written
	for _, d := range r.Duplicates {
		rec.Duplicates = append(rec.Duplicates, d.ID)
	}
	if len(r.Duplicates) > 0 {
		rec.Error = "the host holds more than one unexpired code: quota was spent twice (codes " + joinIDs(rec.Duplicates) + " besides " + strconv.FormatInt(r.Code.ID, 10) + ")"
	}
	switch {
	case r.Err == nil:
	case errors.Is(r.Err, fleet.ErrForeignFile):
		rec.Error = oneLine(a.describe(&hintError{err: r.Err, hint: "pass --force to replace it"}))
	case errors.Is(r.Err, polarlicense.ErrLicenseNotFetched):
		rec.Error = oneLine(a.describe(&hintError{err: about(r.Err, r.AliyunOrderID, 0),
			hint: "its code was created (one unit of quota spent), but its license could not be fetched: run apply again, which finds the code and spends nothing"}))
	case r.State == fleet.Uncertain:
		rec.Error = oneLine(a.describe(&hintError{err: about(r.Err, r.AliyunOrderID, 0),
			hint: "the code may or may not have been created: run apply again, which looks for it before creating one"}))
	default:
		rec.Error = oneLine(a.describe(about(r.Err, r.AliyunOrderID, 0)))
	}
	if r.RecordErr != nil {
		a.errorLine("note: " + r.Cluster + "/" + r.Name + ": the license was written, but not recorded in the state directory: " + trimPkg(r.RecordErr.Error()))
	}
	if r.Written && r.Owner == nil && r.Planned != fleet.FileOutdated && r.Planned != fleet.FileForeign {
		if fi, err := os.Stat(r.Path); err == nil {
			// Under a license_dir, apply made <license_dir>/<i>/ itself:
			// the license_dir's owner is the database's user.
			dir := filepath.Dir(r.Path)
			if r.LicenseDir != "" {
				dir = r.LicenseDir
			}
			if note := newFileOwnerNote(r.Path, dir, fi); note != "" {
				a.errorLine("note: " + r.Cluster + "/" + r.Name + ": " + note)
			}
		}
	}
	return rec
}

// joinIDs is "1, 2, 3".
func joinIDs(ids []int64) string {
	s := make([]string, len(ids))
	for i, id := range ids {
		s[i] = strconv.FormatInt(id, 10)
	}
	return strings.Join(s, ", ")
}

// emitFleet writes the node records, and the order lines: after the table,
// or on stderr in the formats for scripts.
func (a *app) emitFleet(rows []fleetRecord, cols []tableColumn[fleetRecord], lines []string) error {
	if err := emitList(a, rows, cols); err != nil {
		return err
	}
	w := a.stderr
	if a.format == formatTable {
		w = a.stdout
		fmt.Fprintln(w)
	}
	for _, l := range lines {
		if _, err := fmt.Fprintln(w, l); err != nil {
			return err
		}
	}
	return nil
}
