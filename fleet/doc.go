// Package fleet provisions the license files of an inventory of clusters:
// every node gets its license file, and no quota is spent twice. It is what
// "polarlicense fleet plan" and "polarlicense fleet apply" run; a tool of
// your own gets the same plan the CLI prints.
//
//	inv, err := fleet.Load("fleet.yaml")
//	plan, err := fleet.NewPlan(ctx, client, inv, &fleet.Options{StateDir: dir})
//	// plan.Nodes: each node's State; plan.Refusals: why Apply would not start
//	report, err := plan.Apply(ctx)
//
// # The inventory
//
// A YAML file (README.md, "Provisioning: fleets", shows one): a list of
// clusters, each with a name, an order, a license_dir (node i, from 1,
// gets <license_dir>/<i>/license.lic unless it gives a path), optionally an
// owner ("user[:group]": files are written with that owner, mode 0600) and a
// renew_within (such as 30d: a node whose code expires within it gets a new
// code), and its nodes (name, mac, system_identifier, optionally path and
// code_name). Load refuses, before anything is sent, with an
// *InventoryError naming the line: a file over MaxInventorySize (16 MiB), a
// second YAML document, unknown keys, invalid values, the same host twice,
// and two nodes whose paths are one file (compared as cleaned absolute
// paths with the symbolic links of their directories resolved).
//
// # The plan predicts the apply
//
// NewPlan changes nothing. Each node's State says what Apply will do:
// licensed and expiring (nothing), to-issue and expired (create a code and
// write it), to-renew (create a new code: the current one expires within
// renew_within), file-missing and file-outdated (write the unexpired code's
// license, replacing an older license of the same host), file-foreign (the
// file holds something else: Apply fails the node, spending nothing, unless
// Options.Force), dir-missing (a directory is missing: Apply fails the node,
// naming it; under an existing license_dir, Apply creates <license_dir>/<i>/
// itself). Each OrderPlan says how many codes the order must issue;
// Plan.Refusals say why Apply would refuse to start (too little quota, a
// frozen virtual order), and then Apply does nothing.
//
// # API calls
//
// Calls are at the minimum and made Options.Concurrency (default 8) at a
// time; results keep the inventory's order. For an inventory of N nodes
// over K orders holding C codes in all:
//
//   - NewPlan: per order, one DescribeLicenseOrderDetails and one walk of
//     its codes (DescribeActivationCodes, ⌈codes/100⌉ pages); per node with
//     an unexpired code, one DescribeActivationCodeDetails (its license, to
//     compare with the file and to write it), unless there is no file to
//     compare and nothing to write from it (a to-renew node without a file,
//     a dir-missing node, which Apply fails as planned). A node whose file holds
//     another license costs one more DescribeActivationCodeDetails per
//     earlier code of the host compared, unless the state directory
//     recorded that file. A fleet with nothing licensed: 2K calls (for
//     orders of at most 100 codes); a licensed fleet: 2K + N.
//   - Apply, after its plan: nothing for a node with an unexpired code (the
//     plan fetched its license); for a node that needs a code, one
//     CreateActivationCode and the post-create duplicate check of
//     EnsureActivationCode (one DescribeActivationCodes of the host), as
//     EnsureKnown hands it the plan's walk; then one
//     DescribeLicenseOrderDetails per order that issued codes, so that the
//     order lines are the numbers after the run. An uncertain create adds
//     the looks that resolve it. A fleet of N new nodes: 2K + 2N + K calls
//     in all (plan included); a licensed fleet: 2K + N, nothing written.
//
// A Client made with polarlicense.WithRateLimit spaces these calls and slows
// down when the service throttles it.
//
// # Safety
//
// Apply calls polarlicense.EnsureActivationCode for each node that needs a
// code, so a run can be repeated after any failure and spends nothing
// twice; with a state directory (Options.StateDir, and the Client's
// polarlicense.WithStateDir) two runs at once, on one machine or sharing the
// directory, create one code per host at most. Before spending for a node it
// checks that its file can be written. A node that fails does not stop the
// others. When the context ends, nodes not yet started are reported as
// not-started and Apply returns the context's error.
package fleet
