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

// The metrics of WriteMetrics.
const (
	// MetricStatus is the report's Status, 0 to 3, as the exit status.
	MetricStatus = "polarlicense_node_license_status"
	// MetricCheck is 1 for a failing check, 0 for one that passed or was
	// not made, with the label check; every check is present.
	MetricCheck = "polarlicense_node_license_check"
	// MetricExpiry is the code's expiry time in Unix seconds, with the
	// labels license_path, aliyun_order_id and activation_code_id; present
	// when the code is identified and its expiry known.
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
	family(MetricStatus, "The node's license status, as polarlicense license check exits: 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN.")
	fmt.Fprintf(&b, "%s %d\n", MetricStatus, int(r.Status))
	family(MetricCheck, "1 when the license check named by the label check fails, else 0.")
	for _, c := range r.Checks {
		v := 0
		if c.Failing() {
			v = 1
		}
		fmt.Fprintf(&b, "%s{check=\"%s\"} %d\n", MetricCheck, escapeLabel(c.Name), v)
	}
	if r.Code != nil && r.ExpireAt != nil {
		family(MetricExpiry, "When the node's license expires, in Unix seconds.")
		fmt.Fprintf(&b, "%s{license_path=\"%s\",aliyun_order_id=\"%s\",activation_code_id=\"%d\"} %d\n", MetricExpiry,
			escapeLabel(r.LicensePath), escapeLabel(r.Code.AliyunOrderID), r.Code.ActivationCodeID, r.ExpireAt.Unix())
	}
	family(MetricLastCheck, "When polarlicense license check last ran, in Unix seconds.")
	fmt.Fprintf(&b, "%s %s\n", MetricLastCheck, strconv.FormatFloat(float64(r.CheckedAt.UnixMilli())/1000, 'f', -1, 64))
	_, err := io.WriteString(w, b.String())
	return err
}

// escapeLabel escapes a label value for the text format: backslash, double
// quote and line feed.
func escapeLabel(s string) string {
	return strings.NewReplacer(`\`, `\\`, `"`, `\"`, "\n", `\n`).Replace(strings.ToValidUTF8(s, "\uFFFD"))
}

// WriteTextfile writes the report's metrics to dir/polarlicense_node.prom
// for node_exporter's textfile collector, atomically: a temporary file in
// dir (named so that the collector, which reads only *.prom, ignores it),
// synced, mode 0644 (node_exporter runs as its own user, and the file
// holds no secret), then renamed over the file.
func (r *Report) WriteTextfile(dir string) error {
	target := filepath.Join(dir, TextfileName)
	fail := func(step string, err error) error {
		var pe *fs.PathError
		if errors.As(err, &pe) {
			err = pe.Err // the temporary file's name says nothing useful
		}
		return fmt.Errorf("nodecheck: cannot write %s (%s): %w", target, step, err)
	}
	tmp, err := os.CreateTemp(dir, "."+TextfileName+".tmp-*")
	if err != nil {
		return fail("creating a temporary file in "+dir, err)
	}
	name := tmp.Name()
	defer os.Remove(name) // a no-op once renamed
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
		err = os.Rename(name, target)
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
