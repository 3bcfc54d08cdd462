package jsonread

import (
	"bytes"
	"encoding/json"
	"strconv"
	"strings"
	"testing"
)

// ordersBody builds a DescribeLicenseOrders response with n items shaped like
// the API reference's example.
func ordersBody(n int) string {
	var b strings.Builder
	b.WriteString("{\n  \"Items\": [")
	for i := 0; i < n; i++ {
		if i > 0 {
			b.WriteString(",")
		}
		id := strconv.Itoa(227638319690519 + i)
		b.WriteString(`
    {
      "ActivatedCodeCount": ` + strconv.Itoa(i%11) + `,
      "ActivationCodeQuota": 10,
      "AliyunOrderId": "` + id + `",
      "AllowEmptySystemIdentifier": ` + strconv.FormatBool(i%2 == 0) + `,
      "Engine": "PG",
      "GmtCreated": "2022-02-11 03:14:15",
      "GmtModified": "2024-10-16 16:46:20",
      "IsVirtualOrder": false,
      "IsVirtualOrderFrozen": false,
      "PackageType": "single_node_subscribe",
      "PackageValidity": "1 year",
      "PurchaseChannel": "aliyun_public",
      "VirtualAliyunOrderId": "` + id + `"
    }`)
	}
	b.WriteString(`
  ],
  "PageNumber": 1,
  "PageRecordCount": ` + strconv.Itoa(n) + `,
  "RequestId": "34458CD3-33E0-4624-BFEF-840C15******",
  "TotalRecordCount": 50
}
`)
	return b.String()
}

func TestOrdersBodyDecodes(t *testing.T) {
	body := ordersBody(30)
	var r Reader
	r.Reset(body)
	var list orderList
	decodeOrderList(&r, &list)
	if err := r.Err(); err != nil {
		t.Fatal(err)
	}
	var want jsonOrderList
	if err := json.Unmarshal([]byte(body), &want); err != nil {
		t.Fatal(err)
	}
	if len(list.Items) != 30 || len(want.Items) != 30 {
		t.Fatalf("items: %d and %d", len(list.Items), len(want.Items))
	}
	for i, o := range list.Items {
		w := want.Items[i]
		if o.AliyunOrderID != w.AliyunOrderID || o.VirtualOrderID != w.VirtualAliyunOrderID ||
			o.ActivatedCodeCount != w.ActivatedCodeCount || o.AllowEmptySystemIdentifier != w.AllowEmptySystemIdentifier {
			t.Fatalf("item %d: %+v, encoding/json %+v", i, o, w)
		}
	}
}

// benchBodies returns the 30-item body indented as in the API reference and
// compact as the service sends it.
func benchBodies(b *testing.B) map[string]string {
	indented := ordersBody(30)
	var compact bytes.Buffer
	if err := json.Compact(&compact, []byte(indented)); err != nil {
		b.Fatal(err)
	}
	return map[string]string{"indented": indented, "compact": compact.String()}
}

func BenchmarkDecodeLicenseOrders(b *testing.B) {
	for _, name := range []string{"indented", "compact"} {
		body := benchBodies(b)[name]
		b.Run(name, func(b *testing.B) {
			var r Reader
			list := orderList{Items: make([]order, 0, 30)} // the caller's own slice, reused
			b.SetBytes(int64(len(body)))
			b.ReportAllocs()
			for b.Loop() {
				list = orderList{Items: list.Items[:0]}
				r.Reset(body)
				decodeOrderList(&r, &list)
				if r.Err() != nil || len(list.Items) != 30 {
					b.Fatal(r.Err())
				}
			}
		})
	}
}

// jsonOrder and jsonOrderList are the equivalent structs for encoding/json.
type jsonOrder struct {
	ActivatedCodeCount         int64
	ActivationCodeQuota        int64
	AliyunOrderID              string `json:"AliyunOrderId"`
	AllowEmptySystemIdentifier bool
	Engine                     string
	GmtCreated                 string
	GmtModified                string
	IsVirtualOrder             bool
	IsVirtualOrderFrozen       bool
	PackageType                string
	PackageValidity            string
	PurchaseChannel            string
	VirtualAliyunOrderID       string `json:"VirtualAliyunOrderId"`
}

type jsonOrderList struct {
	Items            []jsonOrder
	PageNumber       int64
	PageRecordCount  int64
	TotalRecordCount int64
	RequestID        string `json:"RequestId"`
}

func BenchmarkDecodeLicenseOrdersEncodingJSON(b *testing.B) {
	for _, name := range []string{"indented", "compact"} {
		body := []byte(benchBodies(b)[name])
		b.Run(name, func(b *testing.B) {
			list := jsonOrderList{Items: make([]jsonOrder, 0, 30)}
			b.SetBytes(int64(len(body)))
			b.ReportAllocs()
			for b.Loop() {
				list = jsonOrderList{Items: list.Items[:0]}
				if err := json.Unmarshal(body, &list); err != nil || len(list.Items) != 30 {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkSkipLicenseOrders(b *testing.B) {
	body := ordersBody(30)
	var r Reader
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	for b.Loop() {
		r.Reset(body)
		r.Skip()
		r.End()
		if r.Err() != nil {
			b.Fatal(r.Err())
		}
	}
}

func BenchmarkTime(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, ok := Time("2024-10-16 16:46:20\n"); !ok {
			b.Fatal("bad time")
		}
	}
}
