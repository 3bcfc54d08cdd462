package audit

import (
	"strconv"
	"testing"
	"time"

	polarlicense "github.com/polarlicense/polarlicense-go"
)

// BenchmarkEvaluate judges a large account: 500 orders of 20 codes, a few
// of them expired, expiring or duplicated.
func BenchmarkEvaluate(b *testing.B) {
	orders := make([]Order, 500)
	for i := range orders {
		o := &orders[i]
		o.AliyunOrderID = strconv.Itoa(100000000000000 + i)
		o.ActivationCodeQuota, o.ActivatedCodeCount = 25, 20
		for j := range 20 {
			c := polarlicense.ActivationCode{ID: int64(j + 1), Name: "node-" + strconv.Itoa(j),
				MacAddress: "00:16:3e:00:" + strconv.Itoa(10+i%90) + ":" + strconv.Itoa(10+j%18), SystemIdentifier: strconv.Itoa(7000 + j%18),
				ExpireAt: testNow.Add(time.Duration(j-2) * 30 * 24 * time.Hour)}
			o.Codes = append(o.Codes, c)
		}
	}
	p := Policy{Now: testNow}
	b.ReportAllocs()
	for b.Loop() {
		if len(Evaluate(orders, p)) == 0 {
			b.Fatal("no findings")
		}
	}
}
