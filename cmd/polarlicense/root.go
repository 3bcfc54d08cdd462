package main

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/spf13/cobra"

	polarlicense "github.com/polarlicense/polarlicense-go"
	"github.com/polarlicense/polarlicense-go/polarlicensetest"
)

// Exit statuses, documented in README.md.
const (
	exitOK       = 0 // the command did what was asked (audit: no finding at --fail-on or above)
	exitFailure  = 1 // the service, the network, the credentials or the local file system failed
	exitUsage    = 2 // the command line was wrong: flags, arguments, a malformed MAC address, …
	exitFindings = 3 // audit found problems at or above --fail-on
)

// Environment variables read when the matching flag is not given.
const (
	envEndpoint = "POLARLICENSE_ENDPOINT"
	envRegion   = "ALIBABA_CLOUD_REGION_ID"
	envKeyID    = "ALIBABA_CLOUD_ACCESS_KEY_ID"
	envSecret   = "ALIBABA_CLOUD_ACCESS_KEY_SECRET"
	envToken    = "ALIBABA_CLOUD_SECURITY_TOKEN"
)

// environment is what a run takes from outside its command line: the
// process environment, the clock and the terminal. Tests replace parts of it.
type environment struct {
	getenv     func(string) string
	now        func() time.Time
	isTerminal func(io.Writer) bool
	// emulatorOptions configure the emulator that --emulator starts.
	emulatorOptions []polarlicensetest.Option
	// defaultStateDir is the state directory when neither --state-dir nor
	// $POLARLICENSE_STATE_DIR names one (statedir.go).
	defaultStateDir func() (string, error)
	// transport, when set, carries the client's requests (tests).
	transport http.RoundTripper
}

func defaultEnvironment() environment {
	return environment{getenv: os.Getenv, now: time.Now, isTerminal: isTerminal, defaultStateDir: polarlicense.DefaultStateDir}
}

// app is one run of the command: its streams, its environment, the global
// flags and what the run set up (the client, the in-process emulator).
type app struct {
	env            environment
	stdout, stderr io.Writer

	// Global flags.
	region, endpoint, profile string
	useEmulator, debug        bool
	showVersion               bool
	timeout                   durationValue
	endpointType              endpointTypeValue
	output                    string

	format   outputFormat
	progress *progress
	emulator *polarlicensetest.Server
	client   *polarlicense.Client
	chain    *chainProvider // the default chain of credentials, when used
	cancel   context.CancelFunc
	debugOut *debugWriter
	// clientOptions are a command's own client options (fleet: --max-rps).
	clientOptions []polarlicense.Option

	// stateDirFlag is --state-dir; clientStateDir, once stateDir has
	// resolved it, makes newClient's client coordinate through it.
	stateDirFlag, clientStateDir string
}

// run executes one command line (args, without the program name) and
// returns the exit status. It is the whole program but for the process
// plumbing in main.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	return runWith(ctx, defaultEnvironment(), args, stdout, stderr)
}

// runWith is run in a given environment.
func runWith(ctx context.Context, env environment, args []string, stdout, stderr io.Writer) int {
	a := &app{env: env, stdout: stdout, stderr: stderr}
	defer a.close()
	root := a.rootCommand()
	root.SetArgs(args)
	root.SetOut(stdout)
	root.SetErr(stderr)
	cmd, err := root.ExecuteContextC(ctx)
	if a.progress != nil {
		a.progress.clear()
	}
	if err == nil {
		return exitOK
	}
	return a.fail(cmd, err)
}

// close releases what the run set up.
func (a *app) close() {
	if a.cancel != nil {
		a.cancel()
	}
	if a.emulator != nil {
		a.emulator.Close()
	}
}

func (a *app) rootCommand() *cobra.Command {
	root := &cobra.Command{
		Use:   "polarlicense",
		Short: "Manage PolarDB license orders, activation codes and license files",
		Long: `polarlicense manages the license orders, activation codes and license files of
PolarDB (the Alibaba Cloud PolarDB OpenAPI, version 2017-08-01), and audits
them: expired and expiring codes, spent quota, frozen virtual orders.

Credentials come from --profile, else ALIBABA_CLOUD_ACCESS_KEY_ID and
ALIBABA_CLOUD_ACCESS_KEY_SECRET (and ALIBABA_CLOUD_SECURITY_TOKEN), else the
rest of the Alibaba Cloud default chain (OIDC, the aliyun CLI profile, the
credentials file, the ECS instance role). --emulator needs none.

Exit status: 0 success, 1 failure (service, network, credentials, files),
2 bad command line, 3 audit findings at or above --fail-on, 130 (143)
interrupted by Ctrl-C (SIGTERM). "license check" exits as a monitoring
plugin instead: 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN.`,
		Example: `  polarlicense --emulator orders list
  polarlicense orders list --engine PG -o csv
  polarlicense codes create 239618016570503 --mac 00:16:3e:1a:2b:03 --name pg-prod-03 --system-id 7345118823001548203
  polarlicense license write 239618016570503 3 --out /var/lib/polardb/license.lic
  polarlicense audit --expiring-within 90d --quota-warn 80% --fail-on error`,
		SilenceErrors:     true,
		SilenceUsage:      true,
		PersistentPreRunE: a.setup,
		// Alone, the command prints its help; --version, the version.
		RunE: func(cmd *cobra.Command, _ []string) error {
			if a.showVersion {
				return a.emitVersion()
			}
			return cmd.Help()
		},
	}
	pf := root.PersistentFlags()
	pf.StringVar(&a.region, "region", "", "`region` whose endpoint to call, such as cn-hangzhou (default $"+envRegion+")")
	pf.StringVar(&a.endpoint, "endpoint", "", "`URL` of the API, overriding --region (default $"+envEndpoint+")")
	pf.Var(&a.endpointType, "endpoint-type", "`type` of endpoint for --region: public, or vpc for a host inside an Alibaba Cloud VPC (default $"+envEndpointType+", else public)")
	pf.StringVar(&a.profile, "profile", "", "credentials `profile` from ~/.aliyun/config.json or ~/.alibabacloud/credentials")
	pf.BoolVar(&a.useEmulator, "emulator", false, "run against an in-process emulator holding demo data (no credentials needed)")
	pf.Var(&a.timeout, "timeout", "give up on the whole command after this `duration`, such as 30s or 5m (default no limit)")
	pf.BoolVar(&a.debug, "debug", false, "log one line per HTTP attempt to stderr: operation, attempt, status, request id, latency, retry decision, error (never credentials, parameters or licenses)")
	pf.StringVarP(&a.output, "output", "o", "", "output `format`: table, json or csv, or html for audit (default table on a terminal, json otherwise)")

	root.Flags().BoolVar(&a.showVersion, "version", false, `print the version, as "polarlicense version" does`)

	root.AddCommand(a.ordersCommand(), a.codesCommand(), a.licenseCommand(), a.fleetCommand(), a.auditCommand(), a.exporterCommand(),
		a.emulatorCommand(), a.versionCommand(), a.manCommand())
	root.SetHelpCommand(helpCommand(root))
	// The completion command keeps the writers it is made with.
	root.SetOut(a.stdout)
	root.SetErr(a.stderr)
	strictCompletionCommand(root)
	registerCompletions(root)
	return root
}

// setup runs before every command: it checks the global flags, sets the
// output format and applies --timeout.
func (a *app) setup(cmd *cobra.Command, _ []string) error {
	switch outputFormat(a.output) {
	case formatTable, formatJSON, formatCSV:
		a.format = outputFormat(a.output)
	case formatHTML:
		if cmd.Name() != "audit" {
			return usagef("-o html is for audit only: want table, json or csv")
		}
		a.format = formatHTML
	case "text":
		if !isCheckCommand(cmd) {
			return usagef("-o text is for license check only: want table, json or csv")
		}
	case "":
		a.format = formatJSON
		if a.env.isTerminal(a.stdout) {
			a.format = formatTable
		}
	default:
		return usagef("invalid -o %q: want table, json or csv", a.output)
	}
	if a.useEmulator {
		for _, f := range []string{"endpoint", "region", "profile", "endpoint-type"} {
			if cmd.Flags().Changed(f) {
				return usagef("--emulator cannot be combined with --%s", f)
			}
		}
	}
	if t := a.timeout.d; t > 0 {
		ctx, cancel := context.WithTimeout(cmd.Context(), t)
		a.cancel = cancel
		cmd.SetContext(ctx)
	}
	a.progress = newProgress(a.stderr, a.env.isTerminal(a.stderr))
	return nil
}

// newClient makes the API client the global flags describe, starting the
// in-process emulator for --emulator.
func (a *app) newClient() (*polarlicense.Client, error) {
	if a.client != nil {
		return a.client, nil
	}
	var opts []polarlicense.Option
	if a.useEmulator {
		srv, err := startEmulator(a.env.emulatorOptions)
		if err != nil {
			return nil, err
		}
		a.emulator = srv
		opts = append(opts, srv.ClientOptions()...)
	} else {
		// --endpoint, else --region, else the environment's endpoint, else
		// its region: a flag always beats the environment.
		region, endpoint, source := a.region, a.endpoint, "--endpoint"
		if region == "" && endpoint == "" {
			region, endpoint, source = a.env.getenv(envRegion), a.env.getenv(envEndpoint), "$"+envEndpoint
		}
		if err := checkEndpointScheme(source, endpoint); err != nil {
			return nil, err
		}
		opts = append(opts, polarlicense.WithRegion(region), polarlicense.WithEndpoint(endpoint))
		typ, err := a.endpointTypeOption(region, endpoint)
		if err != nil {
			return nil, err
		}
		opts = append(opts, typ)
		creds, err := a.credentialOption()
		if err != nil {
			return nil, err
		}
		opts = append(opts, creds)
	}
	if a.clientStateDir != "" {
		opts = append(opts, polarlicense.WithStateDir(a.clientStateDir))
	}
	if a.env.transport != nil {
		opts = append(opts, polarlicense.WithHTTPClient(&http.Client{Transport: a.env.transport}))
	}
	if a.debug {
		if a.emulator != nil {
			a.debugf("using the in-process emulator at %s", a.emulator.URL)
		}
		opts = append(opts, polarlicense.WithLogger(a.debugOutput().logger()))
	}
	opts = append(opts, a.clientOptions...)
	c, err := polarlicense.NewClient(opts...)
	if err != nil {
		msg := strings.TrimPrefix(err.Error(), "polarlicense: NewClient: ")
		msg = strings.NewReplacer("WithEndpointType(EndpointVPC)", "--endpoint-type vpc", "WithEndpoint", "--endpoint", "WithRegion", "--region").Replace(msg)
		return nil, &usageError{msg: msg}
	}
	a.client = c
	return c, nil
}

// checkEndpointScheme refuses an endpoint without a scheme whose host is an
// IP address or localhost: the SDK would call it over HTTPS, and such an
// address is nearly always a local server speaking HTTP (the emulator).
func checkEndpointScheme(source, endpoint string) error {
	if endpoint == "" || strings.Contains(endpoint, "://") {
		return nil
	}
	host := endpoint
	if h, _, err := net.SplitHostPort(endpoint); err == nil {
		host = h
	}
	host = strings.Trim(host, "[]")
	if !strings.EqualFold(host, "localhost") && net.ParseIP(host) == nil {
		return nil
	}
	return usagef("%s %s has no scheme, so it would be called over HTTPS; a local server such as the emulator speaks HTTP: "+
		"write http://%s (or https://%s if it does serve TLS)", source, endpoint, endpoint, endpoint)
}

// credentialOption chooses where the client's credentials come from:
// --profile, the AccessKey in the environment, or credentials-go's default
// chain.
func (a *app) credentialOption() (polarlicense.Option, error) {
	if a.profile != "" {
		cred, err := profileCredential(a.profile)
		if err != nil {
			return nil, err
		}
		return polarlicense.WithCredentials(cred), nil
	}
	if id, secret := a.env.getenv(envKeyID), a.env.getenv(envSecret); id != "" && secret != "" {
		return polarlicense.WithSTSToken(id, secret, a.env.getenv(envToken)), nil
	}
	cred, chain := defaultCredential()
	a.chain = chain
	return polarlicense.WithCredentials(cred), nil
}

// debugf writes a --debug line to stderr.
func (a *app) debugf(format string, args ...any) {
	if a.debug {
		a.debugOutput().line(fmt.Sprintf(format, args...))
	}
}

// debugOutput is where --debug lines go.
func (a *app) debugOutput() *debugWriter {
	if a.debugOut == nil {
		a.debugOut = &debugWriter{w: a.stderr, progress: a.progress}
	}
	return a.debugOut
}

// groupCommand is a command that only holds subcommands: alone it prints its
// help; with an argument that names no subcommand it is a usage error.
func groupCommand(use, short string) *cobra.Command {
	return &cobra.Command{
		Use:   use,
		Short: short,
		// As cobra's own suggestions for an unknown command of the root.
		SuggestionsMinimumDistance: 2,
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) > 0 {
				return usagef("unknown command %q for %q%s", args[0], cmd.CommandPath(), didYouMean(cmd.SuggestionsFor(args[0])))
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, _ []string) error { return cmd.Help() },
	}
}
