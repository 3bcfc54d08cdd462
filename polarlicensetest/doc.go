// Package polarlicensetest is an in-process emulator of the PolarDB license
// API (product polardb, version 2017-08-01) for tests, in the manner of
// net/http/httptest and Google's pstest: the six license operations over
// in-memory state, with the service's authentication, errors and faults
// that a client must survive.
//
// # Using it in your tests
//
//	func TestIssueLicense(t *testing.T) {
//		srv := polarlicensetest.NewServer()
//		defer srv.Close()
//		client, err := polarlicense.NewClient(
//			polarlicense.WithEndpoint(srv.URL),
//			polarlicense.WithAccessKey(srv.AccessKeyID, srv.AccessKeySecret))
//		if err != nil {
//			t.Fatal(err)
//		}
//		out, err := client.CreateActivationCode(ctx, &polarlicense.CreateActivationCodeRequest{
//			AliyunOrderID: polarlicensetest.DemoOrderPG, MacAddress: "00:16:3e:00:00:01",
//			Name: "node-1", SystemIdentifier: "7345118823001548999"})
//		...
//		order, _ := srv.Order(polarlicensetest.DemoOrderPG)
//		// order.ActivatedCodeCount is one more than before.
//	}
//
// srv.ClientOptions() returns the endpoint and credential options in one.
// A new server holds a small demo data set (see the Demo* constants: orders
// of the three engines, every package type, both purchase channels, a frozen
// virtual order, an order that allows codes without a SystemIdentifier and
// one with a single code of quota left). WithoutDemoData starts empty;
// WithOrders and WithActivationCode seed the state with the client's own
// types; Order, Orders, Codes and Code read it back; Requests and
// RequestCount tell what the clients sent, in bounded memory whatever they
// send (the last RequestLogSize requests, each cut to a few KiB; made-up
// Actions counted together under UnknownActions). NewHandler is the same
// emulator as an http.Handler, to mount elsewhere, and Serve and Run are
// the standalone process of cmd/polarlicense-emulator. ReadData reads
// orders and codes from JSON (the emulator commands' --data), and
// ServeFlags defines the flags both emulator commands share.
//
// # Behaviour
//
// Requests are POST (or GET) to "/", parameters in the query string or an
// application/x-www-form-urlencoded body, signed with the RPC signature
// (HMAC-SHA1, SignatureVersion 1.0) or the V3 signature (ACS3-HMAC-SHA256),
// exactly as the service checks them: the AccessKey, the signature (with the
// server's string to sign in the SignatureDoesNotMatch message), the STS
// token when the server has one (WithSecurityToken), a Timestamp or
// x-acs-date within MaxClockSkew of the server's clock (WithClock), and a
// nonce not seen in the last 15 minutes. Answers are JSON with the
// service's keys, times as "YYYY-MM-DD hh:mm:ss" in China Standard Time
// (UTC+08:00), a fresh RequestId and the x-acs-request-id header.
//
// Listing is in creation order (seeded orders first) for orders and in ID
// order for codes; PageNumber defaults to 1, PageSize to 30 (1 to 100), and
// PageRecordCount is the number of items on the page.
// DescribeActivationCodeDetails takes ActivationCodeId as optional, as the
// API reference does: without it, the emulator answers with the order's
// first code (the lowest ID), and InvalidActivationCodeId.NotFound when the
// order has none. Which code the service itself picks is not documented:
// pass the ID to get a particular code.
// CreateOrGetVirtualLicenseOrder returns the engine's first virtual order,
// creating one (pre_generation_long_term, "30 years", quota
// DefaultVirtualOrderQuota) on first use. CreateActivationCode spends one
// unit of quota under a lock, so concurrent calls never oversell it; a code
// expires after the order's PackageValidity and carries a made-up license
// (FakeLicensePrefix) that depends only on the order, code, MAC address and
// system identifier. MAC addresses are stored in their normal form
// (polarlicense.NormalizeMacAddress: lower case, ":") and the MacAddress
// filter matches any spelling of one.
//
// # Faults
//
// InjectFault (or WithFaults) makes the next calls of an operation fail:
// throttling, 500, 503, a delay, a dropped connection, a connection dropped
// after the operation took effect, or an HTML page. Faults strike only
// authenticated requests; all but FaultDropAfter strike before the operation
// runs. See FaultKind.
//
// # Latency
//
// WithLatency (the emulator commands' --latency) delays every answer by a
// fixed time, as a real service takes time, so that tests and benchmarks
// see what concurrency, rate limits and cross-process coordination do. Unlike
// a FaultDelay, a request whose client leaves during the latency is still
// processed (a code created, quota spent), as the service would process it;
// only its answer is lost. Server.Close waits for the requests being held.
//
// # Error codes
//
//	Code                                        Status  When
//	MissingParameter                            400     Action, Version, AccessKeyId, SignatureMethod, SignatureVersion,
//	                                                    Timestamp or SignatureNonce (RPC), or a required x-acs-* header (V3), absent
//	IncompleteSignature                         400     no signature at all; RPC without Signature; a malformed V3 Authorization;
//	                                                    host or a required x-acs-* header not in SignedHeaders
//	InvalidSignatureMethod                      400     SignatureMethod is not HMAC-SHA1
//	InvalidSignatureVersion                     400     SignatureVersion is not 1.0
//	InvalidAccessKeyId.NotFound                 404     the AccessKeyId is not the server's
//	SignatureDoesNotMatch                       400     wrong signature, or x-acs-content-sha256 not the body's; Message ends
//	                                                    "server string to sign is:<string>"
//	InvalidTimeStamp.Format                     400     Timestamp or x-acs-date not 2006-01-02T15:04:05Z
//	InvalidTimeStamp.Expired                    400     Timestamp or x-acs-date more than 15 minutes off the server clock
//	SignatureNonceUsed                          400     the nonce was used in the last 15 minutes
//	MissingSecurityToken                        403     the server requires an STS token; the request has none
//	InvalidSecurityToken.MismatchWithAccessKey  403     the request's STS token is not the server's (or the server has none)
//	InvalidVersion                              400     Version is not 2017-08-01
//	InvalidAction.NotFound                      404     the Action is not one of the six, or the path is not "/"
//	UnsupportedHTTPMethod                       405     the method is neither POST nor GET
//	MissingAliyunOrderId                        400     AliyunOrderId absent where required
//	MissingEngine, MissingMacAddress,           400     the operation's required parameter absent
//	MissingName
//	MissingSystemIdentifier                     400     CreateActivationCode without SystemIdentifier on an order whose
//	                                                    AllowEmptySystemIdentifier is false
//	InvalidParameter                            400     a bad value: Engine not PG/Oracle/MySQL, PageNumber < 1, PageSize not
//	                                                    1..100, VirtualOrder not true/false, ActivationCodeId not a positive
//	                                                    integer, a malformed query or form body (413 for a body over 1 MiB)
//	InvalidName.Malformed                       400     Name holds characters other than letters, digits, "_" and "-"
//	InvalidMacAddress.Malformed                 400     MacAddress is not six hex pairs separated by ":" or "-"
//	InvalidAliyunOrderId.NotFound               404     no order has the AliyunOrderId
//	InvalidActivationCodeId.NotFound            404     the order has no code with the ActivationCodeId (or, without one, no
//	                                                    code at all)
//	OperationDenied.VirtualOrderFrozen          403     CreateActivationCode on a frozen virtual order
//	QuotaExceeded.ActivationCode                400     CreateActivationCode once ActivatedCodeCount reaches ActivationCodeQuota
//	Throttling.User                             400     FaultThrottle (or Fault.Status, e.g. 429), with x-ratelimit-user-api
//	InternalError                               500     FaultInternalError
//	ServiceUnavailable                          503     FaultServiceUnavailable
//
// The checks run in this order: method and path, Action and Version, then
// authentication (signature parts, AccessKey, signature, STS token,
// timestamp, nonce), then faults, then the operation's parameters (missing,
// then malformed), then the state (not found, frozen, SystemIdentifier,
// quota). The Code* constants hold these codes. Error bodies are
// {"RequestId", "HostId", "Code", "Message", "Recommend"}. No message or log
// record holds the AccessKeySecret.
package polarlicensetest
