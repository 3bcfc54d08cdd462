package main

import (
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// hostRecorder is a transport that sends nothing over the network: it
// records the host of each request and answers an empty page of orders.
type hostRecorder struct {
	mu    sync.Mutex
	hosts []string
}

func (h *hostRecorder) RoundTrip(r *http.Request) (*http.Response, error) {
	h.mu.Lock()
	h.hosts = append(h.hosts, r.URL.Scheme+"://"+r.Host)
	h.mu.Unlock()
	if r.Body != nil {
		_ = r.Body.Close()
	}
	body := `{"RequestId":"rec-1","PageNumber":1,"PageRecordCount":0,"TotalRecordCount":0,"Items":[]}`
	return &http.Response{StatusCode: 200, Status: "200 OK", Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1,
		Header: http.Header{"Content-Type": {"application/json"}}, Body: io.NopCloser(strings.NewReader(body)),
		ContentLength: int64(len(body)), Request: r}, nil
}

// endpointEnv is an environment with an AccessKey, vars, and a recording transport.
func endpointEnv(vars map[string]string) (environment, *hostRecorder) {
	rec := &hostRecorder{}
	env := testEnv(nil)
	all := map[string]string{envKeyID: "id", envSecret: "secret"}
	for k, v := range vars {
		all[k] = v
	}
	env.getenv = func(k string) string { return all[k] }
	env.transport = rec
	return env, rec
}

func TestEndpointTypeVPC(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name string
		vars map[string]string
		args []string
		want string
	}{
		{"flag", nil, []string{"--region", "cn-hangzhou", "--endpoint-type", "vpc"}, "https://polardb-vpc.cn-hangzhou.aliyuncs.com"},
		{"flag, region from the environment", map[string]string{envRegion: "ap-southeast-1"}, []string{"--endpoint-type", "vpc"}, "https://polardb-vpc.ap-southeast-1.aliyuncs.com"},
		{"environment", map[string]string{envEndpointType: "vpc"}, []string{"--region", "eu-central-1"}, "https://polardb-vpc.eu-central-1.aliyuncs.com"},
		{"flag beats environment", map[string]string{envEndpointType: "vpc"}, []string{"--region", "ap-southeast-1", "--endpoint-type", "public"}, "https://polardb.ap-southeast-1.aliyuncs.com"},
		{"public by default", nil, []string{"--region", "cn-hangzhou"}, "https://polardb.aliyuncs.com"},
		{"--endpoint beats the type", map[string]string{envEndpointType: "vpc"}, []string{"--endpoint", "https://polardb.example.test"}, "https://polardb.example.test"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			env, rec := endpointEnv(tc.vars)
			r := ok(t, runIn(t, env, append(tc.args, "orders", "list", "-o", "json")...))
			assert.Equal(t, "[]\n", r.stdout)
			assert.Equal(t, []string{tc.want}, rec.hosts)
		})
	}
}

func TestEndpointTypeErrors(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name string
		vars map[string]string
		args []string
		want string
	}{
		{"bad flag", nil, []string{"--region", "cn-hangzhou", "--endpoint-type", "internet"},
			`polarlicense: invalid argument "internet" for "--endpoint-type" flag: want public, or vpc for a host inside an Alibaba Cloud VPC (see "polarlicense orders list --help")`},
		{"bad environment", map[string]string{envEndpointType: "intranet"}, []string{"--region", "cn-hangzhou"},
			`polarlicense: $POLARLICENSE_ENDPOINT_TYPE is "intranet": want public, or vpc for a host inside an Alibaba Cloud VPC (see "polarlicense orders list --help")`},
		{"vpc without a region", nil, []string{"--endpoint-type", "vpc"},
			`polarlicense: --endpoint-type vpc needs a region, as every region has a VPC endpoint of its own and there is no central one: give --region, such as --region cn-hangzhou, or set $ALIBABA_CLOUD_REGION_ID (see "polarlicense orders list --help")`},
		{"environment's vpc without a region", map[string]string{envEndpointType: "vpc"}, nil,
			`polarlicense: $POLARLICENSE_ENDPOINT_TYPE=vpc needs a region, as every region has a VPC endpoint of its own and there is no central one: give --region, such as --region cn-hangzhou, or set $ALIBABA_CLOUD_REGION_ID (see "polarlicense orders list --help")`},
		{"with --emulator", nil, []string{"--emulator", "--endpoint-type", "vpc"},
			`polarlicense: --emulator cannot be combined with --endpoint-type (see "polarlicense orders list --help")`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			env, rec := endpointEnv(tc.vars)
			r := runIn(t, env, append(tc.args, "orders", "list")...)
			assert.Equal(t, exitUsage, r.code)
			assert.Equal(t, tc.want+"\n", r.stderr)
			assert.Empty(t, r.stdout)
			require.Empty(t, rec.hosts, "nothing is sent")
		})
	}
}

func TestEndpointTypeCompletion(t *testing.T) {
	t.Parallel()
	r := runIn(t, testEnv(nil), "__complete", "orders", "list", "--endpoint-type", "")
	require.Equal(t, exitOK, r.code)
	assert.Equal(t, "public\nvpc\n:4\n", r.stdout)
}
