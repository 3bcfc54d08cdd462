// Package hostid reads the two facts an activation code binds a license to,
// on the host the license is for: the database's system identifier and the
// host's MAC address, as `pdbcli license info` prints them.
//
//	sysID, err := hostid.SystemIdentifier("/var/lib/polardb/data")
//	mac, err := hostid.MacAddress("eth0")
//
// SystemIdentifier reads the control file of a PostgreSQL-based engine
// (PolarDB for PostgreSQL and PolarDB for PostgreSQL (Compatible with
// Oracle)). The MySQL engine keeps no such file: give its identifier
// explicitly. It refuses a control file that is not a regular file
// (without blocking on a FIFO), that is shorter than PostgreSQL's 8192
// bytes, or whose CRC-32C does not match: a truncated or corrupt file never
// yields an identifier to create an activation code for.
//
// The package uses the standard library only.
package hostid
