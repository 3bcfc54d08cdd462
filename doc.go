// Package polarlicense is a typed client for the license operations of the
// Alibaba Cloud PolarDB OpenAPI (product polardb, version 2017-08-01): license
// orders, virtual orders and the activation codes that carry PolarDB license
// files.
//
// Make one Client and share it:
//
//	client, err := polarlicense.NewClient(polarlicense.WithRegion("cn-hangzhou"))
//	out, err := client.DescribeLicenseOrders(ctx, &polarlicense.DescribeLicenseOrdersRequest{PageSize: 30})
//
// Every operation is a method taking a context and a request struct and
// returning a response struct. Requests are checked before anything is sent
// (a *ValidationError names the field), signed with the V3 signature
// (ACS3-HMAC-SHA256) or, with WithSignatureAlgorithm(SignatureRPC), the RPC
// signature (HMAC-SHA1), with fresh credentials, nonce and timestamp on every
// attempt. Failures come back as *OperationError wrapping an *APIError, a
// *DecodeError, a *CredentialError or the transport's error; see errors.go.
//
// # Retries and timeouts
//
// Throttling, transient server errors, timed-out attempts and connection
// failures are retried with full-jitter backoff and a client-wide retry
// budget (RetryPolicy, WithRetryer); CreateActivationCode, which spends
// quota and has no idempotency token, only when its request provably never
// reached processing, and its error wraps ErrUncertainOutcome otherwise.
// Every stage of a call has a timeout (Timeouts), and the caller's context
// always wins.
//
// # Paging
//
// Client.LicenseOrders and Client.ActivationCodes iterate over every item,
// a page at a time; NewDescribeLicenseOrdersPaginator and
// NewDescribeActivationCodesPaginator walk page by page.
//
// # Provisioning
//
// Client.EnsureActivationCode is CreateActivationCode made safe to repeat:
// it returns the host's unexpired code (same MAC address, compared
// normalised, and same system identifier) when there is one, and creates
// one only when there is none, after checking that the order can issue it
// (ErrOrderFrozen, ErrQuotaExhausted). After a lost answer it looks again
// rather than creating twice. Package hostid reads a host's system
// identifier and MAC address; NormalizeMacAddress gives the form requests
// use.
//
// # Observability
//
// Every request carries the User-Agent "polarlicense-go/<Version> (<GOOS>;
// <GOARCH>) Go/<go version>", and " app/<id>" with WithAppID.
// WithAttemptHook sees every attempt (AttemptInfo), WithCallObserver every
// whole call (CallObserver: the OpenTelemetry module
// github.com/polarlicense/polarlicense-go/otel is one), and WithLogger writes
// a debug record per attempt through the same mechanism. A client with none
// of them pays nothing for them.
//
// # Other PolarDB actions
//
// Client.Call sends any action of the PolarDB API (version 2017-08-01)
// through the same request path and returns the raw JSON of the answer; it
// is treated as not idempotent unless CallIdempotent is given.
//
// # Testing
//
// The polarlicensetest package runs an emulator of the API in-process, for
// tests of code that uses this client.
//
// # Times
//
// The service writes times as "YYYY-MM-DD hh:mm:ss" with no zone. They are
// read in China Standard Time (UTC+08:00) unless WithTimeZone says otherwise.
//
// # Secrets
//
// The AccessKeySecret, security tokens, signatures and license contents
// (CertContent) never appear in an error, a log record or the fmt output of
// any type of this package.
package polarlicense
