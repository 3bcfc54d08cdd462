package main

import (
	"errors"

	polarlicense "github.com/polarlicense/polarlicense-go"
)

// envEndpointType is read when --endpoint-type is not given.
const envEndpointType = "POLARLICENSE_ENDPOINT_TYPE"

// endpointTypeValue is the --endpoint-type flag: public or vpc.
type endpointTypeValue struct {
	t   polarlicense.EndpointType
	set bool
}

// String returns the type, for the help text: empty until set, so that no
// default is shown (the default depends on the environment).
func (v *endpointTypeValue) String() string {
	if !v.set {
		return ""
	}
	return v.t.String()
}

// Set parses public or vpc.
func (v *endpointTypeValue) Set(s string) error {
	t, err := polarlicense.ParseEndpointType(s)
	if err != nil {
		return errWantEndpointType
	}
	v.t, v.set = t, true
	return nil
}

// Type names the value in the help text.
func (v *endpointTypeValue) Type() string { return "type" }

// errWantEndpointType is what a bad --endpoint-type is told.
var errWantEndpointType = errors.New("want public, or vpc for a host inside an Alibaba Cloud VPC")

// endpointTypeOption is the client option of --endpoint-type, else of
// $POLARLICENSE_ENDPOINT_TYPE, else none (the public endpoint). The VPC
// endpoint needs a region unless an endpoint is given outright: that is
// said here, in the flags' terms, rather than by the client.
func (a *app) endpointTypeOption(region, endpoint string) (polarlicense.Option, error) {
	t, source := a.endpointType.t, "--endpoint-type vpc"
	if !a.endpointType.set {
		s := a.env.getenv(envEndpointType)
		if s == "" {
			return nil, nil
		}
		var err error
		if t, err = polarlicense.ParseEndpointType(s); err != nil {
			return nil, usagef("$%s is %q: %s", envEndpointType, s, errWantEndpointType)
		}
		source = "$" + envEndpointType + "=vpc"
	}
	if t == polarlicense.EndpointVPC && region == "" && endpoint == "" {
		return nil, usagef("%s needs a region, as every region has a VPC endpoint of its own and there is no central one: "+
			"give --region, such as --region cn-hangzhou, or set $%s", source, envRegion)
	}
	return polarlicense.WithEndpointType(t), nil
}
