package fleet

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"

	polarlicense "github.com/polarlicense/polarlicense-go"
)

// MaxInventorySize is the largest inventory Load and Parse accept: 16 MiB,
// some hundred thousand nodes. A larger file (or a device such as /dev/zero)
// is refused without reading more than this.
const MaxInventorySize = 16 << 20

// Inventory is a checked inventory: its nodes in the file's order, with
// their defaults filled in.
type Inventory struct {
	// Path is the file the inventory was read from, as given to Load (the
	// name given to Parse).
	Path string
	// Nodes are the nodes of every cluster, in the file's order.
	Nodes []Node
}

// Node is one host of the inventory, checked, its defaults filled in.
type Node struct {
	// Cluster is the name of the node's cluster.
	Cluster string
	// Name is the node's name.
	Name string
	// AliyunOrderID is the order of the node's cluster.
	AliyunOrderID string
	// MacAddress is the node's MAC address, normalised.
	MacAddress string
	// SystemIdentifier is the database's system identifier.
	SystemIdentifier string
	// CodeName is the name a code created for the node gets: code_name, or
	// <cluster>-<node>.
	CodeName string
	// Path is the node's license file: path, or
	// <license_dir>/<i>/license.lic for the node's position i (from 1) in
	// its cluster.
	Path string
	// LicenseDir is the cluster's license_dir when Path is its default
	// (apply then creates <license_dir>/<i>/ under it); "" otherwise.
	LicenseDir string
	// Owner is the cluster's owner (owner: "user[:group]"), whom written
	// files are given, mode 0600; nil: the writer's, as
	// polarlicense.WriteLicenseFile does.
	Owner *polarlicense.FileOwner
	// OwnerSpec is owner: as written in the inventory; "" without one.
	OwnerSpec string
	// RenewWithin is the cluster's renew_within: a node whose code expires
	// within it gets a new code from apply (see
	// polarlicense.EnsureActivationCodeRequest.RenewWithin); zero never
	// renews.
	RenewWithin time.Duration
	// Line is the node's line in the inventory; ClusterLine its cluster's.
	Line, ClusterLine int
}

// Request is the node's EnsureActivationCode request.
func (n *Node) Request() *polarlicense.EnsureActivationCodeRequest {
	return &polarlicense.EnsureActivationCodeRequest{
		AliyunOrderID: n.AliyunOrderID, MacAddress: n.MacAddress, SystemIdentifier: n.SystemIdentifier,
		Name: n.CodeName, RenewWithin: n.RenewWithin,
	}
}

// InventoryError is what is wrong with an inventory: the file, the line
// (0 when none applies) and the problem. Nothing has been sent when Load or
// Parse return one.
type InventoryError struct {
	Path string
	Line int
	Msg  string
}

// Error is "path:line: problem".
func (e *InventoryError) Error() string {
	where := e.Path
	if e.Line > 0 {
		where += ":" + strconv.Itoa(e.Line)
	}
	return where + ": " + e.Msg
}

// The inventory file's YAML.
type (
	yamlInventory struct {
		Clusters []yamlCluster `yaml:"clusters"`
	}
	yamlCluster struct {
		Name        string     `yaml:"name"`
		Order       string     `yaml:"order"`
		LicenseDir  string     `yaml:"license_dir"`
		Owner       string     `yaml:"owner"`
		RenewWithin string     `yaml:"renew_within"`
		Nodes       []yamlNode `yaml:"nodes"`
	}
	yamlNode struct {
		Name             string `yaml:"name"`
		Mac              string `yaml:"mac"`
		SystemIdentifier string `yaml:"system_identifier"`
		Path             string `yaml:"path"`
		CodeName         string `yaml:"code_name"`
	}
)

// Load reads and checks the inventory at path (see Parse).
func Load(path string) (*Inventory, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return Parse(path, f)
}

// Parse reads and checks an inventory from r, name naming it in errors. It
// refuses, with an *InventoryError naming the line where it can: more than
// MaxInventorySize bytes; YAML that does not parse, has unknown keys, or
// holds a second document; a cluster without a name (letters, digits, _ and
// -), order or nodes, or listed twice; a node without a name, with an
// invalid MAC address or system identifier, a code name the service would
// refuse, neither path nor license_dir, or the same host (order, MAC
// address, system identifier) as another node; two nodes whose license
// files are one file (compared as absolute paths, cleaned, with symbolic
// links of their existing directories resolved); an owner that names no user
// or group of this system; a renew_within that is not a duration.
func Parse(name string, r io.Reader) (*Inventory, error) {
	data, err := io.ReadAll(io.LimitReader(r, MaxInventorySize+1))
	if err != nil {
		return nil, err
	}
	bad := func(line int, format string, args ...any) error {
		return &InventoryError{Path: name, Line: line, Msg: fmt.Sprintf(format, args...)}
	}
	if len(data) > MaxInventorySize {
		return nil, bad(0, "the inventory is larger than %d MiB: refused", MaxInventorySize>>20)
	}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	var inv yamlInventory
	if err := dec.Decode(&inv); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, bad(0, "the inventory is empty: it needs a clusters list")
		}
		return nil, yamlError(name, err)
	}
	var second yaml.Node
	switch err := dec.Decode(&second); {
	case err == nil:
		return nil, bad(docLine(&second), "a second YAML document: an inventory is one document (remove the \"---\" and what follows, or merge it into the first)")
	case !errors.Is(err, io.EOF):
		return nil, yamlError(name, err)
	}
	var root yaml.Node
	_ = yaml.Unmarshal(data, &root) // it decoded above, so this does too
	lines := inventoryLines(&root)
	if len(inv.Clusters) == 0 {
		return nil, bad(0, "the inventory lists no clusters")
	}
	out := &Inventory{Path: name}
	clusters := map[string]bool{}
	type seen struct {
		what string
		line int
	}
	paths := map[string]seen{}
	hosts := map[[3]string]seen{}
	for ci, c := range inv.Clusters {
		cl := lines.cluster(ci)
		switch {
		case c.Name == "":
			return nil, bad(cl, "cluster %d has no name", ci+1)
		case !nameChars(c.Name):
			return nil, bad(cl, "cluster name %q: may hold only letters, digits, _ and -", c.Name)
		case clusters[c.Name]:
			return nil, bad(cl, "cluster %q is listed twice", c.Name)
		case strings.TrimSpace(c.Order) == "":
			return nil, bad(cl, "cluster %q has no order", c.Name)
		case len(c.Nodes) == 0:
			return nil, bad(cl, "cluster %q lists no nodes", c.Name)
		}
		clusters[c.Name] = true
		var owner *polarlicense.FileOwner
		if c.Owner != "" {
			o, err := polarlicense.LookupFileOwner(c.Owner)
			if err != nil {
				return nil, bad(lines.key(ci, "owner"), "cluster %q: %s", c.Name, strings.TrimPrefix(err.Error(), "polarlicense: "))
			}
			owner = &o
		}
		var renew time.Duration
		if c.RenewWithin != "" {
			d, err := ParseDuration(c.RenewWithin)
			if err != nil || d < 0 {
				return nil, bad(lines.key(ci, "renew_within"), "cluster %q: renew_within %q: want a duration such as 30d or 720h", c.Name, c.RenewWithin)
			}
			renew = d
		}
		for ni, n := range c.Nodes {
			nl := lines.node(ci, ni)
			what := fmt.Sprintf("cluster %q node %d", c.Name, ni+1)
			if n.Name != "" {
				what = fmt.Sprintf("cluster %q node %q", c.Name, n.Name)
			}
			if n.Name == "" {
				return nil, bad(nl, "%s has no name", what)
			}
			mac, err := polarlicense.NormalizeMacAddress(n.Mac)
			if err != nil {
				if n.Mac == "" {
					return nil, bad(nl, "%s has no mac", what)
				}
				return nil, bad(nl, "%s: invalid mac %q: %v", what, n.Mac, polarlicense.ErrInvalidMacAddress)
			}
			node := Node{
				Cluster: c.Name, Name: n.Name, AliyunOrderID: c.Order, MacAddress: mac, SystemIdentifier: n.SystemIdentifier,
				CodeName: n.CodeName, Path: n.Path, Owner: owner, OwnerSpec: c.Owner, RenewWithin: renew,
				Line: nl, ClusterLine: cl,
			}
			if node.CodeName == "" {
				node.CodeName = c.Name + "-" + n.Name
			}
			if !nameChars(node.CodeName) || len(node.CodeName) > polarlicense.MaxCodeNameLength {
				return nil, bad(nl, "%s: code name %q: may hold only letters, digits, _ and -, at most %d (give code_name)",
					what, node.CodeName, polarlicense.MaxCodeNameLength)
			}
			if err := node.Request().Validate(); err != nil {
				return nil, bad(nl, "%s: %s", what, strings.TrimPrefix(err.Error(), "polarlicense: EnsureActivationCode: "))
			}
			if node.Path == "" {
				if c.LicenseDir == "" {
					return nil, bad(nl, "%s has no path, and cluster %q has no license_dir", what, c.Name)
				}
				node.Path, node.LicenseDir = filepath.Join(c.LicenseDir, strconv.Itoa(ni+1), "license.lic"), c.LicenseDir
			}
			key, err := fileKey(node.Path)
			if err != nil {
				return nil, bad(nl, "%s: path %s: %v", what, node.Path, err)
			}
			if other, dup := paths[key]; dup {
				return nil, bad(nl, "%s writes %s, the same file as %s (line %d)", what, node.Path, other.what, other.line)
			}
			paths[key] = seen{what, nl}
			h := [3]string{node.AliyunOrderID, node.MacAddress, node.SystemIdentifier}
			if other, dup := hosts[h]; dup {
				return nil, bad(nl, "%s is the same host as %s (line %d): same order, mac and system_identifier", what, other.what, other.line)
			}
			hosts[h] = seen{what, nl}
			out.Nodes = append(out.Nodes, node)
		}
	}
	return out, nil
}

// fileKey is what two paths naming one file have in common: the absolute,
// cleaned path, with the symbolic links of the longest part of its
// directory that exists resolved.
func fileKey(path string) (string, error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return "", err
	}
	dir, rest := filepath.Dir(abs), []string{filepath.Base(abs)}
	for {
		if real, err := filepath.EvalSymlinks(dir); err == nil {
			return filepath.Join(append([]string{real}, rest...)...), nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return abs, nil
		}
		rest = append([]string{filepath.Base(dir)}, rest...)
		dir = parent
	}
}

// ParseDuration reads a duration as renew_within takes it: Go's syntax
// (720h, 90m) or a whole number of days (30d).
func ParseDuration(s string) (time.Duration, error) {
	if d, ok := strings.CutSuffix(s, "d"); ok {
		n, err := strconv.ParseUint(d, 10, 16)
		if err != nil {
			return 0, fmt.Errorf("invalid duration %q", s)
		}
		return time.Duration(n) * 24 * time.Hour, nil
	}
	return time.ParseDuration(s)
}

// nameChars reports whether s is letters, digits, _ and - only.
func nameChars(s string) bool {
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '_' || r == '-') {
			return false
		}
	}
	return s != ""
}

// unknownField is how yaml.v3 words an unknown key.
var unknownField = regexp.MustCompile(`^line (\d+): field (.+) not found in type \S+$`)

// yamlError says what is wrong with the inventory's YAML, naming the file
// and line.
func yamlError(path string, err error) error {
	var te *yaml.TypeError
	if errors.As(err, &te) {
		msgs := make([]string, len(te.Errors))
		for i, e := range te.Errors {
			if m := unknownField.FindStringSubmatch(e); m != nil {
				msgs[i] = path + ":" + m[1] + ": unknown key " + strconv.Quote(m[2])
			} else {
				msgs[i] = path + ": " + strings.TrimPrefix(e, "line ")
			}
		}
		return &InventoryError{Path: path, Msg: strings.TrimPrefix(strings.Join(msgs, "; "), path+": ")}
	}
	return &InventoryError{Path: path, Msg: strings.TrimPrefix(err.Error(), "yaml: ")}
}

// docLine is the first line of a document's content.
func docLine(doc *yaml.Node) int {
	if doc.Kind == yaml.DocumentNode && len(doc.Content) > 0 {
		return doc.Content[0].Line
	}
	return doc.Line
}

// inventoryNodes are the YAML nodes of the clusters and their nodes, for
// the line numbers of errors.
type inventoryNodes struct {
	clusters []*yaml.Node
	nodes    [][]*yaml.Node
}

func inventoryLines(root *yaml.Node) inventoryNodes {
	var out inventoryNodes
	if root.Kind != yaml.DocumentNode || len(root.Content) == 0 {
		return out
	}
	seq := mapValue(root.Content[0], "clusters")
	if seq == nil || seq.Kind != yaml.SequenceNode {
		return out
	}
	out.clusters = seq.Content
	for _, c := range seq.Content {
		var nodes []*yaml.Node
		if n := mapValue(c, "nodes"); n != nil && n.Kind == yaml.SequenceNode {
			nodes = n.Content
		}
		out.nodes = append(out.nodes, nodes)
	}
	return out
}

// mapValue returns the value of key in a mapping node, or nil.
func mapValue(m *yaml.Node, key string) *yaml.Node {
	if m.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == key {
			return m.Content[i+1]
		}
	}
	return nil
}

func (n inventoryNodes) cluster(i int) int {
	if i < len(n.clusters) {
		return n.clusters[i].Line
	}
	return 0
}

// key is the line of a key of cluster i, else the cluster's.
func (n inventoryNodes) key(i int, key string) int {
	if i < len(n.clusters) {
		if v := mapValue(n.clusters[i], key); v != nil {
			return v.Line
		}
	}
	return n.cluster(i)
}

func (n inventoryNodes) node(ci, ni int) int {
	if ci < len(n.nodes) && ni < len(n.nodes[ci]) {
		return n.nodes[ci][ni].Line
	}
	return n.cluster(ci)
}
