package main

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/polarlicense/polarlicense-go/polarlicensetest"
)

func TestRunListsEveryOrder(t *testing.T) {
	srv := polarlicensetest.NewServer()
	defer srv.Close()
	t.Setenv("POLARLICENSE_ENDPOINT", srv.URL)
	t.Setenv("ALIBABA_CLOUD_ACCESS_KEY_ID", srv.AccessKeyID)
	t.Setenv("ALIBABA_CLOUD_ACCESS_KEY_SECRET", srv.AccessKeySecret)

	var out bytes.Buffer
	require.NoError(t, run(context.Background(), &out, false))
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	assert.Len(t, lines, 1+len(srv.Orders()), "a header and one line per order")
	assert.Contains(t, out.String(), polarlicensetest.DemoOrderNearlySpent)
	assert.Regexp(t, polarlicensetest.DemoOrderNearlySpent+`\s+PG\s+primary_backup_subscribe\s+aliyun_market\s+4/5\s+1\s+false`, out.String())

	out.Reset()
	require.NoError(t, run(context.Background(), &out, true))
	assert.Contains(t, out.String(), polarlicensetest.DemoVirtualOrderFrozen)
	assert.NotContains(t, out.String(), polarlicensetest.DemoOrderNearlySpent, "-virtual lists only virtual orders")
}
