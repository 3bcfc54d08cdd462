package polarlicensetest

import (
	"crypto/rand"
	"log/slog"
	"time"

	polarlicense "github.com/polarlicense/polarlicense-go"
)

// Option configures a Handler or Server. Options apply in order.
type Option func(*config)

// config collects the options.
type config struct {
	creds        credentials
	noDemo       bool
	seeds        []func(st *state, now time.Time) // in option order
	now          func() time.Time
	faults       []Fault
	logger       *slog.Logger
	virtualQuota int
	logSize      int
	latency      time.Duration
}

// WithAccessKey makes the server accept this AccessKey pair instead of the
// random one it makes up. Both must be non-empty.
func WithAccessKey(accessKeyID, accessKeySecret string) Option {
	return func(c *config) {
		if accessKeyID == "" || accessKeySecret == "" {
			panic("polarlicensetest: WithAccessKey: the AccessKey ID and secret must not be empty")
		}
		c.creds.id, c.creds.secret = accessKeyID, accessKeySecret
	}
}

// WithSecurityToken makes the AccessKey an STS credential: every request
// must then carry this security token (the SecurityToken parameter or the
// x-acs-security-token header), or it is refused with MissingSecurityToken or
// InvalidSecurityToken.MismatchWithAccessKey. An empty token turns the
// requirement off.
func WithSecurityToken(token string) Option {
	return func(c *config) { c.creds.token = token }
}

// WithoutDemoData starts the server with no orders instead of the demo data
// set (see the Demo* constants).
func WithoutDemoData() Option {
	return func(c *config) { c.noDemo = true }
}

// WithOrders adds license orders, written as the client reads them back.
// An order replaces an earlier one with the same AliyunOrderID (demo orders
// included), together with that order's codes. Fields left zero get
// defaults: an AliyunOrderID is made up, VirtualAliyunOrderID is the order's
// own ID, PackageValidity follows PackageType ("30 years" for *_long_term,
// else "1 year"), GmtCreated and GmtModified are the server's clock. Times
// are kept to the second, in China Standard Time.
//
// An order is the virtual order of its Engine, the one
// CreateOrGetVirtualLicenseOrder returns, if it is the first order with
// IsVirtualOrder set for that engine. IsVirtualOrderFrozen stops an order
// from issuing codes.
func WithOrders(orders ...polarlicense.LicenseOrder) Option {
	return func(c *config) {
		for _, o := range orders {
			c.seeds = append(c.seeds, func(st *state, now time.Time) { st.putOrder(o, now) })
		}
	}
}

// WithActivationCode adds an activation code to an order given earlier in
// the options (or a demo order), with its license content as the service
// sends it (CertContentB64, base64); an empty cert gets a made-up license
// (see FakeLicensePrefix). Fields left zero get defaults: the next free ID,
// GmtCreated, GmtModified and ActivateAt the server's clock, ExpireAt
// ActivateAt plus the order's PackageValidity. The order's
// ActivatedCodeCount is raised to its number of codes if it was lower.
//
// NewHandler and NewServer panic if the order does not exist or already has a
// code with the ID.
func WithActivationCode(orderID string, code polarlicense.ActivationCode, cert polarlicense.CertContent) Option {
	return func(c *config) {
		c.seeds = append(c.seeds, func(st *state, now time.Time) {
			if !st.putCode(orderID, code, cert.Reveal(), now) {
				panic("polarlicensetest: WithActivationCode: no order " + orderID + ", or a duplicate code ID")
			}
		})
	}
}

// WithClock makes the server read the time from now instead of time.Now: the
// times it stamps on orders and codes, and the clock request timestamps are
// checked against (MaxClockSkew) and nonces expire by. The server calls now
// from the goroutines serving requests: a clock the test moves while
// requests run must be safe for concurrent use (an atomic or a mutex).
func WithClock(now func() time.Time) Option {
	return func(c *config) {
		if now == nil {
			panic("polarlicensetest: WithClock: nil clock")
		}
		c.now = now
	}
}

// WithFaults injects faults from the start, as InjectFault does; NewHandler
// and NewServer panic on an unknown FaultKind or Operation.
func WithFaults(faults ...Fault) Option {
	return func(c *config) { c.faults = append(c.faults, faults...) }
}

// WithLogger makes the server log one record per request at level Info:
// the operation, status, error code, request id, fault and duration. Records
// hold no secret: no AccessKeySecret, security token, signature or license.
func WithLogger(l *slog.Logger) Option {
	return func(c *config) { c.logger = l }
}

// WithVirtualOrderQuota sets the ActivationCodeQuota of the virtual orders
// that CreateOrGetVirtualLicenseOrder creates (DefaultVirtualOrderQuota
// otherwise).
func WithVirtualOrderQuota(n int) Option {
	return func(c *config) {
		if n < 0 {
			panic("polarlicensetest: WithVirtualOrderQuota: negative quota")
		}
		c.virtualQuota = n
	}
}

// WithRequestLogSize sets how many requests the request log
// (Handler.Requests) keeps: the most recent n, RequestLogSize without this
// option. With 0 it keeps none; RequestCount counts all the same. It panics
// if n is negative.
func WithRequestLogSize(n int) Option {
	return func(c *config) {
		if n < 0 {
			panic("polarlicensetest: WithRequestLogSize: negative size")
		}
		c.logSize = n
	}
}

// randomString returns n random characters from alphabet.
func randomString(n int, alphabet string) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	for i := range b {
		b[i] = alphabet[int(b[i])%len(alphabet)]
	}
	return string(b)
}

const (
	upperDigits  = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
	alphanumeric = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
)

// newConfig applies opts over the defaults: a made-up AccessKey, the demo
// data, the real clock.
func newConfig(opts []Option) *config {
	c := &config{now: time.Now, virtualQuota: DefaultVirtualOrderQuota, logSize: RequestLogSize}
	for _, opt := range opts {
		if opt != nil {
			opt(c)
		}
	}
	if c.creds.id == "" {
		c.creds.id = "EMULATOR" + randomString(16, upperDigits)
		c.creds.secret = randomString(30, alphanumeric)
	}
	return c
}
