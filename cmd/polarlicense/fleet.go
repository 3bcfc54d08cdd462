package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"go.yaml.in/yaml/v3"

	polarlicense "github.com/polarlicense/polarlicense-go"
)

// fleet plan and fleet apply: every node of an inventory of clusters gets its
// license file, and no quota is spent twice. README.md documents the
// inventory.

// fleetInventory is the inventory file.
type fleetInventory struct {
	Clusters []fleetCluster `yaml:"clusters"`
}

// fleetCluster is a cluster of the inventory.
type fleetCluster struct {
	// Name is letters, digits, _ and -; codes are named <cluster>-<node>.
	Name string `yaml:"name"`
	// Order is the AliyunOrderId the cluster's codes are issued from.
	Order string `yaml:"order"`
	// LicenseDir is polarflex's license directory: node i (from 1) gets
	// <license_dir>/<i>/license.lic.
	LicenseDir string      `yaml:"license_dir"`
	Nodes      []fleetNode `yaml:"nodes"`
}

// fleetNode is a host of a cluster.
type fleetNode struct {
	Name             string `yaml:"name"`
	Mac              string `yaml:"mac"`
	SystemIdentifier string `yaml:"system_identifier"`
	// Path overrides the default path of the node's license file.
	Path string `yaml:"path"`
	// CodeName overrides the default name of the node's code.
	CodeName string `yaml:"code_name"`
}

// fleetTarget is a node as plan and apply work on it: checked, its defaults
// filled.
type fleetTarget struct {
	cluster, node string
	host          host
	codeName      string
	path          string
	defaultPath   bool // path is <license_dir>/<i>/license.lic
	licenseDir    string
}

// request is the node's EnsureActivationCode request.
func (t *fleetTarget) request() *polarlicense.EnsureActivationCodeRequest {
	return &polarlicense.EnsureActivationCodeRequest{
		AliyunOrderID: t.host.order, MacAddress: t.host.mac, SystemIdentifier: t.host.systemID, Name: t.codeName,
	}
}

// loadInventory reads and checks an inventory file. Its errors name the
// file and, where they can, the line.
func loadInventory(path string) ([]fleetTarget, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	var inv fleetInventory
	if err := dec.Decode(&inv); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, &usageError{msg: path + ": the inventory is empty: it needs a clusters list"}
		}
		return nil, yamlError(path, err)
	}
	var root yaml.Node
	_ = yaml.Unmarshal(data, &root) // it decoded above, so this does too
	lines := inventoryLines(&root)
	bad := func(line int, format string, args ...any) error {
		where := path
		if line > 0 {
			where += ":" + strconv.Itoa(line)
		}
		return &usageError{msg: where + ": " + fmt.Sprintf(format, args...)}
	}
	if len(inv.Clusters) == 0 {
		return nil, bad(0, "the inventory lists no clusters")
	}
	var targets []fleetTarget
	clusters := map[string]bool{}
	paths := map[string]string{}
	hosts := map[host]string{}
	for ci, c := range inv.Clusters {
		cl := lines.cluster(ci)
		switch {
		case c.Name == "":
			return nil, bad(cl, "cluster %d has no name", ci+1)
		case !nameChars(c.Name):
			return nil, bad(cl, "cluster name %q: may hold only letters, digits, _ and -", c.Name)
		case clusters[c.Name]:
			return nil, bad(cl, "cluster %q is listed twice", c.Name)
		case strings.TrimSpace(c.Order) == "":
			return nil, bad(cl, "cluster %q has no order", c.Name)
		case len(c.Nodes) == 0:
			return nil, bad(cl, "cluster %q lists no nodes", c.Name)
		}
		clusters[c.Name] = true
		for ni, n := range c.Nodes {
			nl := lines.node(ci, ni)
			what := fmt.Sprintf("cluster %q node %d", c.Name, ni+1)
			if n.Name != "" {
				what = fmt.Sprintf("cluster %q node %q", c.Name, n.Name)
			}
			if n.Name == "" {
				return nil, bad(nl, "%s has no name", what)
			}
			mac, err := polarlicense.NormalizeMacAddress(n.Mac)
			if err != nil {
				if n.Mac == "" {
					return nil, bad(nl, "%s has no mac", what)
				}
				return nil, bad(nl, "%s: invalid mac %q: %v", what, n.Mac, polarlicense.ErrInvalidMacAddress)
			}
			t := fleetTarget{
				cluster: c.Name, node: n.Name,
				host:     host{order: c.Order, mac: mac, systemID: n.SystemIdentifier},
				codeName: n.CodeName, path: n.Path, licenseDir: c.LicenseDir,
			}
			if t.codeName == "" {
				t.codeName = c.Name + "-" + n.Name
			}
			if !nameChars(t.codeName) || len(t.codeName) > polarlicense.MaxCodeNameLength {
				return nil, bad(nl, "%s: code name %q: may hold only letters, digits, _ and -, at most %d (give code_name)",
					what, t.codeName, polarlicense.MaxCodeNameLength)
			}
			if err := t.request().Validate(); err != nil {
				return nil, bad(nl, "%s: %v", what, err)
			}
			if t.path == "" {
				if c.LicenseDir == "" {
					return nil, bad(nl, "%s has no path, and cluster %q has no license_dir", what, c.Name)
				}
				t.path, t.defaultPath = filepath.Join(c.LicenseDir, strconv.Itoa(ni+1), "license.lic"), true
			}
			clean := filepath.Clean(t.path)
			if other, dup := paths[clean]; dup {
				return nil, bad(nl, "%s writes %s, as %s does", what, clean, other)
			}
			paths[clean] = what
			if other, dup := hosts[t.host]; dup {
				return nil, bad(nl, "%s is the same host as %s (order, mac and system_identifier)", what, other)
			}
			hosts[t.host] = what
			targets = append(targets, t)
		}
	}
	return targets, nil
}

// nameChars reports whether s is letters, digits, _ and - only.
func nameChars(s string) bool {
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '_' || r == '-') {
			return false
		}
	}
	return s != ""
}

// unknownField is how yaml.v3 words an unknown key.
var unknownField = regexp.MustCompile(`^line (\d+): field (.+) not found in type \S+$`)

// yamlError says what is wrong with the inventory, naming the file and line.
func yamlError(path string, err error) error {
	var te *yaml.TypeError
	if errors.As(err, &te) {
		msgs := make([]string, len(te.Errors))
		for i, e := range te.Errors {
			if m := unknownField.FindStringSubmatch(e); m != nil {
				msgs[i] = path + ":" + m[1] + ": unknown key " + strconv.Quote(m[2])
			} else {
				msgs[i] = path + ": " + strings.TrimPrefix(e, "line ")
			}
		}
		return &usageError{msg: strings.Join(msgs, "; ")}
	}
	return &usageError{msg: path + ": " + strings.TrimPrefix(err.Error(), "yaml: ")}
}

// inventoryNodes are the YAML nodes of the clusters and their nodes, for
// the line numbers of errors.
type inventoryNodes struct {
	clusters []*yaml.Node
	nodes    [][]*yaml.Node
}

func inventoryLines(root *yaml.Node) inventoryNodes {
	var out inventoryNodes
	if root.Kind != yaml.DocumentNode || len(root.Content) == 0 {
		return out
	}
	seq := mapValue(root.Content[0], "clusters")
	if seq == nil || seq.Kind != yaml.SequenceNode {
		return out
	}
	out.clusters = seq.Content
	for _, c := range seq.Content {
		var nodes []*yaml.Node
		if n := mapValue(c, "nodes"); n != nil && n.Kind == yaml.SequenceNode {
			nodes = n.Content
		}
		out.nodes = append(out.nodes, nodes)
	}
	return out
}

// mapValue returns the value of key in a mapping node, or nil.
func mapValue(m *yaml.Node, key string) *yaml.Node {
	if m.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == key {
			return m.Content[i+1]
		}
	}
	return nil
}

func (n inventoryNodes) cluster(i int) int {
	if i < len(n.clusters) {
		return n.clusters[i].Line
	}
	return 0
}

func (n inventoryNodes) node(ci, ni int) int {
	if ci < len(n.nodes) && ni < len(n.nodes[ci]) {
		return n.nodes[ci][ni].Line
	}
	return n.cluster(ci)
}

// Node states, in plan and apply records.
const (
	stateLicensed      = "licensed"       // an unexpired code, and the file holds its license
	stateToIssue       = "to-issue"       // no code: one will be created
	stateExpired       = "expired"        // only expired codes: a new one will be created
	stateFileMissing   = "file-missing"   // an unexpired code, but no local file
	stateFileDifferent = "file-different" // an unexpired code, but the file holds something else
	stateUncertain     = "uncertain"      // apply: the create's outcome is unknown
	stateFailed        = "failed"         // apply: the node could not be done
)

// fleetRecord is one node in the output of plan and apply.
type fleetRecord struct {
	Cluster          string    `json:"cluster"`
	Node             string    `json:"node"`
	AliyunOrderID    string    `json:"aliyun_order_id"`
	CodeName         string    `json:"code_name"`
	MacAddress       string    `json:"mac_address"`
	SystemIdentifier string    `json:"system_identifier"`
	Path             string    `json:"path"`
	State            string    `json:"state"`
	ActivationCodeID *int64    `json:"activation_code_id"`
	ExpireAt         timestamp `json:"expire_at"`
	// Created and Written are what apply did; always false in a plan.
	Created bool `json:"created"`
	Written bool `json:"written"`
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
}

var fleetApplyTable = append(fleetTable[:len(fleetTable):len(fleetTable)],
	tableColumn[fleetRecord]{"CREATED", func(r *fleetRecord) string { return strconv.FormatBool(r.Created) }},
	tableColumn[fleetRecord]{"WRITTEN", func(r *fleetRecord) string { return strconv.FormatBool(r.Written) }},
	tableColumn[fleetRecord]{"ERROR", func(r *fleetRecord) string { return orDash(r.Error) }},
)

// orderPlan is what a plan needs of an order.
type orderPlan struct {
	order  polarlicense.LicenseOrder
	codes  []polarlicense.ActivationCode
	needed int // nodes that need a new code
}

// nodePlan is a node's plan: its target, its record and its code's license.
type nodePlan struct {
	t       fleetTarget
	rec     fleetRecord
	license []byte // of rec's code, when it has one
}

// plan reads the service's state and the local files, and changes nothing.
func (a *app) plan(ctx context.Context, client *polarlicense.Client, targets []fleetTarget) ([]nodePlan, map[string]*orderPlan, []string, error) {
	orders := map[string]*orderPlan{}
	var orderIDs []string
	for _, t := range targets {
		if orders[t.host.order] != nil {
			continue
		}
		o, err := client.DescribeLicenseOrderDetails(ctx, &polarlicense.DescribeLicenseOrderDetailsRequest{AliyunOrderID: t.host.order})
		if err != nil {
			return nil, nil, nil, about(err, t.host.order, 0)
		}
		op := &orderPlan{order: o.LicenseOrder}
		for c, err := range client.ActivationCodes(ctx, &polarlicense.DescribeActivationCodesRequest{AliyunOrderID: t.host.order}) {
			if err != nil {
				return nil, nil, nil, about(err, t.host.order, 0)
			}
			op.codes = append(op.codes, c)
		}
		orders[t.host.order] = op
		orderIDs = append(orderIDs, t.host.order)
	}
	// The clock EnsureActivationCode judges expiry by, so that plan and
	// apply agree on which codes are usable.
	now := time.Now()
	plans := make([]nodePlan, len(targets))
	for i, t := range targets {
		a.progress.update("fleet: node %d of %d", i+1, len(targets))
		p := nodePlan{t: t, rec: fleetRecord{
			Cluster: t.cluster, Node: t.node, AliyunOrderID: t.host.order, CodeName: t.codeName,
			MacAddress: t.host.mac, SystemIdentifier: t.host.systemID, Path: t.path,
		}}
		op := orders[t.host.order]
		var best *polarlicense.ActivationCode
		anyExpired := false
		for k := range op.codes {
			c := &op.codes[k]
			if !t.host.boundTo(c) {
				continue
			}
			if c.Expired(now) {
				anyExpired = true
				continue
			}
			if best == nil || c.ExpireAt.After(best.ExpireAt) || c.ExpireAt.Equal(best.ExpireAt) && c.ID > best.ID {
				best = c
			}
		}
		switch {
		case best == nil && anyExpired:
			p.rec.State = stateExpired
			op.needed++
		case best == nil:
			p.rec.State = stateToIssue
			op.needed++
		default:
			id := best.ID
			p.rec.ActivationCodeID, p.rec.ExpireAt = &id, timestamp(best.ExpireAt)
			d, err := client.DescribeActivationCodeDetails(ctx, &polarlicense.DescribeActivationCodeDetailsRequest{AliyunOrderID: t.host.order, ActivationCodeID: id})
			if err != nil {
				return nil, nil, nil, about(err, t.host.order, id)
			}
			if p.license, err = d.CertContentB64.Decode(); err != nil {
				return nil, nil, nil, err
			}
			file, err := readExisting(t.path)
			switch {
			case err != nil:
				return nil, nil, nil, err
			case file == nil:
				p.rec.State = stateFileMissing
			case bytes.Equal(file, p.license):
				p.rec.State = stateLicensed
			default:
				p.rec.State = stateFileDifferent
			}
		}
		plans[i] = p
	}
	a.progress.clear()
	return plans, orders, orderIDs, nil
}

// orderLines says, per order, how many codes the fleet needs against the
// quota left; refusals are the orders that cannot issue them.
func orderLines(orders map[string]*orderPlan, ids []string) (lines, refusals []string) {
	for _, id := range ids {
		op := orders[id]
		left := op.order.RemainingQuota()
		line := fmt.Sprintf("order %s: %s to issue, %d of %d left", id, codesCount(op.needed), left, op.order.ActivationCodeQuota)
		switch {
		case op.needed > 0 && op.order.IsVirtualOrderFrozen:
			line += "; frozen: it issues no codes"
			refusals = append(refusals, fmt.Sprintf("order %s must issue %s but is a frozen virtual order", id, codesCount(op.needed)))
		case op.needed > left:
			line += "; not enough quota"
			refusals = append(refusals, fmt.Sprintf("order %s must issue %s but has %d left", id, codesCount(op.needed), left))
		case op.order.IsVirtualOrderFrozen:
			line += "; frozen"
		}
		lines = append(lines, line)
	}
	return lines, refusals
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
has none, so apply can be run again after any failure and spends nothing twice.`
	cmd.AddCommand(a.fleetPlanCommand(), a.fleetApplyCommand())
	return cmd
}

func (a *app) fleetPlanCommand() *cobra.Command {
	var file string
	cmd := &cobra.Command{
		Use:   "plan -f fleet.yaml",
		Short: "Show each node's license state and each order's quota; change nothing",
		Long: `Show, for each node of the inventory, its license state, and for each order how
many codes the fleet needs against the quota left. Nothing is changed.

States: licensed (an unexpired code, and the file holds its license), to-issue
(no code: apply creates one), expired (only expired codes: apply creates a new
one), file-missing and file-different (an unexpired code, but the local file is
missing or holds something else: apply writes it).

The order lines go to stdout after the table, or to stderr with -o json or csv.`,
		Example: `  polarlicense fleet plan -f fleet.yaml
  polarlicense fleet plan -f fleet.yaml -o json`,
		Args: exactArgs(),
		RunE: a.action(func(ctx context.Context, _ *cobra.Command, _ []string) error {
			f, err := a.planInventory(ctx, file)
			if err != nil {
				return err
			}
			rows := make([]fleetRecord, len(f.nodes))
			for i := range f.nodes {
				rows[i] = f.nodes[i].rec
			}
			return a.emitFleet(rows, fleetTable, f.lines)
		}),
	}
	inventoryFlag(cmd, &file)
	return cmd
}

func (a *app) fleetApplyCommand() *cobra.Command {
	var file string
	cmd := &cobra.Command{
		Use:   "apply -f fleet.yaml",
		Short: "Give every node of the inventory its license file, creating codes only where none exists",
		Long: `Give every node of the inventory its license file: find the node's unexpired
code, or create one only if it has none, and write its license to the node's
path (creating the node's directory under license_dir if need be).

Before anything is spent, every order is checked: if one lacks the quota for
the codes it must issue, or is a frozen virtual order, apply refuses to start.
A node whose create's outcome is unknown is reported as uncertain and the
others carry on; running apply again picks its code up. A file holding
something other than a license of the node is left alone and the node fails.
A run over a fleet that is already licensed spends nothing and writes nothing.

Exit status 1 if any node failed or is uncertain.`,
		Example: `  polarlicense fleet apply -f fleet.yaml
  polarlicense fleet apply -f fleet.yaml -o json`,
		Args: exactArgs(),
		RunE: a.action(func(ctx context.Context, _ *cobra.Command, _ []string) error {
			f, err := a.planInventory(ctx, file)
			if err != nil {
				return err
			}
			if len(f.refusals) > 0 {
				return fmt.Errorf("nothing was done: %s", strings.Join(f.refusals, "; "))
			}
			rows := make([]fleetRecord, len(f.nodes))
			failed := 0
			for i := range f.nodes {
				a.progress.update("fleet apply: node %d of %d", i+1, len(f.nodes))
				rows[i] = a.applyNode(ctx, f.client, &f.nodes[i])
				if rows[i].Error != "" {
					failed++
				}
			}
			a.progress.clear()
			if err := a.emitFleet(rows, fleetApplyTable, f.lines); err != nil {
				return err
			}
			if failed > 0 {
				return fmt.Errorf("%d of %d nodes are not done (see their error); run apply again once the cause is fixed", failed, len(rows))
			}
			return nil
		}),
	}
	inventoryFlag(cmd, &file)
	return cmd
}

// inventoryFlag adds the required -f, the inventory's path.
func inventoryFlag(cmd *cobra.Command, file *string) {
	cmd.Flags().StringVarP(file, "file", "f", "", "the inventory `file` (YAML) (required)")
	_ = cmd.MarkFlagRequired("file")
}

// fleetPlan is where fleet plan and fleet apply start from: each node's
// plan, the client that made it, and the order lines (with the refusals
// that stop apply).
type fleetPlan struct {
	client          *polarlicense.Client
	nodes           []nodePlan
	lines, refusals []string
}

// planInventory loads the inventory at file and plans it.
func (a *app) planInventory(ctx context.Context, file string) (*fleetPlan, error) {
	targets, err := loadInventory(file)
	if err != nil {
		return nil, err
	}
	client, err := a.newClient()
	if err != nil {
		return nil, err
	}
	nodes, orders, ids, err := a.plan(ctx, client, targets)
	if err != nil {
		return nil, err
	}
	lines, refusals := orderLines(orders, ids)
	return &fleetPlan{client: client, nodes: nodes, lines: lines, refusals: refusals}, nil
}

// applyNode ensures one node's code and file, and says what it did.
func (a *app) applyNode(ctx context.Context, client *polarlicense.Client, p *nodePlan) fleetRecord {
	rec := p.rec
	if rec.State == stateLicensed {
		return rec
	}
	fail := func(err error) fleetRecord {
		rec.State = stateFailed
		if errors.Is(err, polarlicense.ErrUncertainOutcome) {
			rec.State = stateUncertain
		}
		rec.Error = oneLine(a.describe(err))
		return rec
	}
	if p.t.defaultPath && isDir(p.t.licenseDir) {
		if err := os.MkdirAll(filepath.Dir(p.t.path), 0o755); err != nil {
			return fail(err)
		}
	}
	if dir := filepath.Dir(p.t.path); !isDir(dir) {
		return fail(fmt.Errorf("cannot write %s: %s is not a directory that exists", p.t.path, dir))
	}
	res, err := ensureFile(ctx, client, p.t.request(), p.t.host, p.t.path, false, "remove it, or give the node another path")
	if err != nil {
		return fail(about(err, p.t.host.order, 0))
	}
	for _, n := range res.notes {
		a.errorLine("note: " + p.t.cluster + "/" + p.t.node + ": " + n)
	}
	id := res.ActivationCodeID
	rec.State, rec.ActivationCodeID, rec.ExpireAt = stateLicensed, &id, res.ExpireAt
	rec.Created, rec.Written = res.Created, res.Written
	return rec
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
