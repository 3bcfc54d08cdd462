package polarlicense

import (
	"errors"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/alibabacloud-go/tea/tea"
)

// APIError is an error answer from the service, or from a proxy in front of
// it. errors.As also reaches it as a *tea.SDKError, so code written against
// Alibaba's official SDK keeps working.
type APIError struct {
	// StatusCode is the HTTP status of the answer.
	StatusCode int
	// Code is the service's error code, such as "InvalidParameter" or
	// "Throttling.User"; empty when the body was not an Alibaba error body.
	Code string
	// Message is the service's explanation. When the body was not an
	// Alibaba error body (an HTML page from a proxy, an empty or truncated
	// body), it is a short, bounded excerpt of it. A SignatureDoesNotMatch
	// message has the server's string-to-sign removed.
	Message string
	// RequestID identifies the call in Alibaba Cloud's logs: quote it to support.
	RequestID string
	// HostID is the host that answered, as the service names it.
	HostID string
	// Recommend is the service's link to a diagnosis page, when it gives one.
	Recommend string
	// AccessDeniedDetail is the service's account of a RAM denial, when the
	// error body has one (permission errors such as Forbidden.RAM); nil
	// otherwise.
	AccessDeniedDetail *AccessDeniedDetail
	// ThrottleWait is how long the service asked the caller to wait before
	// trying again (from the x-ratelimit-user-api and x-ratelimit-user
	// headers: the longest TimeLeft of the windows spent); zero when it did
	// not say. A TimeLeft over 24 hours,
	// even one too large to represent, reads as 24 hours.
	ThrottleWait time.Duration
}

// AccessDeniedDetail is the AccessDeniedDetail object of an error body: which
// principal was refused which action, and by what kind of policy. Each field
// is as the service wrote it, made printable and bounded; a field it did not
// send is empty.
type AccessDeniedDetail struct {
	// AuthAction is the action that was refused, such as
	// "polardb:CreateActivationCode".
	AuthAction string
	// PolicyType is the kind of policy that refused it, such as
	// "AccountLevelIdentityBasedPolicy" or "AssumeRolePolicy".
	PolicyType string
	// NoPermissionType says how: "ImplicitDeny" (no policy allows the
	// action) or "ExplicitDeny" (a policy denies it).
	NoPermissionType string
	// AuthPrincipalType is the kind of identity that was refused, such as
	// "SubUser" or "AssumedRoleUser".
	AuthPrincipalType string
	// AuthPrincipalOwnerID is the ID of the Alibaba Cloud account that owns
	// the identity.
	AuthPrincipalOwnerID string
	// AuthPrincipalDisplayName names the identity, such as the RAM user's ID.
	AuthPrincipalDisplayName string
	// EncodedDiagnosticMessage is the service's encoded diagnosis, which
	// RAM's DecodeDiagnosticMessage operation turns into the full account
	// of the denial.
	EncodedDiagnosticMessage string
}

// Error returns the code, message, status and request id on one line.
func (e *APIError) Error() string {
	var b strings.Builder
	b.WriteString("api error")
	if e.Code != "" {
		b.WriteString(" ")
		b.WriteString(e.Code)
	}
	if e.Message != "" {
		b.WriteString(": ")
		b.WriteString(e.Message)
	}
	writeStatus(&b, e.StatusCode, e.RequestID)
	return b.String()
}

// As lets errors.As fill a **tea.SDKError, the error type of Alibaba's
// official Go SDK, with this error's code, status, message and request id.
func (e *APIError) As(target any) bool {
	t, ok := target.(**tea.SDKError)
	if !ok {
		return false
	}
	msg := e.Message
	if e.RequestID != "" {
		msg += " request id: " + e.RequestID
	}
	status := e.StatusCode
	data := `{"statusCode":` + strconv.Itoa(status) + `,"requestId":` + strconv.Quote(e.RequestID) +
		`,"code":` + strconv.Quote(e.Code) + `,"message":` + strconv.Quote(e.Message) + `}`
	*t = tea.NewSDKError(map[string]any{
		"code":       e.Code,
		"statusCode": status,
		"message":    msg,
		"data":       data,
	})
	return true
}

// Throttled reports whether the service asked the caller to slow down.
func (e *APIError) Throttled() bool {
	return e.StatusCode == 429 || strings.Contains(e.Code, "Throttling")
}

// RedirectError is a 3xx answer. The client never follows a redirect, with
// its own HTTP client or one given by WithHTTPClient: the request's signed
// headers and security token would go to whatever host the answer names.
// For CreateActivationCode the request may have been processed before the
// redirect, so its error also wraps ErrUncertainOutcome. A redirect is never
// retried.
type RedirectError struct {
	// StatusCode is the HTTP status of the answer, 300 to 399.
	StatusCode int
	// Host is the host (and port) the Location header names, never its path
	// or query; the endpoint's host for a relative Location; empty when the
	// answer had no Location, or one that is not a URL.
	Host string
	// RequestID is the x-acs-request-id header's value, when there was one.
	RequestID string
}

// Error says that a redirect was refused, where it pointed, the status and
// the request id.
func (e *RedirectError) Error() string {
	var b strings.Builder
	b.WriteString("redirect not followed")
	if e.Host != "" {
		b.WriteString(" (Location on host ")
		b.WriteString(e.Host)
		b.WriteString(")")
	}
	b.WriteString(": the client never follows redirects; check the endpoint and any proxy")
	writeStatus(&b, e.StatusCode, e.RequestID)
	return b.String()
}

// ValidationError is a request refused before anything was sent: a required
// field missing or a value out of range. It names the operation and the field.
type ValidationError struct {
	// Operation is the API operation, such as "CreateActivationCode".
	Operation string
	// Field is the request field at fault, by its Go name.
	Field string
	// Reason says what is wrong with it.
	Reason string
}

// Error says which field is wrong and why.
func (e *ValidationError) Error() string {
	return "polarlicense: " + e.Operation + ": invalid " + e.Field + ": " + e.Reason
}

// DecodeError is a success answer whose body could not be read as the
// operation's response, or an answer of any status whose body is larger than
// the client reads (WithMaxResponseBytes). It never quotes the body, which
// may hold a license.
type DecodeError struct {
	// StatusCode is the HTTP status of the answer.
	StatusCode int
	// RequestID is the request id from the body or the x-acs-request-id
	// header, when either had one.
	RequestID string
	// Field is the response field being read, when the fault is in one.
	Field string
	// Err is the fault: a syntax error or a value of the wrong type, with its
	// byte offset.
	Err error
}

// Error says what could not be read, with the status and request id.
func (e *DecodeError) Error() string {
	var b strings.Builder
	b.WriteString("cannot decode response")
	if e.Field != "" {
		b.WriteString(" field ")
		b.WriteString(e.Field)
	}
	b.WriteString(": ")
	b.WriteString(causeText(e.Err))
	writeStatus(&b, e.StatusCode, e.RequestID)
	return b.String()
}

// writeStatus ends an error message with " (status N, request id R)".
func writeStatus(b *strings.Builder, status int, requestID string) {
	b.WriteString(" (status ")
	b.WriteString(strconv.Itoa(status))
	if requestID != "" {
		b.WriteString(", request id ")
		b.WriteString(requestID)
	}
	b.WriteString(")")
}

// Unwrap returns the underlying fault.
func (e *DecodeError) Unwrap() error { return e.Err }

// CredentialError is a failure to obtain credentials from the client's
// source (a credentials-go provider): nothing was sent. Reason is the
// provider's explanation, on one line, with anything that could quote a
// secret withheld; the provider's own error is not kept, because
// credentials-go quotes a malformed configuration file whole, secrets
// included.
type CredentialError struct {
	// Reason says why no credentials could be had.
	Reason string
}

// Error says that no credentials could be had, and why.
func (e *CredentialError) Error() string { return "credentials: " + e.Reason }

// credentialReasonLimit bounds a CredentialError's Reason.
const credentialReasonLimit = 300

// newCredentialError makes a CredentialError from a provider's error text:
// whatever follows a "{" (a dumped JSON file) or an INI parser's "delimiter
// not found" (a quoted line) is withheld, and the rest folded to one
// printable, bounded line.
func newCredentialError(text string) *CredentialError {
	note := ""
	for _, marker := range [...]string{"{", "delimiter not found"} {
		if i := strings.Index(text, marker); i >= 0 {
			text = strings.TrimRight(text[:i+len(marker)], "{ :")
			note = " (content withheld)"
		}
	}
	return &CredentialError{Reason: printable(text, credentialReasonLimit) + note}
}

// OperationError is a call that was sent and failed. It names the operation
// and how many attempts were made, and wraps the last attempt's cause.
type OperationError struct {
	// Operation is the API operation, such as "DescribeLicenseOrders".
	Operation string
	// Attempts is how many times the request was sent.
	Attempts int
	// Err is the last attempt's cause.
	Err error
}

// Error names the operation, the attempts and the cause.
func (e *OperationError) Error() string {
	s := "polarlicense: " + e.Operation
	if e.Attempts > 1 {
		s += " (" + strconv.Itoa(e.Attempts) + " attempts)"
	}
	return s + ": " + causeText(e.Err)
}

// Unwrap returns the last attempt's cause.
func (e *OperationError) Unwrap() error { return e.Err }

// causeText is the text of an error type's cause, which a caller's own
// value of the type (a test's fake answer) may lack.
func causeText(err error) string {
	if err == nil {
		return "no cause given"
	}
	return err.Error()
}

// errBodyTooLarge is the cause when a response body exceeds the read cap.
var errBodyTooLarge = errors.New("response body exceeds the size limit")

// excerptLimit bounds how much of a non-Alibaba error body an APIError quotes.
const excerptLimit = 256

// fieldLimit bounds each text field of an APIError taken from the service.
const fieldLimit = 1024

// excerpt returns a short, printable excerpt of an error body that is not an
// Alibaba error body.
func excerpt(body []byte) string {
	if len(body) == 0 {
		return "empty body"
	}
	if s := cutStringToSign(printable(string(body), excerptLimit)); s != "" {
		return s
	}
	return "blank body"
}

// printable returns s made safe for one line of an error message or a
// terminal: at most limit bytes (then "…"), control characters and invalid
// UTF-8 replaced by "?", runs of white space folded into one space, leading
// and trailing white space dropped.
func printable(s string, limit int) string {
	clean := true
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c >= 0x7f {
			clean = false
			break
		}
	}
	if clean && len(s) <= limit && !strings.Contains(s, "  ") && strings.TrimSpace(s) == s {
		return s
	}
	var b strings.Builder
	space := false
	for i := 0; i < len(s) && b.Len() < limit; {
		r, n := utf8.DecodeRuneInString(s[i:])
		i += n
		switch {
		case r == ' ' || r == '\t' || r == '\n' || r == '\r':
			space = b.Len() > 0
			continue
		case r == utf8.RuneError || r < 0x20 || r >= 0x7f && r < 0xa0:
			r = '?'
		}
		if space {
			b.WriteByte(' ')
			space = false
		}
		b.WriteRune(r)
	}
	if b.Len() >= limit {
		b.WriteString("…")
	}
	return b.String()
}
