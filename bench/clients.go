package bench

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"time"

	openapi "github.com/alibabacloud-go/darabonba-openapi/v2/client"
	openapiutil "github.com/alibabacloud-go/darabonba-openapi/v2/utils"
	"github.com/alibabacloud-go/tea/dara"
	"github.com/aliyun/alibaba-cloud-sdk-go/sdk"
	"github.com/aliyun/alibaba-cloud-sdk-go/sdk/auth/credentials"
	"github.com/aliyun/alibaba-cloud-sdk-go/sdk/requests"
	"github.com/aliyun/alibaba-cloud-sdk-go/services/polardb"

	polarlicense "github.com/polarlicense/polarlicense-go"
)

// Client is one of the compared clients, set up against one server.
type Client interface {
	// Call makes one DescribeLicenseOrders call, the same for every client,
	// and returns how many orders it decoded. Benchmarks time it.
	Call(ctx context.Context) (int, error)
	// Page makes the same call and returns what was decoded in a common
	// form, for the tests to compare.
	Page(ctx context.Context) (*Page, error)
	// Close closes the client's idle connections.
	Close()
}

// Page is a decoded DescribeLicenseOrders answer in a form common to every
// client: times as the service writes them.
type Page struct {
	RequestID        string
	PageNumber       int
	TotalRecordCount int
	Items            []Order
}

// Order is one decoded license order in the common form.
type Order struct {
	AliyunOrderID              string `json:"AliyunOrderId"`
	VirtualAliyunOrderID       string `json:"VirtualAliyunOrderId"`
	Engine                     string `json:"Engine"`
	PackageType                string `json:"PackageType"`
	PackageValidity            string `json:"PackageValidity"`
	PurchaseChannel            string `json:"PurchaseChannel"`
	ActivationCodeQuota        int    `json:"ActivationCodeQuota"`
	ActivatedCodeCount         int    `json:"ActivatedCodeCount"`
	AllowEmptySystemIdentifier bool   `json:"AllowEmptySystemIdentifier"`
	IsVirtualOrder             bool   `json:"IsVirtualOrder"`
	IsVirtualOrderFrozen       bool   `json:"IsVirtualOrderFrozen"`
	GmtCreated                 string `json:"GmtCreated"`
	GmtModified                string `json:"GmtModified"`
}

// Constructor makes a client that calls the server at serverURL
// ("http://127.0.0.1:port").
type Constructor func(serverURL string) (Client, error)

// Clients are the compared clients, by the names the benchmarks use.
var Clients = []struct {
	Name string
	New  Constructor
}{
	{"Ours", func(u string) (Client, error) { return NewOurs(u, polarlicense.SignatureV3) }},
	{"OursRPC", func(u string) (Client, error) { return NewOurs(u, polarlicense.SignatureRPC) }},
	{"AliyunSDK", NewAliyunSDK},
	{"Darabonba", NewDarabonba},
	{"HandWritten", func(u string) (Client, error) { return NewHandWritten(u) }},
}

// ---------------------------------------------------------------------------
// (1) This repository's client.

// Ours is this repository's client with its defaults (retries, timeouts,
// the limit on the body), given the common transport.
type Ours struct {
	c  *polarlicense.Client
	hc *http.Client
}

// NewOurs returns our client signing with alg. SignatureV3 is its default;
// SignatureRPC is the HMAC-SHA1 signature the hand-written client uses.
func NewOurs(serverURL string, alg polarlicense.SignatureAlgorithm) (*Ours, error) {
	hc := NewHTTPClient()
	c, err := polarlicense.NewClient(
		polarlicense.WithEndpoint(serverURL),
		polarlicense.WithAccessKey(AccessKeyID, AccessKeySecret),
		polarlicense.WithSignatureAlgorithm(alg),
		polarlicense.WithHTTPClient(hc),
	)
	if err != nil {
		return nil, err
	}
	return &Ours{c: c, hc: hc}, nil
}

func (o *Ours) call(ctx context.Context) (*polarlicense.DescribeLicenseOrdersResponse, error) {
	// A request per call, as a caller writes it.
	return o.c.DescribeLicenseOrders(ctx, &polarlicense.DescribeLicenseOrdersRequest{
		PageNumber:      ParamPageNumber,
		PageSize:        ParamPageSize,
		PurchaseChannel: ParamPurchaseChannel,
		VirtualOrder:    polarlicense.Bool(ParamVirtualOrder),
	})
}

// Call implements Client.
func (o *Ours) Call(ctx context.Context) (int, error) {
	out, err := o.call(ctx)
	if err != nil {
		return 0, err
	}
	return len(out.Items), nil
}

// Page implements Client.
func (o *Ours) Page(ctx context.Context) (*Page, error) {
	out, err := o.call(ctx)
	if err != nil {
		return nil, err
	}
	p := &Page{RequestID: out.RequestID, PageNumber: out.PageNumber, TotalRecordCount: out.TotalRecordCount}
	for _, it := range out.Items {
		p.Items = append(p.Items, Order{
			AliyunOrderID:              it.AliyunOrderID,
			VirtualAliyunOrderID:       it.VirtualAliyunOrderID,
			Engine:                     string(it.Engine),
			PackageType:                string(it.PackageType),
			PackageValidity:            it.PackageValidity,
			PurchaseChannel:            string(it.PurchaseChannel),
			ActivationCodeQuota:        it.ActivationCodeQuota,
			ActivatedCodeCount:         it.ActivatedCodeCount,
			AllowEmptySystemIdentifier: it.AllowEmptySystemIdentifier,
			IsVirtualOrder:             it.IsVirtualOrder,
			IsVirtualOrderFrozen:       it.IsVirtualOrderFrozen,
			// Our client reads the zone-less times in a zone (China
			// Standard Time by default) and keeps it: formatting in that
			// zone gives back the service's text.
			GmtCreated:  formatTime(it.GmtCreated),
			GmtModified: formatTime(it.GmtModified),
		})
	}
	return p, nil
}

func formatTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.Format(time.DateTime)
}

// Close implements Client.
func (o *Ours) Close() { o.hc.CloseIdleConnections() }

// ---------------------------------------------------------------------------
// (2) github.com/aliyun/alibaba-cloud-sdk-go, services/polardb.

// AliyunSDK is the older Alibaba Cloud SDK's generated polardb client
// (RPC signature, HMAC-SHA1), given the common transport.
type AliyunSDK struct {
	c      *polardb.Client
	tr     *http.Transport
	domain string
}

// NewAliyunSDK returns the older SDK's polardb client. It speaks plain
// HTTP to the request's Domain, which bypasses its endpoint resolution.
func NewAliyunSDK(serverURL string) (Client, error) {
	u, err := url.Parse(serverURL)
	if err != nil {
		return nil, err
	}
	tr := NewTransport()
	cfg := sdk.NewConfig().WithHttpTransport(tr).WithScheme("HTTP")
	c, err := polardb.NewClientWithOptions(RegionID, cfg, credentials.NewAccessKeyCredential(AccessKeyID, AccessKeySecret))
	if err != nil {
		return nil, err
	}
	return &AliyunSDK{c: c, tr: tr, domain: u.Host}, nil
}

func (a *AliyunSDK) call() (*polardb.DescribeLicenseOrdersResponse, error) {
	// The SDK writes into a request as it sends it (endpoint, signature
	// parameters): a request per call, as its documentation shows.
	req := polardb.CreateDescribeLicenseOrdersRequest()
	req.Domain = a.domain
	req.Scheme = "http"
	req.PageNumber = requests.NewInteger(ParamPageNumber)
	req.PageSize = requests.NewInteger(ParamPageSize)
	req.PurchaseChannel = ParamPurchaseChannel
	req.VirtualOrder = requests.NewBoolean(ParamVirtualOrder)
	return a.c.DescribeLicenseOrders(req)
}

// Call implements Client. The SDK takes no context.
func (a *AliyunSDK) Call(context.Context) (int, error) {
	out, err := a.call()
	if err != nil {
		return 0, err
	}
	return len(out.Items), nil
}

// Page implements Client.
func (a *AliyunSDK) Page(context.Context) (*Page, error) {
	out, err := a.call()
	if err != nil {
		return nil, err
	}
	p := &Page{RequestID: out.RequestId, PageNumber: out.PageNumber, TotalRecordCount: out.TotalRecordCount}
	for _, it := range out.Items {
		p.Items = append(p.Items, Order{
			AliyunOrderID:              it.AliyunOrderId,
			VirtualAliyunOrderID:       it.VirtualAliyunOrderId,
			Engine:                     it.Engine,
			PackageType:                it.PackageType,
			PackageValidity:            it.PackageValidity,
			PurchaseChannel:            it.PurchaseChannel,
			ActivationCodeQuota:        it.ActivationCodeQuota,
			ActivatedCodeCount:         it.ActivatedCodeCount,
			AllowEmptySystemIdentifier: it.AllowEmptySystemIdentifier,
			IsVirtualOrder:             it.IsVirtualOrder,
			IsVirtualOrderFrozen:       it.IsVirtualOrderFrozen,
			GmtCreated:                 it.GmtCreated,
			GmtModified:                it.GmtModified,
		})
	}
	return p, nil
}

// Close implements Client.
func (a *AliyunSDK) Close() { a.tr.CloseIdleConnections() }

// ---------------------------------------------------------------------------
// (3) github.com/alibabacloud-go/darabonba-openapi/v2, CallApi.

// Darabonba calls CallApi the way the generated polardb-20170801 client's
// DescribeLicenseOrdersWithOptions does: the set parameters in a query map,
// RPC-style Params, the default signature (ACS3-HMAC-SHA256), then
// dara.Convert of the answer's map into typed response structs.
type Darabonba struct {
	c  *openapi.Client
	hc *http.Client
}

// daraHTTP hands darabonba's requests to the common *http.Client. dara also
// builds an *http.Transport for every request and passes it here; it is not
// used (its own default client, too, keeps only the first one it is given).
type daraHTTP struct{ hc *http.Client }

func (d daraHTTP) Call(req *http.Request, _ *http.Transport) (*http.Response, error) {
	return d.hc.Do(req)
}

// NewDarabonba returns a darabonba-openapi client for the server.
func NewDarabonba(serverURL string) (Client, error) {
	u, err := url.Parse(serverURL)
	if err != nil {
		return nil, err
	}
	hc := NewHTTPClient()
	c, err := openapi.NewClient(&openapiutil.Config{
		AccessKeyId:     dara.String(AccessKeyID),
		AccessKeySecret: dara.String(AccessKeySecret),
		RegionId:        dara.String(RegionID),
		Endpoint:        dara.String(u.Host),
		Protocol:        dara.String("HTTP"),
		HttpClient:      daraHTTP{hc: hc},
	})
	if err != nil {
		return nil, err
	}
	return &Darabonba{c: c, hc: hc}, nil
}

// The request and response models, written as the generated SDK's are:
// every field a pointer.
type daraRequest struct {
	PageNumber      *int32
	PageSize        *int32
	PurchaseChannel *string
	VirtualOrder    *bool
}

type daraResponse struct {
	Headers    map[string]*string `json:"headers,omitempty"`
	StatusCode *int32             `json:"statusCode,omitempty"`
	Body       *daraResponseBody  `json:"body,omitempty"`
}

type daraResponseBody struct {
	Items            []*daraOrder `json:"Items,omitempty"`
	PageNumber       *int32       `json:"PageNumber,omitempty"`
	PageRecordCount  *int32       `json:"PageRecordCount,omitempty"`
	RequestId        *string      `json:"RequestId,omitempty"`
	TotalRecordCount *int32       `json:"TotalRecordCount,omitempty"`
}

type daraOrder struct {
	ActivatedCodeCount         *int32  `json:"ActivatedCodeCount,omitempty"`
	ActivationCodeQuota        *int32  `json:"ActivationCodeQuota,omitempty"`
	AliyunOrderId              *string `json:"AliyunOrderId,omitempty"`
	AllowEmptySystemIdentifier *bool   `json:"AllowEmptySystemIdentifier,omitempty"`
	Engine                     *string `json:"Engine,omitempty"`
	GmtCreated                 *string `json:"GmtCreated,omitempty"`
	GmtModified                *string `json:"GmtModified,omitempty"`
	IsVirtualOrder             *bool   `json:"IsVirtualOrder,omitempty"`
	IsVirtualOrderFrozen       *bool   `json:"IsVirtualOrderFrozen,omitempty"`
	PackageType                *string `json:"PackageType,omitempty"`
	PackageValidity            *string `json:"PackageValidity,omitempty"`
	PurchaseChannel            *string `json:"PurchaseChannel,omitempty"`
	VirtualAliyunOrderId       *string `json:"VirtualAliyunOrderId,omitempty"`
}

func (d *Darabonba) call() (*daraResponse, error) {
	req := &daraRequest{
		PageNumber:      dara.Int32(ParamPageNumber),
		PageSize:        dara.Int32(ParamPageSize),
		PurchaseChannel: dara.String(ParamPurchaseChannel),
		VirtualOrder:    dara.Bool(ParamVirtualOrder),
	}
	runtime := &dara.RuntimeOptions{}
	query := map[string]interface{}{}
	if req.PageNumber != nil {
		query["PageNumber"] = req.PageNumber
	}
	if req.PageSize != nil {
		query["PageSize"] = req.PageSize
	}
	if req.PurchaseChannel != nil {
		query["PurchaseChannel"] = req.PurchaseChannel
	}
	if req.VirtualOrder != nil {
		query["VirtualOrder"] = req.VirtualOrder
	}
	oreq := &openapiutil.OpenApiRequest{Query: openapiutil.Query(query)}
	params := &openapiutil.Params{
		Action:      dara.String("DescribeLicenseOrders"),
		Version:     dara.String(polarlicense.APIVersion),
		Protocol:    dara.String("HTTPS"), // the client's Protocol (HTTP) wins
		Pathname:    dara.String("/"),
		Method:      dara.String("POST"),
		AuthType:    dara.String("AK"),
		Style:       dara.String("RPC"),
		ReqBodyType: dara.String("formData"),
		BodyType:    dara.String("json"),
	}
	out := &daraResponse{}
	body, err := d.c.CallApi(params, oreq, runtime)
	if err != nil {
		return nil, err
	}
	if err := dara.Convert(body, &out); err != nil {
		return nil, err
	}
	if out.Body == nil {
		return nil, errors.New("darabonba: no body in the answer")
	}
	return out, nil
}

// Call implements Client. CallApi takes no context.
func (d *Darabonba) Call(context.Context) (int, error) {
	out, err := d.call()
	if err != nil {
		return 0, err
	}
	return len(out.Body.Items), nil
}

// Page implements Client.
func (d *Darabonba) Page(context.Context) (*Page, error) {
	out, err := d.call()
	if err != nil {
		return nil, err
	}
	b := out.Body
	p := &Page{RequestID: dara.StringValue(b.RequestId), PageNumber: int(dara.Int32Value(b.PageNumber)), TotalRecordCount: int(dara.Int32Value(b.TotalRecordCount))}
	for i, it := range b.Items {
		if it == nil {
			return nil, fmt.Errorf("darabonba: item %d is null", i)
		}
		p.Items = append(p.Items, Order{
			AliyunOrderID:              dara.StringValue(it.AliyunOrderId),
			VirtualAliyunOrderID:       dara.StringValue(it.VirtualAliyunOrderId),
			Engine:                     dara.StringValue(it.Engine),
			PackageType:                dara.StringValue(it.PackageType),
			PackageValidity:            dara.StringValue(it.PackageValidity),
			PurchaseChannel:            dara.StringValue(it.PurchaseChannel),
			ActivationCodeQuota:        int(dara.Int32Value(it.ActivationCodeQuota)),
			ActivatedCodeCount:         int(dara.Int32Value(it.ActivatedCodeCount)),
			AllowEmptySystemIdentifier: dara.BoolValue(it.AllowEmptySystemIdentifier),
			IsVirtualOrder:             dara.BoolValue(it.IsVirtualOrder),
			IsVirtualOrderFrozen:       dara.BoolValue(it.IsVirtualOrderFrozen),
			GmtCreated:                 dara.StringValue(it.GmtCreated),
			GmtModified:                dara.StringValue(it.GmtModified),
		})
	}
	return p, nil
}

// Close implements Client.
func (d *Darabonba) Close() { d.hc.CloseIdleConnections() }

// ---------------------------------------------------------------------------
// (4) The hand-written client: see handwritten.go.

// Call implements Client.
func (h *HandWritten) Call(ctx context.Context) (int, error) {
	out, err := h.DescribeLicenseOrders(ctx, ParamPageNumber, ParamPageSize, ParamPurchaseChannel, ParamVirtualOrder)
	if err != nil {
		return 0, err
	}
	return len(out.Items), nil
}

// Page implements Client.
func (h *HandWritten) Page(ctx context.Context) (*Page, error) {
	out, err := h.DescribeLicenseOrders(ctx, ParamPageNumber, ParamPageSize, ParamPurchaseChannel, ParamVirtualOrder)
	if err != nil {
		return nil, err
	}
	return &Page{RequestID: out.RequestId, PageNumber: out.PageNumber, TotalRecordCount: out.TotalRecordCount, Items: out.Items}, nil
}

// Close implements Client.
func (h *HandWritten) Close() { h.hc.CloseIdleConnections() }
