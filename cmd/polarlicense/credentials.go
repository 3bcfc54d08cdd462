package main

import (
	"errors"
	"os"
	"path/filepath"
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
func defaultCredential() (credentials.Credential, error) {
	return credentials.FromCredentialsProvider("default", newChainProvider()), nil
}

// chainSource is one source of the default chain.
type chainSource struct {
	label      string // for people: "the credentials file /home/me/.alibabacloud/credentials"
	configured bool   // whether the user set it up, so that its failure is news
	provider   providers.CredentialsProvider
}

// chainProvider tries the default chain's sources in turn and then sticks
// to the first that answered. The client serialises calls to it.
type chainProvider struct {
	mu      sync.Mutex
	sources []chainSource
	chosen  providers.CredentialsProvider
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
	oidc, err := providers.NewOIDCCredentialsProviderBuilder().Build()
	add("the OIDC role ($ALIBABA_CLOUD_ROLE_ARN)", true, oidc, err)
	cliFile := configPath("ALIBABA_CLOUD_CONFIG_FILE", ".aliyun", "config.json")
	cli, err := providers.NewCLIProfileCredentialsProviderBuilder().Build()
	add("the aliyun CLI profile in "+cliFile, fileExists(cliFile), cli, err)
	iniFile := configPath("ALIBABA_CLOUD_CREDENTIALS_FILE", ".alibabacloud", "credentials")
	ini, err := providers.NewProfileCredentialsProviderBuilder().Build()
	add("the credentials file "+iniFile, fileExists(iniFile), ini, err)
	ecs, err := providers.NewECSRAMRoleCredentialsProviderBuilder().Build()
	add("the ECS instance role", os.Getenv("ALIBABA_CLOUD_ECS_METADATA") != "", ecs, err)
	if os.Getenv("ALIBABA_CLOUD_CREDENTIALS_URI") != "" {
		uri, err := providers.NewURLCredentialsProviderBuilder().Build()
		add("the credentials URI ($ALIBABA_CLOUD_CREDENTIALS_URI)", true, uri, err)
	}
	return c
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
			c.chosen = s.provider
			return creds, nil
		}
		if s.configured && failure == "" { // the first one set up is the one meant
			failure = s.label + " gave none: " + strings.TrimSpace(err.Error())
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
		p.candidates = append(p.candidates, cli)
	}
	ini, err := providers.NewProfileCredentialsProviderBuilder().WithProfileName(name).Build()
	if err != nil {
		return nil, &polarlicense.CredentialError{Reason: "profile " + name + ": " + err.Error()}
	}
	p.candidates = append(p.candidates, ini)
	return credentials.FromCredentialsProvider("profile", p), nil
}

// profileProvider tries the profile's sources in turn and then sticks to the
// first that answered. The client serialises calls to it.
type profileProvider struct {
	name       string
	mu         sync.Mutex
	candidates []providers.CredentialsProvider
	chosen     providers.CredentialsProvider
}

// GetCredentials returns the profile's credentials from the first source that has them.
func (p *profileProvider) GetCredentials() (*providers.Credentials, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.chosen != nil {
		return p.chosen.GetCredentials()
	}
	var reasons []string
	for _, c := range p.candidates {
		creds, err := c.GetCredentials()
		if err == nil {
			p.chosen = c
			return creds, nil
		}
		reasons = append(reasons, c.GetProviderName()+": "+err.Error())
	}
	return nil, errors.New("profile " + p.name + " not found or not usable: " + strings.Join(reasons, "; "))
}

// GetProviderName names the provider in credentials-go's terms.
func (p *profileProvider) GetProviderName() string { return "profile" }
