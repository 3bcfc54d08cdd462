package jsonread_test

import (
	"fmt"

	"github.com/polarlicense/polarlicense-go/internal/jsonread"
)

func ExampleReader() {
	body := `{"Items":[{"AliyunOrderId":"2276383","ActivatedCodeCount":"3","IsVirtualOrder":false}],
		"TotalRecordCount":1,"RequestId":"34458CD3"}`

	type item struct {
		OrderID string
		Used    int64
		Virtual bool
	}
	var items []item
	var total int64

	var r jsonread.Reader
	r.Reset(body)
	if r.Object() {
		for key, ok := r.Member(); ok; key, ok = r.Member() {
			switch key {
			case "Items":
				if r.Array() {
					for r.Next() {
						var it item
						if r.Object() {
							for key, ok := r.Member(); ok; key, ok = r.Member() {
								switch key {
								case "AliyunOrderId":
									it.OrderID = r.String()
								case "ActivatedCodeCount":
									it.Used = r.Int() // "3" is read as 3
								case "IsVirtualOrder":
									it.Virtual = r.Bool()
								default:
									r.Skip()
								}
							}
						}
						items = append(items, it)
					}
				}
			case "TotalRecordCount":
				total = r.Int()
			default:
				r.Skip()
			}
		}
	}
	r.End()
	if err := r.Err(); err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("%d %+v\n", total, items)
	// Output: 1 [{OrderID:2276383 Used:3 Virtual:false}]
}

func ExampleTime() {
	t, ok := jsonread.Time("2024-10-16 16:46:20\n")
	fmt.Println(t, ok)
	// Output: 2024-10-16 16:46:20 +0000 UTC true
}
