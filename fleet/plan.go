package fleet

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"sync"
	"time"

	polarlicense "github.com/polarlicense/polarlicense-go"
	"github.com/polarlicense/polarlicense-go/internal/licenseread"
)

// DefaultConcurrency is how many nodes (and orders) Plan and Apply work on at
// once unless Options.Concurrency says otherwise.
const DefaultConcurrency = 8

// DefaultExpiringWithin is the window in which a licensed node's code is
// shown as expiring: 90 days, as package audit's code-expiring.
const DefaultExpiringWithin = 90 * 24 * time.Hour

// Options configure NewPlan and the Apply of its plan.
type Options struct {
	// Concurrency is how many calls (nodes, orders) are worked on at once;
	// zero means DefaultConcurrency. Output keeps the inventory's order
	// whatever it is.
	Concurrency int
	// StateDir is the state directory (see polarlicense.WithStateDir and
	// polarlicense.LicenseRecord): Apply records every file it writes there,
	// and Plan reads it to recognise an older license of a node without a
	// call. "" keeps no records. Give the Client the same directory with
	// polarlicense.WithStateDir so that its creates are coordinated with
	// other processes.
	StateDir string
	// Force lets Apply replace a file-foreign file: a file that holds
	// something other than a license of the node.
	Force bool
	// ExpiringWithin is the window in which a licensed node is shown as
	// expiring: zero means DefaultExpiringWithin, negative turns it off.
	ExpiringWithin time.Duration
	// Now is the clock codes' expiry is judged by; nil means time.Now.
	Now func() time.Time
	// Progress, if not nil, is told how many nodes are done of how many,
	// as Plan and Apply progress (from one goroutine at a time).
	Progress func(stage string, done, total int)
}

// State is a node's state in a plan or after an apply.
type State string

// The states of a node. Those of a plan say what Apply will do; Apply's
// records end in licensed, expiring, or one of the last three.
const (
	// Licensed: an unexpired code, and the file holds its license. Apply
	// does nothing.
	Licensed State = "licensed"
	// Expiring: as Licensed, but the code expires within
	// Options.ExpiringWithin (and not within the cluster's renew_within).
	// Apply does nothing.
	Expiring State = "expiring"
	// ToRenew: the node's code expires within its cluster's renew_within.
	// Apply creates a new code and writes its license.
	ToRenew State = "to-renew"
	// ToIssue: the node has no code. Apply creates one and writes it.
	ToIssue State = "to-issue"
	// Expired: the node's codes have all expired (Code is the latest).
	// Apply creates a new one and writes it.
	Expired State = "expired"
	// FileMissing: an unexpired code, but no file. Apply writes it.
	FileMissing State = "file-missing"
	// FileOutdated: an unexpired code, and the file holds an older license
	// of the node (an earlier code of the same host). Apply replaces it.
	FileOutdated State = "file-outdated"
	// FileForeign: the file holds something other than a license of the
	// node. Apply leaves it and fails the node, unless Options.Force.
	FileForeign State = "file-foreign"
	// DirMissing: the directory the file goes in does not exist (the
	// cluster's license_dir, or the directory of the node's path). Apply
	// fails the node, naming it, and spends nothing; under an existing
	// license_dir, apply creates <license_dir>/<i>/ itself.
	DirMissing State = "dir-missing"
	// Uncertain (Apply): the create's outcome is unknown; apply again
	// picks the code up.
	Uncertain State = "uncertain"
	// Failed (Apply): the node could not be done; Err says why.
	Failed State = "failed"
	// NotStarted (Apply): the run was interrupted before the node was
	// started.
	NotStarted State = "not-started"
)

// Plan is what NewPlan found: each node's state, each order's needs, and
// whether Apply would start. It changes nothing.
type Plan struct {
	// Nodes are the inventory's nodes, in its order.
	Nodes []NodePlan
	// Orders are the inventory's orders, in the order of first use.
	Orders []OrderPlan
	// Refusals say why Apply would refuse to start, nothing done: an order
	// that must issue more codes than it has left, or a frozen virtual
	// order that must issue any. Empty when Apply would start.
	Refusals []string

	client *polarlicense.Client
	opts   Options
	inv    *Inventory
}

// NodePlan is a node's state and what Apply will do with it.
type NodePlan struct {
	Node
	// State is what the node needs (see the State constants).
	State State
	// Code is the node's best unexpired code (expiring last) or, with none,
	// its latest expired code; nil when it has none.
	Code *polarlicense.ActivationCode
	// Create tells whether Apply will create a code for the node.
	Create bool
	// Note says more about the state: the directory missing, what the file
	// holds, when the code expires. "" when there is nothing to add.
	Note string

	order   *orderWalk
	codes   []polarlicense.ActivationCode // the host's codes in the walk
	license polarlicense.CertContent      // Code's license, when unexpired
	exists  bool                          // a file is at Path
}

// OrderPlan is an order of the inventory and what its nodes need of it.
type OrderPlan struct {
	// Order is the order's details, as Plan read them (as Apply left them,
	// in Apply's report).
	Order polarlicense.LicenseOrder
	// Cluster and Line name the first cluster using the order.
	Cluster string
	Line    int
	// ToIssue is how many codes Apply must create from the order (in
	// Apply's report: how many nodes still need one).
	ToIssue int
	// Refusal is why Apply would refuse to start for this order; "".
	Refusal string
}

// OrderError is an error about an order, naming the first cluster using it
// and its line.
type OrderError struct {
	Path          string
	Cluster       string
	Line          int
	AliyunOrderID string
	Err           error
}

// Error names the inventory line, the cluster and the order.
func (e *OrderError) Error() string {
	return fmt.Sprintf("%s:%d: cluster %q: order %s: %v", e.Path, e.Line, e.Cluster, e.AliyunOrderID, e.Err)
}

// Unwrap returns the call's error.
func (e *OrderError) Unwrap() error { return e.Err }

// NodeError is an error planning or applying a node, naming it and its
// line.
type NodeError struct {
	Path, Cluster, Node string
	Line                int
	Err                 error
}

// Error names the inventory line, the cluster and the node.
func (e *NodeError) Error() string {
	return fmt.Sprintf("%s:%d: cluster %q node %q: %v", e.Path, e.Line, e.Cluster, e.Node, e.Err)
}

// Unwrap returns the cause.
func (e *NodeError) Unwrap() error { return e.Err }

// orderWalk is one order as the plan read it: its details and the walk of
// its codes.
type orderWalk struct {
	plan     *OrderPlan
	codes    []polarlicense.ActivationCode
	listedAt time.Time
	// byHost indexes codes by normalised MAC address and system
	// identifier, so that planning a node does not scan the whole order.
	byHost map[[2]string][]int
}

// NewPlan reads, for the inventory, each order's details and codes (one
// DescribeLicenseOrderDetails and one walk of DescribeActivationCodes per
// order), then each node's file, and the license of each node's unexpired
// code when it is to be compared with a file or written (one
// DescribeActivationCodeDetails per such node; a node whose
// file holds another license costs one more per earlier code of the host
// compared, unless the state directory recorded the file). It changes
// nothing. opts may be nil.
//
// Its errors are an *OrderError or a *NodeError; a node whose file cannot be
// read is planned as FileForeign with a Note rather than failing the plan.
func NewPlan(ctx context.Context, client *polarlicense.Client, inv *Inventory, opts *Options) (*Plan, error) {
	p := &Plan{client: client, inv: inv}
	if opts != nil {
		p.opts = *opts
	}
	if p.opts.Concurrency <= 0 {
		p.opts.Concurrency = DefaultConcurrency
	}
	if p.opts.ExpiringWithin == 0 {
		p.opts.ExpiringWithin = DefaultExpiringWithin
	}
	if p.opts.Now == nil {
		p.opts.Now = time.Now
	}

	// The orders, each once, in the order of first use.
	var walks []*orderWalk
	byID := map[string]*orderWalk{}
	for i := range inv.Nodes {
		n := &inv.Nodes[i]
		if byID[n.AliyunOrderID] == nil {
			w := &orderWalk{plan: &OrderPlan{Cluster: n.Cluster, Line: n.ClusterLine, Order: polarlicense.LicenseOrder{AliyunOrderID: n.AliyunOrderID}}}
			byID[n.AliyunOrderID] = w
			walks = append(walks, w)
		}
	}
	err := forEach(ctx, len(walks), p.opts.Concurrency, func(ctx context.Context, i int) error {
		w := walks[i]
		id := w.plan.Order.AliyunOrderID
		w.listedAt = time.Now()
		o, err := client.DescribeLicenseOrderDetails(ctx, &polarlicense.DescribeLicenseOrderDetailsRequest{AliyunOrderID: id})
		if err != nil {
			return &OrderError{Path: inv.Path, Cluster: w.plan.Cluster, Line: w.plan.Line, AliyunOrderID: id, Err: err}
		}
		w.plan.Order = o.LicenseOrder
		for c, err := range client.ActivationCodes(ctx, &polarlicense.DescribeActivationCodesRequest{AliyunOrderID: id}) {
			if err != nil {
				return &OrderError{Path: inv.Path, Cluster: w.plan.Cluster, Line: w.plan.Line, AliyunOrderID: id, Err: err}
			}
			w.codes = append(w.codes, c)
		}
		w.byHost = make(map[[2]string][]int)
		for k := range w.codes {
			h := [2]string{normalMac(w.codes[k].MacAddress), w.codes[k].SystemIdentifier}
			w.byHost[h] = append(w.byHost[h], k)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}

	now := p.opts.Now()
	p.Nodes = make([]NodePlan, len(inv.Nodes))
	progress := newProgress(p.opts.Progress, "plan", len(inv.Nodes))
	err = forEach(ctx, len(inv.Nodes), p.opts.Concurrency, func(ctx context.Context, i int) error {
		np := &p.Nodes[i]
		np.Node = inv.Nodes[i]
		np.order = byID[np.AliyunOrderID]
		if err := p.planNode(ctx, np, now); err != nil {
			return &NodeError{Path: inv.Path, Cluster: np.Cluster, Node: np.Name, Line: np.Line, Err: err}
		}
		progress.done()
		return nil
	})
	if err != nil {
		return nil, err
	}
	for i := range p.Nodes {
		if np := &p.Nodes[i]; np.willCreate(p.opts.Force) {
			np.order.plan.ToIssue++
		}
	}
	for _, w := range walks {
		op := w.plan
		left := op.Order.RemainingQuota()
		switch {
		case op.ToIssue > 0 && op.Order.IsVirtualOrderFrozen:
			op.Refusal = fmt.Sprintf("order %s (cluster %q, line %d) must issue %s but is a frozen virtual order", op.Order.AliyunOrderID, op.Cluster, op.Line, codesCount(op.ToIssue))
		case op.ToIssue > left:
			op.Refusal = fmt.Sprintf("order %s (cluster %q, line %d) must issue %s but has %d left", op.Order.AliyunOrderID, op.Cluster, op.Line, codesCount(op.ToIssue), left)
		}
		if op.Refusal != "" {
			p.Refusals = append(p.Refusals, op.Refusal)
		}
		p.Orders = append(p.Orders, *op)
	}
	return p, nil
}

// willCreate tells whether Apply will spend a code on the node.
func (np *NodePlan) willCreate(force bool) bool {
	return np.Create && np.State != DirMissing && (np.State != FileForeign || force)
}

// planNode finds a node's codes in its order's walk, reads its file and,
// for an unexpired code, fetches its license.
func (p *Plan) planNode(ctx context.Context, np *NodePlan, now time.Time) error {
	var best, lastExpired *polarlicense.ActivationCode
	var host []polarlicense.ActivationCode
	for _, k := range np.order.byHost[[2]string{np.MacAddress, np.SystemIdentifier}] {
		c := &np.order.codes[k]
		host = append(host, *c)
		switch {
		case c.Expired(now):
			if lastExpired == nil || expiresLater(c, lastExpired) {
				lastExpired = c
			}
		case best == nil || expiresLater(c, best):
			best = c
		}
	}

	np.codes = host
	file, ferr := licenseread.Existing(np.Path)
	np.exists = file != nil || ferr != nil // what cannot be read is there
	if ferr != nil {
		np.State, np.Note = FileForeign, ferr.Error()
	}
	renew := best != nil && np.RenewWithin > 0 && !best.ExpireAt.IsZero() && !best.ExpireAt.After(now.Add(np.RenewWithin))
	_, dirMissing := missingDir(&np.Node)
	if best != nil {
		code := *best
		np.Code = &code
		// Its license, only to compare with a file there, or to write it
		// (a node to renew gets a new code's; a missing directory gets
		// nothing).
		if (file != nil && ferr == nil && len(file) > 0) || (!renew && !dirMissing) {
			lic, err := p.fetchLicense(ctx, np.AliyunOrderID, best.ID)
			if err != nil {
				return err
			}
			np.license = lic
		}
	} else if lastExpired != nil {
		code := *lastExpired
		np.Code = &code
	}
	var license []byte
	if !np.license.IsZero() {
		var err error
		if license, err = np.license.Decode(); err != nil {
			return fmt.Errorf("the license of code %d: %w", best.ID, err)
		}
	}

	// What the file holds, when it is not the best code's license.
	fileState := func() (State, error) {
		switch {
		case ferr != nil:
			return FileForeign, nil
		case file == nil:
			return FileMissing, nil
		case license != nil && bytes.Equal(file, license):
			return Licensed, nil
		}
		older, err := p.hostLicense(ctx, np, host, best, file)
		switch {
		case err != nil:
			return "", err
		case older:
			return FileOutdated, nil
		}
		return FileForeign, nil
	}
	fileSt, err := fileState()
	if err != nil {
		return err
	}
	if fileSt == FileForeign && np.Note == "" {
		np.Note = "the file holds something other than a license of this host"
		if what := p.recordedIdentity(np, file); what != "" {
			np.Note = what
		}
	}
	switch {
	case best == nil:
		np.Create = true
		np.State = ToIssue
		if lastExpired != nil {
			np.State = Expired
			np.Note = joinNote(np.Note, "expired "+lastExpired.ExpireAt.Format(time.DateOnly))
		}
		if fileSt == FileForeign {
			np.State = FileForeign
		}
	case renew:
		np.Create, np.State = true, ToRenew
		np.Note = joinNote(np.Note, "expires "+best.ExpireAt.Format(time.DateOnly)+", within renew_within "+formatDays(np.RenewWithin))
		if fileSt == FileForeign {
			np.State = FileForeign
		}
	default:
		np.State = fileSt
		if fileSt == Licensed && p.opts.ExpiringWithin > 0 && !best.ExpireAt.IsZero() && !best.ExpireAt.After(now.Add(p.opts.ExpiringWithin)) {
			np.State = Expiring
			np.Note = joinNote(np.Note, "expires "+best.ExpireAt.Format(time.DateOnly)+", in "+strconv.Itoa(int(best.ExpireAt.Sub(now).Hours()/24))+" days")
		}
	}
	if dir, missing := missingDir(&np.Node); missing {
		np.State = DirMissing
		np.Note = joinNote(dir+" does not exist", np.Note)
	}
	return nil
}

// recordedIdentity is the note of a file-foreign node whose file the state
// directory recorded as the license of another host: whose, and what
// differs (a database re-initialised, a network card replaced, the file of
// the old code left behind). "" when there is no such record.
func (p *Plan) recordedIdentity(np *NodePlan, file []byte) string {
	if p.opts.StateDir == "" || len(file) == 0 {
		return ""
	}
	sum := sha256.Sum256(file)
	rec, err := polarlicense.LookupLicenseRecord(p.opts.StateDir, hex.EncodeToString(sum[:]))
	if err != nil {
		return ""
	}
	mac := normalMac(rec.MacAddress)
	if mac == np.MacAddress && rec.SystemIdentifier == np.SystemIdentifier {
		return ""
	}
	s := "the file holds the license of activation code " + strconv.FormatInt(rec.ActivationCodeID, 10)
	if rec.AliyunOrderID != "" {
		s += " of order " + rec.AliyunOrderID
	}
	s += fmt.Sprintf(", bound to MAC address %s and system identifier %q, not this node's", mac, rec.SystemIdentifier)
	switch {
	case mac == np.MacAddress:
		s += ": the system identifier differs (a re-initialised database?)"
	case rec.SystemIdentifier == np.SystemIdentifier:
		s += ": the MAC address differs (a replaced network card?)"
	}
	return s
}

// fetchLicense is one DescribeActivationCodeDetails: a code's license.
func (p *Plan) fetchLicense(ctx context.Context, order string, id int64) (polarlicense.CertContent, error) {
	d, err := p.client.DescribeActivationCodeDetails(ctx, &polarlicense.DescribeActivationCodeDetailsRequest{AliyunOrderID: order, ActivationCodeID: id})
	if err != nil {
		return polarlicense.CertContent{}, err
	}
	return d.CertContentB64, nil
}

// hostLicense reports whether file is the license of one of the host's
// codes other than best: the state directory's record of the file first,
// then the host's other codes, newest first, one call each.
func (p *Plan) hostLicense(ctx context.Context, np *NodePlan, host []polarlicense.ActivationCode, best *polarlicense.ActivationCode, file []byte) (bool, error) {
	if len(file) == 0 {
		return true, nil // an empty file holds nothing to lose
	}
	if p.opts.StateDir != "" {
		sum := sha256.Sum256(file)
		rec, err := polarlicense.LookupLicenseRecord(p.opts.StateDir, hex.EncodeToString(sum[:]))
		if err == nil && normalMac(rec.MacAddress) == np.MacAddress && rec.SystemIdentifier == np.SystemIdentifier {
			return true, nil
		}
	}
	host = append([]polarlicense.ActivationCode(nil), host...)
	sort.Slice(host, func(i, j int) bool { return host[i].ID > host[j].ID })
	for k := range host {
		if best != nil && host[k].ID == best.ID {
			continue
		}
		d, err := p.client.DescribeActivationCodeDetails(ctx, &polarlicense.DescribeActivationCodeDetailsRequest{AliyunOrderID: np.AliyunOrderID, ActivationCodeID: host[k].ID})
		if err != nil {
			return false, err
		}
		lic, err := d.CertContentB64.Decode()
		if err != nil {
			return false, err
		}
		if bytes.Equal(lic, file) {
			return true, nil
		}
	}
	return false, nil
}

// missingDir returns the directory a node's file needs that does not
// exist: the cluster's license_dir for a default path (apply creates
// <license_dir>/<i>/ under it), else the file's directory.
func missingDir(n *Node) (string, bool) {
	if n.LicenseDir != "" {
		if !isDir(n.LicenseDir) {
			return "license_dir " + n.LicenseDir, true
		}
		return "", false
	}
	if dir := filepath.Dir(n.Path); !isDir(dir) {
		return "directory " + dir, true
	}
	return "", false
}

// isDir reports whether path is a directory that exists.
func isDir(path string) bool {
	fi, err := os.Stat(path)
	return err == nil && fi.IsDir()
}

// normalMac is the normal form of a MAC address, or "" for an invalid one.
func normalMac(s string) string {
	m, err := polarlicense.NormalizeMacAddress(s)
	if err != nil {
		return ""
	}
	return m
}

// expiresLater reports whether a is a better pick than b: it expires later
// (an unknown expiry counting as the earliest), or at the same time with a
// higher ID. EnsureActivationCode picks the same way.
func expiresLater(a, b *polarlicense.ActivationCode) bool {
	if !a.ExpireAt.Equal(b.ExpireAt) {
		return a.ExpireAt.After(b.ExpireAt)
	}
	return a.ID > b.ID
}

// joinNote joins two notes with "; ".
func joinNote(a, b string) string {
	switch {
	case a == "":
		return b
	case b == "":
		return a
	}
	return a + "; " + b
}

// formatDays writes a duration in days when it is whole days.
func formatDays(d time.Duration) string {
	if d%(24*time.Hour) == 0 {
		return strconv.Itoa(int(d/(24*time.Hour))) + "d"
	}
	return d.String()
}

// codesCount is "1 code" or "n codes".
func codesCount(n int) string {
	if n == 1 {
		return "1 code"
	}
	return strconv.Itoa(n) + " codes"
}

// forEach runs fn for 0..n-1, at most conc at once; the first error
// cancels the others' context and is returned.
func forEach(ctx context.Context, n, conc int, fn func(ctx context.Context, i int) error) error {
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	var (
		wg   sync.WaitGroup
		next = make(chan int)
		once sync.Once
		ferr error
	)
	for range min(conc, n) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				if err := fn(ctx, i); err != nil {
					once.Do(func() { ferr = err; cancel(err) })
				}
			}
		}()
	}
feed:
	for i := range n {
		select {
		case next <- i:
		case <-ctx.Done():
			break feed
		}
	}
	close(next)
	wg.Wait()
	if ferr != nil {
		return ferr
	}
	return ctx.Err()
}

// progress reports progress to Options.Progress, one call at a time.
type progress struct {
	mu       sync.Mutex
	fn       func(string, int, int)
	stage    string
	n, total int
}

func newProgress(fn func(string, int, int), stage string, total int) *progress {
	return &progress{fn: fn, stage: stage, total: total}
}

func (p *progress) done() {
	if p.fn == nil {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.n++
	p.fn(p.stage, p.n, p.total)
}
