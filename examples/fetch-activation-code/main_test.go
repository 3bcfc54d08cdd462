package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/polarlicense/polarlicense-go/polarlicensetest"
)

func TestRunWritesTheLicense(t *testing.T) {
	srv := polarlicensetest.NewServer()
	defer srv.Close()
	t.Setenv("POLARLICENSE_ENDPOINT", srv.URL)
	t.Setenv("ALIBABA_CLOUD_ACCESS_KEY_ID", srv.AccessKeyID)
	t.Setenv("ALIBABA_CLOUD_ACCESS_KEY_SECRET", srv.AccessKeySecret)

	codes := srv.Codes(polarlicensetest.DemoOrderPG)
	require.NotEmpty(t, codes)
	_, cert, ok := srv.Code(polarlicensetest.DemoOrderPG, codes[0].ID)
	require.True(t, ok)
	want, err := cert.Decode()
	require.NoError(t, err)

	path := filepath.Join(t.TempDir(), "license.lic")
	var out, errOut bytes.Buffer
	require.NoError(t, run(context.Background(), &out, &errOut, polarlicensetest.DemoOrderPG, codes[0].ID, path, false))
	assert.Contains(t, out.String(), codes[0].Name)
	assert.Contains(t, out.String(), "license written to "+path)
	got, err := os.ReadFile(path)
	require.NoError(t, err)
	assert.Equal(t, want, got)
	assert.NotContains(t, out.String(), cert.Reveal(), "the license is never printed")
	assert.Empty(t, errOut.String(), "an unexpired code: no note")
}

// The license of an expired code is written as asked, and a note says the
// database will not start again with it: a license that will not load does
// not go unnoticed.
func TestRunNotesAnExpiredCode(t *testing.T) {
	srv := polarlicensetest.NewServer()
	defer srv.Close()
	t.Setenv("POLARLICENSE_ENDPOINT", srv.URL)
	t.Setenv("ALIBABA_CLOUD_ACCESS_KEY_ID", srv.AccessKeyID)
	t.Setenv("ALIBABA_CLOUD_ACCESS_KEY_SECRET", srv.AccessKeySecret)

	codes := srv.Codes(polarlicensetest.DemoOrderOracle) // ora-1, expired a fortnight ago
	require.Len(t, codes, 1)
	require.True(t, codes[0].Expired(time.Now()))
	path := filepath.Join(t.TempDir(), "license.lic")
	var out, errOut bytes.Buffer
	require.NoError(t, run(context.Background(), &out, &errOut, polarlicensetest.DemoOrderOracle, codes[0].ID, path, false))
	assert.FileExists(t, path, "written as asked")
	assert.Equal(t, "note: activation code "+strconv.FormatInt(codes[0].ID, 10)+" expired on "+codes[0].ExpireAt.Format("2006-01-02")+
		": the database keeps running, but will not start again with this license; it needs a new code\n", errOut.String())
}
