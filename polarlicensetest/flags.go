package polarlicensetest

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// The emulator commands' flags, defined once: cmd/polarlicense-emulator and
// "polarlicense emulator" both register them from here, so the two accept
// the same flags with the same meaning.

// ServeFlags are the flags of an emulator command, and what they configure.
// The zero value, once Register has set the defaults, serves the demo data on
// a free loopback port with made-up credentials.
type ServeFlags struct {
	// Listen is the address to listen on (--listen).
	Listen string
	// AccessKeyID and AccessKeySecret are the AccessKey to accept instead of
	// a made-up one (--access-key-id, --access-key-secret): both or neither.
	AccessKeyID, AccessKeySecret string
	// SecurityToken, if set, is the STS token every request must carry
	// (--security-token).
	SecurityToken string
	// VirtualOrderQuota is the quota of the virtual orders
	// CreateOrGetVirtualLicenseOrder creates (--virtual-order-quota).
	VirtualOrderQuota int
	// Empty starts with no orders instead of the demo data (--empty).
	Empty bool
	// DataFile is a file of orders and codes in ReadData's format to start
	// with instead of the demo data (--data).
	DataFile string
	// EnvFile is a file to write, once listening, with the endpoint and
	// credentials as KEY=value lines (--env-file); see EnvFileContent.
	EnvFile string
	// Log logs one line per request to stderr (--log).
	Log bool
	// Latency delays every answer by this long (--latency); see WithLatency.
	Latency time.Duration
}

// Register defines the flags on fs, with their defaults:
//
//	--listen addr             address to listen on (default 127.0.0.1:0, a free port)
//	--access-key-id id        AccessKey ID to accept (default: made up)
//	--access-key-secret s     its secret (required with --access-key-id)
//	--security-token t        require this STS token
//	--virtual-order-quota n   quota of the virtual orders it creates (default 10)
//	--empty                   start with no orders instead of the demo data
//	--data file               start with the orders and codes in file (see ReadData)
//	--env-file path           write the endpoint and credentials to path once listening
//	--log                     log one line per request to stderr
//	--latency d               delay every answer by d, such as 50ms (see WithLatency)
//
// A cobra command takes them with its flag set's AddGoFlagSet.
func (f *ServeFlags) Register(fs *flag.FlagSet) {
	fs.StringVar(&f.Listen, "listen", "127.0.0.1:0", "`address` to listen on (port 0: a free port)")
	fs.StringVar(&f.AccessKeyID, "access-key-id", "", "AccessKey `ID` to accept (default: made up)")
	fs.StringVar(&f.AccessKeySecret, "access-key-secret", "", "AccessKey `secret` to accept (required with --access-key-id)")
	fs.StringVar(&f.SecurityToken, "security-token", "", "require this STS `token` on every request")
	fs.IntVar(&f.VirtualOrderQuota, "virtual-order-quota", DefaultVirtualOrderQuota, "ActivationCodeQuota of the virtual orders it creates")
	fs.BoolVar(&f.Empty, "empty", false, "start with no orders instead of the demo data")
	fs.StringVar(&f.DataFile, "data", "", "start with the orders and codes in this JSON `file` instead of the demo data")
	fs.StringVar(&f.EnvFile, "env-file", "", "once listening, write POLARLICENSE_ENDPOINT and the ALIBABA_CLOUD_* credentials to this `file` (atomically; removed on exit)")
	fs.BoolVar(&f.Log, "log", false, "log one line per request to stderr")
	fs.DurationVar(&f.Latency, "latency", 0, "delay every answer by this `duration`, such as 50ms, as a real service takes time (a request whose client left is still processed)")
}

// Validate checks the flags against each other; a failure is a mistake on
// the command line.
func (f *ServeFlags) Validate() error {
	switch {
	case (f.AccessKeyID == "") != (f.AccessKeySecret == ""):
		return errors.New("--access-key-id and --access-key-secret go together")
	case f.VirtualOrderQuota < 0:
		return errors.New("--virtual-order-quota must not be negative")
	case f.Latency < 0:
		return errors.New("--latency must not be negative")
	case f.Empty && f.DataFile != "":
		return errors.New("--empty and --data exclude each other: --data already starts without the demo data")
	case strings.ContainsAny(f.AccessKeyID+f.AccessKeySecret+f.SecurityToken, "\r\n"):
		return errors.New("credentials must not hold line breaks")
	}
	return nil
}

// Options returns the server options the flags describe, reading DataFile;
// logs go to stderr. Call Validate first.
func (f *ServeFlags) Options(stderr io.Writer) ([]Option, error) {
	opts := []Option{WithVirtualOrderQuota(max(f.VirtualOrderQuota, 0)), WithSecurityToken(f.SecurityToken)}
	if f.AccessKeyID != "" && f.AccessKeySecret != "" {
		opts = append(opts, WithAccessKey(f.AccessKeyID, f.AccessKeySecret))
	}
	if f.Empty {
		opts = append(opts, WithoutDemoData())
	}
	if f.DataFile != "" {
		file, err := os.Open(f.DataFile)
		if err != nil {
			return nil, err
		}
		data, err := ReadData(file)
		_ = file.Close()
		if err != nil {
			return nil, fmt.Errorf("%s: %w", f.DataFile, err)
		}
		opts = append(opts, WithoutDemoData())
		opts = append(opts, data...)
	}
	if f.Latency > 0 {
		opts = append(opts, WithLatency(f.Latency))
	}
	if f.Log {
		opts = append(opts, WithLogger(slog.New(slog.NewTextHandler(stderr, nil))))
	}
	return opts, nil
}

// Serve runs the emulator the flags describe until ctx ends, as Serve does,
// and writes EnvFile once it listens (removing it when it stops, unless
// another emulator has replaced it meanwhile).
func (f *ServeFlags) Serve(ctx context.Context, stdout, stderr io.Writer) error {
	opts, err := f.Options(stderr)
	if err != nil {
		return err
	}
	return serve(ctx, f.Listen, stdout, f.EnvFile, opts)
}

// EnvFileContent is what --env-file holds: POLARLICENSE_ENDPOINT,
// ALIBABA_CLOUD_ACCESS_KEY_ID, ALIBABA_CLOUD_ACCESS_KEY_SECRET and, with a
// token, ALIBABA_CLOUD_SECURITY_TOKEN, one KEY=value line each. A value with
// characters a shell would interpret is single-quoted, so the file can be
// sourced ("set -a; . ./emulator.env; set +a").
func EnvFileContent(endpoint, accessKeyID, accessKeySecret, securityToken string) string {
	var b strings.Builder
	line := func(k, v string) {
		b.WriteString(k)
		b.WriteByte('=')
		b.WriteString(shellQuote(v))
		b.WriteByte('\n')
	}
	line("POLARLICENSE_ENDPOINT", endpoint)
	line("ALIBABA_CLOUD_ACCESS_KEY_ID", accessKeyID)
	line("ALIBABA_CLOUD_ACCESS_KEY_SECRET", accessKeySecret)
	if securityToken != "" {
		line("ALIBABA_CLOUD_SECURITY_TOKEN", securityToken)
	}
	return b.String()
}

// shellQuote returns s as a POSIX shell word: itself when it holds only
// characters no shell interprets, else single-quoted.
func shellQuote(s string) string {
	plain := s != ""
	for i := 0; i < len(s) && plain; i++ {
		c := s[i]
		plain = 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || strings.IndexByte("_-.,:/@%+=", c) >= 0
	}
	if plain {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// writeEnvFile writes content to path atomically: a reader sees no file or
// the whole file, never a part. The file is private to its owner (it holds a
// secret). It returns the file's FileInfo, by which the emulator knows its
// own file when it stops.
func writeEnvFile(path, content string) (os.FileInfo, error) {
	dir, base := filepath.Split(path)
	if dir == "" {
		dir = "."
	}
	tmp, err := os.CreateTemp(dir, "."+base+".tmp*")
	if err != nil {
		return nil, err
	}
	defer os.Remove(tmp.Name()) // after a successful rename, there is nothing to remove
	if err := tmp.Chmod(0o600); err != nil {
		_ = tmp.Close()
		return nil, err
	}
	if _, err := tmp.WriteString(content); err != nil {
		_ = tmp.Close()
		return nil, err
	}
	if err := tmp.Sync(); err != nil {
		_ = tmp.Close()
		return nil, err
	}
	info, err := tmp.Stat()
	if err != nil {
		_ = tmp.Close()
		return nil, err
	}
	if err := tmp.Close(); err != nil {
		return nil, err
	}
	return info, os.Rename(tmp.Name(), path)
}
