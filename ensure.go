package polarlicense

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
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
	AccountScope
}

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
}

// MarshalJSON writes the response with the license in clear: serialising
// the response is an explicit request for its data (a CertContent on its
// own marshals as "[REDACTED]").
func (r EnsureActivationCodeResponse) MarshalJSON() ([]byte, error) {
	return json.Marshal(struct {
		codeWithLicense
		Created bool
	}{codeWithLicense{r.RequestID, r.ActivationCode, r.CertContentB64.Reveal()}, r.Created})
}

// LogValue describes the response for slog without its license, whatever
// the handler (slog.JSONHandler included, which would otherwise write
// CertContentB64 through encoding/json).
func (r EnsureActivationCodeResponse) LogValue() slog.Value {
	attrs := codeLogValue(r.RequestID, &r.ActivationCode).Group()
	return slog.GroupValue(append(attrs, slog.Bool("Created", r.Created))...)
}

// EnsureActivationCode makes sure the host has a usable activation code and
// returns it with its license. It is the call to repeat after a failure:
//
//   - It lists the order's codes (filtered by SystemIdentifier, and compared
//     again on the client side, never trusting the filter) for an unexpired
//     code bound to the same MAC address (compared normalised) and the same
//     SystemIdentifier. If there is one, it returns it with its license,
//     Created false, spending nothing; of several, the one that expires
//     last.
//   - Otherwise it checks the order first: a frozen virtual order is an
//     error wrapping ErrOrderFrozen, no quota left one wrapping
//     ErrQuotaExhausted, and nothing is spent. Then it calls
//     CreateActivationCode once and returns the new code, Created true. If
//     the service refuses the create because the order was frozen or its
//     quota spent in the meantime, the error wraps the same sentinels.
//   - If the create's outcome is uncertain (its error wraps
//     ErrUncertainOutcome), it looks for the code again, with backoff, for
//     a few seconds or until ctx ends, and returns the code it finds, Created
//     true. If it still cannot tell, its error wraps ErrUncertainOutcome;
//     it never creates a second time. For ten minutes after such an
//     outcome, calls on this Client for the same host only look and do not
//     create, in case the lost create is still being processed.
//
// Concurrent calls on one Client for the same order, MAC address and
// SystemIdentifier are serialised, so together they create one code at
// most: the first creates it and the others find it. Other processes are not
// coordinated with.
//
// The request is validated as CreateActivationCode's is, before anything is
// sent. Errors from the calls it makes are theirs (an *OperationError or a
// *PageError naming the operation).
func (c *Client) EnsureActivationCode(ctx context.Context, req *EnsureActivationCodeRequest) (*EnsureActivationCodeResponse, error) {
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

	code, err := c.findHostCode(ctx, &host, req.AccountScope)
	if err != nil {
		return nil, err
	}
	if code != nil {
		slot.unresolvedUntil, slot.unresolvedErr = time.Time{}, nil
		return c.hostCodeWithLicense(ctx, &host, req.AccountScope, code, false)
	}
	if until := slot.unresolvedUntil; !until.IsZero() && time.Now().Before(until) {
		return c.lookAfterUncertain(ctx, &host, req.AccountScope, slot, slot.unresolvedErr)
	}

	order, err := c.DescribeLicenseOrderDetails(ctx, &DescribeLicenseOrderDetailsRequest{AliyunOrderID: req.AliyunOrderID, AccountScope: req.AccountScope})
	if err != nil {
		return nil, err
	}
	if order.IsVirtualOrderFrozen {
		return nil, fmt.Errorf("polarlicense: EnsureActivationCode: order %s has no code for this host and cannot issue one: %w", req.AliyunOrderID, ErrOrderFrozen)
	}
	if order.RemainingQuota() == 0 {
		return nil, fmt.Errorf("polarlicense: EnsureActivationCode: order %s has no code for this host and cannot issue one (%d of %d codes issued): %w",
			req.AliyunOrderID, order.ActivatedCodeCount, order.ActivationCodeQuota, ErrQuotaExhausted)
	}

	created, err := c.CreateActivationCode(ctx, &create)
	switch {
	case errors.Is(err, ErrUncertainOutcome):
		return c.lookAfterUncertain(ctx, &host, req.AccountScope, slot, err)
	case err != nil:
		return nil, c.explainRefusal(ctx, req, err)
	case created.CertContentB64.IsZero():
		// The code exists but the answer brought no license: fetch it.
		return c.hostCodeWithLicense(ctx, &host, req.AccountScope, &created.ActivationCode, true)
	}
	return &EnsureActivationCodeResponse{
		RequestID:      created.RequestID,
		ActivationCode: created.ActivationCode,
		CertContentB64: created.CertContentB64,
		Created:        true,
	}, nil
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
	return nil
}

// ensureLookDelays are the waits before each look for a code after an
// uncertain create: about six seconds in all, cut short by the context.
var ensureLookDelays = []time.Duration{
	100 * time.Millisecond, 200 * time.Millisecond, 400 * time.Millisecond,
	800 * time.Millisecond, 1600 * time.Millisecond, 3200 * time.Millisecond,
}

// ensureUncertainHold is how long, after an uncertain create that could not
// be resolved, calls for the same host only look and do not create.
const ensureUncertainHold = 10 * time.Minute

// lookAfterUncertain looks for the host's code after a create whose outcome
// is unknown (createErr wraps ErrUncertainOutcome). It returns the code it
// finds as created, or an error wrapping ErrUncertainOutcome.
func (c *Client) lookAfterUncertain(ctx context.Context, host *ensureKey, scope AccountScope, slot *ensureSlot, createErr error) (*EnsureActivationCodeResponse, error) {
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
		code, err := c.findHostCode(ctx, host, scope)
		if err != nil {
			lastErr = err
			continue
		}
		if code != nil {
			slot.unresolvedUntil, slot.unresolvedErr = time.Time{}, nil
			return c.hostCodeWithLicense(ctx, host, scope, code, true)
		}
	}
	slot.unresolvedUntil, slot.unresolvedErr = time.Now().Add(ensureUncertainHold), createErr
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

// findHostCode returns the host's usable code: the unexpired code of the
// order bound to the host's MAC address and system identifier that expires
// last, or nil if there is none. The list is filtered by SystemIdentifier
// only: a code created by another tool may carry its MAC address in another
// spelling, which the service's MacAddress filter may compare literally, and
// a code missed would be a code bought twice. Every item is compared again
// here, whatever the filter let through.
func (c *Client) findHostCode(ctx context.Context, host *ensureKey, scope AccountScope) (*ActivationCode, error) {
	list := &DescribeActivationCodesRequest{AliyunOrderID: host.order, SystemIdentifier: host.systemID, AccountScope: scope}
	now := c.now()
	var best *ActivationCode
	for code, err := range c.ActivationCodes(ctx, list) {
		if err != nil {
			return nil, err
		}
		if !host.matches(&code) || code.Expired(now) {
			continue
		}
		if best == nil || expiresLater(&code, best) {
			best = &code
		}
	}
	return best, nil
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

	unresolvedUntil time.Time
	unresolvedErr   error
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
	if s.users == 0 && (s.unresolvedUntil.IsZero() || time.Now().After(s.unresolvedUntil)) {
		delete(f.slots, k)
	}
}
