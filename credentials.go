package polarlicense

import (
	"cmp"
	"context"
	"fmt"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/aliyun/credentials-go/credentials"
)

// Credential sources: where each attempt's signing credentials come from.

// credential is one consistent snapshot of signing credentials. Its
// secret and token are sealed, so that no fmt verb of a credential, or of
// anything holding one at any depth (a Client value), prints them.
type credential struct {
	id            string
	secret, token sealed
}

// check refuses a credential that cannot travel in a header or a query
// without changing the request: an AccessKey ID or security token holding a
// control character (a newline from a file or an environment variable, a
// tab, DEL). It refuses as well an AccessKey ID, secret or security token
// with a space at either end (a quoted or pasted value), which no
// credential has: a header's value travels trimmed, so V3 was answered
// SignatureDoesNotMatch, and RPC an unknown AccessKey or token, neither
// pointing at the space. Nothing is sent with such a credential, and the
// error quotes none of it.
func (c credential) check() *CredentialError {
	for _, f := range [...]struct{ name, v string }{{"AccessKey ID", c.id}, {"security token", c.token.open()}} {
		for i := 0; i < len(f.v); i++ {
			if b := f.v[i]; b < 0x20 || b == 0x7f {
				return &CredentialError{Reason: "the " + f.name + " holds a control character (byte " + strconv.Itoa(i) +
					"), which cannot be sent in a header; check the credential's source for a stray newline"}
			}
		}
	}
	for _, f := range [...]struct{ name, v string }{{"AccessKey ID", c.id}, {"AccessKey secret", c.secret.open()}, {"security token", c.token.open()}} {
		if n := len(f.v); n > 0 && (f.v[0] == ' ' || f.v[n-1] == ' ') {
			return &CredentialError{Reason: "the " + f.name + " has a space at its start or end, which no credential has; " +
				"check the credential's source for a stray space (quotes, a pasted line)"}
		}
	}
	return nil
}

// credentialSource yields the credentials to sign one attempt with. It is
// held by pointer, so that fmt never prints what it holds.
type credentialSource interface {
	// retrieve returns a snapshot, or gives up when ctx ends or, when
	// maxWait is positive, after waiting maxWait for a provider.
	retrieve(ctx context.Context, maxWait time.Duration) (credential, error)
}

// staticCredential is a fixed AccessKey pair or STS token.
type staticCredential struct{ c credential }

func (s *staticCredential) retrieve(context.Context, time.Duration) (credential, error) {
	return s.c, nil
}

// providerCredential fetches snapshots from a credentials-go Credential.
// credentials-go's caching providers are not safe for concurrent use (a
// refresh writes their state unguarded), and they take no context, so one
// fetch at a time runs in a goroutine of its own while callers wait for it
// or for their context to end, whichever comes first: a slow metadata
// service or credentials URI holds no caller past its deadline, and a caller
// that gave up does not start a second fetch beside the first. A snapshot is
// reused for up to credentialReuse, so the hot path of a busy client takes
// no lock; credentials-go refreshes STS credentials minutes before they
// expire, so a snapshot that young is always still valid.
type providerCredential struct {
	cred   credentials.Credential
	reuse  time.Duration // zero means credentialReuse
	cached atomic.Pointer[cachedCredential]

	mu     sync.Mutex
	flight *credentialFetch // the fetch in progress, nil when none is
}

// credentialFetch is one call to the provider; done is closed when c and
// err are set.
type credentialFetch struct {
	done chan struct{}
	c    credential
	err  error
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

func (p *providerCredential) retrieve(ctx context.Context, maxWait time.Duration) (credential, error) {
	if c, ok := p.fresh(); ok {
		return c, nil
	}
	p.mu.Lock()
	if c, ok := p.fresh(); ok { // fetched while this goroutine waited for the lock
		p.mu.Unlock()
		return c, nil
	}
	f := p.flight
	if f == nil {
		f = &credentialFetch{done: make(chan struct{})}
		p.flight = f
		go p.fetch(f)
	}
	p.mu.Unlock()
	var timeout <-chan time.Time
	if maxWait > 0 {
		t := time.NewTimer(maxWait)
		defer t.Stop()
		timeout = t.C
	}
	select {
	case <-f.done:
		return f.c, f.err
	case <-ctx.Done():
		return credential{}, fmt.Errorf("waiting for the credential provider: %w", ctx.Err())
	case <-timeout:
		return credential{}, fmt.Errorf("waiting for the credential provider: no answer within the attempt timeout (%v): %w", maxWait, context.DeadlineExceeded)
	}
}

// fetch asks the provider once and publishes the outcome to every waiter.
func (p *providerCredential) fetch(f *credentialFetch) {
	defer func() {
		if r := recover(); r != nil {
			f.c, f.err = credential{}, &CredentialError{Reason: "the credential provider panicked"}
		}
		p.mu.Lock()
		if f.err == nil {
			p.cached.Store(&cachedCredential{c: f.c, fetched: time.Now()})
		}
		p.flight = nil
		p.mu.Unlock()
		close(f.done)
	}()
	m, err := p.cred.GetCredential()
	if err != nil {
		f.err = newCredentialError(err.Error())
		return
	}
	if m != nil {
		f.c = newCredential(deref(m.AccessKeyId), deref(m.AccessKeySecret), deref(m.SecurityToken))
	}
	if f.c.id == "" || f.c.secret.p == nil {
		f.c, f.err = credential{}, &CredentialError{Reason: "the provider returned no AccessKey"}
	}
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

// newCredential returns the snapshot of an AccessKey and its security
// token ("" for none).
func newCredential(id, secret, token string) credential {
	return credential{id: id, secret: seal(secret), token: seal(token)}
}
