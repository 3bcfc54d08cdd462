package polarlicensetest

import (
	"net/http"
)

// The error codes the emulator answers with. They follow Alibaba Cloud's
// naming; the package documentation lists when each is used and with which
// HTTP status.
const (
	// CodeMissingParameter: a required common parameter (Action, Version,
	// AccessKeyId, Timestamp, SignatureNonce, …) or V3 header is absent.
	CodeMissingParameter = "MissingParameter"
	// CodeMissingAliyunOrderID: AliyunOrderId is required and absent.
	CodeMissingAliyunOrderID = "MissingAliyunOrderId"
	// CodeMissingEngine: CreateOrGetVirtualLicenseOrder without Engine.
	CodeMissingEngine = "MissingEngine"
	// CodeMissingMacAddress: CreateActivationCode without MacAddress.
	CodeMissingMacAddress = "MissingMacAddress"
	// CodeMissingName: CreateActivationCode without Name.
	CodeMissingName = "MissingName"
	// CodeMissingSystemIdentifier: CreateActivationCode without
	// SystemIdentifier on an order whose AllowEmptySystemIdentifier is false.
	CodeMissingSystemIdentifier = "MissingSystemIdentifier"
	// CodeInvalidParameter: a parameter has a value of the wrong type or out
	// of range (PageSize, PageNumber, Engine, VirtualOrder, …).
	CodeInvalidParameter = "InvalidParameter"
	// CodeInvalidNameMalformed: an activation-code Name with characters other
	// than letters, digits, "_" and "-".
	CodeInvalidNameMalformed = "InvalidName.Malformed"
	// CodeInvalidMacAddressMalformed: a MacAddress that is not six pairs of
	// hex digits separated by ":" or "-".
	CodeInvalidMacAddressMalformed = "InvalidMacAddress.Malformed"
	// CodeOrderNotFound: no order has the AliyunOrderId.
	CodeOrderNotFound = "InvalidAliyunOrderId.NotFound"
	// CodeActivationCodeNotFound: the order has no code with the
	// ActivationCodeId.
	CodeActivationCodeNotFound = "InvalidActivationCodeId.NotFound"
	// CodeQuotaExceeded: the order's ActivationCodeQuota is spent.
	CodeQuotaExceeded = "QuotaExceeded.ActivationCode"
	// CodeVirtualOrderFrozen: the order is a frozen virtual order.
	CodeVirtualOrderFrozen = "OperationDenied.VirtualOrderFrozen"

	// CodeIncompleteSignature: the request carries no signature, or a V3
	// Authorization header that is malformed, uses another algorithm or
	// leaves a required header unsigned.
	CodeIncompleteSignature = "IncompleteSignature"
	// CodeSignatureDoesNotMatch: the signature is not the one the server
	// computes; the message ends with "server string to sign is: …".
	CodeSignatureDoesNotMatch = "SignatureDoesNotMatch"
	// CodeInvalidAccessKeyIDNotFound: the AccessKeyId is not the server's.
	CodeInvalidAccessKeyIDNotFound = "InvalidAccessKeyId.NotFound"
	// CodeInvalidTimestampFormat: Timestamp or x-acs-date is not
	// "2006-01-02T15:04:05Z".
	CodeInvalidTimestampFormat = "InvalidTimeStamp.Format"
	// CodeInvalidTimestampExpired: Timestamp or x-acs-date is more than 15
	// minutes away from the server's clock.
	CodeInvalidTimestampExpired = "InvalidTimeStamp.Expired"
	// CodeSignatureNonceUsed: the nonce was seen in the last 15 minutes.
	CodeSignatureNonceUsed = "SignatureNonceUsed"
	// CodeInvalidSignatureMethod: SignatureMethod is not HMAC-SHA1.
	CodeInvalidSignatureMethod = "InvalidSignatureMethod"
	// CodeInvalidSignatureVersion: SignatureVersion is not 1.0.
	CodeInvalidSignatureVersion = "InvalidSignatureVersion"
	// CodeMissingSecurityToken: the server requires an STS token and the
	// request has none.
	CodeMissingSecurityToken = "MissingSecurityToken"
	// CodeInvalidSecurityToken: the request's STS token is not the server's
	// (or the server expects none).
	CodeInvalidSecurityToken = "InvalidSecurityToken.MismatchWithAccessKey"
	// CodeInvalidActionNotFound: the Action is not one of the six, or the
	// path is not "/".
	CodeInvalidActionNotFound = "InvalidAction.NotFound"
	// CodeInvalidVersion: the Version is not 2017-08-01.
	CodeInvalidVersion = "InvalidVersion"
	// CodeUnsupportedHTTPMethod: the HTTP method is neither POST nor GET.
	CodeUnsupportedHTTPMethod = "UnsupportedHTTPMethod"

	// CodeThrottling: an injected FaultThrottle.
	CodeThrottling = "Throttling.User"
	// CodeInternalError: an injected FaultInternalError.
	CodeInternalError = "InternalError"
	// CodeServiceUnavailable: an injected FaultServiceUnavailable.
	CodeServiceUnavailable = "ServiceUnavailable"
)

// hostID is the HostId of every error body, as the service names its
// central endpoint.
const hostID = "polardb.aliyuncs.com"

// apiError is an error answer: an HTTP status, a code and a message.
type apiError struct {
	status  int
	code    string
	message string
	header  http.Header // extra headers, such as x-ratelimit-user-api
}

func newError(status int, code, message string) *apiError {
	return &apiError{status: status, code: code, message: message}
}

// errorBody is the JSON body of an error answer.
type errorBody struct {
	RequestID string `json:"RequestId"`
	HostID    string `json:"HostId"`
	Code      string `json:"Code"`
	Message   string `json:"Message"`
	Recommend string `json:"Recommend"`
}

// body returns the JSON error body for a request id.
func (e *apiError) body(requestID string) []byte {
	b, _ := marshal(errorBody{
		RequestID: requestID,
		HostID:    hostID,
		Code:      e.code,
		Message:   e.message,
		Recommend: "https://api.aliyun.com/troubleshoot?q=" + e.code + "&product=Polardb&requestId=" + requestID,
	})
	return b
}

// Constructors of the common errors.

func errMissing(param string) *apiError {
	return newError(http.StatusBadRequest, CodeMissingParameter,
		`The input parameter "`+param+`" that is mandatory for processing this request is not supplied.`)
}

func errMissingBusiness(code, param string) *apiError {
	return newError(http.StatusBadRequest, code,
		`The input parameter "`+param+`" that is mandatory for processing this request is not supplied.`)
}

func errInvalid(param, why string) *apiError {
	return newError(http.StatusBadRequest, CodeInvalidParameter,
		`The specified parameter "`+param+`" is not valid: `+why+`.`)
}
