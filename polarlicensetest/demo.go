package polarlicensetest

import (
	"time"

	polarlicense "github.com/polarlicense/polarlicense-go"
)

// The demo data set a new server holds unless WithoutDemoData is given. Its
// IDs are fixed so that tests and examples can name them.
const (
	// DemoOrderPG is a PG order bought on the standard purchase page: single
	// node, one year, quota 8, two codes.
	DemoOrderPG = "239618016570503"
	// DemoOrderNearlySpent is a PG primary/standby order from the
	// Marketplace with one code of its quota of 5 left.
	DemoOrderNearlySpent = "227638319690519"
	// DemoOrderNoSystemIdentifier is an Oracle long-term order that allows
	// codes without a SystemIdentifier (AllowEmptySystemIdentifier true).
	DemoOrderNoSystemIdentifier = "231855027410827"
	// DemoOrderMySQL is a MySQL primary/standby long-term order from the
	// Marketplace with one code.
	DemoOrderMySQL = "235409911380412"
	// DemoOrderMySQLSubscribe is a MySQL single-node subscription from the
	// standard purchase page, with no codes yet.
	DemoOrderMySQLSubscribe = "233301476520316"
	// DemoOrderOracle is an Oracle primary/standby subscription from the
	// Marketplace with one code.
	DemoOrderOracle = "236710258840925"
	// DemoVirtualOrderFrozen is the frozen Oracle virtual order, with three
	// codes: CreateOrGetVirtualLicenseOrder returns it for Oracle, and it
	// issues no more codes.
	DemoVirtualOrderFrozen = "240315602930017"
)

// demoTime returns a fixed time in China Standard Time.
func demoTime(s string) time.Time {
	t, err := time.ParseInLocation(wallLayout, s, chinaStandardTime)
	if err != nil {
		panic(err)
	}
	return t
}

// demoCode is an activation code of the demo data. Its age counts back from
// the server's clock when the server starts, so that a demo code's validity
// means the same on any day: most codes are valid, pg-prod-01 expires within
// 90 days and ora-1 expired a fortnight ago.
type demoCode struct {
	name, mac, sysID, desc string
	age                    time.Duration
}

// day is a day's length, for demo code ages.
const day = 24 * time.Hour

// loadDemo puts the demo data set into st; now is the server's clock.
func loadDemo(st *state, now time.Time) {
	add := func(o polarlicense.LicenseOrder, created string, codes ...demoCode) {
		o.GmtCreated = demoTime(created)
		o.GmtModified = o.GmtCreated
		st.putOrder(o, o.GmtCreated)
		for _, c := range codes {
			at := now.Add(-c.age).Truncate(time.Second)
			st.putCode(o.AliyunOrderID, polarlicense.ActivationCode{
				Name: c.name, MacAddress: c.mac, SystemIdentifier: c.sysID, Description: c.desc,
				GmtCreated: at,
			}, "", at)
		}
		if n := len(codes); n > 0 {
			// The order changed when its last code was issued.
			st.mu.Lock()
			st.orders[o.AliyunOrderID].o.GmtModified = normTime(now.Add(-codes[n-1].age).Truncate(time.Second))
			st.mu.Unlock()
		}
	}
	add(polarlicense.LicenseOrder{
		AliyunOrderID: DemoOrderPG, Engine: polarlicense.EnginePG,
		PackageType: polarlicense.PackageSingleNodeSubscribe, PurchaseChannel: polarlicense.ChannelPublic,
		ActivationCodeQuota: 8,
	}, "2024-03-11 09:20:15",
		demoCode{"pg-prod-01", "00:16:3e:1a:2b:01", "7345118823001548201", "production primary", 300*day + 2*time.Hour},
		demoCode{"pg-prod-02", "00:16:3e:1a:2b:02", "7345118823001548202", "production replica", 40*day + 5*time.Hour},
	)
	add(polarlicense.LicenseOrder{
		AliyunOrderID: DemoOrderNearlySpent, Engine: polarlicense.EnginePG,
		PackageType: polarlicense.PackagePrimaryBackupSubscribe, PurchaseChannel: polarlicense.ChannelMarketplace,
		ActivationCodeQuota: 5,
	}, "2024-05-20 16:45:00",
		demoCode{"ha-a1", "00:16:3e:33:40:a1", "7371955012804410001", "cluster a, node 1", 121*day + 3*time.Hour},
		demoCode{"ha-a2", "00:16:3e:33:40:a2", "7371955012804410002", "cluster a, node 2", 121*day + 2*time.Hour},
		demoCode{"ha-b1", "00:16:3e:33:40:b1", "7371955012804410003", "cluster b, node 1", 95*day + 7*time.Hour},
		demoCode{"ha-b2", "00:16:3e:33:40:b2", "7371955012804410004", "cluster b, node 2", 95*day + 6*time.Hour},
	)
	add(polarlicense.LicenseOrder{
		AliyunOrderID: DemoOrderNoSystemIdentifier, Engine: polarlicense.EngineOracle,
		PackageType: polarlicense.PackageSingleNodeLongTerm, PurchaseChannel: polarlicense.ChannelPublic,
		ActivationCodeQuota: 2, AllowEmptySystemIdentifier: true,
	}, "2024-07-08 13:05:51")
	add(polarlicense.LicenseOrder{
		AliyunOrderID: DemoOrderMySQL, Engine: polarlicense.EngineMySQL,
		PackageType: polarlicense.PackagePrimaryBackupLongTerm, PurchaseChannel: polarlicense.ChannelMarketplace,
		ActivationCodeQuota: 4,
	}, "2024-08-30 10:10:10",
		demoCode{"mysql-dc1", "00:16:3e:5c:00:11", "7409923317700000011", "", 400 * day},
	)
	add(polarlicense.LicenseOrder{
		AliyunOrderID: DemoOrderMySQLSubscribe, Engine: polarlicense.EngineMySQL,
		PackageType: polarlicense.PackageSingleNodeSubscribe, PurchaseChannel: polarlicense.ChannelPublic,
		ActivationCodeQuota: 3,
	}, "2024-09-14 18:22:37")
	add(polarlicense.LicenseOrder{
		AliyunOrderID: DemoOrderOracle, Engine: polarlicense.EngineOracle,
		PackageType: polarlicense.PackagePrimaryBackupSubscribe, PurchaseChannel: polarlicense.ChannelMarketplace,
		ActivationCodeQuota: 6,
	}, "2024-10-16 16:46:20",
		demoCode{"ora-1", "00:16:3e:7e:91:01", "7426210045550000001", "erp", 380*day + 4*time.Hour},
	)
	add(polarlicense.LicenseOrder{
		AliyunOrderID: DemoVirtualOrderFrozen, Engine: polarlicense.EngineOracle,
		PackageType: polarlicense.PackagePreGenerationLongTerm, PurchaseChannel: polarlicense.ChannelMarketplace,
		ActivationCodeQuota: 10, IsVirtualOrder: true, IsVirtualOrderFrozen: true,
	}, "2024-11-02 09:00:00",
		demoCode{"pre-01", "00:16:3e:90:00:01", "7432600001000000001", "pre-generated", 200*day + 3*time.Minute},
		demoCode{"pre-02", "00:16:3e:90:00:02", "7432600001000000002", "pre-generated", 200*day + 2*time.Minute},
		demoCode{"pre-03", "00:16:3e:90:00:03", "7432600001000000003", "pre-generated", 200*day + time.Minute},
	)
}
