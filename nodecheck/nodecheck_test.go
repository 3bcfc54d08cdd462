package nodecheck_test

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"hash/crc32"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	polarlicense "github.com/polarlicense/polarlicense-go"
	"github.com/polarlicense/polarlicense-go/hostid"
	"github.com/polarlicense/polarlicense-go/nodecheck"
	"github.com/polarlicense/polarlicense-go/polarlicensetest"
)

const (
	order    = "239618016570503"
	sysID    = "7345118823001548201"
	otherID  = "7312000000000000001"
	mac      = "00:16:3e:1a:2b:01"
	otherMac = "00:16:3e:1a:2b:99"
	codeID   = 21
)

// now is the checks' clock; the code expires a year later.
var (
	now    = time.Date(2030, 6, 1, 12, 0, 0, 0, time.UTC)
	expiry = time.Date(2031, 6, 1, 12, 0, 0, 0, time.UTC)
)

// macHint is what a mac-mismatch says to do.
const macHint = " (a replaced network card, or another host's license: this host needs its own, which polarlicense license ensure writes)"

// license is the license file's content: what the service's CertContentB64
// of code 21 decodes to.
var license = []byte("-----BEGIN POLARDB LICENSE-----\ncode 21 of " + order + "\n-----END POLARDB LICENSE-----\n")

func sum(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

// fixture is a node: a license file, a data directory, a state directory,
// and an emulator holding the order and its codes.
type fixture struct {
	path, pgdata, stateDir string
	srv                    *polarlicensetest.Server
	client                 *polarlicense.Client
}

// codeOpt is code 21, bound to mac and sysID, with the license.
func codeOpt(id int64, m, sys string, exp time.Time, lic []byte) polarlicensetest.Option {
	return polarlicensetest.WithActivationCode(order, polarlicense.ActivationCode{
		ID: id, Name: "pg-" + strconv.FormatInt(id, 10), MacAddress: m, SystemIdentifier: sys,
		ActivateAt: exp.AddDate(-1, 0, 0), ExpireAt: exp,
	}, polarlicense.NewCertContent(base64.StdEncoding.EncodeToString(lic)))
}

func newFixture(t *testing.T, opts ...polarlicensetest.Option) *fixture {
	t.Helper()
	f := &fixture{
		path:     filepath.Join(t.TempDir(), "license.lic"),
		pgdata:   dataDir(t, sysID),
		stateDir: filepath.Join(t.TempDir(), "state"),
	}
	require.NoError(t, os.WriteFile(f.path, license, 0o644))
	base := []polarlicensetest.Option{
		polarlicensetest.WithoutDemoData(),
		polarlicensetest.WithOrders(polarlicense.LicenseOrder{AliyunOrderID: order, Engine: polarlicense.EnginePG,
			PackageType: polarlicense.PackagePrimaryBackupLongTerm, ActivationCodeQuota: 10}),
	}
	f.srv = polarlicensetest.NewServer(append(base, opts...)...)
	t.Cleanup(f.srv.Close)
	c, err := polarlicense.NewClient(f.srv.ClientOptions()...)
	require.NoError(t, err)
	f.client = c
	return f
}

// record keeps, in the state directory, a record of the license file as
// license ensure writes one.
func (f *fixture) record(t *testing.T, m, sys string, exp time.Time) {
	t.Helper()
	require.NoError(t, polarlicense.RecordLicenseFile(f.stateDir, &polarlicense.LicenseRecord{
		Path: f.path, SHA256: sum(license), AliyunOrderID: order, ActivationCodeID: codeID,
		MacAddress: m, SystemIdentifier: sys, ExpireAt: exp, WrittenAt: now.AddDate(0, -1, 0),
	}))
}

// options checks the fixture's node: pgdata, the MAC given, offline.
func (f *fixture) options() nodecheck.Options {
	return nodecheck.Options{LicensePath: f.path, PGData: f.pgdata, MacAddress: mac, StateDir: f.stateDir, Now: func() time.Time { return now }}
}

// dataDir writes a data directory whose control file holds id, as
// PostgreSQL 13 to 16 write it (version 1300, the CRC at offset 288).
func dataDir(t *testing.T, id string) string {
	t.Helper()
	n, err := strconv.ParseUint(id, 10, 64)
	require.NoError(t, err)
	b := make([]byte, 8192)
	binary.NativeEndian.PutUint64(b, n)
	binary.NativeEndian.PutUint32(b[8:], 1300)
	binary.NativeEndian.PutUint32(b[288:], crc32.Checksum(b[:288], crc32.MakeTable(crc32.Castagnoli)))
	dir := t.TempDir()
	require.NoError(t, os.Mkdir(filepath.Join(dir, "global"), 0o700))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "global", "pg_control"), b, 0o600))
	return dir
}

func run(t *testing.T, opts nodecheck.Options) *nodecheck.Report {
	t.Helper()
	r, err := nodecheck.Run(context.Background(), opts)
	require.NoError(t, err)
	require.Len(t, r.Checks, len(nodecheck.CheckNames), "every check is in the report")
	for i, c := range r.Checks {
		assert.Equal(t, nodecheck.CheckNames[i], c.Name)
		assert.NotEmpty(t, c.Message, c.Name)
	}
	assert.NotContains(t, r.Text(), string(license[:20]), "the license never shows")
	return r
}

// failing lists the names of the failing checks.
func failing(r *nodecheck.Report) []string {
	var names []string
	for _, c := range r.Checks {
		if c.Failing() {
			names = append(names, c.Name)
		}
	}
	return names
}

func TestOfflineOK(t *testing.T) {
	f := newFixture(t)
	f.record(t, mac, sysID, expiry)
	r := run(t, f.options())
	assert.Equal(t, nodecheck.OK, r.Status, r.Text())
	assert.Empty(t, failing(r))
	assert.Equal(t, "record", r.IdentifiedBy)
	assert.Equal(t, &nodecheck.Code{AliyunOrderID: order, ActivationCodeID: codeID, MacAddress: mac, SystemIdentifier: sysID, ExpireAt: expiry}, r.Code)
	require.NotNil(t, r.DaysLeft)
	assert.Equal(t, 365, *r.DaysLeft)
	assert.True(t, r.ExpireAt.Equal(expiry))
	assert.Equal(t, sysID, r.SystemIdentifier)
	assert.Equal(t, sum(license), r.SHA256)
	assert.False(t, r.Online.Asked)
	assert.Contains(t, r.Online.Reason, "offline")
	assert.True(t, strings.HasPrefix(r.FirstLine(), "LICENSE OK - "+f.path+" holds activation code 21 of order "+order), r.FirstLine())
	assert.Contains(t, r.FirstLine(), "365 days left")
	ln := r.Check(nodecheck.CheckLicenseNotForThisHost)
	assert.False(t, ln.Checked, "offline: not asked")
	assert.Equal(t, 0, f.srv.RequestCount(""), "nothing sent")

	lines := strings.Split(strings.TrimSuffix(r.Text(), "\n"), "\n")
	require.Len(t, lines, 1+len(nodecheck.CheckNames))
	assert.Equal(t, r.FirstLine(), lines[0])
	assert.True(t, strings.HasPrefix(lines[1], "file-missing ok: "), lines[1])
	assert.True(t, strings.HasPrefix(lines[6], "license-not-for-this-host skipped: "), lines[6])
}

func TestOnlineOK(t *testing.T) {
	f := newFixture(t,
		codeOpt(codeID, mac, sysID, expiry, license),
		codeOpt(22, mac, sysID, expiry.AddDate(1, 0, 0), []byte("a newer license, not in the file")),
		codeOpt(23, otherMac, otherID, expiry, []byte("another host's")),
	)
	opts := f.options()
	opts.Service, opts.OrderID = f.client, order
	r := run(t, opts)
	assert.Equal(t, nodecheck.OK, r.Status, r.Text())
	assert.Equal(t, "service", r.IdentifiedBy, "no record: the service alone")
	assert.True(t, r.Online.Asked)
	assert.Equal(t, int64(codeID), r.Code.ActivationCodeID)
	assert.True(t, r.Check(nodecheck.CheckLicenseNotForThisHost).Checked)
	assert.Equal(t, 2, f.srv.RequestCount("DescribeActivationCodeDetails"), "the newest first, then the file's: never another host's")

	// Without a system identifier, the codes bound to the MAC address are
	// compared, and no other.
	f.srv.ResetRequests()
	noID := opts
	noID.PGData = ""
	r = run(t, noID)
	assert.Equal(t, nodecheck.OK, r.Status, r.Text())
	assert.Equal(t, int64(codeID), r.Code.ActivationCodeID)
	assert.False(t, r.Check(nodecheck.CheckSystemIdentifierMismatch).Checked)
	assert.Equal(t, 2, f.srv.RequestCount("DescribeActivationCodeDetails"))

	// With the record: both agree; the order comes from the record.
	f.record(t, mac, sysID, expiry)
	opts.OrderID = ""
	r = run(t, opts)
	assert.Equal(t, nodecheck.OK, r.Status, r.Text())
	assert.Equal(t, "record+service", r.IdentifiedBy)
}

// An order that allows it issues codes bound to a MAC address alone: the
// file holding one is this host's when the MAC address is.
func TestOnlineCodeWithoutSystemIdentifier(t *testing.T) {
	f := newFixture(t,
		codeOpt(codeID, mac, "", expiry, license),
		codeOpt(22, mac, sysID, expiry, []byte("this host's other code")),
		codeOpt(23, otherMac, "", expiry, []byte("another host's, bound to no system identifier")),
	)
	opts := f.options()
	opts.Service, opts.OrderID = f.client, order
	r := run(t, opts)
	assert.Equal(t, nodecheck.OK, r.Status, r.Text())
	assert.Equal(t, "service", r.IdentifiedBy)
	assert.Equal(t, int64(codeID), r.Code.ActivationCodeID)
	assert.Contains(t, r.Check(nodecheck.CheckSystemIdentifierMismatch).Message, "bound to no system identifier")
	assert.Equal(t, 2, f.srv.RequestCount("DescribeActivationCodeDetails"), "the system identifier's code, then the MAC address's: never another host's")

	// Another host's MAC-only code is not this host's.
	g := newFixture(t, codeOpt(23, otherMac, "", expiry, license))
	opts = g.options()
	opts.Service, opts.OrderID = g.client, order
	r = run(t, opts)
	assert.Equal(t, []string{nodecheck.CheckLicenseUnknown, nodecheck.CheckLicenseNotForThisHost}, failing(r))
	assert.Contains(t, r.Check(nodecheck.CheckLicenseNotForThisHost).Message,
		"bound to system identifier "+sysID+" (or to no system identifier and MAC address "+mac+")")
	assert.Equal(t, 0, g.srv.RequestCount("DescribeActivationCodeDetails"))
}

// A primary and its standby share the system identifier: the standby's
// license copied to the primary is found online, and is the wrong MAC
// address's.
func TestOnlineStandbysLicense(t *testing.T) {
	f := newFixture(t,
		codeOpt(22, mac, sysID, expiry, []byte("the primary's own")),
		codeOpt(codeID, otherMac, sysID, expiry, license), // the standby's, in the file
	)
	opts := f.options()
	opts.Service, opts.OrderID = f.client, order
	r := run(t, opts)
	assert.Equal(t, nodecheck.Critical, r.Status, r.Text())
	assert.Equal(t, []string{nodecheck.CheckMacMismatch}, failing(r))
	assert.Equal(t, int64(codeID), r.Code.ActivationCodeID)
	assert.Equal(t, "MAC address "+mac+" is not the code's "+otherMac+macHint, r.Summary)
}

func TestFileChecks(t *testing.T) {
	f := newFixture(t)
	f.record(t, mac, sysID, expiry)

	opts := f.options()
	opts.LicensePath = filepath.Join(t.TempDir(), "nothing.lic")
	r := run(t, opts)
	assert.Equal(t, nodecheck.Critical, r.Status)
	assert.Equal(t, []string{nodecheck.CheckFileMissing}, failing(r))
	assert.Equal(t, "LICENSE CRITICAL - "+opts.LicensePath+" does not exist: PolarDB will not start without its license (polarlicense license ensure writes this host's)", r.FirstLine())
	assert.False(t, r.Check(nodecheck.CheckExpired).Checked)

	// A control file that cannot be read is said even so: UNKNOWN, under
	// the CRITICAL of the missing file.
	opts.PGData = t.TempDir()
	r = run(t, opts)
	assert.Equal(t, nodecheck.Critical, r.Status)
	assert.Equal(t, []string{nodecheck.CheckFileMissing, nodecheck.CheckSystemIdentifierMismatch}, failing(r))
	assert.Equal(t, nodecheck.Unknown, r.Check(nodecheck.CheckSystemIdentifierMismatch).Level)
	assert.Equal(t, "LICENSE CRITICAL - "+opts.LicensePath+" does not exist: PolarDB will not start without its license (polarlicense license ensure writes this host's)", r.FirstLine(), "the worst first, alone")
	opts.PGData = f.pgdata

	// A symbolic link, even to the right license, is refused unopened.
	link := filepath.Join(t.TempDir(), "license.lic")
	require.NoError(t, os.Symlink(f.path, link))
	opts.LicensePath = link
	r = run(t, opts)
	assert.Equal(t, []string{nodecheck.CheckFileNotRegular}, failing(r))
	assert.Contains(t, r.Summary, "a symbolic link")
	assert.Empty(t, r.SHA256, "not read")

	opts.LicensePath = t.TempDir()
	r = run(t, opts)
	assert.Equal(t, []string{nodecheck.CheckFileNotRegular}, failing(r))
	assert.Contains(t, r.Summary, "a directory")

	// An empty file holds no license: PolarDB will not start with it, as
	// without one, which is critical, not unknown.
	empty := filepath.Join(t.TempDir(), "license.lic")
	require.NoError(t, os.WriteFile(empty, nil, 0o644))
	opts.LicensePath = empty
	r = run(t, opts)
	assert.Equal(t, nodecheck.Critical, r.Status, r.Text())
	assert.Equal(t, []string{nodecheck.CheckLicenseNotForThisHost}, failing(r))
	assert.Equal(t, "LICENSE CRITICAL - "+empty+" is empty: it holds no license, and PolarDB will not start with it (polarlicense license ensure writes this host's)", r.FirstLine())
	assert.False(t, r.Check(nodecheck.CheckLicenseUnknown).Checked)

	// Nor does a file larger than any license.
	require.NoError(t, os.WriteFile(empty, make([]byte, 1<<20+1), 0o644))
	r = run(t, opts)
	assert.Equal(t, nodecheck.Critical, r.Status, r.Text())
	assert.Equal(t, []string{nodecheck.CheckLicenseNotForThisHost}, failing(r))
	assert.Contains(t, r.Summary, "is larger than any license (over 1 MiB)")
}

func TestFileUnreadable(t *testing.T) {
	if os.Geteuid() == 0 {
		t.Skip("root reads a file of mode 0000")
	}
	f := newFixture(t)
	require.NoError(t, os.Chmod(f.path, 0))
	r := run(t, f.options())
	assert.Equal(t, nodecheck.Critical, r.Status)
	assert.Contains(t, failing(r), nodecheck.CheckFileUnreadable)
	assert.Contains(t, failing(r), nodecheck.CheckFileOwner, "the data directory is this user's too")
	assert.Contains(t, r.Check(nodecheck.CheckFileUnreadable).Message, "permission denied")
	assert.Contains(t, r.Check(nodecheck.CheckFileUnreadable).Message, "run the check as root", "what to do")

	// A directory above it the check's user may not enter.
	require.NoError(t, os.Chmod(f.path, 0o644))
	require.NoError(t, os.Chmod(filepath.Dir(f.path), 0o600))
	t.Cleanup(func() { _ = os.Chmod(filepath.Dir(f.path), 0o700) })
	r = run(t, f.options())
	assert.Equal(t, nodecheck.Critical, r.Status)
	assert.Contains(t, r.Check(nodecheck.CheckFileUnreadable).Message, "cannot look at "+f.path+": permission denied (the check runs as uid")

	// A control file the check's user may not read (0600, the database's).
	require.NoError(t, os.Chmod(filepath.Dir(f.path), 0o700))
	f.record(t, mac, sysID, expiry)
	require.NoError(t, os.Chmod(filepath.Join(f.pgdata, "global", "pg_control"), 0))
	r = run(t, f.options())
	assert.Equal(t, nodecheck.Unknown, r.Status, r.Text())
	assert.Contains(t, r.Check(nodecheck.CheckSystemIdentifierMismatch).Message, "permission denied (the check runs as uid")

	// A state directory the check's user may not read (0700, root's).
	require.NoError(t, os.Chmod(f.stateDir, 0))
	t.Cleanup(func() { _ = os.Chmod(f.stateDir, 0o700) })
	r = run(t, f.options())
	assert.Equal(t, nodecheck.Unknown, r.Check(nodecheck.CheckLicenseUnknown).Level, r.Text())
	assert.Contains(t, r.Check(nodecheck.CheckLicenseUnknown).Message, "permission denied (the check runs as uid")
}

func TestIdentityChecks(t *testing.T) {
	f := newFixture(t)

	// A new initdb: the record's code is bound to the old identifier.
	f.record(t, mac, otherID, expiry)
	r := run(t, f.options())
	assert.Equal(t, nodecheck.Critical, r.Status)
	assert.Equal(t, []string{nodecheck.CheckSystemIdentifierMismatch}, failing(r))
	assert.Equal(t, "LICENSE CRITICAL - system identifier "+sysID+" is not the code's "+otherID+" (a new initdb or pdbcli rebuild needs a new code)", r.FirstLine())

	// The identifier given rather than read.
	opts := f.options()
	opts.PGData, opts.SystemIdentifier = "", otherID
	r = run(t, opts)
	assert.Equal(t, nodecheck.OK, r.Status, r.Text())
	assert.True(t, r.Check(nodecheck.CheckFileOwner).Checked == false, "no data directory: no owner to check")

	// Another NIC.
	f.record(t, otherMac, sysID, expiry)
	r = run(t, f.options())
	assert.Equal(t, []string{nodecheck.CheckMacMismatch}, failing(r))
	assert.Equal(t, "LICENSE CRITICAL - MAC address "+mac+" is not the code's "+otherMac+macHint, r.FirstLine())

	// Both: the first line names one, and counts the rest.
	f.record(t, otherMac, otherID, expiry)
	r = run(t, f.options())
	assert.Equal(t, []string{nodecheck.CheckSystemIdentifierMismatch, nodecheck.CheckMacMismatch}, failing(r))
	assert.Contains(t, r.FirstLine(), "(and 1 more failure)")

	// A control file that cannot be read: the identifier check is UNKNOWN,
	// the other checks are made.
	f.record(t, mac, sysID, expiry)
	opts = f.options()
	opts.PGData = t.TempDir()
	r = run(t, opts)
	assert.Equal(t, nodecheck.Unknown, r.Status)
	c := r.Check(nodecheck.CheckSystemIdentifierMismatch)
	assert.Equal(t, nodecheck.Unknown, c.Level)
	assert.Contains(t, c.Message, "pg_control")
	assert.True(t, r.Check(nodecheck.CheckExpired).Checked)
}

func TestExpiry(t *testing.T) {
	f := newFixture(t)
	f.record(t, mac, sysID, now.Add(-48*time.Hour))
	r := run(t, f.options())
	assert.Equal(t, nodecheck.Critical, r.Status)
	assert.Equal(t, []string{nodecheck.CheckExpired}, failing(r))
	assert.Equal(t, -2, *r.DaysLeft)
	assert.Contains(t, r.Summary, "expired")
	assert.Contains(t, r.Summary, "2 days ago")
	assert.True(t, strings.HasSuffix(r.Summary, ": PolarDB will not start again; write this host's new license (polarlicense license ensure)"), r.Summary)
	assert.False(t, r.Check(nodecheck.CheckExpiring).Checked)

	// An hour ago: expired, the days counted whole.
	f.record(t, mac, sysID, now.Add(-time.Hour))
	r = run(t, f.options())
	assert.Equal(t, []string{nodecheck.CheckExpired}, failing(r))
	assert.Equal(t, -1, *r.DaysLeft)
	assert.Contains(t, r.Summary, "(less than a day ago)")
	f.record(t, mac, sysID, now.Add(-25*time.Hour))
	r = run(t, f.options())
	assert.Contains(t, r.Summary, "(1 day ago)")

	f.record(t, mac, sysID, now.Add(10*24*time.Hour))
	r = run(t, f.options())
	assert.Equal(t, nodecheck.Warning, r.Status)
	assert.Equal(t, []string{nodecheck.CheckExpiring}, failing(r))
	assert.Equal(t, "LICENSE WARNING - code 21 expires at 2030-06-11T12:00:00Z, in 10 days (within 30 days): renew it before then (polarlicense license ensure --renew-within)", r.FirstLine())

	opts := f.options()
	opts.Within = 7 * 24 * time.Hour
	r = run(t, opts)
	assert.Equal(t, nodecheck.OK, r.Status, "not within 7 days")

	// A record without an expiry time (the service sent the code without
	// one): nothing shows that it has not expired, which is no pass.
	f.record(t, mac, sysID, time.Time{})
	r = run(t, f.options())
	assert.Equal(t, nodecheck.Unknown, r.Status, r.Text())
	assert.Equal(t, []string{nodecheck.CheckExpired}, failing(r))
	assert.False(t, r.Check(nodecheck.CheckExpired).Checked)
	assert.False(t, r.Check(nodecheck.CheckExpiring).Checked)
	assert.Equal(t, "LICENSE UNKNOWN - the expiry time of code 21 of order "+order+" is not known: nothing shows that it has not expired (see it with polarlicense codes get "+order+" 21)", r.FirstLine())
	assert.Nil(t, r.DaysLeft)
}

// The service's code without an expiry time, the record's with one: the
// record's, of the same code, dates it.
func TestExpiryFromTheRecordWhenTheServiceHasNone(t *testing.T) {
	f := newFixture(t, codeOpt(codeID, mac, sysID, expiry, license))
	opts := f.options()
	opts.Service, opts.OrderID = undatedService{f.client}, order
	r := run(t, opts)
	assert.Equal(t, nodecheck.Unknown, r.Status, "no record, an undated code: %s", r.Text())
	assert.Equal(t, []string{nodecheck.CheckExpired}, failing(r))

	f.record(t, mac, sysID, expiry)
	r = run(t, opts)
	assert.Equal(t, nodecheck.OK, r.Status, r.Text())
	assert.Equal(t, "record+service", r.IdentifiedBy)
	require.NotNil(t, r.ExpireAt)
	assert.True(t, expiry.Equal(*r.ExpireAt))
}

func TestUnknownAndNotForThisHost(t *testing.T) {
	// Nobody recorded it and there is nothing to ask: UNKNOWN.
	f := newFixture(t, codeOpt(codeID, mac, sysID, expiry, license))
	r := run(t, f.options())
	assert.Equal(t, nodecheck.Unknown, r.Status)
	assert.Equal(t, []string{nodecheck.CheckLicenseUnknown}, failing(r))
	assert.Contains(t, r.Summary, "nothing identifies the license")
	assert.Contains(t, r.Summary, "no record of it")
	assert.NoDirExists(t, f.stateDir, "a check creates no state directory")

	// A service, but no order to ask about.
	opts := f.options()
	opts.Service = f.client
	r = run(t, opts)
	assert.Equal(t, nodecheck.Unknown, r.Status)
	assert.Contains(t, r.Summary, "give the order id")
	assert.Equal(t, 0, f.srv.RequestCount(""))

	// The license of another host copied here: the service has no code of
	// this host holding it.
	g := newFixture(t, codeOpt(codeID, otherMac, otherID, expiry, license), codeOpt(22, mac, sysID, expiry, []byte("this host's own")))
	opts = g.options()
	opts.Service, opts.OrderID = g.client, order
	r = run(t, opts)
	assert.Equal(t, nodecheck.Critical, r.Status)
	assert.Equal(t, []string{nodecheck.CheckLicenseUnknown, nodecheck.CheckLicenseNotForThisHost}, failing(r))
	assert.Contains(t, r.Check(nodecheck.CheckLicenseNotForThisHost).Message, "bound to system identifier "+sysID)
	assert.True(t, strings.HasSuffix(r.Summary, ": another host's license, or this host's identity changed: this host needs its own (polarlicense license ensure writes it)"), r.Summary)
	// With the record of where it came from, the mismatches are named too,
	// and the first line names the cause, with what to do.
	g.record(t, otherMac, otherID, expiry)
	r = run(t, opts)
	assert.Equal(t, []string{nodecheck.CheckLicenseNotForThisHost, nodecheck.CheckSystemIdentifierMismatch, nodecheck.CheckMacMismatch}, failing(r))
	assert.Equal(t, "record", r.IdentifiedBy)
	assert.Equal(t, "LICENSE CRITICAL - system identifier "+sysID+" is not the code's "+otherID+" (a new initdb or pdbcli rebuild needs a new code) (and 2 more failures)", r.FirstLine())
}

// undatedService answers as its Service does, every code without an
// expiry time (as the SDK decodes a missing, null or empty ExpireAt).
type undatedService struct{ nodecheck.Service }

func (s undatedService) DescribeActivationCodes(ctx context.Context, req *polarlicense.DescribeActivationCodesRequest) (*polarlicense.DescribeActivationCodesResponse, error) {
	resp, err := s.Service.DescribeActivationCodes(ctx, req)
	if resp != nil {
		for i := range resp.Items {
			resp.Items[i].ExpireAt = time.Time{}
		}
	}
	return resp, err
}

func (s undatedService) DescribeActivationCodeDetails(ctx context.Context, req *polarlicense.DescribeActivationCodeDetailsRequest) (*polarlicense.DescribeActivationCodeDetailsResponse, error) {
	resp, err := s.Service.DescribeActivationCodeDetails(ctx, req)
	if resp != nil {
		resp.ExpireAt = time.Time{}
	}
	return resp, err
}

// failingService answers every call with err.
type failingService struct{ err error }

func (s failingService) DescribeActivationCodes(context.Context, *polarlicense.DescribeActivationCodesRequest) (*polarlicense.DescribeActivationCodesResponse, error) {
	return nil, s.err
}

func (s failingService) DescribeActivationCodeDetails(context.Context, *polarlicense.DescribeActivationCodeDetailsRequest) (*polarlicense.DescribeActivationCodeDetailsResponse, error) {
	return nil, s.err
}

func TestServiceUnavailable(t *testing.T) {
	f := newFixture(t)
	opts := f.options()
	opts.OrderID = order

	// No credentials: offline, as without a service.
	opts.Service = failingService{&polarlicense.CredentialError{Reason: "none of the default chain's sources is set up"}}
	f.record(t, mac, sysID, expiry)
	r := run(t, opts)
	assert.Equal(t, nodecheck.OK, r.Status, r.Text())
	assert.False(t, r.Online.Asked)
	assert.Contains(t, r.Online.Reason, "offline: no credentials")

	// The service failing: the record still identifies the license.
	opts.Service = failingService{errors.New("polarlicense: send: connection refused")}
	r = run(t, opts)
	assert.Equal(t, nodecheck.OK, r.Status)
	assert.Contains(t, r.Check(nodecheck.CheckLicenseNotForThisHost).Message, "connection refused")

	// Without a record it is UNKNOWN, and says why.
	opts.StateDir = t.TempDir()
	r = run(t, opts)
	assert.Equal(t, nodecheck.Unknown, r.Status)
	assert.Contains(t, r.Summary, "connection refused")

	// A real client whose credentials the service refuses.
	c, err := polarlicense.NewClient(polarlicense.WithEndpoint(f.srv.URL), polarlicense.WithAccessKey("wrong", "wrong"))
	require.NoError(t, err)
	opts.Service = c
	r = run(t, opts)
	assert.Equal(t, nodecheck.Unknown, r.Status)
	assert.Contains(t, r.Online.Reason, "the service could not be asked")
	assert.NotContains(t, r.Text(), "wrong\"", "no secret")
}

func TestRunValidation(t *testing.T) {
	base := nodecheck.Options{LicensePath: "/x/license.lic"}
	cases := map[string]func(o *nodecheck.Options){
		"no path":     func(o *nodecheck.Options) { o.LicensePath = "" },
		"both ids":    func(o *nodecheck.Options) { o.PGData, o.SystemIdentifier = "/d", sysID },
		"both macs":   func(o *nodecheck.Options) { o.Interface, o.MacAddress = "eth0", mac },
		"bad sysid":   func(o *nodecheck.Options) { o.SystemIdentifier = "73451188230015482O1" },
		"float sysid": func(o *nodecheck.Options) { o.SystemIdentifier = "7.3e18" },
		"bad mac":     func(o *nodecheck.Options) { o.MacAddress = "00:16:3e" },
		"within":      func(o *nodecheck.Options) { o.Within = -time.Hour },
	}
	for name, mod := range cases {
		o := base
		mod(&o)
		_, err := nodecheck.Run(context.Background(), o)
		var ve *polarlicense.ValidationError
		assert.ErrorAs(t, err, &ve, name)
	}
}

func TestReportJSON(t *testing.T) {
	f := newFixture(t)
	f.record(t, mac, sysID, now.Add(10*24*time.Hour))
	r := run(t, f.options())
	b, err := json.Marshal(r)
	require.NoError(t, err)
	var m map[string]any
	require.NoError(t, json.Unmarshal(b, &m))
	for _, k := range []string{"status", "summary", "license_path", "sha256", "code", "expire_at", "days_left", "checks", "checked_at"} {
		assert.Contains(t, m, k)
	}
	assert.Equal(t, "WARNING", m["status"])
	assert.EqualValues(t, 10, m["days_left"])
	var back nodecheck.Report
	require.NoError(t, json.Unmarshal(b, &back))
	assert.Equal(t, r.Checks, back.Checks)
	assert.Equal(t, nodecheck.Warning, back.Status)
	assert.NotContains(t, string(b), base64.StdEncoding.EncodeToString(license)[:16])
}

func TestLevel(t *testing.T) {
	for l, s := range map[nodecheck.Level]string{nodecheck.OK: "OK", nodecheck.Warning: "WARNING", nodecheck.Critical: "CRITICAL", nodecheck.Unknown: "UNKNOWN"} {
		assert.Equal(t, s, l.String())
	}
	assert.Equal(t, "Level(7)", nodecheck.Level(7).String())
	var l nodecheck.Level
	assert.Error(t, json.Unmarshal([]byte(`"FINE"`), &l))
}

// A data directory that is not there: the file-owner check names it.
func TestDataDirectoryGone(t *testing.T) {
	f := newFixture(t)
	f.record(t, mac, sysID, expiry)
	opts := f.options()
	opts.PGData = filepath.Join(t.TempDir(), "data")
	r := run(t, opts)
	assert.Equal(t, nodecheck.Unknown, r.Status, r.Text())
	c := r.Check(nodecheck.CheckFileOwner)
	assert.Equal(t, nodecheck.Unknown, c.Level)
	assert.Equal(t, "cannot find the database's user, the owner of the data directory "+opts.PGData+": no such file or directory", c.Message)
}

// The interface named is gone (a NIC replaced, which renamed it too): when
// no interface of the host has the code's MAC address, the license will
// not load, CRITICAL; when another has it, the check cannot tell, UNKNOWN.
func TestNamedInterfaceGone(t *testing.T) {
	f := newFixture(t)
	f.record(t, mac, sysID, expiry)
	opts := f.options()
	opts.MacAddress, opts.Interface = "", "polarlicense-gone0"
	r := run(t, opts)
	assert.Equal(t, nodecheck.Critical, r.Status, r.Text())
	assert.Equal(t, []string{nodecheck.CheckMacMismatch}, failing(r))
	c := r.Check(nodecheck.CheckMacMismatch)
	assert.True(t, c.Checked)
	assert.Contains(t, c.Message, `no network interface is named "polarlicense-gone0"`)
	assert.Contains(t, c.Message, "and no interface of this host has the code's MAC address "+mac)
	assert.Contains(t, c.Message, macHint)

	// An interface that is down but has the code's address: UNKNOWN too.
	all, err := net.Interfaces()
	require.NoError(t, err)
	for _, i := range all {
		if i.Flags&net.FlagUp == 0 && len(i.HardwareAddr) == 6 {
			f.record(t, i.HardwareAddr.String(), sysID, expiry)
			r = run(t, opts)
			assert.Equal(t, nodecheck.Unknown, r.Status, r.Text())
			assert.Contains(t, r.Check(nodecheck.CheckMacMismatch).Message, "(interface "+i.Name+" has the code's MAC address")
			break
		}
	}

	list, err := hostid.CandidateInterfaces()
	require.NoError(t, err)
	if len(list) == 0 {
		t.Log("no interface up with a MAC address here: the UNKNOWN case is not tried")
		return
	}
	f.record(t, list[0].MacAddress, sysID, expiry)
	r = run(t, opts)
	assert.Equal(t, nodecheck.Unknown, r.Status, r.Text())
	assert.Equal(t, nodecheck.Unknown, r.Check(nodecheck.CheckMacMismatch).Level)
	assert.Contains(t, r.Check(nodecheck.CheckMacMismatch).Message, "(interface "+list[0].Name+" has the code's MAC address: name it with --interface)")
}

// --order names another order than the record's (the fleet's usual order,
// the node's license from another): the service is asked about the
// record's order too, and confirms the license there. It used to say
// CRITICAL, "this host needs its own", which would spend quota on a code
// the host has.
func TestOrderOtherThanTheRecords(t *testing.T) {
	const usual = "239618016570999"
	f := newFixture(t, codeOpt(codeID, mac, sysID, expiry, license),
		polarlicensetest.WithOrders(polarlicense.LicenseOrder{AliyunOrderID: usual, Engine: polarlicense.EnginePG,
			PackageType: polarlicense.PackagePrimaryBackupLongTerm, ActivationCodeQuota: 10}))
	f.record(t, mac, sysID, expiry)
	opts := f.options()
	opts.Service, opts.OrderID = f.client, usual
	r := run(t, opts)
	assert.Equal(t, nodecheck.OK, r.Status, r.Text())
	assert.Equal(t, "record+service", r.IdentifiedBy)
	assert.Equal(t, order, r.Code.AliyunOrderID)

	// Neither order has it: both are named.
	g := newFixture(t, codeOpt(codeID, mac, sysID, expiry, []byte("another license")),
		polarlicensetest.WithOrders(polarlicense.LicenseOrder{AliyunOrderID: usual, Engine: polarlicense.EnginePG,
			PackageType: polarlicense.PackagePrimaryBackupLongTerm, ActivationCodeQuota: 10}))
	g.record(t, mac, sysID, expiry)
	opts = g.options()
	opts.Service, opts.OrderID = g.client, usual
	r = run(t, opts)
	assert.Equal(t, []string{nodecheck.CheckLicenseNotForThisHost}, failing(r), r.Text())
	assert.Contains(t, r.Summary, "the service has no code of order "+usual+" or "+order+" bound to")
}
