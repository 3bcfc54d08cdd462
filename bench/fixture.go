// Package bench compares the cost of one DescribeLicenseOrders call made
// through four Go clients against one local server in the same process:
// this repository's client, github.com/aliyun/alibaba-cloud-sdk-go,
// github.com/alibabacloud-go/darabonba-openapi/v2 (the engine of Alibaba's
// current SDK) and a minimal hand-written client. See BENCHMARKS.md at the
// repository root and run.sh in this directory.
//
// The package is a module of its own so that library users never download
// the other SDKs.
package bench

import (
	"net"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// The fixture: what every client asks for and what the server answers.
const (
	// OrderCount is the number of orders in the server's answer.
	OrderCount = 30
	// TotalRecordCount is what the answer claims across all pages.
	TotalRecordCount = 95
	// RequestID is the answer's RequestId.
	RequestID = "6C9D54B3-8E8A-4B0F-A5C2-3F0E1D7B2A94"
	// FirstOrderID and LastOrderID are the AliyunOrderId of the answer's
	// first and last item; the tests check them.
	FirstOrderID = "227638319690519"
	LastOrderID  = "227638319691461"

	// AccessKeyID and AccessKeySecret are fake credentials. The server
	// checks no signature, so every client pays only for computing one.
	AccessKeyID     = "LTAI5tBenchmarkKeyId00000"
	AccessKeySecret = "BenchmarkSecretNotARealSecret0000"

	// RegionID is the region the SDKs are configured with.
	RegionID = "cn-hangzhou"
)

// The request parameters every client sends: the first page of 30 orders
// bought through the standard purchase page, virtual orders excluded.
const (
	ParamPageNumber      = 1
	ParamPageSize        = 30
	ParamPurchaseChannel = "aliyun_public"
	ParamVirtualOrder    = false
)

var (
	engines      = [...]string{"PG", "Oracle", "MySQL"}
	packageTypes = [...]string{
		"single_node_subscribe", "single_node_long_term", "primary_backup_subscribe",
		"primary_backup_long_term", "pre_generation_long_term",
	}
	channels = [...]string{"aliyun_public", "aliyun_market"}
)

// orderID returns the AliyunOrderId of item i: distinct, 15 digits, not
// consecutive.
func orderID(i int) string {
	return strconv.Itoa(227638319690519 + i*18 + i*i/2)
}

// OrdersBody returns the server's answer: a DescribeLicenseOrders page of
// OrderCount orders shaped like the documented example (the same keys, in
// the same order, with the same kinds of value), every one distinct.
func OrdersBody() []byte {
	var b strings.Builder
	b.WriteString(`{"Items":[`)
	for i := range OrderCount {
		if i > 0 {
			b.WriteByte(',')
		}
		pkg := packageTypes[i%len(packageTypes)]
		validity := "1 year"
		if strings.HasSuffix(pkg, "_long_term") {
			validity = "30 years"
		}
		quota := 10 + 5*(i%4)
		virtual := pkg == "pre_generation_long_term"
		created := time.Date(2022, 2, 11, 3, 14, 15, 0, time.UTC).Add(time.Duration(i) * 37 * time.Hour)
		modified := created.Add(time.Duration(i%7) * 26 * time.Hour)
		// As in the documented example, an order bought outright names
		// itself as its virtual order; a virtual order names its own ID.
		virtualID := orderID(i)
		if virtual {
			virtualID = strconv.Itoa(239618016570503 + i*7)
		}
		b.WriteString(`{"ActivatedCodeCount":`)
		b.WriteString(strconv.Itoa(i % (quota + 1)))
		b.WriteString(`,"ActivationCodeQuota":`)
		b.WriteString(strconv.Itoa(quota))
		b.WriteString(`,"AliyunOrderId":"`)
		b.WriteString(orderID(i))
		b.WriteString(`","AllowEmptySystemIdentifier":`)
		b.WriteString(strconv.FormatBool(i%3 == 1))
		b.WriteString(`,"Engine":"`)
		b.WriteString(engines[i%len(engines)])
		b.WriteString(`","GmtCreated":"`)
		b.WriteString(created.Format(time.DateTime))
		b.WriteString(`","GmtModified":"`)
		b.WriteString(modified.Format(time.DateTime))
		b.WriteString(`","IsVirtualOrder":`)
		b.WriteString(strconv.FormatBool(virtual))
		b.WriteString(`,"IsVirtualOrderFrozen":`)
		b.WriteString(strconv.FormatBool(virtual && i%2 == 0))
		b.WriteString(`,"PackageType":"`)
		b.WriteString(pkg)
		b.WriteString(`","PackageValidity":"`)
		b.WriteString(validity)
		b.WriteString(`","PurchaseChannel":"`)
		b.WriteString(channels[i%len(channels)])
		b.WriteString(`","VirtualAliyunOrderId":"`)
		b.WriteString(virtualID)
		b.WriteString(`"}`)
	}
	b.WriteString(`],"PageNumber":1,"PageRecordCount":`)
	b.WriteString(strconv.Itoa(OrderCount))
	b.WriteString(`,"RequestId":"`)
	b.WriteString(RequestID)
	b.WriteString(`","TotalRecordCount":`)
	b.WriteString(strconv.Itoa(TotalRecordCount))
	b.WriteString(`}`)
	return []byte(b.String())
}

// NewHandler returns the server: it answers every request, whatever its
// method, path, parameters or signature, with the same OrdersBody, so it
// costs the same for every client. Its header values are built once and
// shared by all responses (net/http only reads them), so the handler
// itself allocates nothing.
func NewHandler() http.Handler {
	body := OrdersBody()
	contentType := []string{"application/json;charset=utf-8"}
	contentLength := []string{strconv.Itoa(len(body))}
	requestID := []string{RequestID}
	return http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		h := w.Header()
		h["Content-Type"] = contentType
		h["Content-Length"] = contentLength
		h["X-Acs-Request-Id"] = requestID
		_, _ = w.Write(body)
	})
}

// NewTransport returns the HTTP transport every client is given, where its
// SDK lets it be given one: keep-alive on, no proxy, a pool large enough
// for the parallel benchmarks, and the standard library's other defaults.
// Each client gets its own, so that no SDK's changes to its transport (the
// older Alibaba SDK rewrites DialContext and TLSClientConfig on every call)
// reach another client.
func NewTransport() *http.Transport {
	return &http.Transport{
		Proxy:                 nil,
		DialContext:           (&net.Dialer{Timeout: 5 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
		MaxIdleConns:          128,
		MaxIdleConnsPerHost:   64,
		IdleConnTimeout:       90 * time.Second,
		ExpectContinueTimeout: time.Second,
	}
}

// NewHTTPClient returns an *http.Client on a fresh NewTransport.
func NewHTTPClient() *http.Client {
	return &http.Client{Transport: NewTransport()}
}
