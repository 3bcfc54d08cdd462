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
// attempt.
//
// # Endpoints
//
// A client calls the region's public endpoint (see EndpointHost), or the
// central polardb.aliyuncs.com without a region. From inside an Alibaba
// Cloud VPC without Internet access, WithEndpointType(EndpointVPC) calls the
// region's VPC endpoint, polardb-vpc.<region>.aliyuncs.com; it needs a
// region. WithEndpoint overrides both.
//
// # Errors
//
// Every error an operation method or Client.Call returns is one of:
//   - *ValidationError: the request was refused before anything was sent
//     (so is a call with a nil context, or on a nil *Client or one not made
//     by NewClient: Field "ctx" or "client").
//   - *OperationError: the call was made, or credentials for it could not
//     be had (a *CredentialError), and it failed. It wraps the cause,
//     which errors.As and errors.Is reach: an *APIError (the service or a
//     proxy answered with an error), a *DecodeError (a success status with a
//     body that could not be read, or an answer larger than
//     WithMaxResponseBytes), or a transport error such as
//     context.DeadlineExceeded, context.Canceled or a *net.OpError; or a
//     *RedirectError (a 3xx answer, never followed).
//
// The walks wrap them in a *PageError naming the page (see Paging), and
// Client.EnsureActivationCode adds its own (see Provisioning).
//
// The sentinel errors (ErrUncertainOutcome, ErrNoMorePages, ErrOrderFrozen,
// …) are causes, matched with errors.Is: their texts have no "polarlicense:"
// prefix, which the error wrapping them gives once.
//
// No error text holds the AccessKeySecret, a security token, a signature or
// license content. Every error of an attempt is scrubbed before it exists
// outside the request path: each of the attempt's secrets (the
// AccessKeySecret, the security token, the signature) is replaced by
// "[REDACTED]" wherever it appears in the error's text or fields, as it is
// and percent-encoded (once, as in a query, or twice, as in the RPC string to
// sign; either hex case; "%20" or "+" for a space), and so is a secret cut
// short where an excerpt or a field ends; so are the signed query and the
// Authorization header; a quoted "string to sign is:" is cut off in any
// letter case. A server or proxy echoing the request therefore cannot
// put a secret into an error or a WithLogger record.
//
// # Retries
//
// A failed attempt is retried only when its failure is on the list
// of known transient ones, and repeating it cannot repeat its effect.
//
// Retried (the list of known transient failures):
//
//   - throttling: an error code containing "Throttling", or HTTP 429;
//   - a transient server error: the codes InternalError, ServiceUnavailable
//     and UnknownError, or HTTP 500, 502, 503 or 504;
//   - an attempt that timed out (Timeouts.Attempt, a transport timeout on
//     the dial, the TLS handshake or the response header, or the wait for a
//     credential provider);
//   - a connection failure: refused, reset, aborted, broken pipe, EOF or
//     unexpected EOF, a failed dial, a DNS lookup that timed out or failed
//     temporarily.
//
// Never retried: every other API error (signature, AccessKey, parameter,
// permission, not found, any other 4xx), a redirect (*RedirectError), a
// *CredentialError (no credentials, or ones that cannot go into a header), a
// *DecodeError, a body over the size limit, certificate and other TLS
// failures, a host that does not exist, the caller's own cancellation or
// deadline, and every error the client cannot classify (an HTTPS proxy
// refusing CONNECT, a custom transport's own errors).
//
// Every operation but CreateActivationCode is idempotent, and is retried on
// any failure of the list. CreateActivationCode spends quota and has no
// idempotency token, so it is retried only when the request provably never
// reached processing: a throttling answer, or a request that never left (no
// connection was had, known for the client's own transport; the dial or
// the TLS handshake failed or timed out; writing the request failed
// partway). After an ambiguous failure (a 5xx, a redirect, a timeout or a
// reset after the request was sent, an error the client cannot classify,
// or SignatureNonceUsed: the client never reuses a nonce, so the same
// request, replayed by a retrying transport or a proxy, came before) its
// error wraps ErrUncertainOutcome.
//
// The Retryer then decides whether and when; the default is the standard
// retryer configured by RetryPolicy, which backs off exponentially with full
// jitter: at most 3 attempts a call, and before retry n a wait drawn
// uniformly from 0 to min(5s, 100ms·2ⁿ⁻¹) (base 100ms, cap 5s), or the
// service's TimeLeft when a throttling answer asks for longer (a TimeLeft
// over the cap ends the call instead). Retries draw on a budget of 500
// tokens shared by all the client's calls: a retry costs 5 tokens (10 after
// a timeout), a call that succeeds at once gives 1 back and one that
// succeeds on a retry gives 5 back (whatever its retry cost); with the
// budget spent, failures are returned at once, so an outage does not
// become a retry storm. RetryPolicy changes each number. A retry whose wait (the service's
// TimeLeft, or the Retryer's) would pass the context's deadline is not
// attempted: the call ends at once with an error wrapping
// context.DeadlineExceeded and the last attempt's error. A TimeLeft too
// large to represent is read as 24 hours, never overflowed.
//
// WithRateLimit spaces a client's attempts (retries included) to at most a
// given rate, adapting as aws-sdk-go-v2's adaptive retry mode does: each
// throttling answer cuts the rate to 70 % of what was sent, which then
// recovers along a cubic curve. There is no limit by default.
//
// Every stage of a call has a timeout (Timeouts), and the caller's context
// always wins.
//
// # Paging
//
// DescribeLicenseOrders and DescribeActivationCodes are paged by
// PageNumber and PageSize. A Paginator walks the pages one at a time, for
// callers that want each page's RequestID and TotalRecordCount or their own
// pacing; Client.LicenseOrders and Client.ActivationCodes walk the items
// with range-over-func. Both hold one page at a time, so memory stays flat
// however long the walk.
//
// A walk stops at whichever comes first: the items seen reach
// TotalRecordCount, a page comes back empty, or a page comes back with fewer
// items than PageSize (PageRecordCount is not trusted: the service's own
// example contradicts its items). It also stops at the options' MaxItems and
// MaxPages.
//
// A misbehaving service cannot make a walk loop forever or lose data
// silently. These fail the walk with an error that wraps ErrInconsistentPages:
// a page that answers a different PageNumber than the one asked for, a page
// with more items than PageSize (found while the page is decoded, before the
// extra items are allocated: the cause is a *DecodeError), and the same page
// served twice in a row.
// Tolerated, by design: TotalRecordCount changing between pages (the newest
// value counts, as orders and codes may be created during a walk), and a
// page that brings more items than TotalRecordCount promised (they are all
// returned, and the walk ends there). A missing or zero TotalRecordCount
// with items present means "unknown": the walk then relies on the short or
// empty page.
//
// # Times
//
// The service writes times as "YYYY-MM-DD hh:mm:ss" with no zone. The client
// reads them in the zone set by WithTimeZone, China Standard Time (UTC+08:00)
// by default, the zone of the service's console; texts that carry a zone of
// their own (RFC 3339) keep it. A missing or empty time is the zero
// time.Time.
//
// # Provisioning
//
// Client.EnsureActivationCode is CreateActivationCode made safe to repeat:
// it returns the host's unexpired code (same MAC address, compared
// normalised, and same system identifier) when there is one, and creates
// one only when there is none, after checking that the order can issue it
// (ErrOrderFrozen, ErrQuotaExhausted). After a lost answer it looks again
// rather than creating twice. With RenewWithin it renews a code nearing its
// expiry (a renewal is a new code: there is no renew operation); after every
// create it lists the host's codes once more and reports other unexpired
// ones in Duplicates. Package hostid reads a host's system identifier and
// MAC address; NormalizeMacAddress gives the form requests use. Bad input
// never spends: a SystemIdentifier that is not a decimal uint64
// (ValidSystemIdentifier) and a MAC address no host can have
// (UsableMacAddress) are refused before anything is sent.
//
// WithStateDir (DefaultStateDir gives the conventional place) coordinates
// creates across processes: per host, an advisory lock (flock, released when
// its holder dies) and a create record synced to disk before the create is
// sent, so that concurrent runs create one code at most and a create never
// resolved holds the host, in every process, for ten minutes (ErrCreateHeld).
// The directory also keeps a LicenseRecord of each license file written with
// WriteLicenseFileWithOptions (LookupLicenseRecord); nothing secret goes into
// it. Without one, a Client coordinates only its own calls.
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
// is treated as not idempotent unless CallIdempotent is given (which
// CreateActivationCode ignores). A create sent through Call is not
// coordinated through a state directory: use CreateActivationCode or
// EnsureActivationCode.
//
// # Testing
//
// The polarlicensetest package runs an emulator of the API in-process, for
// tests of code that uses this client. Code written against API, the six
// operations as an interface that *Client satisfies, can also be tested with
// a fake of its own: the paginators, LicenseOrders and ActivationCodes take
// an API.
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
//     RetryPolicy and Retries above): throttling, InternalError,
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
//     token with a newline or another control character), or whose ID,
//     secret or token has a space at either end, is a *CredentialError
//     before anything is sent.
//   - Never printed or logged: the AccessKeySecret, security tokens,
//     signatures and license contents (CertContent). Secrets redact
//     themselves where they are held, under every fmt verb, at any depth,
//     by value or by pointer: a Client (a *Client or a copy), an Option, a
//     CertContent and each response that carries a license answer every
//     verb through their Format method with "[REDACTED]" or a description,
//     in a slice, a map, an array or a struct field as at the top level; and
//     the secrets themselves are sealed behind a pointer fmt never follows,
//     so that where fmt prints without asking any method (a value in an
//     unexported struct field, or fmt's "%!verb(type=value)" form for %w,
//     and for %p of a value that is not a pointer, which fmt handles before
//     asking Format) it prints an address, never the secret. CertContent is
//     therefore a struct, not a string: %p of a string-kinded value would
//     print the string itself. slog with any handler shows "[REDACTED]"
//     too for a value logged as an attribute's value (LogValue);
//     encoding/json writes a license only as part of the response that
//     carries it, an explicit request for the data, and so does
//     slog.JSONHandler for a response inside another value (a slice, a
//     map, a struct field), which it encodes with encoding/json: log each
//     response as an attribute of its own. Every
//     error, every WithLogger record, and the RequestID of every response
//     (and Client.Call's body) is scrubbed of each secret of its attempt,
//     raw and percent-encoded, before it exists, even when a server or
//     proxy echoes the request back.
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
