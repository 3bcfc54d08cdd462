// Package polarlicenseotel traces and measures the calls of a polarlicense
// client with OpenTelemetry. It is a module of its own
// (github.com/polarlicense/polarlicense-go/otel), so that programs that do
// not use OpenTelemetry do not depend on it; it is built on the client's
// exported CallObserver.
//
//	client, err := polarlicense.NewClient(
//		polarlicense.WithRegion("cn-hangzhou"),
//		polarlicenseotel.WithTelemetry(nil, nil), // the global providers
//	)
//
// # Traces
//
// Every call is one span of kind client, a child of the span in the call's
// context, named "polardb/<Operation>" (such as
// "polardb/DescribeLicenseOrders", or "polardb/<action>" for Client.Call),
// with the attributes
//
//   - rpc.system = "alibaba_cloud", rpc.service = "polardb",
//     rpc.method = the operation;
//   - server.address and, when the endpoint names one, server.port;
//   - polarlicense.attempts, the number of attempts made;
//   - http.response.status_code and alibaba_cloud.request_id of the last
//     answer, when there was one;
//   - on failure, error.type (the outcome, below) and, for an error answer
//     of the service, alibaba_cloud.error_code; the status is then Error,
//     with the error's text as its description. A success has status Ok.
//
// Each attempt is an event named "attempt" on the span, with
// polarlicense.attempt (its number, from 1), http.response.status_code,
// alibaba_cloud.request_id, alibaba_cloud.error_code (for an error answer),
// polarlicense.retry (whether another attempt follows),
// polarlicense.retry.wait (the wait before it, in seconds) and
// polarlicense.decision (such as "retry in 120ms" or "give up: not
// retryable"). A call refused before it is sent has an error span and no
// attempt event. The span's context is the call's, so a span the HTTP
// transport makes (otelhttp's, say) is the call span's child.
//
// # Metrics
//
//   - rpc.client.duration, a float64 histogram in seconds: one value per
//     call, retries and waits included.
//   - polarlicense.client.attempts, an int64 counter: one per attempt.
//
// Both have the attributes rpc.system, rpc.service, rpc.method,
// server.address and polarlicense.outcome; the attempt counter has
// polarlicense.retry too. The outcome is one of a few values, so that it
// can be grouped by: "ok", "invalid" (refused before sending), "throttled",
// "api_error" (another error answer), "uncertain" (the call may have taken
// effect: ErrUncertainOutcome), "timeout", "canceled" and "error" (anything
// else: a connection failure, an unreadable answer, no credentials).
//
// # Secrets
//
// Spans, events and metrics carry what the client's hooks are given: no
// credentials, signatures, request parameters or response bodies, and error
// texts with secrets taken out.
package polarlicenseotel
