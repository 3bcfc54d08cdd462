package polarlicense_test

import (
	"fmt"

	polarlicense "github.com/polarlicense/polarlicense-go"
)

// A host inside an Alibaba Cloud VPC without Internet access calls its
// region's VPC endpoint; without a region there is none to call.
func ExampleWithEndpointType() {
	client, err := polarlicense.NewClient(polarlicense.WithAccessKey("LTAI-id", "secret"),
		polarlicense.WithRegion("cn-hangzhou"), polarlicense.WithEndpointType(polarlicense.EndpointVPC))
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(client.Endpoint())

	_, err = polarlicense.NewClient(polarlicense.WithAccessKey("LTAI-id", "secret"), polarlicense.WithEndpointType(polarlicense.EndpointVPC))
	fmt.Println(err)
	// Output:
	// https://polardb-vpc.cn-hangzhou.aliyuncs.com
	// polarlicense: NewClient: WithEndpointType(EndpointVPC) needs a region (WithRegion, such as cn-hangzhou): there is no central VPC endpoint
}

func ExampleEndpointHost() {
	fmt.Println(polarlicense.EndpointHost("cn-hangzhou"))
	fmt.Println(polarlicense.EndpointHost("ap-southeast-1"))
	fmt.Println(polarlicense.EndpointHost("cn-hangzhou", polarlicense.EndpointVPC))
	// Output:
	// polardb.aliyuncs.com
	// polardb.ap-southeast-1.aliyuncs.com
	// polardb-vpc.cn-hangzhou.aliyuncs.com
}
