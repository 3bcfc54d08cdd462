package polarlicense

import (
	"context"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// hostRecorder is a transport that sends nothing over the network: it
// records the host each request is addressed to and answers an empty page
// of DescribeLicenseOrders.
type hostRecorder struct {
	mu    sync.Mutex
	hosts []string // URL host, then Host header, per request
}

func (h *hostRecorder) RoundTrip(r *http.Request) (*http.Response, error) {
	h.mu.Lock()
	h.hosts = append(h.hosts, r.URL.Scheme+"://"+r.URL.Host, r.Host)
	h.mu.Unlock()
	if r.Body != nil {
		_ = r.Body.Close()
	}
	body := `{"RequestId":"rec-1","PageNumber":1,"PageRecordCount":0,"TotalRecordCount":0,"Items":[]}`
	return &http.Response{
		StatusCode: 200, Status: "200 OK", Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1,
		Header:        http.Header{"Content-Type": {"application/json"}},
		Body:          io.NopCloser(strings.NewReader(body)),
		ContentLength: int64(len(body)),
		Request:       r,
	}, nil
}

func TestEndpointHostTypes(t *testing.T) {
	cases := []struct {
		region string
		typ    []EndpointType
		want   string
	}{
		{"", nil, DefaultEndpointHost},
		{"cn-hangzhou", nil, "polardb.aliyuncs.com"},
		{"ap-southeast-1", nil, "polardb.ap-southeast-1.aliyuncs.com"},
		{"cn-hangzhou", []EndpointType{EndpointPublic}, "polardb.aliyuncs.com"},
		{"ap-southeast-1", []EndpointType{EndpointPublic}, "polardb.ap-southeast-1.aliyuncs.com"},
		// Every region has a VPC endpoint, those served centrally in public too.
		{"cn-hangzhou", []EndpointType{EndpointVPC}, "polardb-vpc.cn-hangzhou.aliyuncs.com"},
		{"ap-southeast-1", []EndpointType{EndpointVPC}, "polardb-vpc.ap-southeast-1.aliyuncs.com"},
		{"eu-central-1", []EndpointType{EndpointVPC}, "polardb-vpc.eu-central-1.aliyuncs.com"},
		{"", []EndpointType{EndpointVPC}, ""},
		{"cn-beijing", []EndpointType{EndpointVPC, EndpointPublic}, "polardb.aliyuncs.com"},
	}
	for _, tc := range cases {
		assert.Equal(t, tc.want, EndpointHost(tc.region, tc.typ...), "%s %v", tc.region, tc.typ)
	}
}

func TestParseEndpointType(t *testing.T) {
	for in, want := range map[string]EndpointType{"public": EndpointPublic, "vpc": EndpointVPC, "VPC": EndpointVPC, "Public": EndpointPublic} {
		got, err := ParseEndpointType(in)
		require.NoError(t, err, in)
		assert.Equal(t, want, got, in)
		assert.Equal(t, strings.ToLower(in), got.String())
	}
	for _, bad := range []string{"", "internet", "vpc ", "intranet"} {
		_, err := ParseEndpointType(bad)
		require.Error(t, err, bad)
		assert.Contains(t, err.Error(), "want public or vpc")
	}
	assert.Equal(t, "EndpointType(7)", EndpointType(7).String())
}

func TestEndpointTypeClient(t *testing.T) {
	cases := []struct {
		opts []Option
		want string
	}{
		{[]Option{WithRegion("cn-hangzhou"), WithEndpointType(EndpointVPC)}, "https://polardb-vpc.cn-hangzhou.aliyuncs.com"},
		{[]Option{WithEndpointType(EndpointVPC), WithRegion("ap-southeast-1")}, "https://polardb-vpc.ap-southeast-1.aliyuncs.com"},
		{[]Option{WithRegion("ap-southeast-1"), WithEndpointType(EndpointPublic)}, "https://polardb.ap-southeast-1.aliyuncs.com"},
		{[]Option{WithRegion("cn-hangzhou"), WithEndpointType(EndpointVPC), WithEndpointType(EndpointPublic)}, "https://polardb.aliyuncs.com"},
		// WithEndpoint overrides the type, and then no region is needed.
		{[]Option{WithEndpointType(EndpointVPC), WithEndpoint("http://127.0.0.1:9000")}, "http://127.0.0.1:9000"},
	}
	for _, tc := range cases {
		c, err := NewClient(append([]Option{WithAccessKey("id", "secret")}, tc.opts...)...)
		require.NoError(t, err)
		assert.Equal(t, tc.want, c.Endpoint())
	}
}

func TestEndpointVPCNeedsRegion(t *testing.T) {
	rec := &hostRecorder{}
	c, err := NewClient(WithAccessKey("id", "secret"), WithEndpointType(EndpointVPC), WithHTTPClient(&http.Client{Transport: rec}))
	require.Error(t, err)
	assert.Nil(t, c)
	assert.Equal(t, "polarlicense: NewClient: WithEndpointType(EndpointVPC) needs a region (WithRegion, such as cn-hangzhou): there is no central VPC endpoint", err.Error())
	assert.Empty(t, rec.hosts, "nothing is sent")

	_, err = NewClient(WithAccessKey("id", "secret"), WithEndpointType(EndpointType(9)))
	require.Error(t, err)
	assert.Contains(t, err.Error(), "WithEndpointType: unknown endpoint type EndpointType(9)")
}

// TestEndpointVPCRequestHost shows where requests go: to the region's VPC
// host, in the URL and in the Host header (which the V3 signature signs).
func TestEndpointVPCRequestHost(t *testing.T) {
	for _, alg := range []SignatureAlgorithm{SignatureV3, SignatureRPC} {
		t.Run(alg.String(), func(t *testing.T) {
			rec := &hostRecorder{}
			c, err := NewClient(WithAccessKey("id", "secret"), WithRegion("cn-hangzhou"), WithEndpointType(EndpointVPC),
				WithSignatureAlgorithm(alg), WithHTTPClient(&http.Client{Transport: rec}))
			require.NoError(t, err)
			_, err = c.DescribeLicenseOrders(context.Background(), &DescribeLicenseOrdersRequest{})
			require.NoError(t, err)
			assert.Equal(t, []string{"https://polardb-vpc.cn-hangzhou.aliyuncs.com", "polardb-vpc.cn-hangzhou.aliyuncs.com"}, rec.hosts)
		})
	}
}

// TestEndpointHostEveryRegion holds EndpointHost to the endpoint table of
// the API reference (see the project's api-facts): the regions with an
// endpoint of their own, those served by the central one, and the VPC
// endpoint that every region has.
func TestEndpointHostEveryRegion(t *testing.T) {
	own := []string{
		"us-west-1", "us-east-1", "na-south-1", "me-east-1", "eu-west-1", "eu-central-1",
		"cn-zhangjiakou", "cn-shenzhen", "cn-shenzhen-finance-1", "cn-shanghai-finance-1",
		"cn-huhehaote", "cn-hongkong", "cn-guangzhou", "cn-chengdu",
		"ap-southeast-1", "ap-southeast-2", "ap-southeast-3", "ap-southeast-5", "ap-southeast-6", "ap-southeast-7",
		"ap-south-1", "ap-northeast-1", "ap-northeast-2",
	}
	central := []string{"cn-hangzhou", "cn-beijing", "cn-shanghai", "cn-qingdao"}
	assert.Len(t, regionalEndpoints, len(own), "no region has an endpoint of its own that the table lacks")
	for _, region := range own {
		want := "polardb." + region + ".aliyuncs.com"
		assert.Equal(t, want, EndpointHost(region), region)
		assert.Equal(t, want, EndpointHost(region, EndpointPublic), region)
	}
	for _, region := range central {
		assert.Equal(t, "polardb.aliyuncs.com", EndpointHost(region), region)
		assert.Equal(t, "polardb.aliyuncs.com", EndpointHost(region, EndpointPublic), region)
	}
	for _, region := range append(own, central...) {
		want := "polardb-vpc." + region + ".aliyuncs.com"
		assert.Equal(t, want, EndpointHost(region, EndpointVPC), region)
		c, err := NewClient(WithAccessKey("id", "secret"), WithRegion(region), WithEndpointType(EndpointVPC))
		require.NoError(t, err, region)
		assert.Equal(t, "https://"+want, c.Endpoint(), region)
	}
}
