package polarlicense

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

// EndpointHost returns the PolarDB OpenAPI host name for region: its own
// endpoint where it has one, the central DefaultEndpointHost otherwise.
func EndpointHost(region string) string {
	if regionalEndpoints[region] {
		return "polardb." + region + ".aliyuncs.com"
	}
	return DefaultEndpointHost
}
