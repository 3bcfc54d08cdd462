package polarlicense

import (
	"context"
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/polarlicense/polarlicense-go/internal/sign"
)

// The six operations. Each is a description (its name, whether it is
// idempotent, and its request's parameters and checks) handed to the one
// request path in client.go.

var (
	opCreateOrGetVirtualLicenseOrder = operation{name: "CreateOrGetVirtualLicenseOrder", idempotent: true}
	opDescribeLicenseOrderDetails    = operation{name: "DescribeLicenseOrderDetails", idempotent: true}
	opDescribeLicenseOrders          = operation{name: "DescribeLicenseOrders", idempotent: true}
	opDescribeActivationCodeDetails  = operation{name: "DescribeActivationCodeDetails", idempotent: true}
	opDescribeActivationCodes        = operation{name: "DescribeActivationCodes", idempotent: true}
	// CreateActivationCode spends quota and has no idempotency token.
	opCreateActivationCode = operation{name: "CreateActivationCode", idempotent: false}
)

// CreateOrGetVirtualLicenseOrder returns the virtual license order of an
// engine, creating it on first use. It is idempotent: every call for the same
// engine returns the same order.
func (c *Client) CreateOrGetVirtualLicenseOrder(ctx context.Context, req *CreateOrGetVirtualLicenseOrderRequest) (*CreateOrGetVirtualLicenseOrderResponse, error) {
	return call[CreateOrGetVirtualLicenseOrderResponse](ctx, c, &opCreateOrGetVirtualLicenseOrder, req)
}

// DescribeLicenseOrderDetails returns one license order.
func (c *Client) DescribeLicenseOrderDetails(ctx context.Context, req *DescribeLicenseOrderDetailsRequest) (*DescribeLicenseOrderDetailsResponse, error) {
	return call[DescribeLicenseOrderDetailsResponse](ctx, c, &opDescribeLicenseOrderDetails, req)
}

// DescribeLicenseOrders returns one page of license orders. To walk every
// page, use LicenseOrders or NewDescribeLicenseOrdersPaginator.
func (c *Client) DescribeLicenseOrders(ctx context.Context, req *DescribeLicenseOrdersRequest) (*DescribeLicenseOrdersResponse, error) {
	return call[DescribeLicenseOrdersResponse](ctx, c, &opDescribeLicenseOrders, req)
}

// DescribeActivationCodeDetails returns one activation code with its license.
func (c *Client) DescribeActivationCodeDetails(ctx context.Context, req *DescribeActivationCodeDetailsRequest) (*DescribeActivationCodeDetailsResponse, error) {
	return call[DescribeActivationCodeDetailsResponse](ctx, c, &opDescribeActivationCodeDetails, req)
}

// DescribeActivationCodes returns one page of an order's activation codes.
// To walk every page, use ActivationCodes or NewDescribeActivationCodesPaginator.
func (c *Client) DescribeActivationCodes(ctx context.Context, req *DescribeActivationCodesRequest) (*DescribeActivationCodesResponse, error) {
	return call[DescribeActivationCodesResponse](ctx, c, &opDescribeActivationCodes, req)
}

// CreateActivationCode issues a new activation code, spending one unit of
// the order's quota, and returns it with its license.
//
// The service has no idempotency token for this call, so the client never
// repeats it once a request may have reached the service: after an
// ambiguous failure the code may or may not exist. Check with
// DescribeActivationCodes filtered by MacAddress or SystemIdentifier before
// trying again, or call EnsureActivationCode instead, which does so.
//
// The MacAddress is sent in its normal form (NormalizeMacAddress). Name is
// at most MaxCodeNameLength characters; a Description, when given, is
// MinCodeDescriptionLength to MaxCodeDescriptionLength characters and may
// not start with "http://" or "https://". A SystemIdentifier, when given, is
// a decimal uint64 (ValidSystemIdentifier); the MAC address must be one a
// host can have (UsableMacAddress). Bad input is a *ValidationError and
// nothing is sent.
//
// With a state directory (WithStateDir), the create is coordinated like
// EnsureActivationCode's: it waits for the host's lock (an
// EnsureActivationCode in flight for the same order, MAC address and
// system identifier, in any process), records the create durably before
// sending it and clears the record once the outcome is known. A create
// whose outcome stays unknown holds the host for ten minutes, for
// EnsureActivationCode and CreateActivationCode calls alike: while a create
// begun anywhere and never resolved holds the host (or its record cannot be
// trusted), CreateActivationCode sends nothing and returns an error wrapping
// ErrCreateHeld and ErrUncertainOutcome that says until when. As it does not
// look at the host's codes, a code found for the host later cannot be told
// from one it had before, and does not end the hold of its lost create:
// EnsureActivationCode then returns that code (Created false) but does not
// renew it until the hold is over.
func (c *Client) CreateActivationCode(ctx context.Context, req *CreateActivationCodeRequest) (*CreateActivationCodeResponse, error) {
	if c == nil || c.stateDir == "" || req == nil || ctx == nil {
		return c.createActivationCode(ctx, req)
	}
	var scratch [16]sign.Param
	if _, verr := req.appendParams(scratch[:0]); verr != nil {
		verr.Operation = opCreateActivationCode.name
		return nil, verr
	}
	host := ensureKey{order: req.AliyunOrderID, mac: normalMac(req.MacAddress), systemID: req.SystemIdentifier}
	slot, err := c.ensures.acquire(ctx, host)
	if err != nil {
		return nil, &OperationError{Operation: opCreateActivationCode.name, Err: err}
	}
	defer c.ensures.release(host, slot)
	store, err := lockHost(ctx, c.stateDir, &host)
	if err != nil {
		return nil, &OperationError{Operation: opCreateActivationCode.name, Err: notSent(err)}
	}
	defer store.unlock()
	e := &ensureCall{c: c, host: host, slot: slot, store: store}
	var doubt *recordDoubt
	e.rec, doubt = store.readAt(c.now())
	if h := e.currentHold(doubt); h != nil && c.now().Before(h.until) {
		// This call cannot look for the code the earlier create may have
		// made: it refuses, as EnsureActivationCode would refuse to create.
		// An *OperationError, as every error of an operation method is
		// (the package notes on errors); its text is the same.
		return nil, &OperationError{Operation: opCreateActivationCode.name, Err: fmt.Errorf("%s holds order %s's host (MAC address %s, system identifier %q) until %s, "+
			"so nothing was sent (that create may yet make the host's code: look for it before creating another): %w: %w",
			h.what, host.order, host.mac, host.systemID, h.until.Format(time.RFC3339), ErrCreateHeld, ErrUncertainOutcome)}
	}
	// It does not look at the host's codes: none found later can be told
	// from one older than it, so none resolves its hold (replacesUnknown).
	if err := e.beginCreate(replacesUnknown); err != nil {
		return nil, &OperationError{Operation: opCreateActivationCode.name, Err: notSent(err)}
	}
	created, err := c.createActivationCode(ctx, req)
	switch {
	case errors.Is(err, ErrUncertainOutcome):
		// The record stays, holding the host; its hold runs from now.
		until := c.now().Add(ensureUncertainHold)
		e.slot.unresolvedUntil, e.slot.unresolvedErr, e.slot.unresolvedReplaces = until, err, replacesUnknown
		e.rec.Pending.HoldUntil = until
		_ = store.write(&e.rec)
	case err != nil:
		e.clearHold(0)
	default:
		e.clearHold(created.ID)
	}
	return created, err
}

// Validate checks the request as CreateActivationCode does before sending
// anything, so that a caller with work to do first (checking a file it will
// write, asking the user) can refuse bad input early. It returns nil or a
// *ValidationError.
func (r *CreateActivationCodeRequest) Validate() error {
	var scratch [16]sign.Param
	if _, verr := r.appendParams(scratch[:0]); verr != nil {
		verr.Operation = opCreateActivationCode.name
		return verr
	}
	return nil
}

// createActivationCode is the call itself, without the state directory.
func (c *Client) createActivationCode(ctx context.Context, req *CreateActivationCodeRequest) (*CreateActivationCodeResponse, error) {
	return call[CreateActivationCodeResponse](ctx, c, &opCreateActivationCode, req)
}

func (r *CreateOrGetVirtualLicenseOrderRequest) appendParams(p []sign.Param) ([]sign.Param, *ValidationError) {
	if r.Engine == "" {
		return p, missing("Engine")
	}
	p = append(p, sign.Param{Key: "Engine", Value: string(r.Engine)})
	return r.AccountScope.appendParams(p)
}

func (r *DescribeLicenseOrderDetailsRequest) appendParams(p []sign.Param) ([]sign.Param, *ValidationError) {
	if r.AliyunOrderID == "" {
		return p, missing("AliyunOrderID")
	}
	p = append(p, sign.Param{Key: "AliyunOrderId", Value: r.AliyunOrderID})
	return r.AccountScope.appendParams(p)
}

func (r *DescribeLicenseOrdersRequest) appendParams(p []sign.Param) ([]sign.Param, *ValidationError) {
	p, err := appendPage(p, r.PageNumber, r.PageSize)
	if err != nil {
		return p, err
	}
	p = appendString(p, "AliyunOrderId", r.AliyunOrderID)
	p = appendString(p, "PurchaseChannel", string(r.PurchaseChannel))
	p = appendString(p, "PackageType", string(r.PackageType))
	if r.VirtualOrder != nil {
		p = append(p, sign.Param{Key: "VirtualOrder", Value: strconv.FormatBool(*r.VirtualOrder)})
	}
	return r.AccountScope.appendParams(p)
}

func (r *DescribeActivationCodeDetailsRequest) appendParams(p []sign.Param) ([]sign.Param, *ValidationError) {
	if r.AliyunOrderID == "" {
		return p, missing("AliyunOrderID")
	}
	if r.ActivationCodeID < 0 {
		return p, &ValidationError{Field: "ActivationCodeID", Reason: "must not be negative"}
	}
	p = append(p, sign.Param{Key: "AliyunOrderId", Value: r.AliyunOrderID})
	p = appendInt(p, "ActivationCodeId", r.ActivationCodeID)
	return r.AccountScope.appendParams(p)
}

func (r *DescribeActivationCodesRequest) appendParams(p []sign.Param) ([]sign.Param, *ValidationError) {
	if r.AliyunOrderID == "" {
		return p, missing("AliyunOrderID")
	}
	p, err := appendPage(p, r.PageNumber, r.PageSize)
	if err != nil {
		return p, err
	}
	if r.MacAddress != "" && !ValidMacAddress(r.MacAddress) {
		return p, invalidMac()
	}
	p = append(p, sign.Param{Key: "AliyunOrderId", Value: r.AliyunOrderID})
	if r.MacAddress != "" {
		p = append(p, sign.Param{Key: "MacAddress", Value: normalMac(r.MacAddress)})
	}
	p = appendString(p, "SystemIdentifier", r.SystemIdentifier)
	return r.AccountScope.appendParams(p)
}

func (r *CreateActivationCodeRequest) appendParams(p []sign.Param) ([]sign.Param, *ValidationError) {
	switch {
	case r.AliyunOrderID == "":
		return p, missing("AliyunOrderID")
	case r.MacAddress == "":
		return p, missing("MacAddress")
	case !ValidMacAddress(r.MacAddress):
		return p, invalidMac()
	}
	if reason := unusableMac(normalMac(r.MacAddress)); reason != "" {
		return p, &ValidationError{Field: "MacAddress", Reason: reason}
	}
	if err := checkSystemIdentifier(r.SystemIdentifier); err != nil {
		return p, err
	}
	if err := checkCodeName(r.Name); err != nil {
		return p, err
	}
	if err := checkCodeDescription(r.Description); err != nil {
		return p, err
	}
	p = append(p,
		sign.Param{Key: "AliyunOrderId", Value: r.AliyunOrderID},
		sign.Param{Key: "MacAddress", Value: normalMac(r.MacAddress)},
		sign.Param{Key: "Name", Value: r.Name},
	)
	p = appendString(p, "SystemIdentifier", r.SystemIdentifier)
	p = appendString(p, "Description", r.Description)
	return r.AccountScope.appendParams(p)
}

func (a *AccountScope) appendParams(p []sign.Param) ([]sign.Param, *ValidationError) {
	if a.OwnerID < 0 {
		return p, &ValidationError{Field: "OwnerID", Reason: "must not be negative"}
	}
	if a.ResourceOwnerID < 0 {
		return p, &ValidationError{Field: "ResourceOwnerID", Reason: "must not be negative"}
	}
	p = appendInt(p, "OwnerId", a.OwnerID)
	p = appendString(p, "OwnerAccount", a.OwnerAccount)
	p = appendInt(p, "ResourceOwnerId", a.ResourceOwnerID)
	p = appendString(p, "ResourceOwnerAccount", a.ResourceOwnerAccount)
	return p, nil
}

// missing is the error of a required field left empty.
func missing(field string) *ValidationError {
	return &ValidationError{Field: field, Reason: "is required"}
}

// appendPage checks and appends PageNumber and PageSize; zero is not sent.
func appendPage(p []sign.Param, number, size int) ([]sign.Param, *ValidationError) {
	if number < 0 || number > math.MaxInt32 {
		return p, &ValidationError{Field: "PageNumber", Reason: "must be from 1 to 2147483647 (or 0 for the first page)"}
	}
	if size < 0 || size > MaxPageSize {
		return p, &ValidationError{Field: "PageSize", Reason: "must be from 1 to " + strconv.Itoa(MaxPageSize) + " (or 0 for the service's default)"}
	}
	p = appendInt(p, "PageNumber", int64(number))
	return appendInt(p, "PageSize", int64(size)), nil
}

// appendString appends a parameter unless its value is empty.
func appendString(p []sign.Param, key, value string) []sign.Param {
	if value == "" {
		return p
	}
	return append(p, sign.Param{Key: key, Value: value})
}

// appendInt appends a parameter unless its value is zero.
func appendInt(p []sign.Param, key string, value int64) []sign.Param {
	if value == 0 {
		return p
	}
	return append(p, sign.Param{Key: key, Value: strconv.FormatInt(value, 10)})
}

// invalidMac is the error of a malformed MacAddress.
func invalidMac() *ValidationError {
	return &ValidationError{Field: "MacAddress", Reason: `must be six pairs of hex digits separated by ":" or "-", such as 12:34:56:78:9a:bc`}
}

// checkSystemIdentifier applies the rule for a new code's SystemIdentifier:
// empty (allowed by the service only where the order's
// AllowEmptySystemIdentifier is true), or a decimal uint64 in its plain form
// (digits only, no sign, no leading zero, at most 18446744073709551615), as
// PostgreSQL's control file holds it and pg_controldata prints it. The
// reference documents no other form for any engine, MySQL included: a MySQL
// order that takes codes without an identifier says so with
// AllowEmptySystemIdentifier.
func checkSystemIdentifier(id string) *ValidationError {
	if id == "" || ValidSystemIdentifier(id) {
		return nil
	}
	reason := "must be a database system identifier: a decimal number from 1 to 18446744073709551615 with no sign, " +
		"exponent, separator or leading zero, such as 7345118823001548201 (as pg_controldata prints it); got " +
		strconv.Quote(printable(id, 64))
	for i := 0; i < len(id); i++ {
		if c := id[i]; c < '0' || c > '9' {
			reason += " (" + strconv.Quote(string(rune(c))) + " at position " + strconv.Itoa(i+1) + " is not a digit)"
			break
		}
	}
	return &ValidationError{Field: "SystemIdentifier", Reason: reason}
}

// ValidSystemIdentifier reports whether s is a database system identifier
// as CreateActivationCode takes it: a decimal uint64 from 1 up, digits
// only, without a leading zero ("7345118823001548201"). PostgreSQL-based
// engines (PolarDB for PostgreSQL, its Oracle-compatible edition) keep it as
// the first field of global/pg_control; package hostid reads it.
func ValidSystemIdentifier(s string) bool {
	if s == "" || len(s) > 20 || s[0] == '0' {
		return false
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < '0' || c > '9' {
			return false
		}
	}
	_, err := strconv.ParseUint(s, 10, 64)
	return err == nil
}

// The console's rules for a new activation code.
const (
	// MaxCodeNameLength is the longest activation-code Name, in characters.
	MaxCodeNameLength = 64
	// MinCodeDescriptionLength and MaxCodeDescriptionLength bound a
	// Description, when one is given, in characters.
	MinCodeDescriptionLength = 2
	MaxCodeDescriptionLength = 256
)

// checkCodeName applies the rules for an activation code's Name: required,
// letters, digits, "_" and "-" only, at most MaxCodeNameLength characters.
func checkCodeName(name string) *ValidationError {
	switch {
	case name == "":
		return missing("Name")
	case !validCodeName(name):
		return &ValidationError{Field: "Name", Reason: `may hold only letters, digits, "_" and "-"`}
	case len(name) > MaxCodeNameLength:
		return &ValidationError{Field: "Name", Reason: "must be at most " + strconv.Itoa(MaxCodeNameLength) + " characters (it has " + strconv.Itoa(len(name)) + ")"}
	}
	return nil
}

// checkCodeDescription applies the rules for an activation code's
// Description: optional; when given, MinCodeDescriptionLength to
// MaxCodeDescriptionLength characters, and not a link (it may not start
// with "http://" or "https://").
func checkCodeDescription(d string) *ValidationError {
	if d == "" {
		return nil
	}
	if !utf8.ValidString(d) {
		return &ValidationError{Field: "Description", Reason: "must be valid UTF-8"}
	}
	if n := utf8.RuneCountInString(d); n < MinCodeDescriptionLength || n > MaxCodeDescriptionLength {
		return &ValidationError{Field: "Description", Reason: "must be " + strconv.Itoa(MinCodeDescriptionLength) + " to " +
			strconv.Itoa(MaxCodeDescriptionLength) + " characters when given (it has " + strconv.Itoa(n) + ")"}
	}
	lower := strings.ToLower(d[:min(len(d), 8)])
	if strings.HasPrefix(lower, "http://") || strings.HasPrefix(lower, "https://") {
		return &ValidationError{Field: "Description", Reason: `must not start with "http://" or "https://"`}
	}
	return nil
}

// validCodeName reports whether an activation-code name holds only letters,
// digits, "_" and "-".
func validCodeName(s string) bool {
	return s != "" && onlyAlnumAnd(s, "_-")
}

// alnum reports whether c is an ASCII letter or digit.
func alnum(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9'
}

// onlyAlnumAnd reports whether every byte of s is an ASCII letter, a digit
// or one of extra: the character-class check of names (actions, parameter
// names, code names, application ids).
func onlyAlnumAnd(s, extra string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; !alnum(c) && strings.IndexByte(extra, c) < 0 {
			return false
		}
	}
	return true
}

func (r *DescribeLicenseOrdersRequest) pageSize() int   { return r.PageSize }
func (r *DescribeActivationCodesRequest) pageSize() int { return r.PageSize }
