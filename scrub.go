package polarlicense

import (
	"context"
	"errors"
	"io"
	"net"
	"net/url"
	"os"
	"slices"
	"strings"
	"syscall"

	"github.com/polarlicense/polarlicense-go/internal/sign"
)

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
	return alnum(c) || c == '-' || c == '_' || c == '.' || c == '~'
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

// body returns a success body with every form of every secret replaced by
// "[REDACTED]", which keeps a JSON string a JSON string. It is called only
// for the rare body that may hold one (mayHoldSecret), and returns a copy.
func (sc *scrubber) body(body []byte) []byte {
	t := bytesView(body)
	for _, f := range sc.forms {
		t = replaceForm(t, f)
	}
	return []byte(t)
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
