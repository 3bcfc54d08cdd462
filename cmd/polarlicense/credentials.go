package main

import (
	"encoding/json"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/aliyun/credentials-go/credentials"
	"github.com/aliyun/credentials-go/credentials/providers"

	polarlicense "github.com/polarlicense/polarlicense-go"
)

// Credentials. With --profile NAME the command signs with that profile and
// nothing else: the aliyun CLI's profile of that name (~/.aliyun/config.json,
// or $ALIBABA_CLOUD_CONFIG_FILE) if there is one, else the section of that
// name in the credentials file (~/.alibabacloud/credentials, or
// $ALIBABA_CLOUD_CREDENTIALS_FILE). Setting ALIBABA_CLOUD_PROFILE instead
// would not do: credentials-go's default chain tries the environment's
// AccessKey before any profile, so a profile asked for by name could be
// silently passed over.

// defaultCredential is credentials-go's default chain, with its sources in
// its order, tried by chainProvider so that a failure says in one sentence
// which source was set up and why it gave nothing. Its failures reach the
// command as *polarlicense.CredentialError, with anything secret withheld.
// The chain is returned too, so that the error's description can ask it
// whether its message already says what to do.
func defaultCredential() (credentials.Credential, *chainProvider) {
	c := newChainProvider()
	return credentials.FromCredentialsProvider("default", c), c
}

// chainSource is one source of the default chain.
type chainSource struct {
	label      string // for people: "the credentials file /home/me/.alibabacloud/credentials"
	configured bool   // whether the user set it up, so that its failure is news
	provider   providers.CredentialsProvider
	// explain, when set, says in the tool's words why the source gave
	// nothing (err is credentials-go's reason), and what to do, instead of
	// credentials-go's text; "" leaves that text.
	explain func(err error) string
}

// chainProvider tries the default chain's sources in turn and then sticks
// to the first that answered. The client serialises calls to it.
type chainProvider struct {
	mu      sync.Mutex
	sources []chainSource
	chosen  providers.CredentialsProvider
	// chosenLabel names the chosen source, for a refusal's advice.
	chosenLabel string
	// advised is set when the last failure's message says what to do.
	advised bool
}

// newChainProvider builds the sources of credentials-go's default chain
// (providers.NewDefaultCredentialsProvider), in its order.
func newChainProvider() *chainProvider {
	c := &chainProvider{}
	add := func(label string, configured bool, p providers.CredentialsProvider, err error) {
		if err == nil {
			c.sources = append(c.sources, chainSource{label: label, configured: configured, provider: p})
		}
	}
	env, err := providers.NewEnvironmentVariableCredentialsProviderBuilder().Build()
	add("the environment ("+envKeyID+", "+envSecret+")", os.Getenv(envKeyID) != "" || os.Getenv(envSecret) != "", env, err)
	if len(c.sources) > 0 {
		c.sources[0].explain = func(error) string { return halfSetEnvironment() }
	}
	oidc, err := providers.NewOIDCCredentialsProviderBuilder().Build()
	add("the OIDC role ($ALIBABA_CLOUD_ROLE_ARN)", true, oidc, err)
	if why := halfSetOIDC(); err != nil && why != "" {
		// credentials-go skips an OIDC role it cannot build; said here
		// should nothing else give credentials.
		c.sources = append(c.sources, chainSource{label: "the OIDC role", configured: true,
			provider: failingProvider{err}, explain: func(error) string { return why }})
	}
	cliFile := configPath("ALIBABA_CLOUD_CONFIG_FILE", ".aliyun", "config.json")
	cli, err := providers.NewCLIProfileCredentialsProviderBuilder().Build()
	add("the aliyun CLI profile in "+cliFile, fileExists(cliFile), cli, err)
	if err == nil {
		c.sources[len(c.sources)-1].explain = chainProfileExplain(cliConfigFile, cliChainProfile)
	}
	iniFile := configPath("ALIBABA_CLOUD_CREDENTIALS_FILE", ".alibabacloud", "credentials")
	ini, err := providers.NewProfileCredentialsProviderBuilder().Build()
	add("the credentials file "+iniFile, fileExists(iniFile), ini, err)
	if err == nil {
		c.sources[len(c.sources)-1].explain = chainProfileExplain(credentialsFile, iniChainProfile)
	}
	ecs, err := providers.NewECSRAMRoleCredentialsProviderBuilder().Build()
	add("the ECS instance role", os.Getenv("ALIBABA_CLOUD_ECS_METADATA") != "", ecs, err)
	if os.Getenv("ALIBABA_CLOUD_CREDENTIALS_URI") != "" {
		uri, err := providers.NewURLCredentialsProviderBuilder().Build()
		add("the credentials URI ($ALIBABA_CLOUD_CREDENTIALS_URI)", true, uri, err)
	}
	return c
}

// source names the source whose credentials were used, "" before one
// answered.
func (c *chainProvider) source() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.chosenLabel
}

// GetCredentials returns the credentials of the first source that has
// them. When none has, the error is one sentence: the first source that was
// set up and why it failed, or that none was.
func (c *chainProvider) GetCredentials() (*providers.Credentials, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.chosen != nil {
		return c.chosen.GetCredentials()
	}
	var failure string
	for _, s := range c.sources {
		creds, err := s.provider.GetCredentials()
		if err == nil {
			c.chosen, c.chosenLabel = s.provider, s.label
			return creds, nil
		}
		if s.configured && failure == "" { // the first one set up is the one meant
			if s.explain != nil {
				if why := s.explain(err); why != "" {
					failure, c.advised = why, true
					continue
				}
			}
			failure = s.label + " gave none: " + tidyProviderText(err.Error())
		}
	}
	if failure == "" {
		return nil, errors.New("none of the default chain's sources is set up: the environment, an OIDC role, " +
			"the aliyun CLI profile, the credentials file, the ECS instance role")
	}
	return nil, errors.New(failure)
}

// GetProviderName names the provider in credentials-go's terms.
func (c *chainProvider) GetProviderName() string { return "default" }

// saidWhatToDo reports whether the chain's last failure already says what
// to do, so that no general advice need follow it.
func (c *chainProvider) saidWhatToDo() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.advised
}

// halfSetEnvironment says what is wrong when only one of the AccessKey's
// two environment variables is set, and "" otherwise.
func halfSetEnvironment() string {
	id, secret := os.Getenv(envKeyID) != "", os.Getenv(envSecret) != ""
	switch {
	case id && !secret:
		return envKeyID + " is set but " + envSecret + " is not: set both, or unset " + envKeyID + " to use another source"
	case secret && !id:
		return envSecret + " is set but " + envKeyID + " is not: set both, or unset " + envSecret + " to use another source"
	}
	return ""
}

// chainProfileExplain says why the default chain's source reading a
// profile from file gave nothing, as --profile would say it: the profile
// the chain read (name, from the file's data) is missing, or lacks a key,
// or has a type that cannot be used. "" when the profile is not known.
func chainProfileExplain(file profileFile, name func(data []byte) string) func(error) string {
	return func(err error) string {
		data, readErr := os.ReadFile(file.path())
		if readErr == nil {
			if _, ok := file.names(data); !ok {
				return homeShort(file.path()) + " is not valid " + file.format + ", so no profile could be read from it: " +
					"fix it, or use another source (--profile NAME, or " + envKeyID + " and " + envSecret + ")"
			}
		}
		n := name(data)
		if n == "" {
			return ""
		}
		p := &profileProvider{name: n, candidates: []profileCandidate{{file: file}}}
		return p.explain([]error{err}) + " (--profile NAME)"
	}
}

// cliChainProfile is the profile of the aliyun CLI's configuration that the
// default chain reads: $ALIBABA_CLOUD_PROFILE, else the file's "current".
func cliChainProfile(data []byte) string {
	if p := os.Getenv("ALIBABA_CLOUD_PROFILE"); p != "" {
		return p
	}
	var cfg struct {
		Current string `json:"current"`
	}
	if json.Unmarshal(data, &cfg) != nil {
		return ""
	}
	return cfg.Current
}

// iniChainProfile is the section of the credentials file that the default
// chain reads: $ALIBABA_CLOUD_PROFILE, else "default".
func iniChainProfile([]byte) string {
	if p := os.Getenv("ALIBABA_CLOUD_PROFILE"); p != "" {
		return p
	}
	return "default"
}

// oidcVars are the environment variables of an OIDC role, all needed.
var oidcVars = []string{"ALIBABA_CLOUD_ROLE_ARN", "ALIBABA_CLOUD_OIDC_PROVIDER_ARN", "ALIBABA_CLOUD_OIDC_TOKEN_FILE"}

// halfSetOIDC says what is wrong when some but not all of an OIDC role's
// environment variables are set, and "" otherwise.
func halfSetOIDC() string {
	var set, unset []string
	for _, k := range oidcVars {
		v := os.Getenv(k)
		if k == "ALIBABA_CLOUD_OIDC_TOKEN_FILE" && v == "" {
			v = os.Getenv("ALIBABA_CLOUD_OIDC_TOKEN")
		}
		if v != "" {
			set = append(set, k)
		} else {
			unset = append(unset, k)
		}
	}
	if len(set) == 0 || len(unset) == 0 {
		return ""
	}
	isAre := func(n int) string {
		if n > 1 {
			return " are"
		}
		return " is"
	}
	return "an OIDC role needs three variables: " + strings.Join(set, " and ") + isAre(len(set)) + " set but " + strings.Join(unset, " and ") +
		isAre(len(unset)) + " not: set all three, or unset " + strings.Join(set, " and ") + " to use another source"
}

// failingProvider is a source that gives no credentials, for err.
type failingProvider struct{ err error }

// GetCredentials returns the source's error.
func (f failingProvider) GetCredentials() (*providers.Credentials, error) { return nil, f.err }

// GetProviderName names the provider in credentials-go's terms.
func (failingProvider) GetProviderName() string { return "failing" }

// tidyProviderText mends the seams of credentials-go's error texts, which
// run words together ("Can not open fileopen …") and misspell
// "environment", so that what is quoted of them reads as one sentence.
func tidyProviderText(s string) string {
	s = strings.NewReplacer(
		"ERROR: ", "",
		"enviroment", "environment",
		"Can not open fileopen ", "cannot open the file: open ",
		"Can not load sectionsection ", "cannot load the section: section ",
		"Can not ", "cannot ",
		"' failed open ", "' failed: open ",
	).Replace(s)
	return oneLine(s)
}

// configPath is the file a credentials-go source reads: $env, else
// ~/dir/name.
func configPath(env, dir, name string) string {
	if p := os.Getenv(env); p != "" {
		return p
	}
	home, err := os.UserHomeDir()
	if err != nil {
		return filepath.Join("~", dir, name)
	}
	return filepath.Join(home, dir, name)
}

// fileExists reports whether path names an existing file.
func fileExists(path string) bool {
	fi, err := os.Stat(path)
	return err == nil && !fi.IsDir()
}

// profileCredential signs with the named profile (see above).
func profileCredential(name string) (credentials.Credential, error) {
	p := &profileProvider{name: name}
	if cli, err := providers.NewCLIProfileCredentialsProviderBuilder().WithProfileName(name).Build(); err == nil {
		p.candidates = append(p.candidates, profileCandidate{file: cliConfigFile, provider: cli})
	}
	ini, err := providers.NewProfileCredentialsProviderBuilder().WithProfileName(name).Build()
	if err != nil {
		return nil, &polarlicense.CredentialError{Reason: "--profile " + name + ": " + tidyProviderText(err.Error())}
	}
	p.candidates = append(p.candidates, profileCandidate{file: credentialsFile, provider: ini})
	return credentials.FromCredentialsProvider("profile", p), nil
}

// profileFile is one of the files a profile may be in.
type profileFile struct {
	path  func() string                      // where it is now
	names func(data []byte) ([]string, bool) // the profiles it holds; false: it cannot be parsed
	// lacks names the keys an AccessKey profile of that name lacks, if it
	// is one.
	lacks  func(data []byte, name string) []string
	add    string // how to add a profile NAME to it
	format string // what the file is written in
	// badType, when set, says what is wrong with the type of the profile
	// of that name, if it is one that cannot be used; else "".
	badType func(data []byte, name string) string
}

var (
	cliConfigFile = profileFile{
		path:   func() string { return configPath("ALIBABA_CLOUD_CONFIG_FILE", ".aliyun", "config.json") },
		names:  cliProfileNames,
		lacks:  cliProfileLacks,
		add:    `run "aliyun configure --profile NAME"`,
		format: "JSON",
	}
	credentialsFile = profileFile{
		path:    func() string { return configPath("ALIBABA_CLOUD_CREDENTIALS_FILE", ".alibabacloud", "credentials") },
		names:   iniSectionNames,
		lacks:   iniSectionLacks,
		add:     "add a [NAME] section to PATH",
		format:  "INI",
		badType: iniSectionBadType,
	}
)

// profileCandidate is a file the profile may be in and the provider
// reading it.
type profileCandidate struct {
	file     profileFile
	provider providers.CredentialsProvider
}

// profileProvider tries the profile's sources in turn and then sticks to the
// first that answered. The client serialises calls to it.
type profileProvider struct {
	name       string
	mu         sync.Mutex
	candidates []profileCandidate
	chosen     providers.CredentialsProvider
}

// GetCredentials returns the profile's credentials from the first source
// that has them. When none has, the error says in the tool's words where
// the profile was looked for, what was found, and what to do.
func (p *profileProvider) GetCredentials() (*providers.Credentials, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.chosen != nil {
		return p.chosen.GetCredentials()
	}
	failures := make([]error, len(p.candidates))
	for i, c := range p.candidates {
		creds, err := c.provider.GetCredentials()
		if err == nil {
			p.chosen = c.provider
			return creds, nil
		}
		failures[i] = err
	}
	return nil, errors.New(p.explain(failures))
}

// explain says why no candidate gave the profile's credentials: the file
// that has a profile of that name and why it gave none, else what each
// file holds and how to add the profile.
func (p *profileProvider) explain(failures []error) string {
	var found, adds []string
	unreadable := false
	for i, c := range p.candidates {
		path := c.file.path()
		shown := homeShort(path)
		adds = append(adds, strings.NewReplacer("NAME", p.name, "PATH", shown).Replace(c.file.add))
		data, err := os.ReadFile(path)
		switch {
		case errors.Is(err, fs.ErrNotExist):
			found = append(found, "there is no "+shown)
			continue
		case err != nil:
			found = append(found, shown+" cannot be read ("+errnoText(err)+")")
			unreadable = true
			continue
		}
		names, ok := c.file.names(data)
		switch {
		case !ok:
			found = append(found, shown+" is not valid "+c.file.format)
			unreadable = true
		case slices.Contains(names, p.name):
			msg := "profile " + p.name + " in " + shown + " gave no credentials"
			if lacks := c.file.lacks(data, p.name); len(lacks) > 0 {
				return msg + ": it has no " + strings.Join(lacks, " and no ") + "; add it there, or name another profile"
			}
			if c.file.badType != nil {
				if why := c.file.badType(data, p.name); why != "" {
					return msg + ": " + why + "; fix it there, or name another profile"
				}
			}
			return msg + " (" + tidyProviderText(failures[i].Error()) + "): check its type and keys there, or name another profile"
		case len(names) == 0:
			found = append(found, shown+" holds no profile")
		default:
			if len(names) > 4 {
				names = append(names[:4:4], "…")
			}
			found = append(found, shown+" holds only "+strings.Join(names, ", "))
		}
	}
	what, advice := "there is no profile named "+p.name, strings.Join(adds, " or ")+", or name one that exists"
	if unreadable {
		what, advice = "profile "+p.name+" was not found", "fix what cannot be read, "+advice
	}
	// The client bounds a credentials error's length: say the details only
	// while the advice still fits.
	if msg := what + " (" + strings.Join(found, "; ") + "): " + advice; len(msg) <= maxCredentialMessage {
		return msg
	}
	return what + ": " + advice
}

// maxCredentialMessage is the longest credentials failure the client keeps
// whole (polarlicense.CredentialError's bound is 300 bytes).
const maxCredentialMessage = 280

// GetProviderName names the provider in credentials-go's terms.
func (p *profileProvider) GetProviderName() string { return "profile" }

// cliProfileNames lists the profiles of an aliyun CLI configuration file.
func cliProfileNames(data []byte) ([]string, bool) {
	var cfg struct {
		Profiles []struct {
			Name string `json:"name"`
		} `json:"profiles"`
	}
	if err := json.Unmarshal(data, &cfg); err != nil {
		return nil, false
	}
	names := make([]string, 0, len(cfg.Profiles))
	for _, p := range cfg.Profiles {
		names = append(names, p.Name)
	}
	return names, true
}

// cliProfileLacks names the keys an AccessKey ("AK" mode) profile of the
// aliyun CLI configuration lacks.
func cliProfileLacks(data []byte, name string) []string {
	var cfg struct {
		Profiles []map[string]any `json:"profiles"`
	}
	if json.Unmarshal(data, &cfg) != nil {
		return nil
	}
	for _, p := range cfg.Profiles {
		if p["name"] != name || (p["mode"] != "AK" && p["mode"] != nil) {
			continue
		}
		var lacks []string
		for _, k := range []string{"access_key_id", "access_key_secret"} {
			if v, _ := p[k].(string); v == "" {
				lacks = append(lacks, k)
			}
		}
		return lacks
	}
	return nil
}

// iniSectionKeys are the keys of the section name of an INI credentials
// file, with their values.
func iniSectionKeys(data []byte, name string) map[string]string {
	keys := map[string]string{}
	in := false
	for _, line := range strings.Split(string(data), "\n") {
		line = strings.TrimSpace(line)
		if strings.HasPrefix(line, "[") && strings.HasSuffix(line, "]") {
			in = strings.TrimSpace(line[1:len(line)-1]) == name
			continue
		}
		if k, v, ok := strings.Cut(line, "="); ok && in {
			keys[strings.TrimSpace(k)] = strings.TrimSpace(v)
		}
	}
	return keys
}

// iniTypes are the section types credentials-go reads from an INI
// credentials file.
var iniTypes = []string{"access_key", "ecs_ram_role", "ram_role_arn"}

// iniSectionBadType says what is wrong with the type of a section of an INI
// credentials file: none, or one credentials-go does not read.
func iniSectionBadType(data []byte, name string) string {
	typ, ok := iniSectionKeys(data, name)["type"]
	switch {
	case !ok || typ == "":
		return "it has no type (such as type = access_key)"
	case !slices.Contains(iniTypes, typ):
		return "its type " + strconv.Quote(typ) + " is none of " + strings.Join(iniTypes, ", ")
	}
	return ""
}

// iniSectionLacks names the keys an access_key section of an INI
// credentials file lacks.
func iniSectionLacks(data []byte, name string) []string {
	keys := iniSectionKeys(data, name)
	if keys["type"] != "access_key" {
		return nil
	}
	var lacks []string
	for _, k := range []string{"access_key_id", "access_key_secret"} {
		if keys[k] == "" {
			lacks = append(lacks, k)
		}
	}
	return lacks
}

// iniSectionNames lists the sections of an INI credentials file.
func iniSectionNames(data []byte) ([]string, bool) {
	var names []string
	for _, line := range strings.Split(string(data), "\n") {
		line = strings.TrimSpace(line)
		if strings.HasPrefix(line, "[") && strings.HasSuffix(line, "]") {
			names = append(names, strings.TrimSpace(line[1:len(line)-1]))
		}
	}
	return names, true
}

// homeShort writes a path under the home directory as ~/….
func homeShort(path string) string {
	home, err := os.UserHomeDir()
	if err != nil || home == "" || home == "/" {
		return path
	}
	if rel, ok := strings.CutPrefix(path, home+string(filepath.Separator)); ok {
		return "~" + string(filepath.Separator) + rel
	}
	return path
}

// errnoText is a file error's cause alone, such as "permission denied".
func errnoText(err error) string {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err.Error()
	}
	return err.Error()
}
