package polarlicensetest

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	polarlicense "github.com/polarlicense/polarlicense-go"
)

// Seed data from a file: the emulator commands' --data flag, and ReadData for
// tests that keep their fixtures in JSON.

// maxDataBytes bounds a data file.
const maxDataBytes = 64 << 20

// ReadData reads orders and activation codes written in the data format below
// and returns the options that seed a server with them (WithOrders and
// WithActivationCode, in the file's order). It does not turn the demo data
// off: add WithoutDemoData for a server holding only the file's data.
//
// The format is one JSON object with the keys of the service's own answers:
//
//	{
//	  "Orders": [
//	    {
//	      "AliyunOrderId": "239618016570503",
//	      "Engine": "PG",
//	      "PackageType": "single_node_subscribe",
//	      "PackageValidity": "1 year",
//	      "PurchaseChannel": "aliyun_public",
//	      "ActivationCodeQuota": 8,
//	      "AllowEmptySystemIdentifier": false,
//	      "IsVirtualOrder": false,
//	      "IsVirtualOrderFrozen": false,
//	      "GmtCreated": "2026-01-26 10:00:00",
//	      "ActivationCodes": [
//	        {
//	          "Id": 1,
//	          "Name": "pg-prod-01",
//	          "Description": "primary",
//	          "MacAddress": "00:16:3e:1a:2b:01",
//	          "SystemIdentifier": "7345118823001548201",
//	          "ActivateAt": "2026-01-26 10:00:00",
//	          "ExpireAt": "2027-01-26 10:00:00"
//	        }
//	      ]
//	    }
//	  ]
//	}
//
// Only AliyunOrderId and Engine (PG, Oracle or MySQL) are required of an
// order, and MacAddress and Name of a code; every other field may be left
// out and then takes the default WithOrders and WithActivationCode give it
// (VirtualOrderId the order's own ID, PackageValidity from PackageType, times
// the server's clock, ExpireAt ActivateAt plus the validity, code IDs counted
// up, ActivatedCodeCount at least the number of codes, a made-up license).
// VirtualOrderId, ActivatedCodeCount, GmtModified and a code's GmtCreated,
// GmtModified and CertContentB64 (base64) are accepted too. Times are
// "YYYY-MM-DD hh:mm:ss" in China Standard Time, or RFC 3339.
//
// Decoding is strict: an unknown key, a value of the wrong type, a bad time,
// MAC address, name or base64 text, a duplicate order ID or code ID, or
// anything after the object is an error naming the order and code.
func ReadData(r io.Reader) ([]Option, error) {
	data, err := io.ReadAll(io.LimitReader(r, maxDataBytes+1))
	if err != nil {
		return nil, err
	}
	if len(data) > maxDataBytes {
		return nil, fmt.Errorf("data: larger than %d MiB", maxDataBytes>>20)
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var file dataFile
	if err := dec.Decode(&file); err != nil {
		return nil, fmt.Errorf("data: %w", err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return nil, errors.New("data: unexpected data after the JSON object")
	}
	var opts []Option
	seen := make(map[string]bool)
	for i := range file.Orders {
		o := &file.Orders[i]
		order, err := o.order()
		if err != nil {
			return nil, fmt.Errorf("data: order %d (%q): %w", i+1, o.AliyunOrderID, err)
		}
		if seen[order.AliyunOrderID] {
			return nil, fmt.Errorf("data: order %d: AliyunOrderId %q given twice", i+1, order.AliyunOrderID)
		}
		seen[order.AliyunOrderID] = true
		opts = append(opts, WithOrders(order))
		ids := make(map[int64]bool)
		for j := range o.ActivationCodes {
			c := &o.ActivationCodes[j]
			code, cert, err := c.code()
			if err != nil {
				return nil, fmt.Errorf("data: order %q, code %d: %w", order.AliyunOrderID, j+1, err)
			}
			if code.ID != 0 {
				if ids[code.ID] {
					return nil, fmt.Errorf("data: order %q, code %d: Id %d given twice", order.AliyunOrderID, j+1, code.ID)
				}
				ids[code.ID] = true
			}
			opts = append(opts, WithActivationCode(order.AliyunOrderID, code, cert))
		}
	}
	return opts, nil
}

// dataFile is the data format's top level.
type dataFile struct {
	Orders []dataOrder `json:"Orders"`
}

// dataOrder is an order of the data format.
type dataOrder struct {
	AliyunOrderID              string     `json:"AliyunOrderId"`
	VirtualOrderID             string     `json:"VirtualOrderId"`
	Engine                     string     `json:"Engine"`
	PackageType                string     `json:"PackageType"`
	PackageValidity            string     `json:"PackageValidity"`
	PurchaseChannel            string     `json:"PurchaseChannel"`
	ActivationCodeQuota        int        `json:"ActivationCodeQuota"`
	ActivatedCodeCount         int        `json:"ActivatedCodeCount"`
	AllowEmptySystemIdentifier bool       `json:"AllowEmptySystemIdentifier"`
	IsVirtualOrder             bool       `json:"IsVirtualOrder"`
	IsVirtualOrderFrozen       bool       `json:"IsVirtualOrderFrozen"`
	GmtCreated                 string     `json:"GmtCreated"`
	GmtModified                string     `json:"GmtModified"`
	ActivationCodes            []dataCode `json:"ActivationCodes"`
}

// dataCode is an activation code of the data format.
type dataCode struct {
	ID               int64  `json:"Id"`
	Name             string `json:"Name"`
	Description      string `json:"Description"`
	MacAddress       string `json:"MacAddress"`
	SystemIdentifier string `json:"SystemIdentifier"`
	ActivateAt       string `json:"ActivateAt"`
	ExpireAt         string `json:"ExpireAt"`
	GmtCreated       string `json:"GmtCreated"`
	GmtModified      string `json:"GmtModified"`
	CertContentB64   string `json:"CertContentB64"`
}

func (o *dataOrder) order() (polarlicense.LicenseOrder, error) {
	out := polarlicense.LicenseOrder{
		AliyunOrderID:              strings.TrimSpace(o.AliyunOrderID),
		VirtualAliyunOrderID:       o.VirtualOrderID,
		PackageType:                polarlicense.PackageType(o.PackageType),
		PackageValidity:            o.PackageValidity,
		PurchaseChannel:            polarlicense.PurchaseChannel(o.PurchaseChannel),
		ActivationCodeQuota:        o.ActivationCodeQuota,
		ActivatedCodeCount:         o.ActivatedCodeCount,
		AllowEmptySystemIdentifier: o.AllowEmptySystemIdentifier,
		IsVirtualOrder:             o.IsVirtualOrder,
		IsVirtualOrderFrozen:       o.IsVirtualOrderFrozen,
	}
	if out.AliyunOrderID == "" {
		return out, errors.New("missing AliyunOrderId")
	}
	switch e := polarlicense.Engine(o.Engine); e {
	case polarlicense.EnginePG, polarlicense.EngineOracle, polarlicense.EngineMySQL:
		out.Engine = e
	case "":
		return out, errors.New("missing Engine: want PG, Oracle or MySQL")
	default:
		return out, fmt.Errorf("bad Engine %q: want PG, Oracle or MySQL", o.Engine)
	}
	if o.ActivationCodeQuota < 0 || o.ActivatedCodeCount < 0 {
		return out, errors.New("negative ActivationCodeQuota or ActivatedCodeCount")
	}
	var err error
	if out.GmtCreated, err = dataTime("GmtCreated", o.GmtCreated); err != nil {
		return out, err
	}
	if out.GmtModified, err = dataTime("GmtModified", o.GmtModified); err != nil {
		return out, err
	}
	return out, nil
}

func (c *dataCode) code() (polarlicense.ActivationCode, polarlicense.CertContent, error) {
	out := polarlicense.ActivationCode{
		ID: c.ID, Name: c.Name, Description: c.Description,
		MacAddress: c.MacAddress, SystemIdentifier: c.SystemIdentifier,
	}
	switch {
	case c.ID < 0:
		return out, polarlicense.CertContent{}, errors.New("negative Id")
	case c.Name == "" || !validName(c.Name):
		return out, polarlicense.CertContent{}, fmt.Errorf("bad Name %q: want letters, digits, _ and -", c.Name)
	case !polarlicense.ValidMacAddress(c.MacAddress):
		return out, polarlicense.CertContent{}, fmt.Errorf("bad MacAddress %q: want six pairs of hex digits separated by : or -", c.MacAddress)
	}
	for _, t := range []struct {
		name string
		text string
		dst  *time.Time
	}{
		{"ActivateAt", c.ActivateAt, &out.ActivateAt},
		{"ExpireAt", c.ExpireAt, &out.ExpireAt},
		{"GmtCreated", c.GmtCreated, &out.GmtCreated},
		{"GmtModified", c.GmtModified, &out.GmtModified},
	} {
		v, err := dataTime(t.name, t.text)
		if err != nil {
			return out, polarlicense.CertContent{}, err
		}
		*t.dst = v
	}
	if c.CertContentB64 != "" {
		if _, err := base64.StdEncoding.DecodeString(c.CertContentB64); err != nil {
			return out, polarlicense.CertContent{}, errors.New("bad CertContentB64: not valid base64")
		}
	}
	return out, polarlicense.NewCertContent(c.CertContentB64), nil
}

// dataTime reads a time of the data format; empty is the zero time.
func dataTime(name, s string) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	if t, err := time.ParseInLocation(time.DateTime, s, chinaStandardTime); err == nil {
		return t, nil
	}
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t, nil
	}
	return time.Time{}, fmt.Errorf("bad %s %s: want YYYY-MM-DD hh:mm:ss or RFC 3339", name, strconv.Quote(s))
}
