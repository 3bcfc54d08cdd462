package polarlicense

import (
	"bytes"
	"encoding/json"
	"os"
	"slices"
	"testing"
)

// ramPolicy is the part of an Alibaba Cloud RAM policy document the shipped
// policies use; decoding is strict, so a misspelt key fails.
type ramPolicy struct {
	Version   string
	Statement []struct {
		Effect   string
		Action   []string
		Resource string
	}
}

// TestRAMPolicies checks that each policy in docs/ parses as a RAM policy,
// allows exactly the operations its name promises, on every resource, and
// names only operations this client has.
func TestRAMPolicies(t *testing.T) {
	describe := []string{
		opDescribeLicenseOrders.name, opDescribeLicenseOrderDetails.name,
		opDescribeActivationCodes.name, opDescribeActivationCodeDetails.name,
	}
	for _, tc := range []struct {
		file string
		ops  []string
	}{
		{"docs/ram-policy-audit.json", describe},
		{"docs/ram-policy-provisioning.json", append(slices.Clone(describe), opCreateActivationCode.name, opCreateOrGetVirtualLicenseOrder.name)},
	} {
		t.Run(tc.file, func(t *testing.T) {
			data, err := os.ReadFile(tc.file)
			if err != nil {
				t.Fatal(err)
			}
			dec := json.NewDecoder(bytes.NewReader(data))
			dec.DisallowUnknownFields()
			var p ramPolicy
			if err := dec.Decode(&p); err != nil {
				t.Fatalf("not a RAM policy: %v", err)
			}
			if p.Version != "1" || len(p.Statement) != 1 {
				t.Fatalf("Version %q with %d statements, want \"1\" with one", p.Version, len(p.Statement))
			}
			st := p.Statement[0]
			if st.Effect != "Allow" || st.Resource != "*" {
				t.Errorf("Effect %q on Resource %q, want Allow on *", st.Effect, st.Resource)
			}
			var want []string
			for _, op := range tc.ops {
				want = append(want, "polardb:"+op)
			}
			got := slices.Sorted(slices.Values(st.Action))
			slices.Sort(want)
			if !slices.Equal(got, want) {
				t.Errorf("actions %v, want exactly %v", got, want)
			}
		})
	}
}
