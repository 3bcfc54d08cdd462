// Package audit checks PolarDB license orders and their activation codes
// against a set of rules, so that no license expires unnoticed and no quota
// runs out by surprise. It is the engine behind "polarlicense audit" and
// "polarlicense exporter", for any other tool that wants the same answers.
//
// Run walks every order of an account and every code of each order, a few
// orders at a time, and evaluates the rules; Evaluate applies the same rules
// to data the caller already holds. Both are driven by a Policy whose zero
// value means the defaults: the current time, a 90-day expiry warning, a
// quota warning at 80 % and four orders walked at once.
//
// The checks (see Checks for the same table as data):
//
//	check                 severity  when
//	code-expired          error     a code's ExpireAt is at or before Policy.Now
//	code-expiring         warning   a code expires after Now but within Policy.ExpiringWithin
//	code-expiry-unknown   warning   a code has no usable ExpireAt (missing, null or empty in the answer)
//	code-count-mismatch   error     the order's ActivatedCodeCount is not the number of codes listed
//	code-duplicate        warning   another unexpired code of the order has the same MAC address and system identifier
//	code-renewed          info      a newer code of the host renews one that expires within Policy.ExpiringWithin
//	quota-exceeded        error     ActivatedCodeCount is above ActivationCodeQuota
//	quota-exhausted       warning   ActivatedCodeCount equals ActivationCodeQuota: no code left to issue
//	quota-high            warning   ActivatedCodeCount is at least Policy.QuotaWarnPercent of the quota, with codes left
//	virtual-order-frozen  info      a frozen virtual order: it issues no more codes
//
// A frozen virtual order issues no codes whatever its quota, so
// quota-exhausted and quota-high are not reported for it (quota-exceeded
// still is: it says the data is wrong). MAC addresses are compared
// normalised: lower case, ":" between the pairs, so that 00-16-3E-00-00-01
// and 00:16:3e:00:00:01 are the same host. code-duplicate is reported once
// for every code beyond the first (by ID) of a host: each spent one unit of
// quota that the first already covered. A renewal is not a duplicate: a
// host's code that expires within Policy.ExpiringWithin followed (by ID) by
// a code that expires later is code-renewed (info) on the newer code, and
// the older one, replaced, is not code-expiring; a third code while the
// renewal is not yet due is code-duplicate again.
//
// A code the audit cannot date is never a pass: the SDK decodes a missing,
// null or empty ExpireAt as the zero time, which code-expiry-unknown
// reports, and Report.Fails fails every gate but none on it (a gate at
// error included, though the finding is a warning); an ExpireAt that is not
// a time at all fails the listing with a *polarlicense.DecodeError, so that
// Run returns no Report.
//
// Findings are sorted most severe first, then by order ID, check and code ID,
// so that two audits of the same data list them in the same order.
//
// An audit never passes on an answer it did not understand: any error of the
// walk (an error answer, an answer that cannot be decoded, a page that
// contradicts the one before, a cancelled context) ends Run with an error and
// no Report. An error about one order's codes is an *OrderError naming it.
package audit
