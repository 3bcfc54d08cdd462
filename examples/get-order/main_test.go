package main

import (
	"bytes"
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/polarlicense/polarlicense-go/polarlicensetest"
)

func TestRunPrintsOneOrder(t *testing.T) {
	srv := polarlicensetest.NewServer()
	defer srv.Close()
	t.Setenv("POLARLICENSE_ENDPOINT", srv.URL)
	t.Setenv("ALIBABA_CLOUD_ACCESS_KEY_ID", srv.AccessKeyID)
	t.Setenv("ALIBABA_CLOUD_ACCESS_KEY_SECRET", srv.AccessKeySecret)

	var out bytes.Buffer
	require.NoError(t, run(context.Background(), &out, polarlicensetest.DemoVirtualOrderFrozen))
	assert.Contains(t, out.String(), "order "+polarlicensetest.DemoVirtualOrderFrozen+" (Oracle, pre_generation_long_term")
	assert.Contains(t, out.String(), "codes: 3 of 10 used, 7 left")
	assert.Contains(t, out.String(), "frozen: true")

	err := run(context.Background(), &out, "404404404")
	require.Error(t, err)
	assert.Contains(t, err.Error(), "NotFound")
	assert.Contains(t, err.Error(), "request id")
}
