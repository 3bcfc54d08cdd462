package polarlicense

import (
	"encoding/json"
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"time"
)

// License records: what the state directory keeps of each license file
// written, so that a later look at a license.lic (a node check, an exporter)
// can say which code, order and host it belongs to without asking the
// service and without the license itself.

// ErrNoLicenseRecord is wrapped by the error of LookupLicenseRecord when the
// state directory holds no record of a license with that SHA-256.
var ErrNoLicenseRecord = errors.New("no record of this license in the state directory")

// LicenseRecord is what the state directory keeps of a license file written
// (never the license itself): where it went, its SHA-256, and the code it
// belongs to.
type LicenseRecord struct {
	// Path is where the license was written, as the writer named it.
	Path string `json:"path"`
	// SHA256 is the hex SHA-256 of the file's bytes (the decoded license).
	SHA256 string `json:"sha256"`
	// AliyunOrderID is the order of the code, when the writer knew it.
	AliyunOrderID string `json:"aliyun_order_id"`
	// ActivationCodeID is the code's id, or 0 if the writer did not know it.
	ActivationCodeID int64 `json:"activation_code_id"`
	// MacAddress is the MAC address the code is bound to, normalised.
	MacAddress string `json:"mac_address"`
	// SystemIdentifier is the system identifier the code is bound to.
	SystemIdentifier string `json:"system_identifier"`
	// ExpireAt is when the code expires (zero if unknown).
	ExpireAt time.Time `json:"expire_at"`
	// WrittenAt is when the record was made.
	WrittenAt time.Time `json:"written_at"`
}

// maxRecordSize bounds what is read of a record file: a record is a few
// hundred bytes.
const maxRecordSize = 64 << 10

// RecordLicenseFile keeps rec in the state directory stateDir (created with
// StateDirMode if need be), under rec.SHA256, replacing a record of the same
// license: the last writer of a license is the one recorded. The write is
// atomic and durable (synced, renamed into place, directory synced).
// rec.SHA256 must be 64 hex digits (it is stored in lower case); a zero
// WrittenAt is set to the current time; a valid MacAddress is stored
// normalised. Errors are *ValidationError (a bad SHA256) or *StateDirError.
func RecordLicenseFile(stateDir string, rec *LicenseRecord) error {
	if rec == nil {
		return &ValidationError{Operation: "RecordLicenseFile", Field: "rec", Reason: "is required"}
	}
	sum, ok := normalSHA256(rec.SHA256)
	if !ok {
		return &ValidationError{Operation: "RecordLicenseFile", Field: "SHA256", Reason: "must be 64 hex digits"}
	}
	if stateDir == "" {
		return &ValidationError{Operation: "RecordLicenseFile", Field: "stateDir", Reason: "is required"}
	}
	r := *rec
	r.SHA256 = sum
	r.MacAddress = normalMac(r.MacAddress)
	if r.WrittenAt.IsZero() {
		r.WrittenAt = time.Now()
	}
	data, err := json.MarshalIndent(&r, "", "  ")
	if err != nil {
		return &StateDirError{Dir: stateDir, Op: "write", Err: err}
	}
	dir, err := makeStateDir(stateDir, "licenses")
	if err != nil {
		return err
	}
	if err := writeFileDurable(dir, sum+".json", append(data, '\n')); err != nil {
		return &StateDirError{Dir: stateDir, Op: "write", Err: unwrapPathError(err)}
	}
	return nil
}

// LookupLicenseRecord returns the record of the license whose SHA-256 is
// sha256hex (64 hex digits, either case) in the state directory stateDir.
// When there is none (or no state directory), the error wraps
// ErrNoLicenseRecord; a record that cannot be read is a *StateDirError.
func LookupLicenseRecord(stateDir, sha256hex string) (*LicenseRecord, error) {
	sum, ok := normalSHA256(sha256hex)
	if !ok {
		return nil, &ValidationError{Operation: "LookupLicenseRecord", Field: "sha256hex", Reason: "must be 64 hex digits"}
	}
	if stateDir == "" {
		// No state directory, no record (not a licenses/ directory below
		// the working directory).
		return nil, ErrNoLicenseRecord
	}
	f, err := os.Open(filepath.Join(stateDir, "licenses", sum+".json"))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, ErrNoLicenseRecord
	}
	if err != nil {
		return nil, &StateDirError{Dir: stateDir, Op: "read", Err: unwrapPathError(err)}
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, maxRecordSize))
	if err != nil {
		return nil, &StateDirError{Dir: stateDir, Op: "read", Err: unwrapPathError(err)}
	}
	var rec LicenseRecord
	if err := json.Unmarshal(data, &rec); err != nil {
		return nil, &StateDirError{Dir: stateDir, Op: "read", Err: errors.New("the record of license " + sum + " is not valid JSON: " + err.Error())}
	}
	if rec.SHA256 != sum {
		return nil, &StateDirError{Dir: stateDir, Op: "read", Err: errors.New("the record of license " + sum + " names another license (" + printable(rec.SHA256, 64) + ")")}
	}
	return &rec, nil
}

// normalSHA256 returns a hex SHA-256 in lower case, and whether s is one.
func normalSHA256(s string) (string, bool) {
	if len(s) != 64 {
		return "", false
	}
	b := []byte(s)
	for i, c := range b {
		switch {
		case c >= '0' && c <= '9', c >= 'a' && c <= 'f':
		case c >= 'A' && c <= 'F':
			b[i] = c + 'a' - 'A'
		default:
			return "", false
		}
	}
	return string(b), true
}
