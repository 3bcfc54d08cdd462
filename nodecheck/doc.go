// Package nodecheck checks, on a PolarDB node, that the database will start
// again: that its license file is there, readable by the database's user,
// and holds a license for this host (its MAC address and system
// identifier) that has not expired.
//
// Run reads the live facts (the system identifier from the data directory's
// global/pg_control, the MAC addresses of the host's interfaces), reads the
// license file, and identifies the license in it two ways:
//
//   - offline, from the state directory's LicenseRecord of the file's
//     SHA-256 (see polarlicense.LookupLicenseRecord), which every command
//     that writes a license file keeps: no network needed, so air-gapped
//     nodes can be checked;
//   - online, when a Service is given and the order is known (Options.OrderID
//     or the record's): the order's codes bound to the live system
//     identifier are listed and their licenses compared with the file
//     (DescribeActivationCodeDetails for each), which also confirms a record;
//     then, as an order may allow codes bound to a MAC address alone, the
//     codes of the host's MAC addresses bound to no system identifier.
//
// The Report holds every check of CheckNames, each passing or failing at its
// Level, and an overall Status that follows the monitoring-plugins
// convention (0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN) that Nagios, Icinga
// and Zabbix agents run. Report.WriteTextfile writes it for node_exporter's
// textfile collector; Report.WriteTextfileAs under a name of its own for each
// of several databases on one node (TextfileNameFor), every series labelled
// with the license path so that the files never collide.
//
// The license itself never reaches a report, an error or a metric: only its
// SHA-256.
package nodecheck
