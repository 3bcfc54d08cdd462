package polarlicense

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/polarlicense/polarlicense-go/internal/sign"
)

// Provisioning. CreateActivationCode spends quota and has no idempotency
// token, so a script that calls it again after a failure may pay twice.
// EnsureActivationCode is the call to repeat instead: it returns the host's
// code when there is one and creates one only when there is none.

// ErrOrderFrozen is wrapped by the error of EnsureActivationCode when the
// code would have to be created from a frozen virtual order, which issues no
// codes. Nothing was spent.
var ErrOrderFrozen = errors.New("the virtual order is frozen and issues no activation codes")

// ErrQuotaExhausted is wrapped by the error of EnsureActivationCode when the
// code would have to be created from an order whose activation-code quota is
// used up. Nothing was spent.
var ErrQuotaExhausted = errors.New("the order's activation-code quota is used up")

// EnsureActivationCodeRequest names a host's activation code: the order to
// issue it from, the host's MAC address and the database's system
// identifier, and the Name and Description to give it if it must be created.
type EnsureActivationCodeRequest struct {
	// AliyunOrderID is required: the order the code belongs to.
	AliyunOrderID string
	// MacAddress is required: the host's MAC address, in any spelling
	// NormalizeMacAddress accepts. Codes are matched on its normal form.
	MacAddress string
	// SystemIdentifier is the database's system identifier (see package
	// hostid); required unless the order's AllowEmptySystemIdentifier is
	// true. Codes are matched on it exactly, "" matching only codes without
	// one.
	SystemIdentifier string
	// Name is required: the name of a code that must be created (letters,
	// digits, "_" and "-", at most MaxCodeNameLength characters). An
	// existing code is returned whatever its name.
	Name string
	// Description is optional: the description of a code that must be
	// created (MinCodeDescriptionLength to MaxCodeDescriptionLength
	// characters, not a link).
	Description string
	// RenewWithin, when positive, renews: if the host's best code (the
	// unexpired one expiring last) expires within RenewWithin of now, one
	// new code is created for the host (with all the coordination of a
	// first create) and returned, Renewed true. A code whose ExpireAt is
	// later than that (the service extended it, or it was renewed already)
	// spends nothing. Zero never renews.
	RenewWithin time.Duration
	// Known, when not nil, is what the caller already listed for the host
	// (fleet tools list an order once for many hosts); then the call lists
	// nothing unless it must (see EnsureKnown). nil: the call lists the
	// host's codes itself.
	Known *EnsureKnown
	AccountScope
}

// EnsureKnown is what a caller of EnsureActivationCode already listed, so
// that ensuring many hosts of one order costs one listing, not one per host.
//
// With a state directory (WithStateDir), the call trusts Known unless the
// directory shows a create for that host begun or finished after ListedAt
// (by any process), or a create never resolved: then it lists the host's
// codes itself. Without one, it trusts Known unless this Client created for
// the host after ListedAt. After a create it lists the host's codes once
// whatever Known says (the duplicate check, which fills Duplicates).
type EnsureKnown struct {
	// Codes are the order's codes bound to the host's SystemIdentifier (or
	// all of the order's codes), as listed. Codes of other hosts are
	// ignored.
	Codes []ActivationCode
	// ListedAt is when the list was taken (before the first page was asked
	// for).
	ListedAt time.Time
	// Order is optional: the order's details, from the same time, used for
	// the check before a create (frozen, quota). nil: the call asks for them.
	Order *LicenseOrder
}

// ErrLicenseNotFetched is wrapped by the error of EnsureActivationCode when
// it created the host's code (spending one unit of quota) but could not
// fetch its license afterwards. The error names the code and wraps the
// fetch's error too; a call again finds the code and spends nothing.
var ErrLicenseNotFetched = errors.New("the code was created, but its license could not be fetched")

// ErrCreateHeld is wrapped, together with ErrUncertainOutcome, by the error
// of EnsureActivationCode while a create begun earlier for the host (in this
// process or another using the same state directory) and never resolved
// holds it: the create may still be processed, so the call looked for the
// code, did not find it, and did not create. The error says until when the
// hold lasts; after it, a call looks once more and then creates.
var ErrCreateHeld = errors.New("a create begun earlier for this host and never resolved holds it")

// EnsureActivationCodeResponse is the host's activation code with its
// license. fmt verbs and slog never show the license (see CertContent and
// LogValue).
type EnsureActivationCodeResponse struct {
	// RequestID identifies, in Alibaba Cloud's logs, the call that returned
	// the code and its license.
	RequestID string
	ActivationCode
	// CertContentB64 is the license file in base64 (a secret: see CertContent).
	CertContentB64 CertContent
	// Created tells whether this call created the code, spending one unit of
	// the order's quota. It is also true when the create's answer was lost
	// and the code was then found.
	Created bool
	// Renewed tells whether this call created the code to replace one
	// expiring within RenewWithin, or found the code of such a renewal whose
	// answer was lost (Created is then true as well).
	Renewed bool
	// Duplicates, after a create, are the host's other unexpired codes,
	// apart from the one renewed: each spent quota for a host that needed
	// one code (two runs on machines that share no state directory, a
	// code created by hand). Empty when all is well.
	Duplicates []ActivationCode
	// DuplicatesErr is the error of the listing after a create that fills
	// Duplicates, when it failed (Duplicates is then empty but unknown);
	// nil otherwise. The code was created either way.
	DuplicatesErr error
}

// MarshalJSON writes the response with the license in clear: serialising
// the response is an explicit request for its data (a CertContent on its
// own marshals as "[REDACTED]").
func (r EnsureActivationCodeResponse) MarshalJSON() ([]byte, error) {
	return json.Marshal(struct {
		codeWithLicense
		Created    bool
		Renewed    bool             `json:",omitempty"`
		Duplicates []ActivationCode `json:",omitempty"`
	}{codeWithLicense{r.RequestID, r.ActivationCode, r.CertContentB64.Reveal()}, r.Created, r.Renewed, r.Duplicates})
}

// LogValue describes the response for slog without its license, whatever
// the handler (slog.JSONHandler included, which would otherwise write
// CertContentB64 through encoding/json).
func (r EnsureActivationCodeResponse) LogValue() slog.Value {
	attrs := codeLogValue(r.RequestID, &r.ActivationCode).Group()
	attrs = append(attrs, slog.Bool("Created", r.Created))
	if r.Renewed {
		attrs = append(attrs, slog.Bool("Renewed", true))
	}
	if len(r.Duplicates) > 0 {
		ids := make([]int64, len(r.Duplicates))
		for i := range r.Duplicates {
			ids[i] = r.Duplicates[i].ID
		}
		attrs = append(attrs, slog.Any("Duplicates", ids))
	}
	return slog.GroupValue(attrs...)
}

// EnsureActivationCode makes sure the host has a usable activation code and
// returns it with its license. It is the call to repeat after a failure:
//
//   - It lists the order's codes (filtered by SystemIdentifier, and compared
//     again on the client side, never trusting the filter) for an unexpired
//     code bound to the same MAC address (compared normalised) and the same
//     SystemIdentifier. If there is one, it returns it with its license,
//     Created false, spending nothing; of several, the one that expires
//     last. With Known, it uses the caller's list instead (see EnsureKnown).
//   - With RenewWithin, a code that expires within RenewWithin of now is
//     renewed: one new code is created for the host as below and returned,
//     Renewed true. A RenewWithin not shorter than the code's own validity
//     (ActivateAt to ExpireAt) is refused with a *ValidationError, as every
//     code would then be due at once; nothing is spent.
//   - Otherwise it checks the order first: a frozen virtual order is an
//     error wrapping ErrOrderFrozen, no quota left one wrapping
//     ErrQuotaExhausted, and nothing is spent. Then it calls
//     CreateActivationCode once and returns the new code, Created true. If
//     the service refuses the create because the order was frozen or its
//     quota spent in the meantime, the error wraps the same sentinels.
//   - After a create it lists the host's codes once more and returns in
//     Duplicates every other unexpired code of the host (apart from the one
//     renewed): quota spent twice by callers that could not coordinate.
//   - If the create's outcome is uncertain (its error wraps
//     ErrUncertainOutcome), it looks for the code again, with backoff, for
//     a few seconds or until ctx ends, and returns the code it finds, Created
//     true. If it still cannot tell, its error wraps ErrUncertainOutcome;
//     it never creates a second time. For ten minutes after such an
//     outcome, calls for the same host only look and do not create, in case
//     the lost create is still being processed: their error wraps
//     ErrCreateHeld and ErrUncertainOutcome and says when the hold ends.
//     Once it has, a call looks again, and creates only if there still is
//     no code. A call that finds the code of such a create returns it,
//     Created true; one that finds only the code a held renewal replaces,
//     and would not renew it itself, returns that code, Created false.
//
// Concurrent calls on one Client for the same order, MAC address and
// SystemIdentifier are serialised, so together they create one code at
// most: the first creates it and the others find it. With a state directory
// (WithStateDir) this holds across processes too, and so does the hold: a
// create is recorded in the directory, synced, before it is sent, and the
// record cleared once its outcome is known, so a process killed with its
// create in flight holds the host for every later call, in any process.
// A host record that cannot be read or trusted is a reason to look, never to
// create: it holds the host for ten minutes from its last change. A record
// dated after this client's clock (written by a clock that was ahead) holds
// for its window from when a call first meets it. Without a
// state directory, other processes are not coordinated with, and the hold
// lasts only as long as the Client.
//
// The request is validated as CreateActivationCode's is, before anything is
// sent. Errors from the calls it makes are theirs (an *OperationError or a
// *PageError naming the operation); a state directory that cannot be used
// is an *OperationError wrapping a *StateDirError, before anything is sent.
func (c *Client) EnsureActivationCode(ctx context.Context, req *EnsureActivationCodeRequest) (*EnsureActivationCodeResponse, error) {
	if verr := c.refuse("EnsureActivationCode", ctx); verr != nil {
		return nil, verr
	}
	if req == nil {
		req = new(EnsureActivationCodeRequest)
	}
	create := req.createRequest()
	if verr := req.validate(&create); verr != nil {
		return nil, verr
	}
	host := ensureKey{order: req.AliyunOrderID, mac: normalMac(req.MacAddress), systemID: req.SystemIdentifier}
	create.MacAddress = host.mac

	slot, err := c.ensures.acquire(ctx, host)
	if err != nil {
		return nil, &OperationError{Operation: "EnsureActivationCode", Err: err}
	}
	defer c.ensures.release(host, slot)
	e := &ensureCall{c: c, req: req, create: create, host: host, slot: slot}
	if c.stateDir != "" {
		store, err := lockHost(ctx, c.stateDir, &e.host)
		if err != nil {
			return nil, &OperationError{Operation: "EnsureActivationCode", Err: notSent(err)}
		}
		defer store.unlock()
		e.store = store
	}
	return e.run(ctx)
}

// notSent marks a state directory's error as one that stopped a call
// before it sent anything: the message says so, without a second
// "polarlicense: " after the operation's. errors.As still finds the
// *StateDirError. Other errors (the context's) are returned as they are.
func notSent(err error) error {
	var serr *StateDirError
	if !errors.As(err, &serr) {
		return err
	}
	return &notSentError{err: err}
}

// notSentError is a state directory's error that stopped a call before it
// sent anything.
type notSentError struct{ err error }

func (e *notSentError) Error() string {
	return strings.TrimPrefix(e.err.Error(), "polarlicense: ") + "; nothing was sent, nothing spent"
}

func (e *notSentError) Unwrap() error { return e.err }

// ensureCall is one EnsureActivationCode call, holding the host's turn (and
// its lock in the state directory, if any).
type ensureCall struct {
	c      *Client
	req    *EnsureActivationCodeRequest
	create CreateActivationCodeRequest
	host   ensureKey
	slot   *ensureSlot
	store  *hostStore // nil without a state directory
	rec    hostRecord // the host's record as read, then as written
}

// ensureHold is a create begun and not resolved, holding the host.
type ensureHold struct {
	until time.Time
	// replaces is the code a renewal replaces, whose presence does not
	// resolve the create; 0 for a first code; replacesUnknown for a
	// CreateActivationCode, which no code found resolves.
	replaces int64
	// doubt is true when the hold comes from a record that cannot be
	// trusted: a code found then is the host's, but not known to be the
	// create's.
	doubt bool
	// what describes the create, for the message.
	what string
	// cause is the create's error, when this Client made it.
	cause error
}

// run is the call's work once it holds the host.
func (e *ensureCall) run(ctx context.Context) (*EnsureActivationCodeResponse, error) {
	c, scope := e.c, e.req.AccountScope
	now := c.now()
	var doubt *recordDoubt
	if e.store != nil {
		e.rec, doubt = e.store.readAt(now)
	}
	hold := e.currentHold(doubt)
	known := e.req.Known
	stale := known != nil && e.createdSince(known.ListedAt, doubt)

	var best *ActivationCode
	if known == nil || stale || hold != nil {
		codes, err := c.hostCodes(ctx, &e.host, scope, 0)
		if err != nil {
			return nil, err
		}
		best = bestCode(codes)
	} else {
		best = bestCode(e.host.usable(known.Codes, now))
	}

	if hold != nil {
		if best != nil && hold.replaces != replacesUnknown && best.ID != hold.replaces {
			// The host has a code: the create held for is resolved.
			e.clearHold(best.ID)
			res, err := c.hostCodeWithLicense(ctx, &e.host, scope, best, !hold.doubt)
			if res != nil {
				// The code of a held renewal is a renewal's.
				res.Renewed = res.Created && hold.replaces > 0
			}
			return res, err
		}
		if now.Before(hold.until) {
			if best != nil && !e.renewalDue(best, now) {
				// Only a code the held create does not account for
				// turned up (the one a held renewal replaces, or one
				// that may predate a held CreateActivationCode), but
				// this call would not renew it: it is the host's code.
				// Nothing is created; the hold stays.
				return c.hostCodeWithLicense(ctx, &e.host, scope, best, false)
			}
			return nil, e.heldError(hold, best)
		}
		// The hold is over and the host was looked at just now: forget it.
		e.clearHold(0)
	}
	var replaces *ActivationCode
	if best != nil {
		if !e.renewalDue(best, now) {
			return c.hostCodeWithLicense(ctx, &e.host, scope, best, false)
		}
		if verr := e.checkRenewal(best); verr != nil {
			return nil, verr
		}
		replaces = best
	}

	var order *LicenseOrder
	if known != nil && known.Order != nil && !stale {
		order = known.Order
	} else {
		o, err := c.DescribeLicenseOrderDetails(ctx, &DescribeLicenseOrderDetailsRequest{AliyunOrderID: e.req.AliyunOrderID, AccountScope: scope})
		if err != nil {
			return nil, err
		}
		order = &o.LicenseOrder
	}
	what := "has no code for this host"
	if replaces != nil {
		what = "cannot renew code " + strconv.FormatInt(replaces.ID, 10) + " of this host"
	}
	if order.IsVirtualOrderFrozen {
		return nil, fmt.Errorf("polarlicense: EnsureActivationCode: order %s %s: it cannot issue a code: %w", e.req.AliyunOrderID, what, ErrOrderFrozen)
	}
	if order.RemainingQuota() == 0 {
		return nil, fmt.Errorf("polarlicense: EnsureActivationCode: order %s %s: it cannot issue a code (%d of %d codes issued): %w",
			e.req.AliyunOrderID, what, order.ActivatedCodeCount, order.ActivationCodeQuota, ErrQuotaExhausted)
	}

	var replacesID int64
	if replaces != nil {
		replacesID = replaces.ID
	}
	if err := e.beginCreate(replacesID); err != nil {
		return nil, &OperationError{Operation: "EnsureActivationCode", Err: notSent(err)}
	}
	created, err := c.createActivationCode(ctx, &e.create)
	var res *EnsureActivationCodeResponse
	switch {
	case errors.Is(err, ErrUncertainOutcome):
		code, lerr := c.lookAfterUncertain(ctx, &e.host, scope, replacesID, err)
		if code == nil {
			return nil, e.unresolved(replacesID, err, lerr)
		}
		e.clearHold(code.ID)
		if res, err = c.hostCodeWithLicense(ctx, &e.host, scope, code, true); err != nil {
			return nil, e.notFetched(code.ID, err)
		}
	case err != nil:
		e.clearHold(0)
		return nil, c.explainRefusal(ctx, e.req, err)
	case created.CertContentB64.IsZero():
		e.clearHold(created.ID)
		// The code exists but the answer brought no license: fetch it.
		if res, err = c.hostCodeWithLicense(ctx, &e.host, scope, &created.ActivationCode, true); err != nil {
			return nil, e.notFetched(created.ID, err)
		}
	default:
		e.clearHold(created.ID)
		res = &EnsureActivationCodeResponse{
			RequestID:      created.RequestID,
			ActivationCode: created.ActivationCode,
			CertContentB64: created.CertContentB64,
			Created:        true,
		}
	}
	res.Renewed = replaces != nil
	res.Duplicates, res.DuplicatesErr = e.duplicates(ctx, res.ID, replacesID)
	return res, nil
}

// notFetched is the error of a call that created code id but could not
// fetch its license: it says a code was bought, and wraps err and
// ErrLicenseNotFetched.
func (e *ensureCall) notFetched(id int64, err error) error {
	return &notFetchedError{id: id, order: e.host.order, err: err}
}

// notFetchedError is the error notFetched returns.
type notFetchedError struct {
	id    int64
	order string
	err   error
}

func (e *notFetchedError) Error() string {
	return "polarlicense: EnsureActivationCode: code " + strconv.FormatInt(e.id, 10) + " of order " + e.order +
		" was created (one unit of quota spent), but its license could not be fetched: " + strings.TrimPrefix(e.err.Error(), "polarlicense: ") +
		"; a call again finds the code and spends nothing"
}

func (e *notFetchedError) Unwrap() []error { return []error{e.err, ErrLicenseNotFetched} }

// currentHold returns the create that holds the host, if any: one this
// Client made and could not resolve, one recorded in the state directory,
// or a record in doubt. Of several, the one that holds longest.
func (e *ensureCall) currentHold(doubt *recordDoubt) *ensureHold {
	var h *ensureHold
	if s := e.slot; !s.unresolvedUntil.IsZero() {
		h = &ensureHold{until: s.unresolvedUntil, replaces: s.unresolvedReplaces, cause: s.unresolvedErr,
			what: "a create by this client, begun at " + s.lastCreateAt.Format(time.RFC3339) + ","}
	}
	var other *ensureHold
	switch p := e.rec.Pending; {
	case doubt != nil:
		other = &ensureHold{until: doubt.modified.Add(ensureUncertainHold), doubt: true,
			what: "the host's record in the state directory cannot be trusted (" + doubt.reason + "); a create may have been begun, so"}
	case p != nil:
		until := p.HoldUntil
		// A record from a clock far ahead holds no longer than twice the
		// window from when it says it was made.
		if limit := p.BegunAt.Add(2 * ensureUncertainHold); until.After(limit) {
			until = limit
		}
		other = &ensureHold{until: until, replaces: p.Replaces,
			what: "a create begun at " + p.BegunAt.Format(time.RFC3339) + " by process " + strconv.Itoa(p.PID) + " on " + p.Hostname + " and never resolved"}
	}
	if h == nil || (other != nil && other.until.After(h.until)) {
		if h != nil && other != nil {
			other.cause = h.cause
		}
		return other
	}
	return h
}

// createdSince reports whether a create for the host was begun or resolved
// after t, by this Client or, with a state directory, by anyone; a record in
// doubt counts as one.
func (e *ensureCall) createdSince(t time.Time, doubt *recordDoubt) bool {
	if e.slot.lastCreateAt.After(t) || doubt != nil || e.rec.LastCreateAt.After(t) {
		return true
	}
	return e.rec.Pending != nil && e.rec.Pending.BegunAt.After(t)
}

// renewalDue reports whether the host's best code expires within
// RenewWithin.
func (e *ensureCall) renewalDue(best *ActivationCode, now time.Time) bool {
	return e.req.RenewWithin > 0 && !best.ExpireAt.IsZero() && best.ExpireAt.Before(now.Add(e.req.RenewWithin))
}

// checkRenewal refuses a RenewWithin that a new code like best would be
// due under at once.
func (e *ensureCall) checkRenewal(best *ActivationCode) *ValidationError {
	start := best.ActivateAt
	if start.IsZero() {
		start = best.GmtCreated
	}
	if start.IsZero() || !best.ExpireAt.After(start) {
		return nil
	}
	if validity := best.ExpireAt.Sub(start); e.req.RenewWithin >= validity {
		return &ValidationError{Operation: "EnsureActivationCode", Field: "RenewWithin",
			Reason: "must be shorter than the validity of the host's codes (code " + strconv.FormatInt(best.ID, 10) + " is valid for " +
				validityText(validity) + "): a renewed code would be due for renewal at once; nothing was spent"}
	}
	return nil
}

// validityText says how long a code is valid: in whole days from two days
// up ("365 days", not "8760h0m0s"), else in hours.
func validityText(d time.Duration) string {
	if d >= 48*time.Hour {
		return strconv.FormatInt(int64(d/(24*time.Hour)), 10) + " days"
	}
	return d.Round(time.Hour).String()
}

// beginCreate records, before the create is sent, that it is: in this
// Client's memory and, durably, in the state directory. When the record
// cannot be written nothing is sent.
func (e *ensureCall) beginCreate(replaces int64) error {
	now := e.c.now()
	e.slot.lastCreateAt = now
	if e.store == nil {
		return nil
	}
	hostname, _ := os.Hostname()
	e.rec.Pending = &pendingCreate{BegunAt: now, HoldUntil: now.Add(ensureUncertainHold), Replaces: replaces, PID: os.Getpid(), Hostname: hostname}
	e.rec.LastCreateAt = now
	return e.store.write(&e.rec)
}

// clearHold forgets the host's unresolved create, now that its outcome is
// known: the code made (id), or none (0). A record that cannot be cleared
// stays, and holds later calls, which will find the code and clear it.
func (e *ensureCall) clearHold(id int64) {
	e.slot.unresolvedUntil, e.slot.unresolvedErr, e.slot.unresolvedReplaces = time.Time{}, nil, 0
	if e.store == nil {
		return
	}
	e.rec.Pending = nil
	e.rec.LastCreateAt = e.c.now()
	if id != 0 {
		e.rec.LastCodeID = id
	}
	_ = e.store.write(&e.rec)
}

// unresolved holds the host after a create whose outcome stays unknown, and
// returns the error saying so. createErr is the create's error, lookErr the
// error of the looks after it (wrapping createErr).
func (e *ensureCall) unresolved(replaces int64, createErr, lookErr error) error {
	until := e.c.now().Add(ensureUncertainHold)
	e.slot.unresolvedUntil, e.slot.unresolvedErr, e.slot.unresolvedReplaces = until, createErr, replaces
	where := "this client (other processes are not coordinated with: that needs WithStateDir)"
	if e.store != nil {
		where = "every process using the state directory " + e.store.stateDir
		if e.rec.Pending != nil {
			e.rec.Pending.HoldUntil = until
			_ = e.store.write(&e.rec)
		}
	}
	return fmt.Errorf("%w; until %s, %s only looks for this host's code and does not create one", lookErr, until.Format(time.RFC3339), where)
}

// heldError is the error of a call that found the host held and its code
// not there (or, for a renewal, only the code it replaces).
func (e *ensureCall) heldError(h *ensureHold, best *ActivationCode) error {
	found := "no code for the host turned up"
	switch {
	case best != nil && h.replaces == replacesUnknown:
		found = "only code " + strconv.FormatInt(best.ID, 10) + " turned up, which may be older than that create (CreateActivationCode does not look at the host's codes)"
	case best != nil:
		found = "only code " + strconv.FormatInt(best.ID, 10) + ", which the renewal replaces, turned up"
	}
	msg := fmt.Sprintf("polarlicense: EnsureActivationCode: %s holds order %s's host (MAC address %s, system identifier %q) until %s: %s, so nothing was created; "+
		"after that a call looks again and creates a code only if there still is none",
		h.what, e.host.order, e.host.mac, e.host.systemID, h.until.Format(time.RFC3339), found)
	if h.cause != nil {
		return fmt.Errorf("%s (the create failed with: %w): %w", msg, h.cause, ErrCreateHeld)
	}
	return fmt.Errorf("%s: %w: %w", msg, ErrCreateHeld, ErrUncertainOutcome)
}

// duplicates lists the host's codes after a create and returns the
// unexpired ones other than the new code and the one it renews.
func (e *ensureCall) duplicates(ctx context.Context, newID, replaces int64) ([]ActivationCode, error) {
	codes, err := e.c.hostCodes(ctx, &e.host, e.req.AccountScope, 0)
	if err != nil {
		return nil, err
	}
	var dups []ActivationCode
	for _, code := range codes {
		if code.ID != newID && code.ID != replaces {
			dups = append(dups, code)
		}
	}
	return dups, nil
}

// explainRefusal returns the error of a create the service refused. A
// definite refusal (a 4xx answer other than throttling) is checked against
// the order once more: if it was frozen or its quota spent meanwhile (by
// another process, between the check and the create), the error also wraps
// ErrOrderFrozen or ErrQuotaExhausted. Nothing was spent either way.
func (c *Client) explainRefusal(ctx context.Context, req *EnsureActivationCodeRequest, err error) error {
	var api *APIError
	if !errors.As(err, &api) || api.StatusCode < 400 || api.StatusCode > 499 || api.Throttled() {
		return err
	}
	order, oerr := c.DescribeLicenseOrderDetails(ctx, &DescribeLicenseOrderDetailsRequest{AliyunOrderID: req.AliyunOrderID, AccountScope: req.AccountScope})
	switch {
	case oerr != nil:
		return err
	case order.IsVirtualOrderFrozen:
		return fmt.Errorf("%w (order %s was frozen meanwhile: %w)", err, req.AliyunOrderID, ErrOrderFrozen)
	case order.RemainingQuota() == 0:
		return fmt.Errorf("%w (order %s's quota was spent meanwhile, %d of %d codes issued: %w)", err, req.AliyunOrderID,
			order.ActivatedCodeCount, order.ActivationCodeQuota, ErrQuotaExhausted)
	}
	return err
}

// Validate checks the request as EnsureActivationCode does before sending
// anything, so that a caller with work to do first (reading files, asking
// the user) can refuse bad input early. It returns nil or a
// *ValidationError.
func (r *EnsureActivationCodeRequest) Validate() error {
	create := r.createRequest()
	if verr := r.validate(&create); verr != nil {
		return verr
	}
	return nil
}

// createRequest is the CreateActivationCode request that would create the
// host's code.
func (r *EnsureActivationCodeRequest) createRequest() CreateActivationCodeRequest {
	return CreateActivationCodeRequest{
		AliyunOrderID:    r.AliyunOrderID,
		MacAddress:       r.MacAddress,
		Name:             r.Name,
		SystemIdentifier: r.SystemIdentifier,
		Description:      r.Description,
		AccountScope:     r.AccountScope,
	}
}

// validate applies CreateActivationCode's checks to create, in
// EnsureActivationCode's name.
func (r *EnsureActivationCodeRequest) validate(create *CreateActivationCodeRequest) *ValidationError {
	var scratch [16]sign.Param
	if _, verr := create.appendParams(scratch[:0]); verr != nil {
		verr.Operation = "EnsureActivationCode"
		return verr
	}
	if r.RenewWithin < 0 {
		return &ValidationError{Operation: "EnsureActivationCode", Field: "RenewWithin", Reason: "must not be negative"}
	}
	if r.Known != nil && r.Known.ListedAt.IsZero() {
		return &ValidationError{Operation: "EnsureActivationCode", Field: "Known.ListedAt", Reason: "is required with Known: when the list was taken"}
	}
	return nil
}

// ensureLookDelays are the waits before each look for a code after an
// uncertain create: about six seconds in all, cut short by the context.
var ensureLookDelays = []time.Duration{
	100 * time.Millisecond, 200 * time.Millisecond, 400 * time.Millisecond,
	800 * time.Millisecond, 1600 * time.Millisecond, 3200 * time.Millisecond,
}

// replacesUnknown is the Replaces of a create made by CreateActivationCode,
// which does not list the host's codes first: any code found may be older
// than it, so none resolves it, and the hold lasts its window.
const replacesUnknown int64 = -1

// ensureUncertainHold is how long, after an uncertain create that could not
// be resolved, calls for the same host only look and do not create.
const ensureUncertainHold = 10 * time.Minute

// lookAfterUncertain looks for the host's code after a create whose outcome
// is unknown (createErr wraps ErrUncertainOutcome), ignoring the code a
// renewal replaces. It returns the code it finds, or nil and an error
// wrapping createErr.
func (c *Client) lookAfterUncertain(ctx context.Context, host *ensureKey, scope AccountScope, replaces int64, createErr error) (*ActivationCode, error) {
	looks := 0
	var lastErr error
	for _, d := range ensureLookDelays {
		timer := time.NewTimer(d)
		select {
		case <-ctx.Done():
			timer.Stop()
		case <-timer.C:
		}
		if ctx.Err() != nil {
			break
		}
		looks++
		codes, err := c.hostCodes(ctx, host, scope, replaces)
		if err != nil {
			lastErr = err
			continue
		}
		if code := bestCode(codes); code != nil {
			return code, nil
		}
	}
	msg := "no code bound to MAC address " + host.mac + " and system identifier " + strconv.Quote(host.systemID) +
		" turned up in " + strconv.Itoa(looks) + " looks"
	if lastErr != nil {
		msg += " (the last look failed: " + lastErr.Error() + ")"
	}
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("polarlicense: EnsureActivationCode: %w; %s before the context ended: %w", createErr, msg, err)
	}
	return nil, fmt.Errorf("polarlicense: EnsureActivationCode: %w; %s", createErr, msg)
}

// hostCodes returns the host's unexpired codes (but the one whose ID is
// exclude, when not 0): the order's codes bound to the host's MAC address
// and system identifier. The list is filtered by SystemIdentifier only: a
// code created by another tool may carry its MAC address in another
// spelling, which the service's MacAddress filter may compare literally,
// and a code missed would be a code bought twice. Every item is compared
// again here, whatever the filter let through.
func (c *Client) hostCodes(ctx context.Context, host *ensureKey, scope AccountScope, exclude int64) ([]ActivationCode, error) {
	list := &DescribeActivationCodesRequest{AliyunOrderID: host.order, SystemIdentifier: host.systemID, AccountScope: scope}
	now := c.now()
	var codes []ActivationCode
	for code, err := range c.ActivationCodes(ctx, list) {
		if err != nil {
			return nil, err
		}
		if host.matches(&code) && !code.Expired(now) && (exclude == 0 || code.ID != exclude) {
			codes = append(codes, code)
		}
	}
	return codes, nil
}

// usable returns the codes of a list that are the host's and unexpired at
// now.
func (k *ensureKey) usable(list []ActivationCode, now time.Time) []ActivationCode {
	var codes []ActivationCode
	for _, code := range list {
		if k.matches(&code) && !code.Expired(now) {
			codes = append(codes, code)
		}
	}
	return codes
}

// bestCode returns the code that expires last (see expiresLater), or nil.
func bestCode(codes []ActivationCode) *ActivationCode {
	var best *ActivationCode
	for i := range codes {
		if best == nil || expiresLater(&codes[i], best) {
			best = &codes[i]
		}
	}
	return best
}

// expiresLater reports whether a is a better pick than b: it expires later
// (an unknown expiry counts as the earliest), or at the same time with a
// higher ID.
func expiresLater(a, b *ActivationCode) bool {
	if !a.ExpireAt.Equal(b.ExpireAt) {
		return a.ExpireAt.After(b.ExpireAt)
	}
	return a.ID > b.ID
}

// hostCodeWithLicense fetches a code's license, checking that the service
// answered about the code asked for.
func (c *Client) hostCodeWithLicense(ctx context.Context, host *ensureKey, scope AccountScope, code *ActivationCode, created bool) (*EnsureActivationCodeResponse, error) {
	d, err := c.DescribeActivationCodeDetails(ctx, &DescribeActivationCodeDetailsRequest{AliyunOrderID: host.order, ActivationCodeID: code.ID, AccountScope: scope})
	if err != nil {
		return nil, err
	}
	if d.ID == 0 {
		d.ID = code.ID
	}
	if d.ID != code.ID || !host.matches(&d.ActivationCode) {
		return nil, fmt.Errorf("polarlicense: EnsureActivationCode: DescribeActivationCodeDetails answered about code %d (MAC address %q, system identifier %q) when asked for code %d of this host (request id %s)",
			d.ID, d.MacAddress, d.SystemIdentifier, code.ID, d.RequestID)
	}
	if d.CertContentB64.IsZero() {
		return nil, fmt.Errorf("polarlicense: EnsureActivationCode: DescribeActivationCodeDetails sent no license for code %d (request id %s)", code.ID, d.RequestID)
	}
	return &EnsureActivationCodeResponse{RequestID: d.RequestID, ActivationCode: d.ActivationCode, CertContentB64: d.CertContentB64, Created: created}, nil
}

// ensureKey is the host an EnsureActivationCode call is about: its order,
// normalised MAC address and system identifier.
type ensureKey struct{ order, mac, systemID string }

// matches reports whether a code is bound to the host.
func (k *ensureKey) matches(c *ActivationCode) bool {
	return normalMac(c.MacAddress) == k.mac && c.SystemIdentifier == k.systemID
}

// ensureFlights serialises a Client's EnsureActivationCode calls per host.
// The zero value is ready to use.
type ensureFlights struct {
	mu    sync.Mutex
	slots map[ensureKey]*ensureSlot
}

// ensureSlot is one host's turn: a lock, the calls holding or waiting for
// it, and the memory of an unresolved uncertain create. Its fields but users
// belong to the call holding the lock.
type ensureSlot struct {
	lock  chan struct{} // holds a token while a call runs
	users int           // guarded by ensureFlights.mu

	unresolvedUntil    time.Time
	unresolvedErr      error
	unresolvedReplaces int64
	// lastCreateAt is when this Client last began a create for the host:
	// a caller's Known list taken before it is stale.
	lastCreateAt time.Time
}

// acquire waits for the host's turn, or for ctx to end.
func (f *ensureFlights) acquire(ctx context.Context, k ensureKey) (*ensureSlot, error) {
	f.mu.Lock()
	if f.slots == nil {
		f.slots = make(map[ensureKey]*ensureSlot)
	}
	s := f.slots[k]
	if s == nil {
		s = &ensureSlot{lock: make(chan struct{}, 1)}
		f.slots[k] = s
	}
	s.users++
	f.mu.Unlock()
	select {
	case s.lock <- struct{}{}:
		return s, nil
	case <-ctx.Done():
		f.mu.Lock()
		f.drop(k, s)
		f.mu.Unlock()
		return nil, ctx.Err()
	}
}

// release ends the call's turn.
func (f *ensureFlights) release(k ensureKey, s *ensureSlot) {
	f.mu.Lock()
	<-s.lock
	f.drop(k, s)
	f.mu.Unlock()
}

// drop forgets a slot that no call uses and that remembers nothing. The
// caller holds f.mu.
func (f *ensureFlights) drop(k ensureKey, s *ensureSlot) {
	s.users--
	if s.users == 0 && s.lastCreateAt.IsZero() && (s.unresolvedUntil.IsZero() || time.Now().After(s.unresolvedUntil)) {
		delete(f.slots, k)
	}
}
