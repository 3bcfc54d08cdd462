package polarlicense

import (
	"errors"
	"strconv"
	"strings"
)

// Endpoint resolution. PolarDB serves most regions from one central endpoint; a
// fixed set of regions has an endpoint of its own, as listed in Alibaba
// Cloud's endpoint table for PolarDB (the API reference's "Endpoints" page).

// DefaultEndpointHost is the central PolarDB OpenAPI endpoint, used for every
// region without an endpoint of its own (cn-hangzhou, cn-beijing, cn-shanghai, …)
// and when no region is given.
const DefaultEndpointHost = "polardb.aliyuncs.com"

// regionalEndpoints lists the regions that have their own endpoint,
// polardb.<region>.aliyuncs.com.
var regionalEndpoints = map[string]bool{
	"us-west-1": true, "us-east-1": true, "na-south-1": true, "me-east-1": true,
	"eu-west-1": true, "eu-central-1": true,
	"cn-zhangjiakou": true, "cn-shenzhen": true, "cn-shenzhen-finance-1": true,
	"cn-shanghai-finance-1": true, "cn-huhehaote": true, "cn-hongkong": true,
	"cn-guangzhou": true, "cn-chengdu": true,
	"ap-southeast-1": true, "ap-southeast-2": true, "ap-southeast-3": true,
	"ap-southeast-5": true, "ap-southeast-6": true, "ap-southeast-7": true,
	"ap-south-1": true, "ap-northeast-1": true, "ap-northeast-2": true,
}

// EndpointHost returns the PolarDB OpenAPI host name for region: by default
// (EndpointPublic) its own endpoint where it has one, the central
// DefaultEndpointHost otherwise; with EndpointVPC its VPC endpoint,
// polardb-vpc.<region>.aliyuncs.com, for every region (there is no central
// VPC endpoint: for the region "" it returns ""). Of several types given,
// the last counts.
func EndpointHost(region string, endpointType ...EndpointType) string {
	if n := len(endpointType); n > 0 && endpointType[n-1] == EndpointVPC {
		if region == "" {
			return ""
		}
		return "polardb-vpc." + region + ".aliyuncs.com"
	}
	if regionalEndpoints[region] {
		return "polardb." + region + ".aliyuncs.com"
	}
	return DefaultEndpointHost
}

// EndpointType chooses which of PolarDB's OpenAPI endpoints a client calls:
// the public one, reached over the Internet, or the VPC one, reached from
// inside an Alibaba Cloud VPC without Internet access.
type EndpointType int

const (
	// EndpointPublic is the public endpoint: the region's own
	// polardb.<region>.aliyuncs.com where it has one, else the central
	// DefaultEndpointHost. It is the default.
	EndpointPublic EndpointType = iota
	// EndpointVPC is the region's VPC endpoint,
	// polardb-vpc.<region>.aliyuncs.com, which every region has and which
	// hosts inside an Alibaba Cloud VPC reach without Internet access. There
	// is no central VPC endpoint: a client calling it needs a region.
	EndpointVPC
)

// String names the type as the command-line tool's --endpoint-type does:
// "public" or "vpc".
func (t EndpointType) String() string {
	switch t {
	case EndpointPublic:
		return "public"
	case EndpointVPC:
		return "vpc"
	}
	return "EndpointType(" + strconv.Itoa(int(t)) + ")"
}

// ParseEndpointType reads "public" or "vpc" (any case), as String writes
// them; anything else is an error saying what is accepted.
func ParseEndpointType(s string) (EndpointType, error) {
	switch strings.ToLower(s) {
	case "public":
		return EndpointPublic, nil
	case "vpc":
		return EndpointVPC, nil
	}
	return 0, errors.New("endpoint type " + strconv.Quote(s) + ": want public or vpc")
}

// WithEndpointType chooses the public (EndpointPublic, the default) or the
// VPC (EndpointVPC) endpoint of WithRegion's region (see EndpointHost).
// With EndpointVPC a region is required: NewClient fails without one.
// WithEndpoint overrides both.
func WithEndpointType(t EndpointType) Option {
	return func(s *settings) error {
		if t != EndpointPublic && t != EndpointVPC {
			return errors.New("WithEndpointType: unknown endpoint type " + t.String() + ": want EndpointPublic or EndpointVPC")
		}
		s.endpointType = t
		return nil
	}
}

// endpointFor is the default endpoint URL of a client: that of the region
// and type, or an error when the type needs a region and none is given.
func endpointFor(region string, t EndpointType) (string, error) {
	if t == EndpointVPC && region == "" {
		return "", errors.New("WithEndpointType(EndpointVPC) needs a region (WithRegion, such as cn-hangzhou): there is no central VPC endpoint")
	}
	return "https://" + EndpointHost(region, t), nil
}
