package polarlicense

import (
	"context"
	"strconv"
	"strings"

	"github.com/polarlicense/polarlicense-go/internal/sign"
)

// Calls the SDK does not model: Client.Call sends any action of the PolarDB
// API (version 2017-08-01) through the same request path as the six
// operations.

// CallOption configures one Client.Call.
type CallOption func(*callSettings)

// callSettings collects a Call's options.
type callSettings struct {
	idempotent bool
}

// CallIdempotent declares that repeating the action cannot repeat its
// effect (a Describe… action, say), so that Call may retry it after an
// ambiguous failure, as the client retries its own idempotent operations.
// It is ignored for CreateActivationCode, which spends quota whenever it is
// processed.
func CallIdempotent() CallOption {
	return func(s *callSettings) { s.idempotent = true }
}

// Call sends action, any action of the PolarDB API (product polardb,
// version 2017-08-01) such as "DescribeDBClusters", with params as its
// parameters, and returns the JSON body of its success answer: a copy the
// caller owns. It is the way to reach the rest of PolarDB's API with the
// same client: the call is signed, timed out, retried, classified and seen
// by the hooks exactly as the typed operations are, and fails in the same
// way, with a *ValidationError before anything is sent or an
// *OperationError wrapping an *APIError (an error status, or a 2xx body
// that carries an error Code), a *DecodeError (a success status whose body
// is not one JSON object or has no RequestId) or the transport's error.
//
// The client knows nothing of what the action does, so it treats it as not
// idempotent: it is retried only when its request provably never reached
// the service (a throttling answer, a connection that could not be made),
// and after an ambiguous failure its error wraps ErrUncertainOutcome. Pass
// CallIdempotent() for an action that is safe to repeat. A
// CreateActivationCode sent through Call is never repeated, and is not
// coordinated through the state directory (WithStateDir): call
// CreateActivationCode or EnsureActivationCode instead.
//
// action holds only letters and digits; parameter names hold letters,
// digits, ".", "_" and "-" (such as "DBClusterId" or "Tag.1.Key") and must
// not be one of the protocol's own (Action, Version, Format, AccessKeyId,
// Timestamp, SecurityToken, BearerToken, Signature…), which the client sets.
func (c *Client) Call(ctx context.Context, action string, params map[string]string, opts ...CallOption) ([]byte, error) {
	var s callSettings
	for _, opt := range opts {
		if opt != nil {
			opt(&s)
		}
	}
	// CreateActivationCode spends quota and has no idempotency token:
	// declared idempotent or not, it is never repeated once it may have
	// reached the service.
	op := &operation{name: action, idempotent: s.idempotent && !strings.EqualFold(action, opCreateActivationCode.name)}
	var out rawResponse
	if err := c.do(ctx, op, &callRequest{action: action, params: params}, &out); err != nil {
		return nil, err
	}
	return out.body, nil // read afresh by the attempt; nothing else holds it
}

// callRequest is the request of a Client.Call: its action and parameters,
// checked when they are appended, like a typed request's.
type callRequest struct {
	action string
	params map[string]string
}

// maxActionLen and maxParamKeyLen bound an action's name and a parameter's.
const (
	maxActionLen   = 128
	maxParamKeyLen = 128
)

func (r *callRequest) appendParams(p []sign.Param) ([]sign.Param, *ValidationError) {
	if reason := checkAction(r.action); reason != "" {
		return p, &ValidationError{Operation: "Call", Field: "action", Reason: reason}
	}
	// Of several bad names, the first in sorted order, so that the error
	// does not depend on the map's order.
	bad, reason := "", ""
	for k, v := range r.params {
		if why := checkParamKey(k); why != "" {
			if reason == "" || k < bad {
				bad, reason = k, why
			}
			continue
		}
		p = append(p, sign.Param{Key: k, Value: v})
	}
	if reason != "" {
		return p, &ValidationError{Field: "params[" + strconv.Quote(printable(bad, maxParamKeyLen)) + "]", Reason: reason}
	}
	return p, nil
}

// checkAction reports what is wrong with an action's name, or "".
func checkAction(action string) string {
	if action == "" {
		return "is required"
	}
	if len(action) > maxActionLen {
		return "is longer than 128 characters"
	}
	if !onlyAlnumAnd(action, "") {
		return "may hold only letters and digits, such as DescribeDBClusters"
	}
	return ""
}

// checkParamKey reports what is wrong with a parameter's name, or "".
func checkParamKey(key string) string {
	if key == "" {
		return "has an empty name"
	}
	if len(key) > maxParamKeyLen {
		return "has a name longer than 128 characters"
	}
	if !onlyAlnumAnd(key, "._-") {
		return `has a name that holds other than letters, digits, ".", "_" and "-"`
	}
	if reservedParam(key) {
		return "is a parameter of the protocol, which the client sets"
	}
	return ""
}

// reservedParam reports whether key is one of the protocol's own parameters,
// in any case: a request carrying one would be signed with two values for it
// or have the client's value overridden.
func reservedParam(key string) bool {
	if len(key) >= len("Signature") && strings.EqualFold(key[:len("Signature")], "Signature") {
		return true
	}
	for _, r := range [...]string{"Action", "Version", "Format", "AccessKeyId", "Timestamp", "SecurityToken", "BearerToken"} {
		if strings.EqualFold(key, r) {
			return true
		}
	}
	return false
}

// rawResponse is the response of a Client.Call: the success body, which the
// generic decoding path has checked is one JSON object with a RequestId.
type rawResponse struct {
	body []byte
}

// decodeMember claims no member: the decoder's top level reads the
// RequestId, as it reads the members of an error.
func (*rawResponse) decodeMember(*decoder, string) bool { return false }

// keepBody is given the body once it has been decoded.
func (r *rawResponse) keepBody(body []byte) { r.body = body }

// bodyKeeper is a response that keeps its raw body.
type bodyKeeper interface{ keepBody(body []byte) }
