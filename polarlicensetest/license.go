package polarlicensetest

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"strconv"
	"strings"

	polarlicense "github.com/polarlicense/polarlicense-go"
)

// FakeLicensePrefix starts every license file the emulator makes up, so that
// one can never be mistaken for a real PolarDB license.
const FakeLicensePrefix = "-----BEGIN POLARDB LICENSE (FAKE, ISSUED BY polarlicensetest)-----\n"

// fakeLicense returns the base64 of a made-up license file for a code: a few
// hundred bytes of text that depend only on the order, the code's ID, MAC
// address and system identifier, so the same code always gets the same
// license. It is not a license PolarDB accepts.
func fakeLicense(o *polarlicense.LicenseOrder, c *polarlicense.ActivationCode) string {
	var b strings.Builder
	b.Grow(512)
	b.WriteString(FakeLicensePrefix)
	b.WriteString("This file was made up by an emulator for tests. It licenses nothing.\n")
	field := func(k, v string) {
		b.WriteString(k)
		b.WriteString(": ")
		b.WriteString(v)
		b.WriteByte('\n')
	}
	field("Order", o.AliyunOrderID)
	field("Engine", string(o.Engine))
	field("Package", string(o.PackageType))
	field("ActivationCode", strconv.FormatInt(c.ID, 10))
	field("MacAddress", strings.ToLower(c.MacAddress))
	field("SystemIdentifier", c.SystemIdentifier)
	// A digest of the above stands in for the signature of a real license.
	sum := sha256.Sum256([]byte(b.String()))
	next := sha256.Sum256(sum[:])
	field("Signature", hex.EncodeToString(sum[:])+hex.EncodeToString(next[:]))
	b.WriteString("-----END POLARDB LICENSE-----\n")
	return base64.StdEncoding.EncodeToString([]byte(b.String()))
}
