package polarlicense

import (
	"context"
	"errors"
	"io"
	"net"
	"net/url"
	"os"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"
	"unicode/utf8"

	"github.com/alibabacloud-go/tea/tea"

	"github.com/polarlicense/polarlicense-go/internal/sign"
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
	// trying again (from the x-ratelimit-user-api or x-ratelimit-user
	// header's TimeLeft); zero when it did not say. A TimeLeft over 24 hours,
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
// operation's response. It never quotes the body, which may hold a license.
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
	b.WriteString(e.Err.Error())
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
	return s + ": " + e.Err.Error()
}

// Unwrap returns the last attempt's cause.
func (e *OperationError) Unwrap() error { return e.Err }

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

// scrubber removes one attempt's secrets from the text of its errors and its
// request id (see the package notes on errors). An attempt builds one when it
// failed, or when the client has attempt hooks, which see the request id.
type scrubber struct {
	forms   []string // every form of every secret and signed text, hex-normalised, longest first
	partial []string // the forms of the secrets proper, whose start is cut at an excerpt's end
}

// minPartialSecret is the shortest end of an excerpt that is taken for the
// start of a secret cut short.
const minPartialSecret = 8

// newScrubber returns a scrubber for secrets (each in its raw and
// percent-encoded forms) and for signed texts (the signed query or the
// Authorization header, as they are); empty strings are skipped.
func newScrubber(secrets []string, signed ...string) *scrubber {
	sc := &scrubber{}
	add := func(f string, partial bool) {
		f = hexUpper(f)
		if f == "" || slices.Contains(sc.forms, f) {
			return
		}
		sc.forms = append(sc.forms, f)
		if partial {
			sc.partial = append(sc.partial, f)
		}
	}
	for _, s := range secrets {
		if s == "" {
			continue
		}
		rpc := string(sign.AppendEscape(nil, s))
		add(s, true)
		add(rpc, true)
		add(url.QueryEscape(s), true)
		add(string(sign.AppendEscape(nil, rpc)), true) // the RPC string to sign encodes the query again
	}
	for _, s := range signed {
		add(s, false)
	}
	slices.SortFunc(sc.forms, func(a, b string) int { return len(b) - len(a) })
	return sc
}

// mayHoldSecret reports whether t may hold a form a scrubber built for
// secrets would replace, without building one: whether t holds, in the
// hex-normalised form the scrubber matches, the start of some secret up to
// its first character that percent-encoding changes (with which every form
// of the secret begins), or that start is empty, or t was cut short (ends in
// "…"), where the scrubber looks for a secret's start alone. Every form of
// the signed texts holds a form of the signature, one of the secrets. When
// it reports false, the scrubber would leave t as it is.
func mayHoldSecret(t string, secrets ...string) bool {
	if t == "" {
		return false
	}
	if strings.HasSuffix(t, "…") {
		return true
	}
	norm := hexUpper(t)
	for _, s := range secrets {
		if s == "" {
			continue
		}
		n := 0
		for n < len(s) && unreserved(s[n]) {
			n++
		}
		if n == 0 || strings.Contains(norm, s[:n]) {
			return true
		}
	}
	return false
}

// unreserved reports whether percent-encoding, in any of the forms the
// scrubber knows, leaves c as it is: a letter, a digit, "-", "_", "." or "~".
func unreserved(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '-' || c == '_' || c == '.' || c == '~'
}

// text returns t with every form of every secret replaced by "[REDACTED]",
// any quoted string to sign cut off, and a secret cut short where t was cut
// (before a trailing "…") removed.
func (sc *scrubber) text(t string) string {
	if t == "" {
		return t
	}
	t = cutStringToSign(t)
	for _, f := range sc.forms {
		t = replaceForm(t, f)
	}
	return sc.trimPartial(t)
}

// cutStringToSign cuts off a quoted string to sign: "string to sign is", in
// any letter case, and all that follows it, with a "server" just before it.
// A SignatureDoesNotMatch message quotes the server's string to sign, which
// with the RPC algorithm holds the request's parameters, a security token
// among them.
func cutStringToSign(t string) string {
	i := indexASCIIFold(t, "string to sign is")
	if i < 0 {
		return t
	}
	t = strings.TrimSpace(t[:i])
	if n := len(t) - len("server"); n >= 0 && strings.EqualFold(t[n:], "server") {
		t = strings.TrimSpace(t[:n])
	}
	return t + " (server string to sign withheld)"
}

// indexASCIIFold returns the index in s of the first instance of sub, which
// is ASCII in lower case, matching s's ASCII letters in either case; -1 when
// there is none. Unlike an index into strings.ToLower(s), whose runes may
// change length, the index is always one into s.
func indexASCIIFold(s, sub string) int {
	for i := 0; i+len(sub) <= len(s); i++ {
		j := 0
		for ; j < len(sub); j++ {
			c := s[i+j]
			if 'A' <= c && c <= 'Z' {
				c += 'a' - 'A'
			}
			if c != sub[j] {
				break
			}
		}
		if j == len(sub) {
			return i
		}
	}
	return -1
}

// trimPartial removes the start of a secret just before the "…" that ends
// a text cut short.
func (sc *scrubber) trimPartial(t string) string {
	body, cut := strings.CutSuffix(t, "…")
	if !cut {
		return t
	}
	norm := hexUpper(body)
	for _, f := range sc.partial {
		for i := max(0, len(norm)-len(f)+1); i <= len(norm)-minPartialSecret; i++ {
			if strings.HasPrefix(f, norm[i:]) {
				return body[:i] + redacted + "…"
			}
		}
	}
	return t
}

// replaceForm replaces every occurrence of form (hex-normalised) in s,
// whatever the case of its percent-escapes' hex digits, with "[REDACTED]".
func replaceForm(s, form string) string {
	norm := hexUpper(s)
	if !strings.Contains(norm, form) {
		return s
	}
	var b strings.Builder
	for {
		i := strings.Index(norm, form)
		if i < 0 {
			b.WriteString(s)
			return b.String()
		}
		b.WriteString(s[:i])
		b.WriteString(redacted)
		s, norm = s[i+len(form):], norm[i+len(form):]
	}
}

// hexUpper returns s with the hex digits of its percent-escapes in upper
// case, and nothing else changed, so that byte offsets into the result are
// offsets into s.
func hexUpper(s string) string {
	var b []byte
	for i := 0; i+2 < len(s); i++ {
		if s[i] != '%' {
			continue
		}
		for j := i + 1; j <= i+2; j++ {
			if c := s[j]; c >= 'a' && c <= 'f' {
				if b == nil {
					b = []byte(s)
				}
				b[j] = c - 'a' + 'A'
			}
		}
	}
	if b == nil {
		return s
	}
	return string(b)
}

// error returns err with the attempt's secrets scrubbed: the fields of the
// package's own error types in place, and any other error, whose text
// changed, replaced by a redactedError.
func (sc *scrubber) error(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		// Its text holds the request URL, the RPC signature and token in it.
		err = ue.Err
	}
	var apiErr *APIError
	if errors.As(err, &apiErr) {
		for _, f := range [...]*string{&apiErr.Code, &apiErr.Message, &apiErr.RequestID, &apiErr.HostID, &apiErr.Recommend} {
			*f = sc.text(*f)
		}
		if d := apiErr.AccessDeniedDetail; d != nil {
			for _, f := range [...]*string{&d.AuthAction, &d.PolicyType, &d.NoPermissionType, &d.AuthPrincipalType,
				&d.AuthPrincipalOwnerID, &d.AuthPrincipalDisplayName, &d.EncodedDiagnosticMessage} {
				*f = sc.text(*f)
			}
		}
	}
	var de *DecodeError
	if errors.As(err, &de) {
		de.RequestID, de.Field = sc.text(de.RequestID), sc.text(de.Field)
		if de.Err != nil {
			msg := de.Err.Error()
			if clean := sc.text(msg); clean != msg {
				de.Err = newRedactedError(de.Err, clean)
			}
		}
	}
	var re *RedirectError
	if errors.As(err, &re) {
		re.Host, re.RequestID = sc.text(re.Host), sc.text(re.RequestID)
	}
	msg := err.Error()
	if clean := sc.text(msg); clean != msg {
		return newRedactedError(err, clean)
	}
	return err
}

// redactedError is an error whose text had secrets taken out. It does not
// unwrap to the original error, whose text still holds them; it unwraps to
// the well-known causes the original matched, so that errors.Is, the retry
// rules and net.Error's Timeout keep working.
type redactedError struct {
	msg     string
	causes  []error
	timeout bool
}

// wellKnownCauses are the causes a redactedError keeps reachable.
var wellKnownCauses = [...]error{
	context.Canceled, context.DeadlineExceeded, os.ErrDeadlineExceeded, io.EOF, io.ErrUnexpectedEOF,
	syscall.ECONNREFUSED, syscall.ECONNRESET, syscall.ECONNABORTED, syscall.EPIPE, syscall.ETIMEDOUT,
	errBodyTooLarge, ErrUncertainOutcome,
}

func newRedactedError(err error, msg string) *redactedError {
	e := &redactedError{msg: msg}
	for _, c := range wellKnownCauses {
		if errors.Is(err, c) {
			e.causes = append(e.causes, c)
		}
	}
	var ne net.Error
	e.timeout = errors.As(err, &ne) && ne.Timeout()
	return e
}

func (e *redactedError) Error() string   { return e.msg }
func (e *redactedError) Unwrap() []error { return e.causes }

// Timeout reports whether the original error was a timeout.
func (e *redactedError) Timeout() bool { return e.timeout }

// Temporary is false: net.Error requires it, and it is deprecated.
func (e *redactedError) Temporary() bool { return false }
