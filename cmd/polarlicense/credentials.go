package main

import (
	"errors"
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

// defaultCredential is credentials-go's default chain. Its failures reach
// the command as *polarlicense.CredentialError, with anything secret withheld.
func defaultCredential() (credentials.Credential, error) {
	return credentials.NewCredential(nil)
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
