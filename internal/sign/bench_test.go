package sign

import "testing"

// rpcBenchParams is a realistic RPC request: the common parameters plus a
// few business parameters, in the unsorted order a client builds them.
var rpcBenchParams = []Param{
	{"Action", "DescribeLicenseOrders"},
	{"Version", "2017-08-01"},
	{"Format", "JSON"},
	{"AccessKeyId", "LTAI5tExampleAccessKeyId"},
	{"SignatureMethod", "HMAC-SHA1"},
	{"SignatureNonce", "3f1c7e0a9b2d4c6e8f0a1b2c3d4e5f60"},
	{"Timestamp", "2024-05-06T07:08:09Z"},
	{"SignatureVersion", "1.0"},
	{"PageNumber", "1"},
	{"PageSize", "20"},
	{"AliyunOrderId", "2148593412345678"},
	{"VirtualOrder", "false"},
}

func BenchmarkRPCSign(b *testing.B) {
	b.ReportAllocs()
	var s RPCSigner
	params := make([]Param, len(rpcBenchParams))
	query := make([]byte, 0, 512)
	sig := make([]byte, 0, 64)
	for b.Loop() {
		copy(params, rpcBenchParams)
		SortParams(params)
		query = AppendCanonicalQuery(query[:0], params)
		sig = s.Sign(sig[:0], "POST", query, "exampleAccessKeySecret0123456789")
	}
}

// v3BenchQuery holds the business parameters of a V3 request; the common
// ones travel in headers.
var v3BenchQuery = []Param{
	{"PageNumber", "1"},
	{"PageSize", "20"},
	{"AliyunOrderId", "2148593412345678"},
	{"VirtualOrder", "false"},
}

// v3BenchHeaders is the canonical header list a client builds, sorted.
var v3BenchHeaders = []Param{
	{"host", "polardb.aliyuncs.com"},
	{"x-acs-action", "DescribeLicenseOrders"},
	{"x-acs-content-sha256", EmptyPayloadHash},
	{"x-acs-date", "2024-05-06T07:08:09Z"},
	{"x-acs-signature-nonce", "3f1c7e0a9b2d4c6e8f0a1b2c3d4e5f60"},
	{"x-acs-version", "2017-08-01"},
}

func BenchmarkV3Sign(b *testing.B) {
	b.ReportAllocs()
	var s V3Signer
	params := make([]Param, len(v3BenchQuery))
	query := make([]byte, 0, 512)
	sig := make([]byte, 0, 64)
	auth := make([]byte, 0, 256)
	for b.Loop() {
		copy(params, v3BenchQuery)
		SortParams(params)
		query = AppendCanonicalQuery(query[:0], params)
		sig = s.Sign(sig[:0], "POST", "/", query, v3BenchHeaders, EmptyPayloadHash, "exampleAccessKeySecret0123456789")
		auth = AppendAuthorization(auth[:0], "LTAI5tExampleAccessKeyId", v3BenchHeaders, sig)
	}
}

func BenchmarkAppendEscape(b *testing.B) {
	b.ReportAllocs()
	buf := make([]byte, 0, 256)
	for b.Loop() {
		buf = AppendEscape(buf[:0], "Action=DescribeLicenseOrders&Timestamp=2024-05-06T07:08:09Z&Name=a b*~")
	}
}

func BenchmarkAppendNonce(b *testing.B) {
	b.ReportAllocs()
	buf := make([]byte, 0, 32)
	for b.Loop() {
		buf = AppendNonce(buf[:0])
	}
}

func BenchmarkRPCSignParallel(b *testing.B) {
	b.ReportAllocs()
	var s RPCSigner
	b.RunParallel(func(pb *testing.PB) {
		params := make([]Param, len(rpcBenchParams))
		query := make([]byte, 0, 512)
		sig := make([]byte, 0, 64)
		for pb.Next() {
			copy(params, rpcBenchParams)
			SortParams(params)
			query = AppendCanonicalQuery(query[:0], params)
			sig = s.Sign(sig[:0], "POST", query, "exampleAccessKeySecret0123456789")
		}
	})
}
