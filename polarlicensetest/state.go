package polarlicensetest

import (
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	polarlicense "github.com/polarlicense/polarlicense-go"
)

// The in-memory state: license orders and their activation codes, guarded by
// one read-write mutex. Every method copies what it returns, so callers
// never share memory with the state.

// chinaStandardTime is the zone of the service's zone-less times (UTC+08:00).
var chinaStandardTime = time.FixedZone("CST", 8*60*60)

// wallLayout is how the service writes times: China Standard Time wall clock,
// no zone.
const wallLayout = "2006-01-02 15:04:05"

// wall writes t as the service does; the zero time is "".
func wall(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.In(chinaStandardTime).Format(wallLayout)
}

// normTime drops what the wire cannot carry (the monotonic reading, the
// sub-second part) and puts t in China Standard Time, so that what an
// accessor returns equals what a client reads back.
func normTime(t time.Time) time.Time {
	if t.IsZero() {
		return time.Time{}
	}
	return t.Truncate(time.Second).In(chinaStandardTime)
}

// DefaultVirtualOrderQuota is the ActivationCodeQuota of a virtual order that
// CreateOrGetVirtualLicenseOrder creates (the documentation's example value);
// WithVirtualOrderQuota changes it.
const DefaultVirtualOrderQuota = 10

// firstVirtualOrderID is the ID of the first virtual order the emulator
// creates; the next ones count up from it.
const firstVirtualOrderID = 249900000000001

type order struct {
	o     polarlicense.LicenseOrder
	codes []*code // in ID order
}

type code struct {
	c    polarlicense.ActivationCode
	cert string // base64
}

type state struct {
	mu           sync.RWMutex
	orders       map[string]*order
	list         []*order // creation order: the stable listing order
	virtualQuota int
	nextCodeID   int64
	nextVirtual  int64
}

func newState(virtualQuota int) *state {
	return &state{
		orders:       make(map[string]*order),
		virtualQuota: virtualQuota,
		nextCodeID:   1,
		nextVirtual:  firstVirtualOrderID,
	}
}

// validityYears reads a PackageValidity such as "1 year" or "30 years"; an
// unreadable one counts as one year.
func validityYears(v string) int {
	f := strings.Fields(v)
	if len(f) >= 1 {
		if n, err := strconv.Atoi(f[0]); err == nil && n > 0 {
			return n
		}
	}
	return 1
}

// defaultValidity is the PackageValidity of a package type: long-term plans
// run 30 years, the others one year.
func defaultValidity(p polarlicense.PackageType) string {
	if strings.HasSuffix(string(p), "_long_term") {
		return "30 years"
	}
	return "1 year"
}

// putOrder adds o, replacing any order with the same ID together with its
// codes. Missing fields get defaults: an ID, VirtualAliyunOrderID (the ID
// itself), PackageValidity (from PackageType) and the times (now).
func (s *state) putOrder(o polarlicense.LicenseOrder, now time.Time) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if o.AliyunOrderID == "" {
		o.AliyunOrderID = s.newOrderID()
	}
	if o.VirtualAliyunOrderID == "" {
		o.VirtualAliyunOrderID = o.AliyunOrderID
	}
	if o.PackageValidity == "" {
		o.PackageValidity = defaultValidity(o.PackageType)
	}
	if o.GmtCreated.IsZero() {
		o.GmtCreated = now
	}
	if o.GmtModified.IsZero() {
		o.GmtModified = o.GmtCreated
	}
	o.GmtCreated, o.GmtModified = normTime(o.GmtCreated), normTime(o.GmtModified)
	no := &order{o: o}
	if old, ok := s.orders[o.AliyunOrderID]; ok {
		for i, e := range s.list {
			if e == old {
				s.list[i] = no
			}
		}
	} else {
		s.list = append(s.list, no)
	}
	s.orders[o.AliyunOrderID] = no
}

// putCode adds a code to an existing order. A zero ID gets the next free one;
// zero times are now (ExpireAt: ActivateAt plus the order's validity); an
// empty cert gets the fake license. ActivatedCodeCount is raised to the
// number of codes if it was lower. It reports false if there is no such
// order or the order already has a code with that ID.
func (s *state) putCode(orderID string, c polarlicense.ActivationCode, cert string, now time.Time) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	o, ok := s.orders[orderID]
	if !ok {
		return false
	}
	if c.ID == 0 {
		c.ID = s.nextCodeID
	}
	for _, e := range o.codes {
		if e.c.ID == c.ID {
			return false
		}
	}
	if c.ID >= s.nextCodeID {
		s.nextCodeID = c.ID + 1
	}
	if c.GmtCreated.IsZero() {
		c.GmtCreated = now
	}
	if c.GmtModified.IsZero() {
		c.GmtModified = c.GmtCreated
	}
	if c.ActivateAt.IsZero() {
		c.ActivateAt = c.GmtCreated
	}
	if c.ExpireAt.IsZero() {
		c.ExpireAt = c.ActivateAt.AddDate(validityYears(o.o.PackageValidity), 0, 0)
	}
	c.GmtCreated, c.GmtModified = normTime(c.GmtCreated), normTime(c.GmtModified)
	c.ActivateAt, c.ExpireAt = normTime(c.ActivateAt), normTime(c.ExpireAt)
	c.MacAddress = normalMac(c.MacAddress)
	if cert == "" {
		cert = fakeLicense(&o.o, &c)
	}
	o.insertCode(&code{c: c, cert: cert})
	o.o.ActivatedCodeCount = max(o.o.ActivatedCodeCount, len(o.codes))
	return true
}

// insertCode keeps codes in ID order.
func (o *order) insertCode(c *code) {
	i := len(o.codes)
	for i > 0 && o.codes[i-1].c.ID > c.c.ID {
		i--
	}
	o.codes = append(o.codes, nil)
	copy(o.codes[i+1:], o.codes[i:])
	o.codes[i] = c
}

func (s *state) order(id string) (polarlicense.LicenseOrder, bool) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	o, ok := s.orders[id]
	if !ok {
		return polarlicense.LicenseOrder{}, false
	}
	return o.o, true
}

func (s *state) allOrders() []polarlicense.LicenseOrder {
	s.mu.RLock()
	defer s.mu.RUnlock()
	out := make([]polarlicense.LicenseOrder, len(s.list))
	for i, o := range s.list {
		out[i] = o.o
	}
	return out
}

func (s *state) codes(orderID string) ([]polarlicense.ActivationCode, bool) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	o, ok := s.orders[orderID]
	if !ok {
		return nil, false
	}
	out := make([]polarlicense.ActivationCode, len(o.codes))
	for i, c := range o.codes {
		out[i] = c.c
	}
	return out, true
}

// code returns one code and its license; id 0 means the order's first code
// (the lowest ID). It reports whether the order and the code exist.
func (s *state) code(orderID string, id int64) (c polarlicense.ActivationCode, cert string, orderFound, codeFound bool) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	o, ok := s.orders[orderID]
	if !ok {
		return c, "", false, false
	}
	for _, e := range o.codes {
		if e.c.ID == id || id == 0 {
			return e.c, e.cert, true, true
		}
	}
	return c, "", true, false
}

// page is a PageNumber and PageSize, already checked.
type page struct{ number, size int }

// bounds returns the positions, among all matching items, of the page's
// first item and of the item after its last.
func (p page) bounds() (from, to int) {
	from = (p.number - 1) * p.size
	return from, from + p.size
}

// orderFilter holds DescribeLicenseOrders's filters; empty means any.
type orderFilter struct {
	id, channel, packageType string
	virtual                  *bool
}

func (f *orderFilter) match(o *polarlicense.LicenseOrder) bool {
	return (f.id == "" || o.AliyunOrderID == f.id) &&
		(f.channel == "" || string(o.PurchaseChannel) == f.channel) &&
		(f.packageType == "" || string(o.PackageType) == f.packageType) &&
		(f.virtual == nil || o.IsVirtualOrder == *f.virtual)
}

func (s *state) listOrders(f *orderFilter, p page) (total int, items []polarlicense.LicenseOrder) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	from, to := p.bounds()
	for _, o := range s.list {
		if !f.match(&o.o) {
			continue
		}
		if total >= from && total < to {
			items = append(items, o.o)
		}
		total++
	}
	return total, items
}

// codeFilter holds DescribeActivationCodes's filters; empty means any. The
// MAC address matches in its normal form, so any spelling finds a code.
type codeFilter struct{ mac, systemIdentifier string }

func (f *codeFilter) match(c *polarlicense.ActivationCode) bool {
	return (f.mac == "" || normalMac(c.MacAddress) == normalMac(f.mac)) &&
		(f.systemIdentifier == "" || c.SystemIdentifier == f.systemIdentifier)
}

func (s *state) listCodes(orderID string, f *codeFilter, p page) (total int, items []polarlicense.ActivationCode, found bool) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	o, ok := s.orders[orderID]
	if !ok {
		return 0, nil, false
	}
	from, to := p.bounds()
	for _, c := range o.codes {
		if !f.match(&c.c) {
			continue
		}
		if total >= from && total < to {
			items = append(items, c.c)
		}
		total++
	}
	return total, items, true
}

// virtualOrder returns the engine's virtual order, creating it if there is
// none: the first virtual order of the engine in creation order.
func (s *state) virtualOrder(engine polarlicense.Engine, now time.Time) polarlicense.LicenseOrder {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, o := range s.list {
		if o.o.IsVirtualOrder && o.o.Engine == engine {
			return o.o
		}
	}
	id := s.newOrderID()
	now = normTime(now)
	o := &order{o: polarlicense.LicenseOrder{
		AliyunOrderID:        id,
		VirtualAliyunOrderID: id,
		Engine:               engine,
		PackageType:          polarlicense.PackagePreGenerationLongTerm,
		PackageValidity:      "30 years",
		PurchaseChannel:      polarlicense.ChannelMarketplace,
		ActivationCodeQuota:  s.virtualQuota,
		IsVirtualOrder:       true,
		GmtCreated:           now,
		GmtModified:          now,
	}}
	s.orders[id] = o
	s.list = append(s.list, o)
	return o.o
}

// newOrderID returns an order ID no order has. The caller holds the lock.
func (s *state) newOrderID() string {
	for {
		id := strconv.FormatInt(s.nextVirtual, 10)
		s.nextVirtual++
		if _, taken := s.orders[id]; !taken {
			return id
		}
	}
}

// newCode is a CreateActivationCode request, its parameters already checked.
type newCode struct {
	orderID, mac, name, systemIdentifier, description string
}

// createCode issues a code: it checks the order (exists, not frozen, a
// SystemIdentifier when the order needs one, quota left) and spends one unit
// of quota, all under the lock, so quota is never oversold.
func (s *state) createCode(req *newCode, now time.Time) (polarlicense.ActivationCode, string, *apiError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	o, ok := s.orders[req.orderID]
	switch {
	case !ok:
		return polarlicense.ActivationCode{}, "", errOrderNotFound(req.orderID)
	case o.o.IsVirtualOrderFrozen:
		return polarlicense.ActivationCode{}, "", newError(http.StatusForbidden, CodeVirtualOrderFrozen,
			"The virtual order "+req.orderID+" is frozen and can no longer issue activation codes.")
	case req.systemIdentifier == "" && !o.o.AllowEmptySystemIdentifier:
		return polarlicense.ActivationCode{}, "", newError(http.StatusBadRequest, CodeMissingSystemIdentifier,
			`The input parameter "SystemIdentifier" is mandatory for order `+req.orderID+", which does not allow an empty system identifier.")
	case o.o.ActivatedCodeCount >= o.o.ActivationCodeQuota:
		return polarlicense.ActivationCode{}, "", newError(http.StatusBadRequest, CodeQuotaExceeded,
			"The activation code quota of order "+req.orderID+" ("+strconv.Itoa(o.o.ActivationCodeQuota)+") is used up.")
	}
	now = normTime(now)
	c := polarlicense.ActivationCode{
		ID:               s.nextCodeID,
		Name:             req.name,
		Description:      req.description,
		MacAddress:       normalMac(req.mac),
		SystemIdentifier: req.systemIdentifier,
		ActivateAt:       now,
		ExpireAt:         now.AddDate(validityYears(o.o.PackageValidity), 0, 0),
		GmtCreated:       now,
		GmtModified:      now,
	}
	s.nextCodeID++
	cert := fakeLicense(&o.o, &c)
	o.codes = append(o.codes, &code{c: c, cert: cert})
	o.o.ActivatedCodeCount++
	o.o.GmtModified = now
	return c, cert, nil
}

// normalMac returns the normal form of a MAC address (lower case, ":"
// separated), the form the emulator stores and matches; text that is not a
// MAC address comes back lower-cased, so it still matches case-insensitively.
func normalMac(s string) string {
	if n, err := polarlicense.NormalizeMacAddress(s); err == nil {
		return n
	}
	return strings.ToLower(s)
}

func errOrderNotFound(id string) *apiError {
	return newError(http.StatusNotFound, CodeOrderNotFound, "The specified AliyunOrderId "+strconv.Quote(id)+" does not exist.")
}
