// Package compat proves, in its tests, that the polarlicensetest emulator
// accepts the requests of Alibaba Cloud's own Go clients: the older
// github.com/aliyun/alibaba-cloud-sdk-go (services/polardb, RPC signature)
// and the current github.com/alibabacloud-go/darabonba-openapi/v2 (V3
// signature by default, RPC signature with SignatureAlgorithm "v2"). It is a
// module of its own so that users of github.com/polarlicense/polarlicense-go
// never download those SDKs.
package compat
