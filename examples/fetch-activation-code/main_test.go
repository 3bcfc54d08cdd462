package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"testing"

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
	var out bytes.Buffer
	require.NoError(t, run(context.Background(), &out, polarlicensetest.DemoOrderPG, codes[0].ID, path, false))
	assert.Contains(t, out.String(), codes[0].Name)
	assert.Contains(t, out.String(), "license written to "+path)
	got, err := os.ReadFile(path)
	require.NoError(t, err)
	assert.Equal(t, want, got)
	assert.NotContains(t, out.String(), cert.Reveal(), "the license is never printed")
}
