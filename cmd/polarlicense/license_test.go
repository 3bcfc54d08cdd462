package main

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	polarlicense "github.com/polarlicense/polarlicense-go"
	"github.com/polarlicense/polarlicense-go/polarlicensetest"
)

// licenseFromAPI fetches a code's CertContentB64 with the SDK and decodes it
// with the standard library.
func licenseFromAPI(t *testing.T, srv *polarlicensetest.Server, order string, id int64) []byte {
	t.Helper()
	client, err := polarlicense.NewClient(srv.ClientOptions()...)
	require.NoError(t, err)
	out, err := client.DescribeActivationCodeDetails(context.Background(), &polarlicense.DescribeActivationCodeDetailsRequest{
		AliyunOrderID: order, ActivationCodeID: id,
	})
	require.NoError(t, err)
	data, err := base64.StdEncoding.DecodeString(out.CertContentB64.Reveal())
	require.NoError(t, err)
	require.NotEmpty(t, data)
	return data
}

func TestLicenseWrite(t *testing.T) {
	t.Parallel()
	srv := newServer(t)
	order := polarlicensetest.DemoOrderPG
	code := srv.Codes(order)[0]
	id := strconv.FormatInt(code.ID, 10)
	want := licenseFromAPI(t, srv, order, code.ID)
	path := filepath.Join(t.TempDir(), "license.lic")

	r := ok(t, runLive(t, srv, "license", "write", order, id, "--out", path, "-o", "json"))
	got, err := os.ReadFile(path)
	require.NoError(t, err)
	assert.Equal(t, want, got)
	assert.True(t, strings.HasPrefix(string(got), polarlicensetest.FakeLicensePrefix))
	fi, err := os.Stat(path)
	require.NoError(t, err)
	assert.Equal(t, os.FileMode(0o600), fi.Mode().Perm())

	sum := sha256.Sum256(want)
	assert.Equal(t, licenseRecord{
		AliyunOrderID: order, ActivationCodeID: code.ID, Path: path, Bytes: len(want),
		SHA256: hex.EncodeToString(sum[:]), Mode: "0600", Written: true,
	}, decodeJSON[licenseRecord](t, r.stdout))
	assert.NotContains(t, r.stdout, base64.StdEncoding.EncodeToString(want)[:40], "the license is not printed")

	// The same license again: left as it is, even without --force.
	r = ok(t, runLive(t, srv, "license", "write", order, id, "--out", path, "-o", "json"))
	assert.False(t, decodeJSON[licenseRecord](t, r.stdout).Written)

	r = ok(t, runLive(t, srv, "license", "write", order, id, "--out", path, "-o", "csv"))
	header, rows := decodeCSV(t, r.stdout)
	assert.Equal(t, []string{"aliyun_order_id", "activation_code_id", "path", "bytes", "sha256", "mode", "written"}, header)
	assert.Equal(t, []map[string]string{{"aliyun_order_id": order, "activation_code_id": id, "path": path,
		"bytes": strconv.Itoa(len(want)), "sha256": hex.EncodeToString(sum[:]), "mode": "0600", "written": "false"}}, rows)

	r = ok(t, runLive(t, srv, "license", "write", order, id, "--out", path, "-o", "table"))
	assert.Equal(t, path+" already holds this license ("+strconv.Itoa(len(want))+" bytes, mode 0600, sha256 "+hex.EncodeToString(sum[:])+
		"): activation code "+id+" of order "+order+"; left as it is\n", r.stdout)
}

func TestLicenseWriteRefusesToOverwrite(t *testing.T) {
	t.Parallel()
	srv := newServer(t)
	order := polarlicensetest.DemoOrderPG
	codes := srv.Codes(order)
	path := filepath.Join(t.TempDir(), "license.lic")
	require.NoError(t, os.WriteFile(path, []byte("another license\n"), 0o644))

	r := runLive(t, srv, "license", "write", order, strconv.FormatInt(codes[0].ID, 10), "--out", path)
	assert.Equal(t, exitFailure, r.code)
	assert.Empty(t, r.stdout)
	assert.Equal(t, "polarlicense: "+path+" already holds a different license; pass --force to replace it", oneLineOn(t, r.stderr))
	got, err := os.ReadFile(path)
	require.NoError(t, err)
	assert.Equal(t, "another license\n", string(got), "untouched")

	r = ok(t, runLive(t, srv, "license", "write", order, strconv.FormatInt(codes[0].ID, 10), "--out", path, "--force", "-o", "table"))
	assert.True(t, strings.HasPrefix(r.stdout, "wrote "+path+" ("), r.stdout)
	got, err = os.ReadFile(path)
	require.NoError(t, err)
	assert.Equal(t, licenseFromAPI(t, srv, order, codes[0].ID), got)
	fi, err := os.Stat(path)
	require.NoError(t, err)
	assert.Equal(t, os.FileMode(0o644), fi.Mode().Perm(), "a replaced file keeps its mode")

	// Another code's license is a different file: refused without --force.
	r = runLive(t, srv, "license", "write", order, strconv.FormatInt(codes[1].ID, 10), "--out", path)
	assert.Equal(t, exitFailure, r.code)
	assert.Contains(t, r.stderr, "already holds a different license")
}

func TestLicenseWriteDefaultPathAndErrors(t *testing.T) {
	t.Parallel()
	srv := newServer(t)
	order := polarlicensetest.DemoOrderMySQL
	code := srv.Codes(order)[0]

	dir := t.TempDir()
	r := runAt(t, srv, "license", "write", order, strconv.FormatInt(code.ID, 10), "--out", filepath.Join(dir, "missing", "license.lic"))
	assert.Equal(t, exitFailure, r.code)
	assert.Equal(t, "polarlicense: cannot write "+filepath.Join(dir, "missing", "license.lic")+": "+filepath.Join(dir, "missing")+" is not a directory that exists", oneLineOn(t, r.stderr))

	r = runAt(t, srv, "license", "write", order, "77", "--out", filepath.Join(dir, "license.lic"))
	assert.Equal(t, exitFailure, r.code)
	assert.Contains(t, oneLineOn(t, r.stderr), "order "+order+" has no activation code 77")
	_, err := os.Stat(filepath.Join(dir, "license.lic"))
	assert.ErrorIs(t, err, os.ErrNotExist)

	cmd := licenseWriteDefaultOut(t)
	assert.Equal(t, "license.lic", cmd)
}

// licenseWriteDefaultOut returns the default of license write's --out.
func licenseWriteDefaultOut(t *testing.T) string {
	t.Helper()
	a := &app{env: testEnv(nil)}
	f := a.licenseWriteCommand().Flags().Lookup("out")
	require.NotNil(t, f)
	return f.DefValue
}

// runLive runs a command line against srv with the clock of the emulator's
// demo codes (the real one), at which they are unexpired; the tests' clock
// (auditNow) is years ahead.
func runLive(t *testing.T, srv *polarlicensetest.Server, args ...string) result {
	t.Helper()
	env := testEnv(srv)
	env.now = time.Now
	return runIn(t, env, args...)
}

// An expired code's license is written as asked, but a note says it will
// not load (it was written with exit 0 and not a word).
func TestLicenseWriteOfAnExpiredCodeSaysSo(t *testing.T) {
	t.Parallel()
	srv := newServer(t)
	order := polarlicensetest.DemoOrderPG
	var expired polarlicense.ActivationCode
	for _, c := range srv.Codes(order) {
		if c.Expired(auditNow) {
			expired = c
			break
		}
	}
	require.NotZero(t, expired.ID, "a demo code expired at the tests' clock")
	dir := t.TempDir()
	r := runAt(t, srv, "license", "write", order, strconv.FormatInt(expired.ID, 10), "--out", filepath.Join(dir, "license.lic"), "-o", "json")
	require.Equal(t, exitOK, r.code, r.stderr)
	assert.Contains(t, r.stderr, "note: activation code "+strconv.FormatInt(expired.ID, 10)+" expired on "+expired.ExpireAt.UTC().Format("2006-01-02"))
	assert.Contains(t, r.stderr, "will not start again")

	// An unexpired one: no note.
	r = runLive(t, srv, "license", "write", order, strconv.FormatInt(expired.ID, 10), "--out", filepath.Join(dir, "license.lic"), "-o", "json")
	require.Equal(t, exitOK, r.code, r.stderr)
	assert.Empty(t, r.stderr)
}
