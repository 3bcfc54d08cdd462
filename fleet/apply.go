package fleet

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"

	polarlicense "github.com/polarlicense/polarlicense-go"
)

// ErrForeignFile is wrapped by the error of a node whose file holds
// something other than a license of the node, which Apply leaves as it is
// (nothing spent) unless Options.Force.
var ErrForeignFile = errors.New("the file holds something other than a license of this host: left as it is, nothing was spent")

// ErrDirMissing is wrapped by the error of a node whose directory does not
// exist (the cluster's license_dir, or the directory of the node's path).
// Nothing was spent.
var ErrDirMissing = errors.New("a directory the license goes in does not exist: nothing was spent")

// RefusedError is Apply's error when it refuses to start: the plan's
// Refusals. Nothing was done.
type RefusedError struct {
	Reasons []string
}

// Error lists the reasons.
func (e *RefusedError) Error() string {
	return "nothing was done: " + strings.Join(e.Reasons, "; ")
}

// Report is what Apply did.
type Report struct {
	// Nodes are the inventory's nodes, in its order.
	Nodes []NodeResult
	// Orders are the orders as Apply left them: their details read again
	// after the creates (or counted, if the run was interrupted), ToIssue
	// being how many nodes still need a code.
	Orders []OrderPlan
}

// NodeResult is what Apply did for a node.
type NodeResult struct {
	Node
	// Planned is the node's state in the plan.
	Planned State
	// State is the node's state after Apply: Licensed or Expiring when its
	// file holds an unexpired license of its own; Uncertain, Failed or
	// NotStarted otherwise.
	State State
	// Code is the node's code after Apply (the one created, if any); nil if
	// none.
	Code *polarlicense.ActivationCode
	// Created tells whether Apply created Code, spending one unit of quota
	// (also true, Code nil, for a node whose code was created but whose
	// license could not then be fetched: its Err wraps
	// polarlicense.ErrLicenseNotFetched); Renewed whether that create
	// replaced a code expiring within the cluster's renew_within.
	Created, Renewed bool
	// Written tells whether Apply wrote the node's file.
	Written bool
	// RecordErr is why the license written was not recorded in the state
	// directory (Options.StateDir); the file is in place all the same. nil
	// otherwise.
	RecordErr error
	// Duplicates are, after a create, the host's other unexpired codes that
	// are not the one renewed: quota spent twice (by a run on another
	// machine, or by hand). Empty when all is well.
	Duplicates []polarlicense.ActivationCode
	// Note is the plan's note about the node.
	Note string
	// Err is why the node is not done (Uncertain, Failed); nil otherwise.
	Err error
}

// Done reports whether the node ended licensed, with no duplicate code.
func (r *NodeResult) Done() bool {
	return (r.State == Licensed || r.State == Expiring) && len(r.Duplicates) == 0
}

// Apply does what the plan says, at most Options.Concurrency nodes at once:
// for a node with an unexpired code it writes the license the plan fetched
// (no call); for a node that needs one it calls EnsureActivationCode once,
// with what the plan listed (EnsureKnown), so that nothing is listed again
// but the post-create duplicate check; then writes the license. Before
// anything is spent for a node, its file is checked to be writable
// (polarlicense.CheckLicenseFileWritable) and <license_dir>/<i>/ is created
// under an existing license_dir. Files are written with the cluster's owner
// and recorded in the state directory (Options.StateDir).
//
// It refuses to start, doing nothing, when the plan has Refusals (a
// *RefusedError). A node that fails does not stop the others: its result
// says why. When ctx ends, nodes not yet started are NotStarted and Apply
// returns the report with ctx's error. Apply is meant to run once per plan:
// plan again to run again.
func (p *Plan) Apply(ctx context.Context) (*Report, error) {
	if len(p.Refusals) > 0 {
		return nil, &RefusedError{Reasons: p.Refusals}
	}
	rep := &Report{Nodes: make([]NodeResult, len(p.Nodes))}
	var todo []int
	for i := range p.Nodes {
		np := &p.Nodes[i]
		r := &rep.Nodes[i]
		*r = NodeResult{Node: np.Node, Planned: np.State, State: np.State, Code: np.Code, Note: np.Note}
		if np.State == Licensed || np.State == Expiring {
			continue
		}
		r.State = NotStarted
		todo = append(todo, i)
	}
	created := make(map[*orderWalk]*atomic.Int32)
	for i := range p.Nodes {
		if created[p.Nodes[i].order] == nil {
			created[p.Nodes[i].order] = new(atomic.Int32)
		}
	}
	progress := newProgress(p.opts.Progress, "apply", len(todo))
	next := make(chan int)
	var wg sync.WaitGroup
	for range min(p.opts.Concurrency, len(todo)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				r := &rep.Nodes[i]
				p.applyNode(ctx, &p.Nodes[i], r)
				if r.Created {
					created[p.Nodes[i].order].Add(1)
				}
				progress.done()
			}
		}()
	}
feed:
	for _, i := range todo {
		if ctx.Err() != nil {
			break
		}
		select {
		case next <- i:
		case <-ctx.Done():
			break feed
		}
	}
	close(next)
	wg.Wait()

	// The orders after the run: each one that issued codes read again,
	// Concurrency at a time (counted instead, if that fails or the run was
	// interrupted).
	var walks []*orderWalk
	seen := map[*orderWalk]bool{}
	for i := range p.Nodes {
		if w := p.Nodes[i].order; !seen[w] {
			seen[w] = true
			walks = append(walks, w)
		}
	}
	after := make([]*polarlicense.LicenseOrder, len(walks))
	_ = forEach(ctx, len(walks), p.opts.Concurrency, func(ctx context.Context, i int) error {
		if created[walks[i]].Load() > 0 {
			o, err := p.client.DescribeLicenseOrderDetails(ctx, &polarlicense.DescribeLicenseOrderDetailsRequest{AliyunOrderID: walks[i].plan.Order.AliyunOrderID})
			if err == nil {
				after[i] = &o.LicenseOrder
			}
		}
		return nil
	})
	for i, w := range walks {
		op := *w.plan
		op.Refusal, op.ToIssue = "", 0
		if n := int(created[w].Load()); n > 0 {
			if after[i] != nil {
				op.Order = *after[i]
			} else {
				op.Order.ActivatedCodeCount += n
			}
		}
		for k := range rep.Nodes {
			if st := rep.Nodes[k].State; p.Nodes[k].order == w && p.Nodes[k].willCreate(p.opts.Force) && st != Licensed && st != Expiring {
				op.ToIssue++
			}
		}
		rep.Orders = append(rep.Orders, op)
	}
	if err := ctx.Err(); err != nil {
		return rep, err
	}
	return rep, nil
}

// applyNode does one node and fills its result.
func (p *Plan) applyNode(ctx context.Context, np *NodePlan, r *NodeResult) {
	fail := func(err error) {
		r.State = Failed
		if errors.Is(err, polarlicense.ErrUncertainOutcome) {
			r.State = Uncertain
		}
		r.Err = err
	}
	if ctx.Err() != nil {
		return // NotStarted
	}
	r.State = Failed
	// As planned: a directory missing then fails the node, even if it has
	// appeared since (its code, if any, was not fetched, and its create was
	// not counted against the order's quota). Plan again.
	if np.State == DirMissing {
		fail(fmt.Errorf("cannot write %s: %s (when planned): %w", np.Path, strings.SplitN(np.Note, ";", 2)[0], ErrDirMissing))
		return
	}
	// The directory: <license_dir>/<i>/ under an existing license_dir.
	if np.LicenseDir != "" && isDir(np.LicenseDir) {
		if err := os.Mkdir(filepath.Dir(np.Path), 0o755); err != nil && !errors.Is(err, os.ErrExist) {
			fail(err)
			return
		}
	}
	if dir, missing := missingDir(&np.Node); missing {
		fail(fmt.Errorf("cannot write %s: %s does not exist: %w", np.Path, dir, ErrDirMissing))
		return
	}
	if np.State == FileForeign && !p.opts.Force {
		fail(fmt.Errorf("%s: %w", np.Path, ErrForeignFile))
		return
	}
	write := polarlicense.LicenseFileOptions{
		Overwrite: np.exists, Owner: np.Owner, StateDir: p.opts.StateDir, AliyunOrderID: np.AliyunOrderID,
	}
	if !np.Create {
		// The plan fetched the unexpired code's license: write it.
		write.Code = np.Code
		if err := writeLicense(np.Path, np.license, write, r); err != nil {
			fail(fmt.Errorf("the license of code %d was not written: %w", np.Code.ID, err))
			return
		}
		r.State = p.licensedState(np.Code)
		return
	}
	if err := polarlicense.CheckLicenseFileWritable(np.Path, write); err != nil {
		fail(fmt.Errorf("%w (checked before creating a code: nothing was spent)", err))
		return
	}
	order := np.order.plan.Order
	req := np.Request()
	req.Known = &polarlicense.EnsureKnown{Codes: np.codes, ListedAt: np.order.listedAt, Order: &order}
	resp, err := p.client.EnsureActivationCode(ctx, req)
	if err != nil {
		// A code created whose license could not be fetched spent quota.
		r.Created = errors.Is(err, polarlicense.ErrLicenseNotFetched)
		fail(err)
		return
	}
	code := resp.ActivationCode
	r.Code, r.Created, r.Renewed, r.Duplicates = &code, resp.Created, resp.Renewed, resp.Duplicates
	write.Code = &code
	if err := writeLicense(np.Path, resp.CertContentB64, write, r); err != nil {
		fail(&UnwrittenError{AliyunOrderID: np.AliyunOrderID, ActivationCodeID: code.ID, Created: resp.Created, Path: np.Path,
			Overwrite: np.exists, OwnerSpec: np.OwnerSpec, Err: err})
		return
	}
	r.State = p.licensedState(&code)
}

// writeLicense writes a node's license file and sets r.Written; a license
// written but not recorded in the state directory is not an error but
// r.RecordErr.
func writeLicense(path string, cert polarlicense.CertContent, opts polarlicense.LicenseFileOptions, r *NodeResult) error {
	err := polarlicense.WriteLicenseFileWithOptions(path, cert, opts)
	var fe *polarlicense.LicenseFileError
	if err != nil && (!errors.As(err, &fe) || fe.Op != "record") {
		return err
	}
	if err != nil {
		r.RecordErr = fe.Err
	}
	r.Written = true
	return nil
}

// licensedState is the state of a node whose file now holds code's
// license: Expiring when the code expires within Options.ExpiringWithin, as
// the plan would show it, else Licensed.
func (p *Plan) licensedState(code *polarlicense.ActivationCode) State {
	if p.opts.ExpiringWithin > 0 && code != nil && !code.ExpireAt.IsZero() && !code.ExpireAt.After(p.opts.Now().Add(p.opts.ExpiringWithin)) {
		return Expiring
	}
	return Licensed
}

// UnwrittenError is a node's error when its code was found or created but
// its license could not be written: the code is the node's, and writing
// its license (Command: polarlicense license write ORDER CODE --out PATH)
// finishes the job without spending again.
type UnwrittenError struct {
	AliyunOrderID    string
	ActivationCodeID int64
	Created          bool
	Path             string
	// Overwrite tells whether a file was at Path (Command passes --force),
	// OwnerSpec the cluster's owner (Command passes --owner).
	Overwrite bool
	OwnerSpec string
	Err       error
}

// Error says which code is the node's and how to finish.
func (e *UnwrittenError) Error() string {
	what := "found"
	if e.Created {
		what = "created"
	}
	return fmt.Sprintf("activation code %d was %s for this host, but its license was not written: %v; finish with: %s",
		e.ActivationCodeID, what, e.Err, e.Command())
}

// Command is the command that writes the code's license to Path, as Apply
// would have: with --force when a file was there, with --owner when the
// cluster gives one; the path and owner quoted for a POSIX shell.
func (e *UnwrittenError) Command() string {
	c := "polarlicense license write " + e.AliyunOrderID + " " + strconv.FormatInt(e.ActivationCodeID, 10) + " --out " + shellWord(e.Path)
	if e.Overwrite {
		c += " --force"
	}
	if e.OwnerSpec != "" {
		c += " --owner " + shellWord(e.OwnerSpec)
	}
	return c
}

// Unwrap returns the write's error.
func (e *UnwrittenError) Unwrap() error { return e.Err }

// shellWord quotes s for a POSIX shell when it needs it.
func shellWord(s string) string {
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("@%+=:,./_-", r)) {
			return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
		}
	}
	if s == "" {
		return "''"
	}
	return s
}
