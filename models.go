package polarlicense

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"
)

// Engine is a PolarDB database engine, as used by license orders. The
// constants are the documented values; any other value the service sends is
// kept as it is.
type Engine string

// The documented engines.
const (
	EnginePG     Engine = "PG"
	EngineOracle Engine = "Oracle"
	EngineMySQL  Engine = "MySQL"
)

// engines are the documented engines, in the order above.
var engines = [...]Engine{EnginePG, EngineOracle, EngineMySQL}

// PackageType is the plan of a license order. The constants are the
// documented values; the set is open, and a value the service adds later is
// kept as it is.
type PackageType string

// The documented package types.
const (
	PackageSingleNodeSubscribe    PackageType = "single_node_subscribe"    // single node, subscription
	PackageSingleNodeLongTerm     PackageType = "single_node_long_term"    // single node, long-term
	PackagePrimaryBackupSubscribe PackageType = "primary_backup_subscribe" // primary/standby, subscription
	PackagePrimaryBackupLongTerm  PackageType = "primary_backup_long_term" // primary/standby, long-term
	PackagePreGenerationLongTerm  PackageType = "pre_generation_long_term" // pre-generated, long-term
)

// packageTypes are the documented package types, in the order above.
var packageTypes = [...]PackageType{
	PackageSingleNodeSubscribe, PackageSingleNodeLongTerm, PackagePrimaryBackupSubscribe,
	PackagePrimaryBackupLongTerm, PackagePreGenerationLongTerm,
}

// PurchaseChannel is where a license order was bought. The constants are the
// documented values; other values are kept as they are.
type PurchaseChannel string

// The documented purchase channels.
const (
	ChannelMarketplace PurchaseChannel = "aliyun_market" // Alibaba Cloud Marketplace
	ChannelPublic      PurchaseChannel = "aliyun_public" // the standard purchase page
)

// purchaseChannels are the documented purchase channels, in the order above.
var purchaseChannels = [...]PurchaseChannel{ChannelMarketplace, ChannelPublic}

// Bool returns a pointer to v, for optional request fields such as
// DescribeLicenseOrdersRequest.VirtualOrder where false is a real choice and
// nil means "not sent".
func Bool(v bool) *bool { return &v }

// AccountScope holds the account-scoping parameters every operation accepts.
// They are rarely needed: the signing credentials already name the account.
// Zero values are not sent.
type AccountScope struct {
	OwnerID              int64
	OwnerAccount         string
	ResourceOwnerID      int64
	ResourceOwnerAccount string
}

// LicenseOrder is a PolarDB license order: an order bought from Alibaba Cloud,
// or a virtual order that pre-generates activation codes. It is the item type
// of DescribeLicenseOrders and the body of the single-order responses.
type LicenseOrder struct {
	// AliyunOrderID is the Alibaba Cloud order ID, or the virtual order ID.
	AliyunOrderID string
	// VirtualAliyunOrderID is the ID of the order's virtual order. The list
	// calls name it VirtualAliyunOrderId; the single-order calls name it
	// VirtualOrderId and the client fills this field from it too, so a
	// LicenseOrder is complete whichever call produced it.
	VirtualAliyunOrderID string
	// Engine is the database engine the order licenses. CreateOrGetVirtualLicenseOrder
	// does not return it.
	Engine Engine
	// PackageType is the plan.
	PackageType PackageType
	// PackageValidity is the plan's validity as the service words it,
	// typically "1 year" or "30 years".
	PackageValidity string
	// PurchaseChannel is where the order was bought.
	PurchaseChannel PurchaseChannel
	// ActivationCodeQuota is how many activation codes the order may issue.
	ActivationCodeQuota int
	// ActivatedCodeCount is how many it has issued.
	ActivatedCodeCount int
	// AllowEmptySystemIdentifier tells whether codes may be created without a
	// SystemIdentifier.
	AllowEmptySystemIdentifier bool
	// IsVirtualOrder tells whether this is a virtual order.
	IsVirtualOrder bool
	// IsVirtualOrderFrozen tells whether the virtual order is frozen: a frozen
	// order issues no more codes.
	IsVirtualOrderFrozen bool
	// GmtCreated and GmtModified are when the order was created and last
	// changed (see the package notes on times).
	GmtCreated  time.Time
	GmtModified time.Time
}

// RemainingQuota returns how many more activation codes the order may issue,
// never less than zero.
func (o *LicenseOrder) RemainingQuota() int {
	return max(o.ActivationCodeQuota-o.ActivatedCodeCount, 0)
}

// ActivationCode is an activation code of a license order, without its
// license content. It is the item type of DescribeActivationCodes and the body
// of the single-code responses.
type ActivationCode struct {
	// ID identifies the code within its order.
	ID int64
	// Name is the code's name: letters, digits, "_" and "-".
	Name string
	// Description is free text given when the code was created.
	Description string
	// MacAddress is the MAC address of the machine the code is bound to.
	MacAddress string
	// SystemIdentifier is the database's unique system identifier, when the
	// code is bound to one.
	SystemIdentifier string
	// ActivateAt and ExpireAt bound the code's validity.
	ActivateAt time.Time
	ExpireAt   time.Time
	// GmtCreated and GmtModified are when the code was created and last changed.
	GmtCreated  time.Time
	GmtModified time.Time
}

// Expired reports whether the code has an expiry time and it is not after t.
func (c *ActivationCode) Expired(t time.Time) bool {
	return !c.ExpireAt.IsZero() && !c.ExpireAt.After(t)
}

// CertContent is a license file's content in base64, as the service sends it
// in CertContentB64. It is a secret: every fmt verb, slog (any handler) and
// this package's errors show it as "[REDACTED]". Reveal returns the text and
// Decode the license bytes; NewCertContent makes one from a text.
//
// It is a struct whose one field points to the text, not a string, so that
// no way fmt has of printing a value reaches the text: a value fmt can ask
// (a CertContent, a pointer to one, one in a slice, a map or an exported
// field) answers every verb, %p included, with "[REDACTED]" through Format;
// one fmt cannot ask (in an unexported field of a struct, where fmt prints
// without calling any method) prints as the address of the text, which fmt
// never follows, under every verb. A string type could do neither: fmt
// prints %p of a string-kinded value, and any value in an unexported field,
// without asking its Format method. The zero CertContent holds no license
// (IsZero); two CertContents are equal under == only when they share their
// text, so compare Reveal's strings.
//
// encoding/json writes the real text as part of a CreateActivationCodeResponse,
// DescribeActivationCodeDetailsResponse or EnsureActivationCodeResponse, so
// that explicit serialisation of a response loses no data. A CertContent
// marshalled on its own, or in a slice or a struct of another type, is
// written as "[REDACTED]": slog's JSON handler marshals attribute values
// with encoding/json, and that is the only way to keep a logged
// []CertContent out of the log. Unmarshalling that placeholder is an error,
// so the loss cannot go unnoticed. To serialise the license itself, marshal
// Reveal's string.
type CertContent struct {
	text sealed
}

// NewCertContent returns the CertContent holding base64Text, such as a
// CertContentB64 read from elsewhere; "" gives the zero CertContent.
func NewCertContent(base64Text string) CertContent { return CertContent{seal(base64Text)} }

// Reveal returns the base64 text itself.
func (c CertContent) Reveal() string { return c.text.open() }

// IsZero reports whether c holds no license text.
func (c CertContent) IsZero() bool { return c.text.open() == "" }

// Decode returns the license file's bytes: the base64 text decoded, white
// space (the service may wrap lines) ignored, padded or not.
func (c CertContent) Decode() ([]byte, error) {
	s := strings.Map(func(r rune) rune {
		switch r {
		case ' ', '\t', '\r', '\n':
			return -1
		}
		return r
	}, c.Reveal())
	s = strings.TrimRight(s, "=")
	b, err := base64.RawStdEncoding.DecodeString(s)
	if err != nil {
		// The error from encoding/base64 holds only an offset, never content.
		return nil, fmt.Errorf("polarlicense: CertContentB64 is not valid base64: %w", err)
	}
	return b, nil
}

// redacted is what a secret prints as.
const redacted = "[REDACTED]"

// Format prints "[REDACTED]" for every verb, %p included, so that no verb
// of a CertContent or of a response shows the license.
func (c CertContent) Format(f fmt.State, verb rune) {
	_, _ = f.Write([]byte(redacted))
}

// LogValue keeps the license out of slog records.
func (c CertContent) LogValue() slog.Value { return slog.StringValue(redacted) }

// MarshalJSON writes "[REDACTED]" (see the type's notes: the responses that
// carry a license write the real text).
func (c CertContent) MarshalJSON() ([]byte, error) { return []byte(`"` + redacted + `"`), nil }

// UnmarshalJSON reads a JSON string, and refuses the "[REDACTED]" that a
// CertContent marshalled outside a response becomes: that loss of the
// license is an error, never a license file that says "[REDACTED]".
func (c *CertContent) UnmarshalJSON(b []byte) error {
	if string(b) == "null" {
		return nil
	}
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return err
	}
	if s == redacted {
		return errors.New(`polarlicense: CertContent: the JSON holds "[REDACTED]", not a license: a CertContent outside a response marshals redacted; marshal its Reveal() to keep it`)
	}
	*c = NewCertContent(s)
	return nil
}

// codeWithLicense is the JSON form of the responses that carry a license:
// the fields in order, with the license as a plain string.
type codeWithLicense struct {
	RequestID string
	ActivationCode
	CertContentB64 string
}

// codeLogValue is the slog form of the responses that carry a license.
func codeLogValue(requestID string, c *ActivationCode) slog.Value {
	return slog.GroupValue(
		slog.String("RequestID", requestID),
		slog.Int64("ID", c.ID),
		slog.String("Name", c.Name),
		slog.String("Description", c.Description),
		slog.String("MacAddress", c.MacAddress),
		slog.String("SystemIdentifier", c.SystemIdentifier),
		slog.Time("ActivateAt", c.ActivateAt),
		slog.Time("ExpireAt", c.ExpireAt),
		slog.Time("GmtCreated", c.GmtCreated),
		slog.Time("GmtModified", c.GmtModified),
		slog.String("CertContentB64", redacted),
	)
}

// CreateOrGetVirtualLicenseOrderRequest asks for the virtual license order of
// an engine, creating it on first use.
type CreateOrGetVirtualLicenseOrderRequest struct {
	// Engine is required: EnginePG, EngineOracle or EngineMySQL.
	Engine Engine
	AccountScope
}

// CreateOrGetVirtualLicenseOrderResponse is the engine's virtual order.
type CreateOrGetVirtualLicenseOrderResponse struct {
	// RequestID identifies the call in Alibaba Cloud's logs.
	RequestID string
	LicenseOrder
	// VirtualOrderID is the virtual order's ID (also in
	// LicenseOrder.VirtualAliyunOrderID).
	VirtualOrderID string
}

// DescribeLicenseOrderDetailsRequest asks for one license order.
type DescribeLicenseOrderDetailsRequest struct {
	// AliyunOrderID is required: an Alibaba Cloud order ID or a virtual order ID.
	AliyunOrderID string
	AccountScope
}

// DescribeLicenseOrderDetailsResponse is one license order.
type DescribeLicenseOrderDetailsResponse struct {
	// RequestID identifies the call in Alibaba Cloud's logs.
	RequestID string
	LicenseOrder
	// VirtualOrderID is the ID of the order's virtual order (also in
	// LicenseOrder.VirtualAliyunOrderID).
	VirtualOrderID string
}

// DescribeLicenseOrdersRequest asks for one page of license orders. Every
// filter is optional; zero values are not sent.
type DescribeLicenseOrdersRequest struct {
	// PageNumber is the page, from 1 (the service's default when 0).
	PageNumber int
	// PageSize is the number of orders a page, 1 to MaxPageSize (the
	// service's default, 30, when 0).
	PageSize int
	// AliyunOrderID keeps only this order (an order or virtual order ID).
	AliyunOrderID string
	// PurchaseChannel keeps only orders bought through this channel.
	PurchaseChannel PurchaseChannel
	// PackageType keeps only orders of this plan.
	PackageType PackageType
	// VirtualOrder, when set, keeps only virtual orders (true) or only
	// bought orders (false). Use Bool to set it.
	VirtualOrder *bool
	AccountScope
}

// DescribeLicenseOrdersResponse is one page of license orders.
type DescribeLicenseOrdersResponse struct {
	// RequestID identifies the call in Alibaba Cloud's logs.
	RequestID string
	// PageNumber is the page the service answered.
	PageNumber int
	// PageRecordCount is the page's size as the service reports it. It is not
	// always the number of Items: count Items instead.
	PageRecordCount int
	// TotalRecordCount is the number of orders across all pages.
	TotalRecordCount int
	// Items are the page's orders.
	Items []LicenseOrder
}

// DescribeActivationCodeDetailsRequest asks for one activation code with its
// license content.
type DescribeActivationCodeDetailsRequest struct {
	// AliyunOrderID is required: the code's order.
	AliyunOrderID string
	// ActivationCodeID is the code's ID. It is optional in the API, and 0
	// is not sent: the service then answers with a code of the order of its
	// own choosing (polarlicensetest: the lowest ID), so pass it to get a
	// particular code.
	ActivationCodeID int64
	AccountScope
}

// DescribeActivationCodeDetailsResponse is one activation code with its
// license.
type DescribeActivationCodeDetailsResponse struct {
	// RequestID identifies the call in Alibaba Cloud's logs.
	RequestID string
	ActivationCode
	// CertContentB64 is the license file in base64 (a secret: see CertContent).
	CertContentB64 CertContent
}

// DescribeActivationCodesRequest asks for one page of an order's activation
// codes.
type DescribeActivationCodesRequest struct {
	// AliyunOrderID is required: the order whose codes to list.
	AliyunOrderID string
	// PageNumber is the page, from 1 (the service's default when 0).
	PageNumber int
	// PageSize is the number of codes a page, 1 to MaxPageSize (the
	// service's default when 0).
	PageSize int
	// MacAddress keeps only codes bound to this MAC address.
	MacAddress string
	// SystemIdentifier keeps only codes bound to this system identifier.
	SystemIdentifier string
	AccountScope
}

// DescribeActivationCodesResponse is one page of activation codes.
type DescribeActivationCodesResponse struct {
	// RequestID identifies the call in Alibaba Cloud's logs.
	RequestID string
	// PageNumber is the page the service answered.
	PageNumber int
	// PageRecordCount is the page's size as the service reports it; count
	// Items instead.
	PageRecordCount int
	// TotalRecordCount is the number of codes across all pages.
	TotalRecordCount int
	// Items are the page's codes.
	Items []ActivationCode
}

// CreateActivationCodeRequest asks for a new activation code, which spends
// one unit of the order's quota. The service has no idempotency token for
// it: see the package notes on retries.
type CreateActivationCodeRequest struct {
	// AliyunOrderID is required: the order to issue the code from.
	AliyunOrderID string
	// MacAddress is required: the MAC address of the machine the license is
	// for, six pairs of hex digits separated by ":" or "-".
	MacAddress string
	// Name is required: letters, digits, "_" and "-" only, at most
	// MaxCodeNameLength characters.
	Name string
	// SystemIdentifier is the database's system identifier; required unless
	// the order's AllowEmptySystemIdentifier is true.
	SystemIdentifier string
	// Description is optional free text: when given, 2 to 256 characters,
	// not starting with "http://" or "https://".
	Description string
	AccountScope
}

// CreateActivationCodeResponse is the new code with its license.
type CreateActivationCodeResponse struct {
	// RequestID identifies the call in Alibaba Cloud's logs.
	RequestID string
	ActivationCode
	// CertContentB64 is the license file in base64 (a secret: see CertContent).
	CertContentB64 CertContent
}

// LogValue gives slog the code's fields with the license redacted.
func (r DescribeActivationCodeDetailsResponse) LogValue() slog.Value {
	return codeLogValue(r.RequestID, &r.ActivationCode)
}

// MarshalJSON writes the response with the license in clear: serialising
// the response is an explicit request for its data.
func (r DescribeActivationCodeDetailsResponse) MarshalJSON() ([]byte, error) {
	return json.Marshal(codeWithLicense{r.RequestID, r.ActivationCode, r.CertContentB64.Reveal()})
}

// LogValue gives slog the code's fields with the license redacted.
func (r CreateActivationCodeResponse) LogValue() slog.Value {
	return codeLogValue(r.RequestID, &r.ActivationCode)
}

// MarshalJSON writes the response with the license in clear: serialising
// the response is an explicit request for its data.
func (r CreateActivationCodeResponse) MarshalJSON() ([]byte, error) {
	return json.Marshal(codeWithLicense{r.RequestID, r.ActivationCode, r.CertContentB64.Reveal()})
}

// requestIDRef gives the attempt the response's RequestID to scrub.
func (r *CreateOrGetVirtualLicenseOrderResponse) requestIDRef() *string { return &r.RequestID }

// requestIDRef gives the attempt the response's RequestID to scrub.
func (r *DescribeLicenseOrderDetailsResponse) requestIDRef() *string { return &r.RequestID }

// requestIDRef gives the attempt the response's RequestID to scrub.
func (r *DescribeLicenseOrdersResponse) requestIDRef() *string { return &r.RequestID }

// requestIDRef gives the attempt the response's RequestID to scrub.
func (r *DescribeActivationCodesResponse) requestIDRef() *string { return &r.RequestID }

// requestIDRef gives the attempt the response's RequestID to scrub.
func (r *DescribeActivationCodeDetailsResponse) requestIDRef() *string { return &r.RequestID }

// requestIDRef gives the attempt the response's RequestID to scrub.
func (r *CreateActivationCodeResponse) requestIDRef() *string { return &r.RequestID }
