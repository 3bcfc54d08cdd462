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
// *DecodeError, a *CredentialError, a *RedirectError or the transport's
// error; see errors.go.
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
// # Security
//
// The client trusts nothing it did not ask for and leaks nothing it holds:
//
//   - Redirects are never followed, with the client's own HTTP client or one
//     given by WithHTTPClient (it is used through a shallow copy that refuses
//     redirects; the caller's client is not changed). A 3xx answer is a
//     *RedirectError naming the status and the Location's host, never its
//     path or query; for CreateActivationCode it wraps ErrUncertainOutcome.
//     No credential, signature or signed header is sent to any host but the
//     endpoint.
//   - A 2xx answer must be a real answer: a body carrying an error Code is an
//     *APIError, and a success body missing what the operation must return
//     (its RequestId; the order or code id of the detail and create calls) is
//     a *DecodeError.
//   - Memory is bounded by what was asked: a page holding more items than
//     its PageSize fails while it is decoded, before the items are
//     allocated; decoding a body allocates at most a small, documented
//     multiple of its size; a decoded value owns its memory, so keeping one
//     field keeps only that field.
//   - Retries: only the failures known to be transient are retried (see
//     RetryPolicy and the notes in retry.go): throttling, InternalError,
//     ServiceUnavailable, UnknownError, HTTP 429, 500, 502, 503 and 504,
//     timeouts and connection failures. Never retried: any other API error, a
//     redirect, a *CredentialError, a *DecodeError, an oversized body,
//     certificate and TLS failures, a host that does not exist, the caller's
//     cancellation, and any error the client cannot classify (such as a
//     proxy's refusal). CreateActivationCode is retried only when its
//     request provably never left (no connection, a failed dial or TLS
//     handshake, a failed write) or was throttled; otherwise its error wraps
//     ErrUncertainOutcome.
//   - The context always wins: a nil context is a *ValidationError; waiting
//     for a slow credential provider ends at the caller's deadline or
//     cancellation (one fetch at a time still runs); a retry whose wait
//     would pass the deadline is not attempted, the call ends at once; a
//     throttling TimeLeft too large to represent is clamped, never
//     overflowed.
//   - A credential that cannot go into a header (an AccessKey ID or security
//     token with a newline or another control character) is a
//     *CredentialError before anything is sent.
//   - Never printed or logged: the AccessKeySecret, security tokens,
//     signatures and license contents (CertContent). Every fmt verb of a
//     Client, an Option, a CertContent and a response shows "[REDACTED]" or
//     a description instead, and so does slog with any handler (LogValue);
//     encoding/json writes a license only as part of the response that
//     carries it, an explicit request for the data. Every error, and every
//     WithLogger record, is scrubbed of each secret of its attempt, raw and
//     percent-encoded, before it exists, even when a server or proxy echoes
//     the request back.
//   - License files (WriteLicenseFile) are written atomically, keep the
//     owner, group and mode of the file they replace (a new file gets
//     LicenseFileMode), never replace a file when told not to (checked
//     atomically, so two writers cannot both succeed), and refuse a path
//     that is not a regular file (a symbolic link, a directory, a FIFO, a
//     device) without opening it.
//   - The polarlicense command neutralises spreadsheet formulas in CSV
//     output and escapes control and bidi characters in table output; its
//     local file errors name the file. The polarlicensetest emulator keeps
//     its memory bounded under unauthenticated and malformed traffic, and
//     its standalone server sets read and idle timeouts.
package polarlicense
