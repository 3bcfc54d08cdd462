package polarlicensetest

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"math"
	"mime"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	polarlicense "github.com/polarlicense/polarlicense-go"
	"github.com/polarlicense/polarlicense-go/internal/sign"
)

// The HTTP side: one request in, parsed, routed, authenticated, faulted,
// run, answered and logged.

// maxRequestBody bounds the body the emulator reads.
const maxRequestBody = 1 << 20

// APIVersion is the only Version the emulator accepts.
const APIVersion = "2017-08-01"

// operationFunc runs one operation and returns its success body (a struct
// for encoding/json) or an error.
type operationFunc func(h *Handler, in *incoming, requestID string) (any, *apiError)

// operations are the six actions.
var operations = map[string]operationFunc{
	"CreateOrGetVirtualLicenseOrder": (*Handler).createOrGetVirtualLicenseOrder,
	"DescribeLicenseOrderDetails":    (*Handler).describeLicenseOrderDetails,
	"DescribeLicenseOrders":          (*Handler).describeLicenseOrders,
	"DescribeActivationCodeDetails":  (*Handler).describeActivationCodeDetails,
	"DescribeActivationCodes":        (*Handler).describeActivationCodes,
	"CreateActivationCode":           (*Handler).createActivationCode,
}

// commonParams are the parameters of the protocol rather than of the
// operation: they are not kept in the request log.
var commonParams = map[string]bool{
	"Action": true, "Version": true, "Format": true, "AccessKeyId": true, "Signature": true,
	"SignatureMethod": true, "SignatureVersion": true, "SignatureNonce": true, "SignatureType": true,
	"Timestamp": true, "SecurityToken": true, "BearerToken": true, "RegionId": true,
}

// answer is what the emulator sends back for one request.
type answer struct {
	status      int
	body        []byte
	contentType string
	header      http.Header
	requestID   string // "" for FaultHTML and FaultDrop: no service answered
	drop        FaultKind
	abandoned   bool // the client left during a FaultDelay: send nothing
}

// ServeHTTP answers one API request.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	start, now := time.Now(), h.now() // on arrival, before any latency
	rec := Request{Time: normTime(now), Method: r.Method, UserAgent: r.UserAgent()}
	a := h.handle(r, now, &rec)
	rec.StatusCode, rec.RequestID = a.status, a.requestID
	if a.abandoned || a.drop == FaultDrop {
		rec.StatusCode = 0
	}
	// Recorded before the answer leaves, so that a client that has its
	// answer finds the request in the log.
	h.record(&rec, start)
	switch {
	case a.abandoned:
	case a.drop == FaultDrop:
		dropConnection(w)
	case a.drop == FaultDropAfter:
		truncateResponse(w, a)
	default:
		hd := w.Header()
		for k, v := range a.header {
			hd[k] = v
		}
		hd.Set("Content-Type", a.contentType)
		hd.Set("Content-Length", strconv.Itoa(len(a.body)))
		if a.requestID != "" {
			hd.Set("x-acs-request-id", a.requestID)
		}
		w.WriteHeader(a.status)
		_, _ = w.Write(a.body)
	}
}

// handle does everything but the writing: it parses the request, routes
// it to its operation, authenticates it, applies a fault planned for the
// action, and runs the operation.
func (h *Handler) handle(r *http.Request, now time.Time, rec *Request) answer {
	requestID := newRequestID()
	fail := func(e *apiError) answer { return failed(rec, requestID, e) }
	in, ae := parseRequest(r)
	if ae != nil {
		// Refused before routing (a method, path or query it cannot
		// take): counted and logged all the same, under the Action it
		// names if that can be read.
		rec.Operation = unparsedAction(r)
		h.count(rec.Operation)
		h.hold()
		return fail(ae)
	}
	rec.Params = businessParams(in)
	action, op, ae := h.route(in, rec)
	// WithLatency: the request, whole and counted as it arrived, is held
	// before it is processed.
	h.hold()
	if ae != nil {
		return fail(ae)
	}
	if ae := h.authenticate(in, now, rec); ae != nil {
		return fail(ae)
	}
	f, faulted := h.faults.take(action)
	if faulted {
		rec.Fault = f.Kind
		if a, answered := applyFault(&f, r, now, fail); answered {
			return a
		}
	}
	a := h.run(op, in, requestID, fail)
	if faulted && f.Kind == FaultDropAfter {
		// The operation ran, success or not; its answer is cut short.
		a.drop = FaultDropAfter
	}
	return a
}

// failed is the answer of an error, which the request log records by code.
func failed(rec *Request, requestID string, e *apiError) answer {
	rec.Code = e.code
	return answer{status: e.status, body: e.body(requestID), contentType: jsonType, header: e.header, requestID: requestID}
}

// parseRequest checks the method and path and reads the parameters: the
// query's, and a form body's (a body of at most maxRequestBody bytes).
func parseRequest(r *http.Request) (*incoming, *apiError) {
	if r.Method != http.MethodPost && r.Method != http.MethodGet {
		return nil, newError(http.StatusMethodNotAllowed, CodeUnsupportedHTTPMethod,
			"The HTTP method "+stringQuote(r.Method)+" is not supported: use POST (or GET).")
	}
	if r.URL.Path != "/" && r.URL.Path != "" {
		return nil, newError(http.StatusNotFound, CodeInvalidActionNotFound,
			"Specified api is not found, please check your url and method: RPC APIs are served at \"/\".")
	}
	in := &incoming{r: r, authz: r.Header.Get("Authorization")}
	var err error
	if in.query, err = parseParams(nil, r.URL.RawQuery); err != nil {
		return nil, newError(http.StatusBadRequest, CodeInvalidParameter, "The query string is malformed: "+err.Error()+".")
	}
	if r.Body != nil {
		in.body, err = io.ReadAll(io.LimitReader(r.Body, maxRequestBody+1))
		if err != nil {
			return nil, newError(http.StatusBadRequest, CodeInvalidParameter, "The request body could not be read.")
		}
		if len(in.body) > maxRequestBody {
			return nil, newError(http.StatusRequestEntityTooLarge, CodeInvalidParameter, "The request body is larger than 1 MiB.")
		}
	}
	if len(in.body) > 0 {
		if mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); mt == "application/x-www-form-urlencoded" {
			if in.form, err = parseParams(nil, string(in.body)); err != nil {
				return nil, newError(http.StatusBadRequest, CodeInvalidParameter, "The form body is malformed: "+err.Error()+".")
			}
		}
	}
	return in, nil
}

// unparsedAction is the Action a request that parseRequest refused names,
// as far as it can be read: V3's x-acs-action header, else the query's
// Action (the pairs of a malformed query that can be decoded); "" if none.
func unparsedAction(r *http.Request) string {
	if r.Header.Get("Authorization") != "" {
		if v := strings.TrimSpace(r.Header.Get("x-acs-action")); v != "" {
			return v
		}
	}
	q, _ := url.ParseQuery(r.URL.RawQuery) // what decodes, whatever does not
	return q.Get("Action")
}

// route finds the request's operation by its Action and Version (V3's
// x-acs-action and x-acs-version headers first), and counts the action.
func (h *Handler) route(in *incoming, rec *Request) (string, operationFunc, *apiError) {
	action, version := in.param("Action"), in.param("Version")
	if in.authz != "" {
		if v := strings.TrimSpace(in.r.Header.Get("x-acs-action")); v != "" {
			action = v
		}
		if v := strings.TrimSpace(in.r.Header.Get("x-acs-version")); v != "" {
			version = v
		}
	}
	rec.Operation = action
	h.count(action)
	switch {
	case action == "":
		return action, nil, errMissing("Action")
	case version == "":
		return action, nil, errMissing("Version")
	case version != APIVersion:
		return action, nil, newError(http.StatusBadRequest, CodeInvalidVersion,
			"Specified parameter Version "+stringQuote(version)+" is not valid: the license operations are version "+APIVersion+".")
	}
	op, ok := operations[action]
	if !ok {
		return action, nil, newError(http.StatusNotFound, CodeInvalidActionNotFound,
			"Specified api "+stringQuote(action)+" is not found, please check your url and method.")
	}
	return action, op, nil
}

// authenticate checks the request's signature and credentials, and
// records how it was signed.
func (h *Handler) authenticate(in *incoming, now time.Time, rec *Request) *apiError {
	var ae *apiError
	rec.Signature, rec.AccessKeyID, ae = h.verifier.authenticate(in, now)
	rec.STS = in.param("SecurityToken") != "" || in.r.Header.Get("x-acs-security-token") != ""
	return ae
}

// applyFault applies a planned fault before the operation runs. It returns
// the answer and true when the fault answers instead of the operation (an
// error, an HTML page, a dropped connection, a client that left during a
// delay); false when the operation is still to run (after a delay, or for
// FaultDropAfter, which cuts its answer short).
func applyFault(f *Fault, r *http.Request, now time.Time, fail func(*apiError) answer) (answer, bool) {
	switch f.Kind {
	case FaultThrottle, FaultInternalError, FaultServiceUnavailable:
		return fail(faultError(f, now)), true
	case FaultHTML:
		status := f.Status
		if status == 0 {
			status = http.StatusBadGateway
		}
		return answer{status: status, body: htmlPage(status), contentType: "text/html"}, true
	case FaultDrop:
		return answer{drop: FaultDrop}, true
	case FaultDelay:
		t := time.NewTimer(f.Delay)
		select {
		case <-t.C:
		case <-r.Context().Done():
			t.Stop()
			return answer{abandoned: true}, true
		}
	}
	return answer{}, false
}

// run runs the operation and encodes its success body.
func (h *Handler) run(op operationFunc, in *incoming, requestID string, fail func(*apiError) answer) answer {
	out, ae := op(h, in, requestID)
	if ae != nil {
		return fail(ae)
	}
	body, err := marshal(out)
	if err != nil {
		return fail(newError(http.StatusInternalServerError, CodeInternalError, "The emulator could not encode its answer."))
	}
	return answer{status: http.StatusOK, body: body, contentType: jsonType, requestID: requestID}
}

const jsonType = "application/json;charset=utf-8"

// marshal encodes v as the service does: without escaping <, > and & (and
// without encoding/json's trailing newline).
func marshal(v any) ([]byte, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(b.Bytes(), []byte("\n")), nil
}

// dropConnection closes the connection without answering.
func dropConnection(w http.ResponseWriter) {
	conn, _, err := http.NewResponseController(w).Hijack()
	if err != nil {
		// Not hijackable (HTTP/2, a wrapping ResponseWriter): abort instead,
		// which resets the stream or closes the connection.
		panic(http.ErrAbortHandler)
	}
	_ = conn.Close()
}

// truncateResponse writes the status line, the headers (with the full
// Content-Length) and half of the body, then closes the connection.
func truncateResponse(w http.ResponseWriter, a answer) {
	half := a.body[:len(a.body)/2]
	conn, bufrw, err := http.NewResponseController(w).Hijack()
	if err != nil {
		hd := w.Header()
		hd.Set("Content-Type", a.contentType)
		hd.Set("Content-Length", strconv.Itoa(len(a.body)))
		hd.Set("x-acs-request-id", a.requestID)
		w.WriteHeader(a.status)
		_, _ = w.Write(half)
		_ = http.NewResponseController(w).Flush()
		panic(http.ErrAbortHandler)
	}
	defer conn.Close()
	var b strings.Builder
	b.WriteString("HTTP/1.1 ")
	b.WriteString(strconv.Itoa(a.status))
	b.WriteString(" ")
	b.WriteString(http.StatusText(a.status))
	b.WriteString("\r\nContent-Type: ")
	b.WriteString(a.contentType)
	b.WriteString("\r\nContent-Length: ")
	b.WriteString(strconv.Itoa(len(a.body)))
	b.WriteString("\r\nX-Acs-Request-Id: ")
	b.WriteString(a.requestID)
	b.WriteString("\r\n\r\n")
	_, _ = bufrw.WriteString(b.String())
	_, _ = bufrw.Write(half)
	_ = bufrw.Flush()
}

// newRequestID returns a fresh UUID-like request id in upper case, such as
// "45D24263-7E3A-4140-9472-0C3E1F5A9B2D".
func newRequestID() string {
	var u [16]byte
	_, _ = rand.Read(u[:])
	u[6] = u[6]&0x0f | 0x40
	u[8] = u[8]&0x3f | 0x80
	var b [36]byte
	hex.Encode(b[0:8], u[0:4])
	b[8] = '-'
	hex.Encode(b[9:13], u[4:6])
	b[13] = '-'
	hex.Encode(b[14:18], u[6:8])
	b[18] = '-'
	hex.Encode(b[19:23], u[8:10])
	b[23] = '-'
	hex.Encode(b[24:36], u[10:16])
	return strings.ToUpper(string(b[:]))
}

// parseParams appends the decoded pairs of a query string or form body to
// dst, in the order they appear. '+' is a space; a key without '=' has an
// empty value.
func parseParams(dst []sign.Param, raw string) ([]sign.Param, error) {
	for raw != "" {
		var pair string
		pair, raw, _ = strings.Cut(raw, "&")
		if pair == "" {
			continue
		}
		k, v, _ := strings.Cut(pair, "=")
		key, err := url.QueryUnescape(k)
		if err != nil {
			return dst, errors.New("bad escape in a parameter name")
		}
		value, err := url.QueryUnescape(v)
		if err != nil {
			return dst, errors.New("bad escape in the value of " + strconv.Quote(key))
		}
		dst = append(dst, sign.Param{Key: key, Value: value})
	}
	return dst, nil
}

// businessParams returns the operation's parameters for the request log:
// first value of each, protocol parameters left out, within the log's
// bounds (see Request.Params), copied out of the request.
func businessParams(in *incoming) map[string]string {
	var m map[string]string
	budget := maxLoggedParamBytes
	for _, list := range [2][]sign.Param{in.query, in.form} {
		for _, p := range list {
			if commonParams[p.Key] {
				continue
			}
			key := p.Key
			if len(key) > maxLoggedKey {
				key = clip(key, maxLoggedKey)
			}
			if _, dup := m[key]; dup {
				continue
			}
			if len(m) == maxLoggedParams || budget <= 0 || len(key) > budget {
				return m
			}
			if m == nil {
				m = make(map[string]string, 8)
			}
			key = clip(key, maxLoggedKey) // a copy
			value := clip(p.Value, min(maxLoggedValue, budget-len(key)))
			m[key] = value
			budget -= len(key) + len(value)
		}
	}
	return m
}

// Response bodies. Keys are the service's; times are China Standard Time
// wall clock.

type orderJSON struct {
	RequestID                  string  `json:"RequestId,omitempty"`
	ActivatedCodeCount         int     `json:"ActivatedCodeCount"`
	ActivationCodeQuota        int     `json:"ActivationCodeQuota"`
	AliyunOrderID              string  `json:"AliyunOrderId"`
	AllowEmptySystemIdentifier bool    `json:"AllowEmptySystemIdentifier"`
	Engine                     *string `json:"Engine,omitempty"`
	GmtCreated                 string  `json:"GmtCreated"`
	GmtModified                string  `json:"GmtModified"`
	IsVirtualOrder             bool    `json:"IsVirtualOrder"`
	IsVirtualOrderFrozen       bool    `json:"IsVirtualOrderFrozen"`
	PackageType                string  `json:"PackageType"`
	PackageValidity            string  `json:"PackageValidity"`
	PurchaseChannel            string  `json:"PurchaseChannel"`
	VirtualAliyunOrderID       *string `json:"VirtualAliyunOrderId,omitempty"`
	VirtualOrderID             *string `json:"VirtualOrderId,omitempty"`
}

// orderShape says which of the optional order keys a body has.
type orderShape int

const (
	shapeCreated orderShape = iota // VirtualOrderId, no Engine
	shapeDetails                   // Engine, VirtualOrderId
	shapeItem                      // Engine, VirtualAliyunOrderId
)

func newOrderJSON(o *polarlicense.LicenseOrder, shape orderShape, requestID string) orderJSON {
	j := orderJSON{
		RequestID:                  requestID,
		ActivatedCodeCount:         o.ActivatedCodeCount,
		ActivationCodeQuota:        o.ActivationCodeQuota,
		AliyunOrderID:              o.AliyunOrderID,
		AllowEmptySystemIdentifier: o.AllowEmptySystemIdentifier,
		GmtCreated:                 wall(o.GmtCreated),
		GmtModified:                wall(o.GmtModified),
		IsVirtualOrder:             o.IsVirtualOrder,
		IsVirtualOrderFrozen:       o.IsVirtualOrderFrozen,
		PackageType:                string(o.PackageType),
		PackageValidity:            o.PackageValidity,
		PurchaseChannel:            string(o.PurchaseChannel),
	}
	engine, virtual := string(o.Engine), o.VirtualAliyunOrderID
	switch shape {
	case shapeCreated:
		j.VirtualOrderID = &virtual
	case shapeDetails:
		j.Engine, j.VirtualOrderID = &engine, &virtual
	case shapeItem:
		j.Engine, j.VirtualAliyunOrderID = &engine, &virtual
	}
	return j
}

type codeJSON struct {
	RequestID        string  `json:"RequestId,omitempty"`
	ActivateAt       string  `json:"ActivateAt"`
	CertContentB64   *string `json:"CertContentB64,omitempty"`
	Description      string  `json:"Description"`
	ExpireAt         string  `json:"ExpireAt"`
	GmtCreated       string  `json:"GmtCreated"`
	GmtModified      string  `json:"GmtModified"`
	ID               int64   `json:"Id"`
	MacAddress       string  `json:"MacAddress"`
	Name             string  `json:"Name"`
	SystemIdentifier string  `json:"SystemIdentifier"`
}

func newCodeJSON(c *polarlicense.ActivationCode, cert *string, requestID string) codeJSON {
	return codeJSON{
		RequestID:        requestID,
		ActivateAt:       wall(c.ActivateAt),
		CertContentB64:   cert,
		Description:      c.Description,
		ExpireAt:         wall(c.ExpireAt),
		GmtCreated:       wall(c.GmtCreated),
		GmtModified:      wall(c.GmtModified),
		ID:               c.ID,
		MacAddress:       c.MacAddress,
		Name:             c.Name,
		SystemIdentifier: c.SystemIdentifier,
	}
}

type pageJSON[T any] struct {
	Items            []T    `json:"Items"`
	PageNumber       int    `json:"PageNumber"`
	PageRecordCount  int    `json:"PageRecordCount"`
	RequestID        string `json:"RequestId"`
	TotalRecordCount int    `json:"TotalRecordCount"`
}

// Parameter checks.

// required returns the parameter's value, or the Missing<name> error.
func required(in *incoming, name string) (string, *apiError) {
	v := in.param(name)
	if v == "" {
		return "", errMissingBusiness("Missing"+name, name)
	}
	return v, nil
}

// pageParams reads PageNumber (default 1, 1 to 2147483647) and PageSize
// (default 30, 1 to 100).
func pageParams(in *incoming) (page, *apiError) {
	p := page{number: 1, size: 30}
	if v := in.param("PageNumber"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > math.MaxInt32 {
			return p, errInvalid("PageNumber", "it must be an integer from 1 to 2147483647, not "+stringQuote(v))
		}
		p.number = n
	}
	if v := in.param("PageSize"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 100 {
			return p, errInvalid("PageSize", "it must be an integer from 1 to 100, not "+stringQuote(v))
		}
		p.size = n
	}
	return p, nil
}

// validName reports whether an activation-code name holds only letters,
// digits, "_" and "-".
func validName(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '-') {
			return false
		}
	}
	return s != ""
}

// The six operations.

func (h *Handler) createOrGetVirtualLicenseOrder(in *incoming, requestID string) (any, *apiError) {
	engine, err := required(in, "Engine")
	if err != nil {
		return nil, err
	}
	switch polarlicense.Engine(engine) {
	case polarlicense.EnginePG, polarlicense.EngineOracle, polarlicense.EngineMySQL:
	default:
		return nil, errInvalid("Engine", "it must be PG, Oracle or MySQL, not "+stringQuote(engine))
	}
	o := h.state.virtualOrder(polarlicense.Engine(engine), h.now())
	return newOrderJSON(&o, shapeCreated, requestID), nil
}

func (h *Handler) describeLicenseOrderDetails(in *incoming, requestID string) (any, *apiError) {
	id, err := required(in, "AliyunOrderId")
	if err != nil {
		return nil, err
	}
	o, ok := h.state.order(id)
	if !ok {
		return nil, errOrderNotFound(id)
	}
	return newOrderJSON(&o, shapeDetails, requestID), nil
}

func (h *Handler) describeLicenseOrders(in *incoming, requestID string) (any, *apiError) {
	p, err := pageParams(in)
	if err != nil {
		return nil, err
	}
	f := orderFilter{id: in.param("AliyunOrderId"), channel: in.param("PurchaseChannel"), packageType: in.param("PackageType")}
	if v := in.param("VirtualOrder"); v != "" {
		var b bool
		switch strings.ToLower(v) {
		case "true":
			b = true
		case "false":
		default:
			return nil, errInvalid("VirtualOrder", "it must be true or false, not "+stringQuote(v))
		}
		f.virtual = &b
	}
	total, orders := h.state.listOrders(&f, p)
	items := make([]orderJSON, len(orders))
	for i := range orders {
		items[i] = newOrderJSON(&orders[i], shapeItem, "")
	}
	return pageJSON[orderJSON]{Items: items, PageNumber: p.number, PageRecordCount: len(items), RequestID: requestID, TotalRecordCount: total}, nil
}

func (h *Handler) describeActivationCodeDetails(in *incoming, requestID string) (any, *apiError) {
	orderID, err := required(in, "AliyunOrderId")
	if err != nil {
		return nil, err
	}
	// ActivationCodeId is optional (the API reference and both official
	// SDKs): without it the order's first code, the lowest ID, answers.
	var id int64
	v := in.param("ActivationCodeId")
	if v != "" {
		var perr error
		id, perr = strconv.ParseInt(v, 10, 64)
		if perr != nil || id < 1 {
			return nil, errInvalid("ActivationCodeId", "it must be a positive integer, not "+stringQuote(v))
		}
	}
	c, cert, orderFound, codeFound := h.state.code(orderID, id)
	switch {
	case !orderFound:
		return nil, errOrderNotFound(orderID)
	case !codeFound && id == 0:
		return nil, newError(http.StatusNotFound, CodeActivationCodeNotFound,
			"The order "+stringQuote(orderID)+" has no activation code.")
	case !codeFound:
		return nil, newError(http.StatusNotFound, CodeActivationCodeNotFound,
			"The specified ActivationCodeId "+v+" does not exist in order "+stringQuote(orderID)+".")
	}
	return newCodeJSON(&c, &cert, requestID), nil
}

func (h *Handler) describeActivationCodes(in *incoming, requestID string) (any, *apiError) {
	orderID, err := required(in, "AliyunOrderId")
	if err != nil {
		return nil, err
	}
	p, err := pageParams(in)
	if err != nil {
		return nil, err
	}
	f := codeFilter{mac: in.param("MacAddress"), systemIdentifier: in.param("SystemIdentifier")}
	total, codes, found := h.state.listCodes(orderID, &f, p)
	if !found {
		return nil, errOrderNotFound(orderID)
	}
	items := make([]codeJSON, len(codes))
	for i := range codes {
		items[i] = newCodeJSON(&codes[i], nil, "")
	}
	return pageJSON[codeJSON]{Items: items, PageNumber: p.number, PageRecordCount: len(items), RequestID: requestID, TotalRecordCount: total}, nil
}

func (h *Handler) createActivationCode(in *incoming, requestID string) (any, *apiError) {
	var req newCode
	var err *apiError
	if req.orderID, err = required(in, "AliyunOrderId"); err != nil {
		return nil, err
	}
	if req.mac, err = required(in, "MacAddress"); err != nil {
		return nil, err
	}
	if !polarlicense.ValidMacAddress(req.mac) {
		return nil, newError(http.StatusBadRequest, CodeInvalidMacAddressMalformed,
			"The specified MacAddress "+stringQuote(req.mac)+` is malformed: want six pairs of hex digits separated by ":" or "-".`)
	}
	if req.name, err = required(in, "Name"); err != nil {
		return nil, err
	}
	if !validName(req.name) {
		return nil, newError(http.StatusBadRequest, CodeInvalidNameMalformed,
			"The specified Name "+stringQuote(req.name)+` is malformed: it may hold only letters, digits, "_" and "-".`)
	}
	req.systemIdentifier, req.description = in.param("SystemIdentifier"), in.param("Description")
	c, cert, err := h.state.createCode(&req, h.now())
	if err != nil {
		return nil, err
	}
	return newCodeJSON(&c, &cert, requestID), nil
}
