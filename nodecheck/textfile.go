package nodecheck

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// TextfileName is the file WriteTextfile writes in node_exporter's
// textfile directory.
const TextfileName = "polarlicense_node.prom"

// TextfileNameFor returns the textfile name of one of several databases of a
// node, "polarlicense_node_<instance>.prom", or TextfileName for an empty
// instance. instance is a systemd instance name as the unit's %i gives it,
// such as "pg1", "pg-1" or "db\x2dmain" (systemd-escape's escape kept as
// is): letters, digits, ':', '-', '_', '.', '\' and '@'.
func TextfileNameFor(instance string) (string, error) {
	if instance == "" {
		return TextfileName, nil
	}
	name := "polarlicense_node_" + instance + ".prom"
	if err := CheckTextfileName(name); err != nil {
		return "", err
	}
	return name, nil
}

// CheckTextfileName returns an error unless name can be a textfile of
// WriteTextfileAs: a plain file name (no directory, not hidden) ending in
// ".prom", the files node_exporter's textfile collector reads, made of the
// characters of a systemd unit name (letters, digits, ':', '-', '_', '.',
// '\' and '@'), so that polarlicense_node_%i.prom is one for every instance
// systemd accepts, those systemd-escape escapes ("db\x2dmain") included.
func CheckTextfileName(name string) error {
	bad := func(why string) error {
		return fmt.Errorf("nodecheck: invalid textfile name %q: %s", name, why)
	}
	switch {
	case !strings.HasSuffix(name, ".prom") || len(name) == len(".prom"):
		return bad(`want a name ending in ".prom", which node_exporter's textfile collector reads`)
	case strings.HasPrefix(name, "."):
		return bad("a hidden file")
	case len(name) > 255:
		return bad("longer than a file name may be")
	}
	for _, c := range name {
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || strings.ContainsRune(`:-_.\@`, c)) {
			return bad(`want letters, digits, ':', '-', '_', '.', '\' and '@' only`)
		}
	}
	// '\' and ':' are a file name's on Linux, but not on Windows.
	if filepath.Base(name) != name || !filepath.IsLocal(name) {
		return bad("not a plain file name on this system")
	}
	return nil
}

// The metrics of WriteMetrics. Every series carries the label
// license_path, the license file checked.
const (
	// MetricStatus is the report's Status, 0 to 3, as the exit status.
	MetricStatus = "polarlicense_node_license_status"
	// MetricCheck is 1 for a failing check, 0 for one that passed or was
	// not made, with the label check too; every check is present.
	MetricCheck = "polarlicense_node_license_check"
	// MetricExpiry is the code's expiry time in Unix seconds, with the
	// labels aliyun_order_id and activation_code_id too; present when the
	// code is identified and its expiry known.
	MetricExpiry = "polarlicense_node_license_expiry_timestamp_seconds"
	// MetricLastCheck is when the check ran, in Unix seconds.
	MetricLastCheck = "polarlicense_node_license_last_check_timestamp_seconds"
)

// WriteMetrics writes the report in Prometheus' text exposition format.
func (r *Report) WriteMetrics(w io.Writer) error {
	var b strings.Builder
	family := func(name, help string) {
		fmt.Fprintf(&b, "# HELP %s %s\n# TYPE %s gauge\n", name, help, name)
	}
	// Every series carries the label license_path, the license file
	// checked, so that the checks of several databases on one node, each
	// writing a textfile of its own, never give node_exporter two series of
	// one name and labels (which it refuses as a gathering error, losing
	// one database's series).
	path := `license_path="` + escapeLabel(r.LicensePath) + `"`
	family(MetricStatus, "The node's license status, as polarlicense license check exits: 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN.")
	fmt.Fprintf(&b, "%s{%s} %d\n", MetricStatus, path, int(r.Status))
	family(MetricCheck, "1 when the license check named by the label check fails, else 0.")
	for _, c := range r.Checks {
		v := 0
		if c.Failing() {
			v = 1
		}
		fmt.Fprintf(&b, "%s{%s,check=\"%s\"} %d\n", MetricCheck, path, escapeLabel(c.Name), v)
	}
	if r.Code != nil && r.ExpireAt != nil {
		family(MetricExpiry, "When the node's license expires, in Unix seconds.")
		fmt.Fprintf(&b, "%s{%s,aliyun_order_id=\"%s\",activation_code_id=\"%d\"} %d\n", MetricExpiry,
			path, escapeLabel(r.Code.AliyunOrderID), r.Code.ActivationCodeID, r.ExpireAt.Unix())
	}
	family(MetricLastCheck, "When polarlicense license check last ran, in Unix seconds.")
	fmt.Fprintf(&b, "%s{%s} %s\n", MetricLastCheck, path, strconv.FormatFloat(float64(r.CheckedAt.UnixMilli())/1000, 'f', -1, 64))
	_, err := io.WriteString(w, b.String())
	return err
}

// escapeLabel escapes a label value for the text format: backslash, double
// quote and line feed.
func escapeLabel(s string) string {
	return strings.NewReplacer(`\`, `\\`, `"`, `\"`, "\n", `\n`).Replace(strings.ToValidUTF8(s, "\uFFFD"))
}

// WriteTextfile writes the report's metrics to dir/polarlicense_node.prom
// for node_exporter's textfile collector, as WriteTextfileAs does.
func (r *Report) WriteTextfile(dir string) error {
	return r.WriteTextfileAs(dir, TextfileName)
}

// WriteTextfileAs writes the report's metrics to dir/name for node_exporter's
// textfile collector, atomically: a temporary file in dir (named so that the
// collector, which reads only *.prom, ignores it), synced, mode 0644
// (node_exporter runs as its own user, and the file holds no secret), then
// renamed over the file. A node with several databases gives each check its
// own name (TextfileNameFor); name must pass CheckTextfileName.
func (r *Report) WriteTextfileAs(dir, name string) error {
	if err := CheckTextfileName(name); err != nil {
		return err
	}
	target := filepath.Join(dir, name)
	fail := func(step string, err error) error {
		var pe *fs.PathError
		if errors.As(err, &pe) {
			err = pe.Err // the temporary file's name says nothing useful
		}
		return fmt.Errorf("nodecheck: cannot write %s (%s): %w", target, step, err)
	}
	tmp, err := os.CreateTemp(dir, "."+name+".tmp-*")
	if err != nil {
		return fail("creating a temporary file in "+dir, err)
	}
	tmpName := tmp.Name()
	defer os.Remove(tmpName) // a no-op once renamed
	step := "writing the temporary file"
	err = r.WriteMetrics(tmp)
	if err == nil {
		step = "setting its mode to 0644"
		err = tmp.Chmod(0o644)
	}
	if err == nil {
		step = "syncing the temporary file"
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		step = "closing the temporary file"
		err = cerr
	}
	if err == nil {
		step = "renaming the temporary file over it"
		err = os.Rename(tmpName, target)
	}
	if err != nil {
		return fail(step, err)
	}
	if d, err := os.Open(dir); err == nil {
		_ = d.Sync() // the rename, durable where the system allows
		d.Close()
	}
	return nil
}
