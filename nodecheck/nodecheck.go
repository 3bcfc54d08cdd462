package nodecheck

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math"
	"net"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"

	polarlicense "github.com/polarlicense/polarlicense-go"
	"github.com/polarlicense/polarlicense-go/hostid"
)

// DefaultWithin is the default of Options.Within: a code expiring within
// 30 days fails the expiring check.
const DefaultWithin = 30 * 24 * time.Hour

// maxLicenseSize bounds what is read of the license file: a license is a
// few kilobytes, so anything larger is not one.
const maxLicenseSize = 1 << 20

// Service is what Run needs of the API for the online identification.
// *polarlicense.Client has both methods.
type Service interface {
	DescribeActivationCodes(ctx context.Context, req *polarlicense.DescribeActivationCodesRequest) (*polarlicense.DescribeActivationCodesResponse, error)
	DescribeActivationCodeDetails(ctx context.Context, req *polarlicense.DescribeActivationCodeDetailsRequest) (*polarlicense.DescribeActivationCodeDetailsResponse, error)
}

// Options say what Run checks.
type Options struct {
	// LicensePath is the license file, such as
	// /opt/polarflex/license/1/license.lic. Required.
	LicensePath string
	// PGData is the data directory: the system identifier is read from its
	// global/pg_control, and its owner (the user the database runs as) must
	// be able to read the license file. At most one of PGData and
	// SystemIdentifier; with neither, the system identifier is not checked.
	PGData string
	// SystemIdentifier is the database's system identifier (a decimal
	// uint64), given rather than read.
	SystemIdentifier string
	// Interface names the network interface whose MAC address is the
	// host's; MacAddress gives the address itself. At most one; with
	// neither, the code's MAC address must be that of one of the interfaces
	// that are up, not loopbacks, with a 6-byte address.
	Interface  string
	MacAddress string
	// OrderID is the order whose codes the service is asked about; "" takes
	// the order from the state directory's record of the file. When it is
	// not the record's order and has no code of this host holding the
	// file, the record's order is asked about too.
	OrderID string
	// Within is how close an expiry fails the expiring check (a warning).
	// Zero means DefaultWithin.
	Within time.Duration
	// StateDir is the state directory whose records identify the license
	// offline (see polarlicense.LookupLicenseRecord); "" looks for none.
	StateDir string
	// Service, when not nil, is asked to identify the license online (a
	// *polarlicense.Client). Without credentials its calls fail with a
	// *polarlicense.CredentialError: the check is then offline, as with
	// nil.
	Service Service
	// Now is the clock; nil means time.Now.
	Now func() time.Time
}

// Run checks the license file opts describe and returns the report. Its
// error is a *polarlicense.ValidationError for options that make no sense
// (no license path, a malformed MAC address or system identifier, both
// PGData and SystemIdentifier); everything found on the node, a failure to
// read a fact included, is in the report.
func Run(ctx context.Context, opts Options) (*Report, error) {
	if err := opts.validate(); err != nil {
		return nil, err
	}
	now := time.Now
	if opts.Now != nil {
		now = opts.Now
	}
	within := opts.Within
	if within == 0 {
		within = DefaultWithin
	}
	r := &Report{LicensePath: opts.LicensePath, CheckedAt: now()}
	for _, name := range CheckNames {
		r.Checks = append(r.Checks, Check{Name: name})
	}
	run := &run{opts: opts, r: r, now: r.CheckedAt, within: within}
	run.liveFacts()
	data := run.checkFile()
	if data != nil {
		run.identify(ctx, data)
	}
	run.checkCode()
	r.finish()
	return r, nil
}

func (o *Options) validate() error {
	invalid := func(field, reason string) error {
		return &polarlicense.ValidationError{Operation: "nodecheck.Run", Field: field, Reason: reason}
	}
	switch {
	case o.LicensePath == "":
		return invalid("LicensePath", "is required")
	case o.PGData != "" && o.SystemIdentifier != "":
		return invalid("SystemIdentifier", "give PGData or SystemIdentifier, not both")
	case o.Interface != "" && o.MacAddress != "":
		return invalid("MacAddress", "give Interface or MacAddress, not both")
	case o.Within < 0:
		return invalid("Within", "must not be negative")
	}
	if o.SystemIdentifier != "" {
		if !polarlicense.ValidSystemIdentifier(o.SystemIdentifier) {
			return invalid("SystemIdentifier", "must be a database system identifier: a decimal number from 1 to 18446744073709551615 with no sign, exponent, separator or leading zero, such as 7345118823001548201 (as pg_controldata prints it)")
		}
	}
	if o.MacAddress != "" {
		if _, err := polarlicense.NormalizeMacAddress(o.MacAddress); err != nil {
			return invalid("MacAddress", polarlicense.ErrInvalidMacAddress.Error())
		}
	}
	return nil
}

// run is one Run's state.
type run struct {
	opts   Options
	r      *Report
	now    time.Time
	within time.Duration

	sysErr error             // reading the system identifier failed
	macErr error             // finding the MAC addresses failed
	ifaces map[string]string // MAC address → interface name, when known
	record *polarlicense.LicenseRecord
}

// set records a check's outcome.
func (x *run) set(name string, level Level, checked bool, msg string) {
	c := x.r.Check(name)
	c.Level, c.Checked, c.Message = level, checked, msg
}

func (x *run) pass(name, msg string) { x.set(name, OK, true, msg) }
func (x *run) fail(name, msg string) { x.set(name, failLevel(name), true, msg) }

// skip marks a check not made; msg says why.
func (x *run) skip(name, msg string) { x.set(name, OK, false, msg) }

// cannot marks a check that could not be made for want of a fact.
func (x *run) cannot(name, msg string) { x.set(name, Unknown, false, msg) }

// liveFacts reads the system identifier and the MAC addresses.
func (x *run) liveFacts() {
	o := &x.opts
	switch {
	case o.SystemIdentifier != "":
		x.r.SystemIdentifier = o.SystemIdentifier
	case o.PGData != "":
		id, err := hostid.SystemIdentifier(o.PGData)
		if err != nil {
			x.sysErr = err
		}
		x.r.SystemIdentifier = id
	}
	x.ifaces = map[string]string{}
	switch {
	case o.MacAddress != "":
		m, _ := polarlicense.NormalizeMacAddress(o.MacAddress)
		x.r.MacAddresses = []string{m}
	case o.Interface != "":
		m, err := hostid.MacAddress(o.Interface)
		if err != nil {
			x.macErr = err
			return
		}
		x.r.MacAddresses = []string{m}
		x.ifaces[m] = o.Interface
	default:
		list, err := hostid.CandidateInterfaces()
		if err != nil {
			x.macErr = err
			return
		}
		if len(list) == 0 {
			x.macErr = errors.New("no network interface is up, not a loopback, and has a 6-byte MAC address: name the interface or give the MAC address")
			return
		}
		for _, i := range list {
			if _, dup := x.ifaces[i.MacAddress]; !dup {
				x.r.MacAddresses = append(x.r.MacAddresses, i.MacAddress)
				x.ifaces[i.MacAddress] = i.Name
			}
		}
	}
}

// checkFile makes the file checks and returns the file's bytes, or nil
// when there is nothing to identify.
func (x *run) checkFile() []byte {
	path := x.opts.LicensePath
	fi, err := os.Lstat(path)
	if errors.Is(err, fs.ErrNotExist) {
		x.fail(CheckFileMissing, path+" does not exist: PolarDB will not start without its license (polarlicense license ensure writes this host's)")
		for _, n := range []string{CheckFileNotRegular, CheckFileUnreadable, CheckFileOwner} {
			x.skip(n, path+" does not exist")
		}
		x.noLicense("there is no file")
		return nil
	}
	if err != nil {
		x.cannot(CheckFileMissing, "cannot look at "+path+": "+pathCause(err))
		x.skip(CheckFileNotRegular, "cannot look at the file")
		x.fail(CheckFileUnreadable, "cannot look at "+path+": "+pathCause(err)+ownUserHint(err))
		x.skip(CheckFileOwner, "cannot look at the file")
		x.noLicense("the file could not be read")
		return nil
	}
	x.pass(CheckFileMissing, path+" exists")
	if !fi.Mode().IsRegular() {
		x.fail(CheckFileNotRegular, path+" is "+kindOf(fi.Mode())+", not a regular file: not opened, and PolarDB needs a regular file")
		x.skip(CheckFileUnreadable, "the file is not a regular file")
		x.skip(CheckFileOwner, "the file is not a regular file")
		x.noLicense("the file is not a regular file")
		return nil
	}
	x.pass(CheckFileNotRegular, path+" is a regular file")
	x.checkOwner(path, fi)

	f, err := openLicense(path)
	if err != nil {
		x.fail(CheckFileUnreadable, "cannot read "+path+": "+pathCause(err)+ownUserHint(err))
		x.noLicense("the file could not be read")
		return nil
	}
	defer f.Close()
	// The path may have been replaced since the look.
	if ofi, err := f.Stat(); err != nil || !ofi.Mode().IsRegular() || !os.SameFile(fi, ofi) {
		x.fail(CheckFileNotRegular, path+" was replaced while it was checked: run the check again")
		x.skip(CheckFileUnreadable, "the file was replaced")
		x.noLicense("the file was replaced")
		return nil
	}
	data, err := io.ReadAll(io.LimitReader(f, maxLicenseSize+1))
	if err != nil {
		x.fail(CheckFileUnreadable, "cannot read "+path+": "+pathCause(err))
		x.noLicense("the file could not be read")
		return nil
	}
	x.pass(CheckFileUnreadable, fmt.Sprintf("%s was read (%d bytes)", path, len(data)))
	sum := sha256.Sum256(data)
	x.r.SHA256 = hex.EncodeToString(sum[:])
	// A file that holds no license is no license for this host: PolarDB
	// will not start with it, as with none (critical, not unknown).
	const remedy = ": it holds no license, and PolarDB will not start with it (polarlicense license ensure writes this host's)"
	switch {
	case len(data) == 0:
		x.fail(CheckLicenseNotForThisHost, path+" is empty"+remedy)
	case len(data) > maxLicenseSize:
		x.fail(CheckLicenseNotForThisHost, path+" is larger than any license (over 1 MiB)"+remedy)
	default:
		return data
	}
	x.skip(CheckLicenseUnknown, "the file holds no license")
	return nil
}

// noLicense marks the identification checks not made, for want of a
// license to identify.
func (x *run) noLicense(why string) {
	x.skip(CheckLicenseUnknown, why)
	x.skip(CheckLicenseNotForThisHost, why)
}

// identify identifies the license data: by the state directory's record,
// and by the service.
func (x *run) identify(ctx context.Context, data []byte) {
	path := x.opts.LicensePath
	var recNote string
	if x.opts.StateDir != "" {
		rec, err := polarlicense.LookupLicenseRecord(x.opts.StateDir, x.r.SHA256)
		switch {
		case err == nil:
			x.record = rec
		case errors.Is(err, polarlicense.ErrNoLicenseRecord):
			recNote = "no record of it in the state directory " + x.opts.StateDir
		default:
			recNote = "the state directory's record could not be read: " + strings.TrimPrefix(err.Error(), "polarlicense: ") + ownUserHint(err)
		}
	} else {
		recNote = "no state directory to look in"
	}
	order := x.opts.OrderID
	if order == "" && x.record != nil {
		order = x.record.AliyunOrderID
	}
	svc, listed := x.askService(ctx, order, data)
	asked := order // the orders asked about, for a message
	if rec := x.record; svc == nil && x.r.Online.Asked && rec != nil && rec.AliyunOrderID != "" && rec.AliyunOrderID != order {
		// --order names another order than the record's (a fleet's usual
		// order, this license from another): ask about the record's too,
		// before saying the service has no code of this host holding it.
		more, n := x.askService(ctx, rec.AliyunOrderID, data)
		listed += n
		asked = order + " or " + rec.AliyunOrderID
		switch {
		case more != nil:
			svc, order = more, rec.AliyunOrderID
		case x.r.Online.Reason != "":
			x.r.Online.Asked = false // the record's order could not be asked
		}
	}

	var code *Code
	switch {
	case svc != nil:
		code = &Code{AliyunOrderID: order, ActivationCodeID: svc.ID, MacAddress: normalMac(svc.MacAddress),
			SystemIdentifier: svc.SystemIdentifier, ExpireAt: svc.ExpireAt}
		x.r.IdentifiedBy = "service"
		if x.record != nil && x.record.AliyunOrderID == order && x.record.ActivationCodeID == svc.ID {
			x.r.IdentifiedBy = "record+service"
			if code.ExpireAt.IsZero() {
				code.ExpireAt = x.record.ExpireAt // the same code, dated when it was written
			}
		}
	case x.record != nil:
		rec := x.record
		code = &Code{AliyunOrderID: rec.AliyunOrderID, ActivationCodeID: rec.ActivationCodeID, MacAddress: normalMac(rec.MacAddress),
			SystemIdentifier: rec.SystemIdentifier, ExpireAt: rec.ExpireAt}
		x.r.IdentifiedBy = "record"
	}
	x.r.Code = code

	if x.r.Online.Asked {
		if svc != nil {
			x.pass(CheckLicenseNotForThisHost, fmt.Sprintf("the service's code %d of order %s, %s, holds this license", svc.ID, order, x.boundTo()))
		} else {
			x.fail(CheckLicenseNotForThisHost, fmt.Sprintf("the service has no code of order %s %s whose license is %s (%d %s compared): "+
				"another host's license, or this host's identity changed: this host needs its own (polarlicense license ensure writes it)",
				asked, x.boundTo(), path, listed, plural(listed, "code", "codes")))
		}
	} else {
		x.skip(CheckLicenseNotForThisHost, x.r.Online.Reason)
	}

	switch x.r.IdentifiedBy {
	case "record":
		x.pass(CheckLicenseUnknown, fmt.Sprintf("the state directory's record identifies %s: code %d of order %s, written to %s on %s",
			path, code.ActivationCodeID, code.AliyunOrderID, x.record.Path, x.record.WrittenAt.UTC().Format(time.RFC3339)))
	case "service":
		x.pass(CheckLicenseUnknown, fmt.Sprintf("the service identifies %s: code %d of order %s", path, code.ActivationCodeID, code.AliyunOrderID))
		if x.record != nil {
			x.r.Check(CheckLicenseUnknown).Message += fmt.Sprintf(" (the state directory's record says code %d of order %s)", x.record.ActivationCodeID, x.record.AliyunOrderID)
		}
	case "record+service":
		x.pass(CheckLicenseUnknown, fmt.Sprintf("the state directory's record and the service identify %s: code %d of order %s", path, code.ActivationCodeID, code.AliyunOrderID))
	default:
		why := recNote
		if x.r.Online.Asked {
			why += "; the service has no code of order " + asked + " " + x.boundTo() + " with this license"
		} else {
			why += "; " + x.r.Online.Reason
		}
		x.fail(CheckLicenseUnknown, fmt.Sprintf("nothing identifies the license in %s (SHA-256 %s): %s", path, x.r.SHA256[:16]+"…", why))
	}
}

// boundTo says which of the order's codes were compared.
func (x *run) boundTo() string {
	if x.r.SystemIdentifier != "" {
		s := "bound to system identifier " + x.r.SystemIdentifier
		if len(x.r.MacAddresses) > 0 {
			s += " (or to no system identifier and MAC address " + strings.Join(x.r.MacAddresses, " or ") + ")"
		}
		return s
	}
	return "bound to MAC address " + strings.Join(x.r.MacAddresses, " or ")
}

// askService lists the order's codes bound to this host and compares their
// licenses with data. It returns the code whose license it is, if any, and
// how many codes were compared; x.r.Online says whether it was asked.
//
// With a system identifier, the codes bound to it are compared first; then,
// as an order that allows it issues codes bound to a MAC address alone,
// those of this host's MAC addresses that are bound to no system
// identifier. Without one, the codes bound to this host's MAC addresses.
func (x *run) askService(ctx context.Context, order string, data []byte) (*polarlicense.ActivationCode, int) {
	switch {
	case x.opts.Service == nil:
		x.r.Online.Reason = "offline: no service to ask"
		return nil, 0
	case order == "":
		x.r.Online.Reason = "the order is not known (no record names it): give the order id to ask the service"
		return nil, 0
	case x.r.SystemIdentifier == "" && len(x.r.MacAddresses) == 0:
		x.r.Online.Reason = "neither the system identifier nor a MAC address of this host is known: no code of the order to compare"
		return nil, 0
	}
	want := sha256.Sum256(data)
	compared := map[int64]bool{}
	// compare looks for the file's license among codes, newest first (the
	// file most often holds the current code's license).
	compare := func(codes []polarlicense.ActivationCode) (*polarlicense.ActivationCode, error) {
		slices.SortStableFunc(codes, func(a, b polarlicense.ActivationCode) int { return b.ExpireAt.Compare(a.ExpireAt) })
		for _, c := range codes {
			if compared[c.ID] {
				continue
			}
			compared[c.ID] = true
			d, err := x.opts.Service.DescribeActivationCodeDetails(ctx, &polarlicense.DescribeActivationCodeDetailsRequest{AliyunOrderID: order, ActivationCodeID: c.ID})
			if err != nil {
				return nil, err
			}
			lic, err := d.CertContentB64.Decode()
			if err != nil {
				continue // not this file's license, whatever it is
			}
			if got := sha256.Sum256(lic); bytes.Equal(got[:], want[:]) {
				code := d.ActivationCode
				if code.ID == 0 {
					code.ID = c.ID
				}
				return &code, nil
			}
		}
		return nil, nil
	}
	// onMacs keeps the codes bound to one of this host's MAC addresses (and,
	// with noSystemID, to no system identifier).
	onMacs := func(codes []polarlicense.ActivationCode, noSystemID bool) []polarlicense.ActivationCode {
		return slices.DeleteFunc(codes, func(c polarlicense.ActivationCode) bool {
			return !slices.Contains(x.r.MacAddresses, normalMac(c.MacAddress)) || noSystemID && c.SystemIdentifier != ""
		})
	}
	fail := func(err error) (*polarlicense.ActivationCode, int) {
		x.r.Online.Reason = serviceFailure(err)
		return nil, 0
	}

	var passes []*polarlicense.DescribeActivationCodesRequest
	switch {
	case x.r.SystemIdentifier != "":
		passes = append(passes, &polarlicense.DescribeActivationCodesRequest{AliyunOrderID: order, SystemIdentifier: x.r.SystemIdentifier})
		for _, m := range x.r.MacAddresses {
			passes = append(passes, &polarlicense.DescribeActivationCodesRequest{AliyunOrderID: order, MacAddress: m})
		}
	case len(x.r.MacAddresses) == 1:
		passes = append(passes, &polarlicense.DescribeActivationCodesRequest{AliyunOrderID: order, MacAddress: x.r.MacAddresses[0]})
	default:
		passes = append(passes, &polarlicense.DescribeActivationCodesRequest{AliyunOrderID: order})
	}
	for _, req := range passes {
		codes, err := listCodes(ctx, x.opts.Service, req)
		if err != nil {
			return fail(err)
		}
		switch {
		case req.SystemIdentifier != "":
		case x.r.SystemIdentifier != "":
			codes = onMacs(codes, true) // the passes after the first
		default:
			codes = onMacs(codes, false)
		}
		code, err := compare(codes)
		if err != nil {
			return fail(err)
		}
		if code != nil {
			x.r.Online.Asked = true
			return code, len(compared)
		}
	}
	x.r.Online.Asked = true
	return nil, len(compared)
}

// maxListedCodes bounds the codes listed for one host: a host has a few.
const maxListedCodes = 1000

// listCodes lists every code the request matches, page by page.
func listCodes(ctx context.Context, svc Service, req *polarlicense.DescribeActivationCodesRequest) ([]polarlicense.ActivationCode, error) {
	const pageSize = 50
	var codes []polarlicense.ActivationCode
	for page := 1; ; page++ {
		r := *req
		r.PageNumber, r.PageSize = page, pageSize
		resp, err := svc.DescribeActivationCodes(ctx, &r)
		if err != nil {
			return nil, err
		}
		for _, c := range resp.Items {
			if req.SystemIdentifier != "" && c.SystemIdentifier != req.SystemIdentifier {
				continue // a service that ignores the filter
			}
			codes = append(codes, c)
		}
		// The last page is a short one, or the one that reaches the total
		// when the service gives one (a total of 0 is a service that left
		// it out, not an empty list: the next page says).
		total := resp.TotalRecordCount
		if len(resp.Items) < pageSize || len(codes) >= maxListedCodes || (total > 0 && page*pageSize >= total) {
			return codes, nil
		}
	}
}

// serviceFailure says why the service could not identify the license.
func serviceFailure(err error) string {
	var ce *polarlicense.CredentialError
	if errors.As(err, &ce) {
		return "offline: no credentials to ask the service (" + ce.Reason + ")"
	}
	return "the service could not be asked: " + strings.TrimPrefix(err.Error(), "polarlicense: ")
}

// checkCode makes the checks of the identified code against the live facts
// and the clock.
func (x *run) checkCode() {
	code := x.r.Code
	if code == nil {
		for _, n := range []string{CheckSystemIdentifierMismatch, CheckMacMismatch, CheckExpired, CheckExpiring} {
			x.skip(n, "the license is not identified")
		}
		// A fact that could not be read is news all the same.
		if x.sysErr != nil {
			x.cannot(CheckSystemIdentifierMismatch, "cannot read the database's system identifier: "+strings.TrimPrefix(x.sysErr.Error(), "hostid: ")+ownUserHint(x.sysErr))
		}
		if x.macErr != nil {
			x.cannot(CheckMacMismatch, "cannot find this host's MAC address: "+strings.TrimPrefix(x.macErr.Error(), "hostid: "))
		}
		return
	}
	switch {
	case x.sysErr != nil:
		x.cannot(CheckSystemIdentifierMismatch, "cannot read the database's system identifier: "+strings.TrimPrefix(x.sysErr.Error(), "hostid: ")+ownUserHint(x.sysErr))
	case x.r.SystemIdentifier == "":
		x.skip(CheckSystemIdentifierMismatch, "give the data directory or the system identifier")
	case code.SystemIdentifier == "":
		x.pass(CheckSystemIdentifierMismatch, fmt.Sprintf("code %d is bound to no system identifier", code.ActivationCodeID))
	case code.SystemIdentifier == x.r.SystemIdentifier:
		x.pass(CheckSystemIdentifierMismatch, "system identifier "+x.r.SystemIdentifier+" is the code's")
	default:
		x.fail(CheckSystemIdentifierMismatch, "system identifier "+x.r.SystemIdentifier+" is not the code's "+code.SystemIdentifier+
			" (a new initdb or pdbcli rebuild needs a new code)")
	}

	switch {
	case x.macErr != nil && x.namedInterfaceGone(code):
	case x.macErr != nil:
		x.cannot(CheckMacMismatch, "cannot find this host's MAC address: "+strings.TrimPrefix(x.macErr.Error(), "hostid: "))
	case code.MacAddress == "":
		x.cannot(CheckMacMismatch, fmt.Sprintf("the MAC address of code %d is not known", code.ActivationCodeID))
	case slices.Contains(x.r.MacAddresses, code.MacAddress):
		msg := "MAC address " + code.MacAddress + " is the code's"
		if name := x.ifaces[code.MacAddress]; name != "" {
			msg += " (" + name + ")"
		}
		x.pass(CheckMacMismatch, msg)
	case len(x.r.MacAddresses) == 1:
		x.fail(CheckMacMismatch, "MAC address "+x.r.MacAddresses[0]+" is not the code's "+code.MacAddress+macRemedy)
	default:
		x.fail(CheckMacMismatch, "no interface of this host has the code's MAC address "+code.MacAddress+" (they have "+strings.Join(x.r.MacAddresses, ", ")+")"+macRemedy)
	}

	if code.ExpireAt.IsZero() {
		// Undated (the service sent the code without ExpireAt): no pass,
		// as the audit's code-expiry-unknown is none, and no expiry series
		// for an alert to watch.
		x.cannot(CheckExpired, fmt.Sprintf("the expiry time of code %d of order %s is not known: nothing shows that it has not expired (see it with polarlicense codes get %s %d)",
			code.ActivationCodeID, code.AliyunOrderID, code.AliyunOrderID, code.ActivationCodeID))
		x.skip(CheckExpiring, fmt.Sprintf("the expiry time of code %d is not known", code.ActivationCodeID))
		return
	}
	exp := code.ExpireAt
	days := int(math.Floor(exp.Sub(x.now).Hours() / 24))
	x.r.ExpireAt, x.r.DaysLeft = &exp, &days
	date := exp.UTC().Format(time.RFC3339)
	if !exp.After(x.now) {
		ago := "less than a day ago"
		if n := int(x.now.Sub(exp).Hours() / 24); n > 0 {
			ago = fmt.Sprintf("%d %s ago", n, plural(n, "day", "days"))
		}
		x.fail(CheckExpired, fmt.Sprintf("code %d expired at %s (%s): PolarDB will not start again; write this host's new license (polarlicense license ensure)", code.ActivationCodeID, date, ago))
		x.skip(CheckExpiring, "the code has expired")
		return
	}
	x.pass(CheckExpired, fmt.Sprintf("code %d is valid until %s", code.ActivationCodeID, date))
	if exp.Sub(x.now) <= x.within {
		x.fail(CheckExpiring, fmt.Sprintf("code %d expires at %s, in %d %s (within %s): renew it before then (polarlicense license ensure --renew-within)",
			code.ActivationCodeID, date, days, plural(days, "day", "days"), formatWithin(x.within)))
	} else {
		x.pass(CheckExpiring, fmt.Sprintf("code %d expires in %d %s, not within %s", code.ActivationCodeID, days, plural(days, "day", "days"), formatWithin(x.within)))
	}
}

// namedInterfaceGone makes the mac-mismatch check when the interface named
// could not be used (gone, or without a 6-byte address, as when a replaced
// NIC came up under another name), and reports whether it did: the code's
// MAC address on none of the host's interfaces fails it, as the license
// will not load; on another interface, the check cannot tell which is meant.
func (x *run) namedInterfaceGone(code *Code) bool {
	var ie *hostid.InterfaceError
	if x.opts.Interface == "" || code.MacAddress == "" || !errors.As(x.macErr, &ie) {
		return false
	}
	all, err := net.Interfaces()
	if err != nil {
		return false
	}
	why := strings.TrimPrefix(x.macErr.Error(), "hostid: ")
	// Any interface, up or down, with the code's address: the license may
	// load, and the check cannot tell which interface is meant.
	for _, i := range all {
		if len(i.HardwareAddr) == 6 && i.HardwareAddr.String() == code.MacAddress {
			x.cannot(CheckMacMismatch, "cannot find this host's MAC address: "+why+" (interface "+i.Name+" has the code's MAC address: name it with --interface)")
			return true
		}
	}
	list, err := hostid.CandidateInterfaces()
	if err != nil {
		return false
	}
	var have []string
	for _, i := range list {
		have = append(have, i.Name+" "+i.MacAddress)
	}
	others := "none is up with a MAC address"
	if len(have) > 0 {
		others = "they have " + strings.Join(have, ", ")
	}
	x.fail(CheckMacMismatch, why+", and no interface of this host has the code's MAC address "+code.MacAddress+" ("+others+")"+macRemedy)
	return true
}

// ownUserHint says what to do when the check's own user, not root, may not
// read the file (which says nothing of the database's user): "" for any
// other failure.
func ownUserHint(err error) string {
	if !errors.Is(err, fs.ErrPermission) || os.Geteuid() <= 0 {
		return ""
	}
	return fmt.Sprintf(" (the check runs as uid %d: run the check as root, as polarlicense-check.service does, or as the database's user)", os.Geteuid())
}

// macRemedy is what a mac-mismatch says to do.
const macRemedy = " (a replaced network card, or another host's license: this host needs its own, which polarlicense license ensure writes)"

// formatWithin writes a duration in days when it is whole days.
func formatWithin(d time.Duration) string {
	if d%(24*time.Hour) == 0 {
		n := int(d / (24 * time.Hour))
		return strconv.Itoa(n) + " " + plural(n, "day", "days")
	}
	return d.String()
}

// normalMac normalises a valid MAC address; anything else stays as it is.
func normalMac(s string) string {
	if m, err := polarlicense.NormalizeMacAddress(s); err == nil {
		return m
	}
	return s
}

// pathCause is an error without the path an *fs.PathError repeats.
func pathCause(err error) string {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err.Error()
	}
	return err.Error()
}

// kindOf says what kind of non-regular file a mode is.
func kindOf(m fs.FileMode) string {
	switch {
	case m&fs.ModeSymlink != 0:
		return "a symbolic link"
	case m.IsDir():
		return "a directory"
	case m&fs.ModeNamedPipe != 0:
		return "a FIFO"
	case m&fs.ModeSocket != 0:
		return "a socket"
	case m&fs.ModeDevice != 0:
		return "a device"
	}
	return "not a regular file"
}
