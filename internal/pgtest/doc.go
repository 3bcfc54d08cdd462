// Package pgtest gives the repository's tests a real PostgreSQL data
// directory: Debian's initdb run as an unprivileged user into a temporary
// directory, and what pg_controldata prints of it.
//
// A test calling it is skipped, with the reason, where initdb is missing,
// unless the environment variable CI is "true": there it fails, since CI
// installs Debian's postgresql package (.ci/run).
package pgtest
