package sign

import (
	"crypto/hmac"
	"crypto/sha1"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"net/url"
	"sort"
	"strings"
)

// This file holds deliberately naive reference implementations, built on
// the standard library the way the official SDK does, that the optimised
// code is checked against.

// refEscape is RFC 3986 escaping via url.QueryEscape plus the fix-ups the
// official SDKs apply.
func refEscape(s string) string {
	e := url.QueryEscape(s)
	e = strings.ReplaceAll(e, "+", "%20")
	e = strings.ReplaceAll(e, "*", "%2A")
	e = strings.ReplaceAll(e, "%7E", "~")
	return e
}

// refCanonicalQuery sorts a copy of params with sort.Slice and joins them.
func refCanonicalQuery(params []Param) string {
	p := append([]Param(nil), params...)
	sort.Slice(p, func(i, j int) bool {
		if p[i].Key != p[j].Key {
			return p[i].Key < p[j].Key
		}
		return p[i].Value < p[j].Value
	})
	parts := make([]string, len(p))
	for i, kv := range p {
		parts[i] = refEscape(kv.Key) + "=" + refEscape(kv.Value)
	}
	return strings.Join(parts, "&")
}

// refRPCSign computes the RPC signature with a fresh HMAC.
func refRPCSign(method, canonicalQuery, secret string) string {
	stringToSign := method + "&" + refEscape("/") + "&" + refEscape(canonicalQuery)
	m := hmac.New(sha1.New, []byte(secret+"&"))
	m.Write([]byte(stringToSign))
	return base64.StdEncoding.EncodeToString(m.Sum(nil))
}

// refV3Sign computes the V3 signature with a fresh HMAC; headers must be
// canonical.
func refV3Sign(method, uri, canonicalQuery string, headers []Param, payloadHash, secret string) string {
	if uri == "" {
		uri = "/"
	}
	var ch strings.Builder
	names := make([]string, len(headers))
	for i, h := range headers {
		ch.WriteString(h.Key + ":" + h.Value + "\n")
		names[i] = h.Key
	}
	cr := strings.Join([]string{method, uri, canonicalQuery, ch.String(), strings.Join(names, ";"), payloadHash}, "\n")
	crHash := sha256.Sum256([]byte(cr))
	m := hmac.New(sha256.New, []byte(secret))
	m.Write([]byte("ACS3-HMAC-SHA256\n" + hex.EncodeToString(crHash[:])))
	return hex.EncodeToString(m.Sum(nil))
}
