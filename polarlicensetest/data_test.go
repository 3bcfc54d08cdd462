package polarlicensetest_test

import (
	"context"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	polarlicense "github.com/polarlicense/polarlicense-go"
	"github.com/polarlicense/polarlicense-go/polarlicensetest"
)

func TestReadDataSeedsOrdersAndCodes(t *testing.T) {
	f, err := os.Open("testdata/data.json")
	require.NoError(t, err)
	defer f.Close()
	opts, err := polarlicensetest.ReadData(f)
	require.NoError(t, err)
	srv := polarlicensetest.NewServer(append([]polarlicensetest.Option{polarlicensetest.WithoutDemoData()}, opts...)...)
	defer srv.Close()

	orders := srv.Orders()
	require.Len(t, orders, 2)
	pg := orders[0]
	assert.Equal(t, "100000000000001", pg.AliyunOrderID)
	assert.Equal(t, polarlicense.EnginePG, pg.Engine)
	assert.Equal(t, polarlicense.PackageSingleNodeSubscribe, pg.PackageType)
	assert.Equal(t, "1 year", pg.PackageValidity, "the default of its package type")
	assert.Equal(t, 3, pg.ActivationCodeQuota)
	assert.Equal(t, 2, pg.ActivatedCodeCount, "raised to its number of codes")
	assert.Equal(t, time.Date(2026, 1, 26, 2, 0, 0, 0, time.UTC), pg.GmtCreated.UTC(), "China Standard Time")
	assert.True(t, orders[1].IsVirtualOrder)
	assert.True(t, orders[1].IsVirtualOrderFrozen)

	codes := srv.Codes(pg.AliyunOrderID)
	require.Len(t, codes, 2)
	assert.Equal(t, int64(7), codes[0].ID)
	assert.Equal(t, "pg-node-1", codes[0].Name)
	assert.Equal(t, int64(8), codes[1].ID, "counted up")

	c, err := polarlicense.NewClient(srv.ClientOptions()...)
	require.NoError(t, err)
	out, err := c.DescribeActivationCodeDetails(context.Background(), &polarlicense.DescribeActivationCodeDetailsRequest{AliyunOrderID: pg.AliyunOrderID, ActivationCodeID: 7})
	require.NoError(t, err)
	assert.Equal(t, "bGljZW5zZQ==", out.CertContentB64.Reveal())
	assert.Equal(t, "7345118823001540001", out.SystemIdentifier)
	assert.Equal(t, time.Date(2027, 1, 26, 2, 0, 0, 0, time.UTC), out.ExpireAt.UTC())
}

func TestReadDataIsStrict(t *testing.T) {
	order := func(extra string) string {
		return `{"Orders":[{"AliyunOrderId":"1","Engine":"PG"` + extra + `}]}`
	}
	for name, tc := range map[string]struct{ in, want string }{
		"unknown key":       {order(`,"Quota":3`), `unknown field "Quota"`},
		"unknown top key":   {`{"Orders":[],"Codes":[]}`, `unknown field "Codes"`},
		"wrong type":        {order(`,"ActivationCodeQuota":"3"`), "cannot unmarshal"},
		"no order id":       {`{"Orders":[{"Engine":"PG"}]}`, "missing AliyunOrderId"},
		"no engine":         {`{"Orders":[{"AliyunOrderId":"1"}]}`, "missing Engine"},
		"bad engine":        {order(`,"Engine":"DB2"`), `Engine "DB2"`},
		"negative quota":    {order(`,"ActivationCodeQuota":-1`), "negative ActivationCodeQuota"},
		"bad time":          {order(`,"GmtCreated":"yesterday"`), `GmtCreated "yesterday"`},
		"duplicate order":   {`{"Orders":[{"AliyunOrderId":"1","Engine":"PG"},{"AliyunOrderId":"1","Engine":"PG"}]}`, "given twice"},
		"bad mac":           {order(`,"ActivationCodes":[{"Name":"a","MacAddress":"nope"}]`), `MacAddress "nope"`},
		"bad name":          {order(`,"ActivationCodes":[{"Name":"a b","MacAddress":"00:16:3e:00:00:01"}]`), `Name "a b"`},
		"no name":           {order(`,"ActivationCodes":[{"MacAddress":"00:16:3e:00:00:01"}]`), `Name ""`},
		"duplicate code id": {order(`,"ActivationCodes":[{"Id":1,"Name":"a","MacAddress":"00:16:3e:00:00:01"},{"Id":1,"Name":"b","MacAddress":"00:16:3e:00:00:02"}]`), "Id 1 given twice"},
		"bad base64":        {order(`,"ActivationCodes":[{"Name":"a","MacAddress":"00:16:3e:00:00:01","CertContentB64":"%%%"}]`), "bad CertContentB64"},
		"trailing text":     {`{"Orders":[]} x`, "after the JSON object"},
		"two values":        {`{"Orders":[]}{"Orders":[]}`, "after the JSON object"},
		"not an object":     {`[]`, "cannot unmarshal"},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := polarlicensetest.ReadData(strings.NewReader(tc.in))
			require.Error(t, err)
			assert.Contains(t, err.Error(), tc.want)
		})
	}
}
