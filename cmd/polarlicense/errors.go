package main

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"

	"github.com/spf13/cobra"

	polarlicense "github.com/polarlicense/polarlicense-go"
	"github.com/polarlicense/polarlicense-go/hostid"
)

// How a failed run ends: every error becomes one line on stderr and an exit
// status. Errors that cobra returns itself (an unknown flag or command, a
// missing required flag) are usage errors; errors from a command's work are
// wrapped in commandError and classified by their cause.

// usageError is a mistake on the command line: exit status 2.
type usageError struct {
	msg string
	// at, when set, is the command whose help the message points at,
	// rather than the one run (as for "help TOPIC").
	at *cobra.Command
}

// Error is the mistake, said for a person.
func (e *usageError) Error() string { return e.msg }

// usagef makes a usageError.
func usagef(format string, args ...any) error {
	return &usageError{msg: fmt.Sprintf(format, args...)}
}

// commandError is the failure of a command's work, as opposed to cobra
// rejecting the command line.
type commandError struct{ err error }

// Error is the cause's text.
func (e *commandError) Error() string { return e.err.Error() }

// Unwrap returns the cause.
func (e *commandError) Unwrap() error { return e.err }

// findingsError ends an audit whose findings reach --fail-on. The report
// already says so: it prints nothing more.
type findingsError struct{}

// Error says why the audit failed.
func (findingsError) Error() string { return "audit findings reach the --fail-on level" }

// targetError names what a failed call was about, so that the service's
// not-found codes can be said in the command's terms.
type targetError struct {
	orderID string
	codeID  int64 // 0: the order itself
	err     error
}

// Error is the cause's text.
func (e *targetError) Error() string { return e.err.Error() }

// Unwrap returns the cause.
func (e *targetError) Unwrap() error { return e.err }

// about wraps err, if any, with the order and code it concerns.
func about(err error, orderID string, codeID int64) error {
	if err == nil {
		return nil
	}
	return &targetError{orderID: orderID, codeID: codeID, err: err}
}

// hintError adds advice to an error's message.
type hintError struct {
	err  error
	hint string
	// lostAnswer: the hint is the command's advice after a create's lost
	// answer, which replaces the SDK's own (said in the SDK's terms).
	lostAnswer bool
}

// Error is the cause's text; describe adds the hint.
func (e *hintError) Error() string { return e.err.Error() }

// Unwrap returns the cause.
func (e *hintError) Unwrap() error { return e.err }

// listenError is the failure to listen on an address a command was given
// (--listen): said as such, not as a failure to reach the service.
type listenError struct {
	addr string
	err  error
}

// Error names the address and the cause.
func (e *listenError) Error() string { return "cannot listen on " + e.addr + ": " + e.err.Error() }

// Unwrap returns the cause.
func (e *listenError) Unwrap() error { return e.err }

// action wraps a command's work: its error, if any, becomes a commandError.
func (a *app) action(fn func(ctx context.Context, cmd *cobra.Command, args []string) error) func(*cobra.Command, []string) error {
	return func(cmd *cobra.Command, args []string) error {
		if err := fn(cmd.Context(), cmd, args); err != nil {
			return &commandError{err: err}
		}
		return nil
	}
}

// fail prints err as one line on stderr and returns the exit status.
func (a *app) fail(cmd *cobra.Command, err error) int {
	if isCheckCommand(cmd) {
		return a.failCheck(cmd, err) // the monitoring-plugins convention (check.go)
	}
	if errors.As(err, new(findingsError)) {
		return exitFindings
	}
	var ce *commandError
	var ve *polarlicense.ValidationError
	var ue *usageError
	switch {
	case errors.As(err, &ve):
		a.errorLine(describeValidation(ve) + helpHint(cmd))
		return exitUsage
	case errors.As(err, &ue):
		if ue.at != nil {
			cmd = ue.at
		}
		a.errorLine(ue.msg + helpHint(cmd))
		return exitUsage
	case errors.As(err, &ce):
		a.errorLine(a.describe(ce.err))
		return exitFailure
	default: // cobra refused the command line
		a.errorLine(flagValueMessage(cmd, cobraMessage(err.Error())) + helpHint(cmd))
		return exitUsage
	}
}

// cobraSuggestions is how cobra appends its suggestions to an unknown
// command's error, one a line after it.
const cobraSuggestions = "\n\nDid you mean this?\n"

// cobraMessage rewrites cobra's multi-line suggestions ("…\n\nDid you mean
// this?\n\torders\n") as the end of the sentence: `…: did you mean "orders"?`.
func cobraMessage(msg string) string {
	head, list, ok := strings.Cut(msg, cobraSuggestions)
	if !ok {
		return msg
	}
	return head + didYouMean(strings.Fields(list))
}

// invalidFlagValue is pflag's refusal of a flag's value: the value, the
// flag ("--name", or "-x, --name"), and the parser's error.
var invalidFlagValue = regexp.MustCompile(`^(invalid argument ".*" for "(?:-., )?--([a-z0-9-]+)" flag): (.*)$`)

// flagValueMessage says what a bool, integer or number flag wants in place
// of the Go parser's words ("strconv.ParseInt: parsing \"abc\": invalid
// syntax", "parse error"); other messages are returned as they are.
func flagValueMessage(cmd *cobra.Command, msg string) string {
	m := invalidFlagValue.FindStringSubmatch(msg)
	if m == nil || cmd == nil || !(strings.HasPrefix(m[3], "strconv.") || m[3] == "parse error") {
		return msg
	}
	f := cmd.Flags().Lookup(m[2])
	if f == nil {
		return msg
	}
	var want string
	switch f.Value.Type() {
	case "bool":
		want = "want true or false"
	case "int", "int8", "int16", "int32", "int64", "uint", "uint8", "uint16", "uint32", "uint64":
		want = "want a whole number"
	case "float32", "float64":
		want = "want a number"
	default:
		return msg
	}
	if strings.HasSuffix(m[3], "value out of range") {
		want = "out of range"
	}
	return m[1] + ": " + want
}

// didYouMean is `: did you mean "a"?` or `: did you mean "a" or "b"?`, or ""
// without suggestions.
func didYouMean(suggestions []string) string {
	if len(suggestions) == 0 {
		return ""
	}
	quoted := make([]string, len(suggestions))
	for i, s := range suggestions {
		quoted[i] = strconv.Quote(s)
	}
	return ": did you mean " + strings.Join(quoted, " or ") + "?"
}

// errorLine writes "polarlicense: msg" on one line, with the characters
// that could disturb a terminal escaped (see escapeText): messages quote
// what the service sent.
func (a *app) errorLine(msg string) {
	fmt.Fprintln(a.stderr, "polarlicense: "+escapeText(oneLine(msg)))
}

func helpHint(cmd *cobra.Command) string {
	if cmd == nil {
		return ""
	}
	return ` (see "` + cmd.CommandPath() + ` --help")`
}

// flagOfField names the command-line flag or argument of a request field.
var flagOfField = map[string]string{
	"AliyunOrderID":    "ORDER_ID",
	"ActivationCodeID": "CODE_ID",
	"MacAddress":       "--mac",
	"Name":             "--name",
	"SystemIdentifier": "--system-id",
	"Description":      "--description",
	"Engine":           "--engine",
	"RenewWithin":      "--renew-within",
}

func describeValidation(ve *polarlicense.ValidationError) string {
	name := flagOfField[ve.Field]
	if name == "" {
		name = ve.Field
	}
	return "invalid " + name + ": " + ve.Reason
}

// describe says in one line what went wrong with a command's work.
func (a *app) describe(err error) string {
	var (
		api      *polarlicense.APIError
		dec      *polarlicense.DecodeError
		target   *targetError
		hint     *hintError
		credErr  *polarlicense.CredentialError
		redirect *polarlicense.RedirectError
		fileErr  *polarlicense.LicenseFileError
		ctlErr   *hostid.ControlFileError
		pathErr  *fs.PathError
		stateErr *polarlicense.StateDirError
		netErr   net.Error
	)
	var spent *spentNotWrittenError
	if errors.As(err, &spent) {
		// Said first: a code was bought, whatever went wrong next.
		return spent.head() + a.describe(spent.err) + spent.tail()
	}
	suffix := ""
	if errors.As(err, &hint) {
		suffix = "; " + hint.hint
	}
	errors.As(err, &target)
	var listenErr *listenError
	switch {
	case errors.As(err, &listenErr):
		return "cannot listen on " + listenErr.addr + ": " + rootCause(listenErr.err).Error() + suffix
	case hint != nil && errors.Is(err, polarlicense.ErrCreateHeld):
		return heldMessage(err) + suffix
	case errors.As(err, &api):
		if credentialsRefused(api.Code) {
			suffix = "; check " + a.credentialsOrigin() + suffix
		}
		if body, ok := strings.CutPrefix(api.Message, nonAPIBody); ok && api.Code == "" && api.StatusCode < 500 {
			// Not the API's answer (a web server, a proxy's page): most
			// likely the wrong endpoint, not a refusal by the service.
			return "the endpoint " + a.endpointForErrors() + " answered HTTP " + strconv.Itoa(api.StatusCode) +
				" with something other than the API's answer (" + body + "): check --endpoint and any proxy in between" + suffix
		}
		return describeAPIError(api, target) + suffix
	case errors.As(err, &credErr):
		msg := "no usable credentials: " + credErr.Reason
		if a.profile == "" && (a.chain == nil || !a.chain.saidWhatToDo()) {
			msg += " (set " + envKeyID + " and " + envSecret + ", use --profile NAME, or try --emulator)"
		}
		return msg
	case errors.Is(err, context.DeadlineExceeded):
		if a.timeout.d > 0 {
			return "gave up after " + a.timeout.String() + " (--timeout)" + waitingForLock(err) + suffix
		}
		return "timed out" + waitingForLock(err) + suffix
	case errors.Is(err, context.Canceled):
		return "interrupted" + waitingForLock(err) + suffix
	case errors.As(err, &dec):
		return "the service's answer could not be read: " + dec.Error() + suffix
	case errors.As(err, &redirect):
		to := ""
		if redirect.Host != "" {
			to = " to " + redirect.Host
		}
		return "the endpoint " + a.endpointForErrors() + " answered with a redirect (HTTP " + strconv.Itoa(redirect.StatusCode) + to +
			"), which is never followed: check --endpoint and any proxy in between" + suffix
	case hint != nil && hint.lostAnswer && errors.Is(err, polarlicense.ErrUncertainOutcome):
		// The hint says, in the command's terms, what the SDK's own advice
		// says in its terms: say what happened, then the hint alone.
		return "the answer from " + a.endpointForErrors() + " was lost (" + rootCause(err).Error() + ")" + suffix
	case errors.As(err, &fileErr):
		return describeLicenseFileError(fileErr) + suffix
	case errors.As(err, &ctlErr):
		return "control file " + ctlErr.Path + ": " + ctlErr.Err.Error() + suffix
	case errors.As(err, &stateErr):
		// After fileErr: a license file's own error says which file.
		return strings.TrimPrefix(err.Error(), "polarlicense: ") + suffix +
			"; fix it, or give a state directory this user can create and write: --state-dir DIR or $" + envStateDir
	case errors.As(err, &pathErr):
		// Before net.Error: a system error (ENOSPC, EACCES) is one too.
		return pathErr.Op + " " + pathErr.Path + ": " + pathErr.Err.Error() + suffix
	case strings.Contains(err.Error(), "server gave HTTP response to HTTPS client"):
		return "the endpoint " + a.endpointForErrors() + " answers plain HTTP, not HTTPS: give it as http://…" + suffix
	case errors.As(err, new(*tls.CertificateVerificationError)):
		return "the endpoint " + a.endpointForErrors() + " presented a certificate this machine does not trust (" + rootCause(err).Error() +
			"): check --endpoint, the system's CA certificates and any proxy that intercepts HTTPS" + suffix
	case (errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF)) && errors.As(err, new(*polarlicense.OperationError)) &&
		!errors.Is(err, polarlicense.ErrUncertainOutcome):
		// A call's connection closed before a whole answer came (a
		// request that may have taken effect is said above, with its
		// hint); a file cut short is not the service.
		return "the service at " + a.endpointForErrors() + " closed the connection before its answer was complete (" +
			rootCause(err).Error() + "); try again later" + suffix
	case errors.As(err, &netErr) && !isErrno(netErr):
		return "cannot reach the service at " + a.endpointForErrors() + ": " + rootCause(err).Error() + suffix
	}
	// The SDK's own prefixes: the command has its name for what it did.
	return strings.TrimPrefix(strings.TrimPrefix(err.Error(), "polarlicense: "), "EnsureActivationCode: ") + suffix
}

// sdkHeldAdvice are the SDK's own words, in the error of a call that a
// create never resolved holds, for what to do next: the command's hint says
// it in the command's terms instead.
var sdkHeldAdvice = []string{
	", so nothing was created; after that a call looks again and creates a code only if there still is none",
	", so nothing was sent (that create may yet make the host's code: look for it before creating another)",
}

// heldMessage is the error of a call that a create never resolved holds
// (polarlicense.ErrCreateHeld), said once: who holds the host and until
// when, without the SDK's operation name, advice and sentinel texts, which
// the command's hint replaces.
func heldMessage(err error) string {
	s := strings.TrimPrefix(err.Error(), "polarlicense: ")
	for _, op := range []string{"EnsureActivationCode: ", "CreateActivationCode: "} {
		s = strings.TrimPrefix(s, op)
	}
	if i := strings.Index(s, ": "+polarlicense.ErrCreateHeld.Error()); i >= 0 {
		s = s[:i]
	}
	for _, advice := range sdkHeldAdvice {
		s = strings.Replace(s, advice, "", 1)
	}
	return s
}

// waitingForLock says, of a run that ended while it waited for a host's lock
// in the state directory, what it waited for and that it sent nothing; ""
// for any other error.
func waitingForLock(err error) string {
	var sde *polarlicense.StateDirError
	if !errors.As(err, &sde) || sde.Op != "lock" {
		return ""
	}
	return " while waiting for another run for this host to finish (it holds the host's lock in " + sde.Dir + "); nothing was sent"
}

// isErrno reports whether a net.Error is a bare system error: every
// syscall.Errno is a net.Error, but one that no network operation wraps (a
// file that cannot be read, say) says nothing about the service.
func isErrno(err net.Error) bool {
	_, ok := err.(syscall.Errno)
	return ok
}

// describeLicenseFileError says which license file could not be written,
// why, and at which step, for a local failure: never "cannot reach the
// service".
func describeLicenseFileError(e *polarlicense.LicenseFileError) string {
	if errors.Is(e, polarlicense.ErrLicenseFileExists) {
		return e.Path + " already holds a different license"
	}
	msg := "cannot write " + e.Path + ": " + strings.TrimPrefix(e.Err.Error(), "polarlicense: ")
	if errors.Is(e, polarlicense.ErrLicenseFileNotRegular) {
		return msg
	}
	dir := filepath.Dir(e.Path)
	switch e.Op {
	case "create":
		msg += " (creating a temporary file in " + dir + ")"
	case "write", "chmod", "sync":
		msg += " (writing the new file in " + dir + ")"
	case "replace", "link":
		msg += " (putting the new file in place)"
	case "verify":
		msg += " (checking, once in place, that it is the file written: someone who can write " + dir + " changed it meanwhile; look at it)"
	case "chown":
		msg += " (giving the new file its owner)"
	case "inspect":
		msg += " (looking at the file there now)"
	}
	if errors.Is(e, fs.ErrPermission) {
		if os.Geteuid() == 0 {
			// Root refused: a read-only or network file system, an
			// immutable file, a security module. "Run as root" would not help.
			msg += " (refused to root too: look for a read-only or network file system, an immutable attribute or a security policy)"
		} else {
			msg += ": run as the owner of " + dir + " or as root"
		}
	}
	return msg
}

// endpointForErrors names the endpoint a network error concerns.
func (a *app) endpointForErrors() string {
	if a.client != nil {
		return a.client.Endpoint()
	}
	return "the endpoint"
}

// rootCause is the innermost error of a chain of wraps, following the
// first of several (an uncertain outcome wraps its cause, then
// polarlicense.ErrUncertainOutcome).
func rootCause(err error) error {
	for {
		var next error
		switch e := err.(type) {
		case interface{ Unwrap() error }:
			next = e.Unwrap()
		case interface{ Unwrap() []error }:
			if errs := e.Unwrap(); len(errs) > 0 {
				next = errs[0]
			}
		}
		if next == nil {
			return err
		}
		err = next
	}
}

// nonAPIBody starts the Message of an *APIError whose body was not an
// Alibaba error body (the SDK quotes an excerpt after it).
const nonAPIBody = "non-Alibaba error body: "

// credentialsRefused reports whether an error code is the service refusing
// the credentials the request was signed with.
func credentialsRefused(code string) bool {
	return strings.HasPrefix(code, "InvalidAccessKeyId") || code == "SignatureDoesNotMatch" || code == "IncompleteSignature" ||
		strings.HasPrefix(code, "InvalidSecurityToken") || code == "MissingSecurityToken"
}

// credentialsOrigin names, for the advice after a refusal, where the
// credentials the service refused came from.
func (a *app) credentialsOrigin() string {
	switch {
	case a.profile != "":
		return "the credentials of profile " + strconv.Quote(a.profile) + " (--profile)"
	case a.chain != nil:
		if src := a.chain.source(); src != "" {
			return "the credentials from " + src
		}
		return "the credentials the default chain found"
	case a.env.getenv != nil && a.env.getenv(envToken) != "":
		return "the AccessKey and security token in $" + envKeyID + ", $" + envSecret + " and $" + envToken
	}
	return "the AccessKey in $" + envKeyID + " and $" + envSecret
}

// describeAPIError turns an error answer into one line: what it means for
// the command, then the service's code, message and request id.
func describeAPIError(e *polarlicense.APIError, t *targetError) string {
	var head string
	switch code := e.Code; {
	case strings.HasSuffix(code, ".NotFound") && strings.Contains(code, "ActivationCodeId") && t != nil:
		head = "order " + t.orderID + " has no activation code " + strconv.FormatInt(t.codeID, 10)
	case strings.HasSuffix(code, ".NotFound") && strings.Contains(code, "OrderId") && t != nil:
		head = "no license order has the ID " + strconv.Quote(t.orderID)
	case credentialsRefused(code):
		head = "the service refused the credentials"
	case strings.HasPrefix(code, "Forbidden"), strings.HasPrefix(code, "NoPermission"), code == "ActionUnauthorized":
		head = "access denied"
		if d := e.AccessDeniedDetail; d != nil && d.AuthAction != "" {
			head += " to " + d.AuthAction
			if why := strings.TrimSpace(d.NoPermissionType + " " + d.PolicyType); why != "" {
				head += " (" + why + ")"
			}
		}
	case code == "InvalidTimeStamp.Expired":
		head = "this machine's clock is more than 15 minutes off"
	case e.Throttled():
		head = "the service is throttling requests; try again later"
	case strings.HasPrefix(code, "QuotaExceeded"):
		head = "the order's activation-code quota is used up"
	case strings.Contains(code, "Frozen"):
		head = "the virtual order is frozen"
	case e.StatusCode >= 500:
		head = "the service failed"
	default:
		head = "the service refused the request"
	}
	var b strings.Builder
	b.WriteString(head)
	b.WriteString(": ")
	if e.Code != "" {
		b.WriteString(e.Code)
		b.WriteString(": ")
	}
	msg := e.Message
	if msg == "" {
		msg = "no message"
	}
	b.WriteString(msg)
	b.WriteString(" (HTTP ")
	b.WriteString(strconv.Itoa(e.StatusCode))
	if e.RequestID != "" {
		b.WriteString(", request id ")
		b.WriteString(e.RequestID)
	}
	b.WriteString(")")
	return b.String()
}

// oneLine folds a message onto one line.
func oneLine(s string) string {
	return strings.Join(strings.Fields(s), " ")
}
