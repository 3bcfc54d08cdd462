package polarlicensetest

import (
	"crypto/hmac"
	"crypto/subtle"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/polarlicense/polarlicense-go/internal/sign"
)

// Authentication, as the service does it: the RPC signature (HMAC-SHA1) or
// the V3 signature (ACS3-HMAC-SHA256), then the STS token, the clock skew and
// the nonce. The checks never put the AccessKeySecret in a message.

// MaxClockSkew is how far a request's Timestamp (RPC) or x-acs-date (V3) may
// be from the server's clock, either way; nonces are remembered as long.
const MaxClockSkew = 15 * time.Minute

// maxNonces bounds the nonce memory: past it, the oldest nonces are
// forgotten even if they have not expired.
const maxNonces = 1 << 18

// Signature algorithm names, as Request.Signature reports them.
const (
	// AlgorithmV3 is the V3 signature, ACS3-HMAC-SHA256.
	AlgorithmV3 = "ACS3-HMAC-SHA256"
	// AlgorithmRPC is the RPC signature, HMAC-SHA1.
	AlgorithmRPC = "HMAC-SHA1"
)

// credentials are the server's one AccessKey and optional STS token.
type credentials struct {
	id, secret, token string
}

// incoming is a request's parameters and body, read once.
type incoming struct {
	r     *http.Request
	query []sign.Param // decoded, in the order sent
	form  []sign.Param // decoded form body, in the order sent
	body  []byte
	authz string // the Authorization header: V3 when set
}

// param returns the first value of key, from the query, else from the form
// body.
func (in *incoming) param(key string) string {
	for _, p := range in.query {
		if p.Key == key {
			return p.Value
		}
	}
	for _, p := range in.form {
		if p.Key == key {
			return p.Value
		}
	}
	return ""
}

// has reports whether key was sent at all, in the query or the form body.
func (in *incoming) has(key string) bool {
	for _, p := range in.query {
		if p.Key == key {
			return true
		}
	}
	for _, p := range in.form {
		if p.Key == key {
			return true
		}
	}
	return false
}

// verifier checks signatures. It is safe for concurrent use.
type verifier struct {
	creds  credentials
	rpc    sign.RPCSigner
	v3     sign.V3Signer
	nonces nonceCache
}

// authenticate checks the request's signature, STS token, timestamp and
// nonce, in that order, and on success records the nonce. It returns the
// algorithm and the AccessKeyId the request named (also on failure, when
// known).
func (v *verifier) authenticate(in *incoming, now time.Time) (algorithm, accessKeyID string, err *apiError) {
	var stamp, nonce, token string
	if in.authz != "" {
		algorithm = AlgorithmV3
		accessKeyID, stamp, nonce, token, err = v.verifyV3(in)
	} else {
		algorithm = AlgorithmRPC
		accessKeyID, stamp, nonce, token, err = v.verifyRPC(in)
	}
	if err != nil {
		return algorithm, accessKeyID, err
	}
	switch {
	case v.creds.token != "" && token == "":
		return algorithm, accessKeyID, newError(http.StatusForbidden, CodeMissingSecurityToken,
			"The AccessKey is an STS credential: the request must carry its security token.")
	case subtle.ConstantTimeCompare([]byte(token), []byte(v.creds.token)) != 1:
		return algorithm, accessKeyID, newError(http.StatusForbidden, CodeInvalidSecurityToken,
			"The security token does not belong to the AccessKey.")
	}
	ts, perr := time.Parse(sign.TimeFormat, stamp)
	if perr != nil {
		// Checked in verify*; kept for safety.
		return algorithm, accessKeyID, errTimestampFormat(stamp)
	}
	if d := now.Sub(ts); d > MaxClockSkew || d < -MaxClockSkew {
		return algorithm, accessKeyID, newError(http.StatusBadRequest, CodeInvalidTimestampExpired,
			"Specified time stamp or date value is expired: "+stamp+" is more than 15 minutes away from the server time "+
				now.UTC().Format(sign.TimeFormat)+".")
	}
	expiry := now
	if ts.After(expiry) {
		expiry = ts
	}
	if !v.nonces.use(nonce, now, expiry.Add(MaxClockSkew)) {
		return algorithm, accessKeyID, newError(http.StatusBadRequest, CodeSignatureNonceUsed,
			"Specified signature nonce was used already.")
	}
	return algorithm, accessKeyID, nil
}

func errTimestampFormat(stamp string) *apiError {
	return newError(http.StatusBadRequest, CodeInvalidTimestampFormat,
		"Specified time stamp or date value is not well formatted: want 2006-01-02T15:04:05Z (UTC), got "+stringQuote(stamp)+".")
}

func errUnknownKey() *apiError {
	return newError(http.StatusNotFound, CodeInvalidAccessKeyIDNotFound, "Specified access key is not found.")
}

// stringQuote quotes s for a message, cut to a sane length.
func stringQuote(s string) string {
	if len(s) > 64 {
		s = s[:64] + "…"
	}
	return `"` + s + `"`
}

// verifyRPC checks an RPC signature: every parameter but Signature, from the
// query and the form body together, sorted and signed with HMAC-SHA1.
func (v *verifier) verifyRPC(in *incoming) (id, stamp, nonce, token string, err *apiError) {
	for _, name := range [...]string{"AccessKeyId", "SignatureMethod", "SignatureVersion", "Timestamp", "SignatureNonce"} {
		if in.param(name) == "" {
			if name == "AccessKeyId" && !in.has("Signature") {
				return "", "", "", "", newError(http.StatusBadRequest, CodeIncompleteSignature,
					"The request is not signed: it has neither an Authorization header nor a Signature parameter.")
			}
			return "", "", "", "", errMissing(name)
		}
	}
	id = in.param("AccessKeyId")
	stamp, nonce, token = in.param("Timestamp"), in.param("SignatureNonce"), in.param("SecurityToken")
	sig := in.param("Signature")
	switch {
	case sig == "":
		return id, "", "", "", newError(http.StatusBadRequest, CodeIncompleteSignature,
			`The request signature is incomplete: the "Signature" parameter is missing.`)
	case in.param("SignatureMethod") != "HMAC-SHA1":
		return id, "", "", "", newError(http.StatusBadRequest, CodeInvalidSignatureMethod,
			"Specified signature method "+stringQuote(in.param("SignatureMethod"))+" is not supported: use HMAC-SHA1.")
	case in.param("SignatureVersion") != "1.0":
		return id, "", "", "", newError(http.StatusBadRequest, CodeInvalidSignatureVersion,
			"Specified signature version "+stringQuote(in.param("SignatureVersion"))+" is not supported: use 1.0.")
	case id != v.creds.id:
		return id, "", "", "", errUnknownKey()
	}
	if _, perr := time.Parse(sign.TimeFormat, stamp); perr != nil {
		return id, "", "", "", errTimestampFormat(stamp)
	}
	params := make([]sign.Param, 0, len(in.query)+len(in.form))
	for _, list := range [2][]sign.Param{in.query, in.form} {
		for _, p := range list {
			if p.Key != "Signature" {
				params = append(params, p)
			}
		}
	}
	sign.SortParams(params)
	cq := sign.AppendCanonicalQuery(make([]byte, 0, 512), params)
	want := v.rpc.Sign(make([]byte, 0, 32), in.r.Method, cq, v.creds.secret)
	if !hmac.Equal(want, []byte(sig)) {
		return id, "", "", "", newError(http.StatusBadRequest, CodeSignatureDoesNotMatch,
			"Specified signature does not match our calculation. server string to sign is:"+
				string(sign.AppendRPCStringToSign(nil, in.r.Method, cq)))
	}
	return id, stamp, nonce, token, nil
}

// v3Required are the headers a V3 request must carry and sign.
var v3Required = [...]string{"x-acs-action", "x-acs-version", "x-acs-date", "x-acs-signature-nonce", "x-acs-content-sha256"}

// verifyV3 checks a V3 signature: the canonical request is rebuilt from the
// incoming request (the decoded query re-encoded, the values of the headers
// the Authorization header lists, the SHA-256 of the body) and signed with
// HMAC-SHA256.
func (v *verifier) verifyV3(in *incoming) (id, stamp, nonce, token string, err *apiError) {
	id, signedHeaders, sig, ok := sign.ParseAuthorization(in.authz)
	if !ok {
		return "", "", "", "", newError(http.StatusBadRequest, CodeIncompleteSignature,
			"The Authorization header is not "+`"ACS3-HMAC-SHA256 Credential=<AccessKeyId>,SignedHeaders=<names>,Signature=<hex>"`+".")
	}
	h := in.r.Header
	for _, name := range v3Required {
		if strings.TrimSpace(h.Get(name)) == "" {
			return id, "", "", "", errMissing(name)
		}
	}
	if id != v.creds.id {
		return id, "", "", "", errUnknownKey()
	}
	stamp = strings.TrimSpace(h.Get("x-acs-date"))
	if _, perr := time.Parse(sign.TimeFormat, stamp); perr != nil {
		return id, "", "", "", errTimestampFormat(stamp)
	}
	nonce = strings.TrimSpace(h.Get("x-acs-signature-nonce"))
	token = strings.TrimSpace(h.Get("x-acs-security-token"))
	if token == "" {
		token = in.param("SecurityToken")
	}

	// The headers the client says it signed, with the values received.
	names := strings.Split(signedHeaders, ";")
	raw := make([]sign.Param, 0, len(names)+2)
	signed := make(map[string]bool, len(names))
	for _, name := range names {
		name = strings.ToLower(strings.TrimSpace(name))
		signed[name] = true
		if name == "host" {
			raw = append(raw, sign.Param{Key: name, Value: in.r.Host})
			continue
		}
		vals := h.Values(name)
		if len(vals) == 0 {
			raw = append(raw, sign.Param{Key: name})
		}
		for _, val := range vals {
			raw = append(raw, sign.Param{Key: name, Value: val})
		}
	}
	for _, name := range v3Required {
		if !signed[name] {
			return id, "", "", "", errUnsigned(name)
		}
	}
	if !signed["host"] {
		return id, "", "", "", errUnsigned("host")
	}
	if h.Get("x-acs-security-token") != "" && !signed["x-acs-security-token"] {
		return id, "", "", "", errUnsigned("x-acs-security-token")
	}
	headers := sign.CanonicalHeaders(raw)

	query := append(make([]sign.Param, 0, len(in.query)), in.query...)
	sign.SortParams(query)
	cq := sign.AppendCanonicalQuery(make([]byte, 0, 256), query)
	payloadHash := sign.EmptyPayloadHash
	if len(in.body) > 0 {
		payloadHash = sign.HashPayload(in.body)
	}
	want := v.v3.Sign(make([]byte, 0, 64), in.r.Method, "/", cq, headers, payloadHash, v.creds.secret)
	bodyOK := strings.TrimSpace(h.Get("x-acs-content-sha256")) == payloadHash
	if !bodyOK || !hmac.Equal(want, []byte(sig)) {
		cr := sign.AppendV3CanonicalRequest(nil, in.r.Method, "/", cq, headers, payloadHash)
		msg := "Specified signature does not match our calculation."
		if !bodyOK {
			msg = "The x-acs-content-sha256 header is not the SHA-256 of the request body."
		}
		return id, "", "", "", newError(http.StatusBadRequest, CodeSignatureDoesNotMatch,
			msg+" server string to sign is:"+string(sign.AppendV3StringToSign(nil, cr)))
	}
	return id, stamp, nonce, token, nil
}

func errUnsigned(name string) *apiError {
	return newError(http.StatusBadRequest, CodeIncompleteSignature,
		"The request signature is incomplete: the "+name+" header must be listed in SignedHeaders.")
}

// nonceCache remembers the nonces of accepted requests until they expire,
// in bounded memory. It is safe for concurrent use.
type nonceCache struct {
	mu    sync.Mutex
	seen  map[string]time.Time // nonce → expiry
	queue []nonceEntry         // insertion order; queue[head:] are live
	head  int
}

type nonceEntry struct {
	nonce  string
	expiry time.Time
}

// use records nonce until expiry and reports true, or reports false if it
// was recorded before and has not expired by now.
func (c *nonceCache) use(nonce string, now, expiry time.Time) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.seen == nil {
		c.seen = make(map[string]time.Time)
	}
	// Forget expired nonces from the front, and the oldest past the bound.
	for c.head < len(c.queue) {
		e := c.queue[c.head]
		if !now.After(e.expiry) && len(c.queue)-c.head < maxNonces {
			break
		}
		if exp, ok := c.seen[e.nonce]; ok && exp.Equal(e.expiry) {
			delete(c.seen, e.nonce)
		}
		c.queue[c.head] = nonceEntry{}
		c.head++
	}
	if c.head > 1024 && c.head > len(c.queue)/2 {
		c.queue = append(c.queue[:0], c.queue[c.head:]...)
		c.head = 0
	}
	if exp, ok := c.seen[nonce]; ok && !now.After(exp) {
		return false
	}
	c.seen[nonce] = expiry
	c.queue = append(c.queue, nonceEntry{nonce: nonce, expiry: expiry})
	return true
}
