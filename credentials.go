package polarlicense

import (
	"cmp"
	"sync"
	"sync/atomic"
	"time"

	"github.com/aliyun/credentials-go/credentials"
)

// Credential sources: where each attempt's signing credentials come from.

// credential is one consistent snapshot of signing credentials.
type credential struct {
	id, secret, token string
}

// credentialSource yields the credentials to sign one attempt with. It is
// held by pointer, so that fmt never prints what it holds.
type credentialSource interface {
	retrieve() (credential, error)
}

// staticCredential is a fixed AccessKey pair or STS token.
type staticCredential struct{ c credential }

func (s *staticCredential) retrieve() (credential, error) { return s.c, nil }

// providerCredential fetches snapshots from a credentials-go Credential.
// credentials-go's caching providers are not safe for concurrent use (a
// refresh writes their state unguarded), so fetches are serialised: one
// goroutine fetches while the others wait, then take its snapshot. A
// snapshot is reused for up to credentialReuse, so the hot path of a busy
// client takes no lock; credentials-go refreshes STS credentials minutes
// before they expire, so a snapshot that young is always still valid.
type providerCredential struct {
	mu     sync.Mutex
	cred   credentials.Credential
	reuse  time.Duration // zero means credentialReuse
	cached atomic.Pointer[cachedCredential]
}

// credentialReuse is how long a fetched credential snapshot is reused.
const credentialReuse = time.Second

type cachedCredential struct {
	c       credential
	fetched time.Time
}

func (p *providerCredential) fresh() (credential, bool) {
	cc := p.cached.Load()
	if cc == nil || time.Since(cc.fetched) >= cmp.Or(p.reuse, credentialReuse) {
		return credential{}, false
	}
	return cc.c, true
}

func (p *providerCredential) retrieve() (credential, error) {
	if c, ok := p.fresh(); ok {
		return c, nil
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if c, ok := p.fresh(); ok { // fetched while this goroutine waited
		return c, nil
	}
	m, err := p.cred.GetCredential()
	if err != nil {
		return credential{}, newCredentialError(err.Error())
	}
	var c credential
	if m != nil {
		c = credential{id: deref(m.AccessKeyId), secret: deref(m.AccessKeySecret), token: deref(m.SecurityToken)}
	}
	if c.id == "" || c.secret == "" {
		return credential{}, &CredentialError{Reason: "the provider returned no AccessKey"}
	}
	p.cached.Store(&cachedCredential{c: c, fetched: time.Now()})
	return c, nil
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}
