package polarlicense

import (
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/aliyun/credentials-go/credentials"
)

// SignatureAlgorithm chooses how requests are signed.
type SignatureAlgorithm int

const (
	// SignatureV3 is ACS3-HMAC-SHA256, the default of Alibaba's current SDKs
	// and of this client.
	SignatureV3 SignatureAlgorithm = iota
	// SignatureRPC is the older RPC signature: HMAC-SHA1, SignatureVersion 1.0.
	SignatureRPC
)

// String names the algorithm as Alibaba's documents do.
func (a SignatureAlgorithm) String() string {
	switch a {
	case SignatureV3:
		return "ACS3-HMAC-SHA256"
	case SignatureRPC:
		return "HMAC-SHA1"
	}
	return "SignatureAlgorithm(unknown)"
}

// DefaultMaxResponseBytes is how much of a response body the client reads
// unless WithMaxResponseBytes says otherwise. A full page of 100 orders is
// about 50 KiB; a license is a few KiB.
const DefaultMaxResponseBytes = 4 << 20

// Option configures a Client. Options are applied in order; a later one
// overrides an earlier one.
type Option func(*settings) error

// settings collects the options before NewClient checks and applies them.
type settings struct {
	endpointType EndpointType // WithEndpointType (endpoints.go)

	region      string
	endpoint    string
	creds       credentialSource
	httpClient  *http.Client
	algorithm   SignatureAlgorithm
	loc         *time.Location
	maxBody     int64
	timeouts    Timeouts
	retryer     Retryer
	retryPolicy RetryPolicy
	hooks       []attemptHook           // WithAttemptHook, WithLogger, WithCallObserver
	observers   []CallObserver          // WithCallObserver
	appID       string                  // WithAppID
	now         func() time.Time        // tests pin the clock
	nonce       func(dst []byte) []byte // tests pin the nonce
	limiter     *adaptiveLimiter        // WithRateLimit (ratelimit.go)
	stateDir    string                  // WithStateDir (statedir.go)
}

// WithRegion sets the region, such as "cn-hangzhou", whose endpoint the
// client calls (see EndpointHost). WithEndpoint overrides it.
func WithRegion(region string) Option {
	return func(s *settings) error {
		for i := 0; i < len(region); i++ {
			if c := region[i]; !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-') {
				return errors.New("WithRegion: a region id holds only lower-case letters, digits and \"-\", such as cn-hangzhou")
			}
		}
		s.region = region
		return nil
	}
}

// WithEndpoint sets the URL the client calls, such as
// "https://polardb.aliyuncs.com" or "http://127.0.0.1:8080" for a local
// emulator. A bare host name gets the https scheme; an empty string leaves
// the default, so a value read from an unset environment variable is harmless.
func WithEndpoint(endpoint string) Option {
	return func(s *settings) error {
		s.endpoint = endpoint
		return nil
	}
}

// WithCredentials makes the client sign with credentials from c, any
// credentials-go Credential (an AccessKey, STS, a RAM role, OIDC, the ECS
// instance role, a credentials URI, …). Each attempt signs with a snapshot
// at most a second old, so rotated and refreshed credentials take effect;
// the client serialises the fetches, which credentials-go's caching
// providers need, and takes no lock while a snapshot is young. A call
// waiting for a slow provider (an ECS metadata service, a credentials URI)
// gives up at its context's deadline or cancellation, while the one fetch
// in progress goes on and serves the calls that follow.
func WithCredentials(c credentials.Credential) Option {
	return func(s *settings) error {
		if c == nil {
			return errors.New("WithCredentials: nil credential")
		}
		s.creds = &providerCredential{cred: c}
		return nil
	}
}

// WithAccessKey makes the client sign with a fixed AccessKey pair.
func WithAccessKey(accessKeyID, accessKeySecret string) Option {
	return WithSTSToken(accessKeyID, accessKeySecret, "")
}

// WithSTSToken makes the client sign with fixed STS credentials: an
// AccessKey pair and its security token. An empty token means a plain
// AccessKey pair.
func WithSTSToken(accessKeyID, accessKeySecret, securityToken string) Option {
	return func(s *settings) error {
		if accessKeyID == "" || accessKeySecret == "" {
			return errors.New("WithAccessKey: the AccessKey ID and secret must not be empty")
		}
		s.creds = &staticCredential{c: newCredential(accessKeyID, accessKeySecret, securityToken)}
		return nil
	}
}

// WithHTTPClient makes the client send requests with hc instead of its own
// (which has connect, TLS-handshake and response-header timeouts). The
// client reuses hc's transport and connections, but sends through a shallow
// copy of hc that never follows a redirect (a 3xx is a *RedirectError),
// whatever hc.CheckRedirect says; hc itself is never changed.
func WithHTTPClient(hc *http.Client) Option {
	return func(s *settings) error {
		if hc == nil {
			return errors.New("WithHTTPClient: nil *http.Client")
		}
		s.httpClient = hc
		return nil
	}
}

// WithSignatureAlgorithm chooses the signature: SignatureV3 (the default) or
// SignatureRPC.
func WithSignatureAlgorithm(a SignatureAlgorithm) Option {
	return func(s *settings) error {
		if a != SignatureV3 && a != SignatureRPC {
			return errors.New("WithSignatureAlgorithm: unknown algorithm")
		}
		s.algorithm = a
		return nil
	}
}

// WithTimeZone sets the zone in which the service's zone-less times are read.
// The default is China Standard Time (UTC+08:00).
func WithTimeZone(loc *time.Location) Option {
	return func(s *settings) error {
		if loc == nil {
			return errors.New("WithTimeZone: nil *time.Location")
		}
		s.loc = loc
		return nil
	}
}

// WithMaxResponseBytes caps how much of a response body the client reads; a
// larger body fails the call instead of exhausting memory. The default is
// DefaultMaxResponseBytes.
func WithMaxResponseBytes(n int64) Option {
	return func(s *settings) error {
		if n < 1024 {
			return errors.New("WithMaxResponseBytes: the cap must be at least 1024 bytes")
		}
		s.maxBody = n
		return nil
	}
}

// parseEndpoint returns the scheme and host of an endpoint URL or host name.
func parseEndpoint(endpoint string) (scheme, host string, err error) {
	if !strings.Contains(endpoint, "://") {
		endpoint = "https://" + endpoint
	}
	u, err := url.Parse(endpoint)
	if err != nil {
		return "", "", errors.New("WithEndpoint: not a URL")
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		return "", "", errors.New("WithEndpoint: the scheme must be http or https")
	}
	// A host with no name (":8443") would dial this very machine.
	if u.Hostname() == "" || u.User != nil || (u.Path != "" && u.Path != "/") || u.RawQuery != "" || u.Fragment != "" {
		return "", "", errors.New("WithEndpoint: want scheme://host[:port] with no path, query or user")
	}
	return u.Scheme, u.Host, nil
}

// Timeouts bound each stage of a call, so that a client cannot hang on a
// silent network. The caller's context always wins: a shorter deadline on it
// ends the call sooner.
//
// Given to WithTimeouts, a zero field keeps its default (DefaultTimeouts) and
// NoTimeout removes that stage's bound.
type Timeouts struct {
	// Connect bounds establishing a TCP connection.
	Connect time.Duration
	// TLSHandshake bounds the TLS handshake.
	TLSHandshake time.Duration
	// ResponseHeader bounds the wait for the answer's headers once the
	// request is sent.
	ResponseHeader time.Duration
	// Attempt bounds one whole attempt, from connecting to reading the last
	// byte of the body, and separately the wait for a credentials-go
	// provider's answer before it.
	Attempt time.Duration
}

// NoTimeout, as a field of the Timeouts given to WithTimeouts, leaves that
// stage without a bound of the client's own; the context still bounds it.
const NoTimeout time.Duration = -1

// DefaultTimeouts are the timeouts of a client built without WithTimeouts.
var DefaultTimeouts = Timeouts{Connect: 5 * time.Second, TLSHandshake: 5 * time.Second, ResponseHeader: 20 * time.Second, Attempt: 30 * time.Second}

// WithTimeouts sets the timeouts: a positive field replaces the default, a
// zero field keeps it, NoTimeout removes the bound; any other negative value
// is an error. Connect, TLSHandshake and ResponseHeader configure the
// client's own HTTP transport and have no effect with WithHTTPClient;
// Attempt applies in every case.
func WithTimeouts(t Timeouts) Option {
	return func(s *settings) error {
		for _, f := range []struct {
			v   time.Duration
			dst *time.Duration
		}{
			{t.Connect, &s.timeouts.Connect},
			{t.TLSHandshake, &s.timeouts.TLSHandshake},
			{t.ResponseHeader, &s.timeouts.ResponseHeader},
			{t.Attempt, &s.timeouts.Attempt},
		} {
			switch {
			case f.v == NoTimeout:
				*f.dst = 0
			case f.v < 0:
				return errors.New("WithTimeouts: a timeout must be positive, zero (the default) or NoTimeout")
			case f.v > 0:
				*f.dst = f.v
			}
		}
		return nil
	}
}

// WithRetryPolicy configures the standard retryer (see RetryPolicy);
// RetryPolicy{MaxAttempts: 1} turns retries off. Without this option or
// WithRetryer, a client uses the standard retryer with the defaults.
func WithRetryPolicy(p RetryPolicy) Option {
	return func(s *settings) error {
		if p.MaxAttempts < 0 || p.BaseDelay < 0 || p.MaxDelay < 0 || p.Budget < 0 {
			return errors.New("WithRetryPolicy: values must not be negative")
		}
		s.retryPolicy, s.retryer = p, nil
		return nil
	}
}

// WithRetryer makes the client consult r about retryable failures instead
// of the standard retryer; nil turns retries off. The client still decides
// which failures are safe to retry at all.
func WithRetryer(r Retryer) Option {
	return func(s *settings) error {
		if r == nil {
			r = noRetryer{}
		}
		s.retryer = r
		return nil
	}
}

// Format prints "polarlicense.Option" for every verb: an option may hold
// credentials.
func (o Option) Format(f fmt.State, verb rune) { _, _ = io.WriteString(f, "polarlicense.Option") }

// LogValue describes an option to slog without what it holds.
func (o Option) LogValue() slog.Value { return slog.StringValue("polarlicense.Option") }
