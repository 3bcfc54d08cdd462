package polarlicense

import (
	"context"
	"errors"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aliyun/credentials-go/credentials"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Tests of credentials: the default chain, providers (waits bounded by the
// caller, fetches serialised, snapshots reused briefly), credentials that
// cannot go into a header, and credential errors that withhold secrets.

func TestDefaultCredentialChainReadsEnvironment(t *testing.T) {
	t.Setenv("ALIBABA_CLOUD_ACCESS_KEY_ID", "env-id")
	t.Setenv("ALIBABA_CLOUD_ACCESS_KEY_SECRET", "env-secret")
	t.Setenv("ALIBABA_CLOUD_SECURITY_TOKEN", "env-token")
	m := newMockAPI(t)
	c, err := NewClient(WithHTTPClient(&http.Client{Transport: m.mt}), withClock(fixedTime), withNonce("n"))
	require.NoError(t, err)
	_, err = c.DescribeLicenseOrders(context.Background(), nil)
	require.NoError(t, err)
	r := m.last(t)
	assert.Contains(t, r.Header.Get("Authorization"), "Credential=env-id,")
	assert.Equal(t, "env-token", r.Header.Get("x-acs-security-token"))
}

func TestNoCredentialsIsATypedFailureBeforeSending(t *testing.T) {
	for _, k := range []string{"ALIBABA_CLOUD_ACCESS_KEY_ID", "ALIBABA_CLOUD_ACCESS_KEY_SECRET", "ALIBABA_CLOUD_SECURITY_TOKEN",
		"ALIBABA_CLOUD_ROLE_ARN", "ALIBABA_CLOUD_OIDC_PROVIDER_ARN", "ALIBABA_CLOUD_OIDC_TOKEN_FILE", "ALIBABA_CLOUD_CREDENTIALS_URI", "ALIBABA_CLOUD_PROFILE"} {
		t.Setenv(k, "")
		os.Unsetenv(k)
	}
	t.Setenv("HOME", t.TempDir())
	t.Setenv("ALIBABA_CLOUD_ECS_METADATA_DISABLED", "true")
	m := newMockAPI(t)
	c, err := NewClient(WithHTTPClient(&http.Client{Transport: m.mt}))
	require.NoError(t, err)
	_, err = c.DescribeLicenseOrders(context.Background(), nil)
	var oe *OperationError
	require.ErrorAs(t, err, &oe)
	assert.Contains(t, err.Error(), "credentials")
	assert.Zero(t, m.sent())
}

// blockingProvider is a credentials-go Credential whose GetCredential
// blocks until release is closed, counting calls and concurrent calls.
type blockingProvider struct {
	credentials.Credential // nil: only GetCredential is called
	release                chan struct{}
	calls, inside, most    atomic.Int32
}

func (p *blockingProvider) GetCredential() (*credentials.CredentialModel, error) {
	p.calls.Add(1)
	n := p.inside.Add(1)
	for {
		m := p.most.Load()
		if n <= m || p.most.CompareAndSwap(m, n) {
			break
		}
	}
	<-p.release
	p.inside.Add(-1)
	id, secret := testKeyID, testSecret
	return &credentials.CredentialModel{AccessKeyId: &id, AccessKeySecret: &secret}, nil
}

func TestCredentialWaitEndsAtTheCallersDeadline(t *testing.T) {
	p := &blockingProvider{release: make(chan struct{})}
	m := newMockAPI(t, WithCredentials(p))

	const waiters = 8
	errs := make(chan error, waiters)
	var wg sync.WaitGroup
	for range waiters {
		wg.Go(func() {
			ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
			defer cancel()
			_, err := m.client.DescribeLicenseOrders(ctx, nil)
			errs <- err
		})
	}
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	select {
	case <-done: // every caller returned while the provider was still stuck
	case <-time.After(20 * time.Second):
		close(p.release)
		t.Fatal("callers were held by the credential provider past their deadline")
	}
	close(errs)
	for err := range errs {
		assert.ErrorIs(t, err, context.DeadlineExceeded)
		assert.Contains(t, err.Error(), "waiting for the credential provider")
	}
	assert.Equal(t, int32(1), p.calls.Load(), "callers that gave up start no second fetch")
	assert.Zero(t, m.sent())

	// A cancelled caller ends at once too.
	ctx, cancel := context.WithCancel(context.Background())
	go cancel()
	_, err := m.client.DescribeLicenseOrders(ctx, nil)
	assert.ErrorIs(t, err, context.Canceled)

	// The fetch still completes, once, and serves the next caller.
	close(p.release)
	_, err = m.client.DescribeLicenseOrders(context.Background(), nil)
	require.NoError(t, err)
	assert.Equal(t, int32(1), p.calls.Load())
	assert.Equal(t, int32(1), p.most.Load(), "one fetch at a time")
}

func TestCredentialThatCannotGoInAHeader(t *testing.T) {
	bad := map[string][3]string{
		"token with a newline":  {testKeyID, testSecret, "sts-token\nX-Injected: 1"},
		"key id with a newline": {testKeyID + "\n", testSecret, ""},
		"token with a tab":      {testKeyID, testSecret, "sts\ttoken"},
		"key id with DEL":       {testKeyID + "\x7f", testSecret, testToken},
	}
	for name, cred := range bad {
		for _, alg := range []SignatureAlgorithm{SignatureV3, SignatureRPC} {
			m := newMockAPI(t, WithSTSToken(cred[0], cred[1], cred[2]), WithSignatureAlgorithm(alg), quickPolicy)
			for _, call := range []func() error{
				func() error { _, err := m.client.DescribeLicenseOrders(context.Background(), nil); return err },
				func() error { _, err := m.client.CreateActivationCode(context.Background(), createReq); return err },
			} {
				err := call()
				var ce *CredentialError
				require.ErrorAs(t, err, &ce, name)
				assert.NotContains(t, err.Error(), "X-Injected", name)
				assert.NotErrorIs(t, err, ErrUncertainOutcome, name)
				var oe *OperationError
				require.ErrorAs(t, err, &oe)
				assert.LessOrEqual(t, oe.Attempts, 1, "retried by no operation: %s", name)
			}
			assert.Zero(t, m.sent(), "nothing is sent: %s %s", name, alg)
		}
	}
	// From a credentials-go provider too.
	cred, err := credentials.NewCredential(new(credentials.Config).SetType("sts").SetAccessKeyId(testKeyID).SetAccessKeySecret(testSecret).SetSecurityToken("tok\r\n"))
	require.NoError(t, err)
	m := newMockAPI(t, WithCredentials(cred), quickPolicy)
	_, err = m.client.DescribeLicenseOrders(context.Background(), nil)
	var ce *CredentialError
	require.ErrorAs(t, err, &ce)
	assert.Zero(t, m.sent())
}

func TestCredentialWaitIsBoundedByTheAttemptTimeout(t *testing.T) {
	p := &blockingProvider{release: make(chan struct{})}
	defer close(p.release)
	m := newMockAPI(t, WithCredentials(p), WithTimeouts(Timeouts{Attempt: 20 * time.Millisecond}),
		WithRetryPolicy(RetryPolicy{MaxAttempts: 2, BaseDelay: time.Millisecond}))
	_, err := m.client.DescribeLicenseOrders(context.Background(), nil) // no deadline of its own
	assert.ErrorIs(t, err, context.DeadlineExceeded)
	assert.Contains(t, err.Error(), "attempt timeout")
	var oe *OperationError
	require.ErrorAs(t, err, &oe)
	assert.Equal(t, 2, oe.Attempts, "retried like any timed-out attempt")
	assert.Equal(t, int32(1), p.calls.Load(), "the retry waits for the same fetch")
	assert.Zero(t, m.sent())
}

// countingCredential is a credentials-go Credential whose first fetch is slow
// and whose later calls are served from a cache, like the refreshing
// providers; it is unsafe for concurrent first use, like them.
type countingCredential struct {
	fetches int // deliberately unsynchronised: the client must serialise
	cached  *credentials.CredentialModel
}

func (c *countingCredential) GetCredential() (*credentials.CredentialModel, error) {
	if c.cached == nil {
		c.fetches++
		time.Sleep(20 * time.Millisecond)
		id, secret, token := testKeyID, testSecret, testToken
		c.cached = &credentials.CredentialModel{AccessKeyId: &id, AccessKeySecret: &secret, SecurityToken: &token}
	}
	return c.cached, nil
}

func (c *countingCredential) GetAccessKeyId() (*string, error)     { return nil, errors.New("unused") }
func (c *countingCredential) GetAccessKeySecret() (*string, error) { return nil, errors.New("unused") }
func (c *countingCredential) GetSecurityToken() (*string, error)   { return nil, errors.New("unused") }
func (c *countingCredential) GetBearerToken() *string              { return nil }
func (c *countingCredential) GetType() *string                     { return nil }

func TestCredentialFetchIsSerialised(t *testing.T) {
	cred := &countingCredential{}
	m := newMockAPI(t)
	c, err := NewClient(WithHTTPClient(&http.Client{Transport: m.mt}), WithCredentials(cred))
	require.NoError(t, err)
	var wg sync.WaitGroup
	for range 64 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := c.DescribeLicenseOrders(context.Background(), nil)
			assert.NoError(t, err)
		}()
	}
	wg.Wait()
	assert.Equal(t, 1, cred.fetches)
	assert.Equal(t, 64, m.sent())
}

// rotatingCredential hands out a new AccessKey on every fetch, as a
// provider does when credentials are rotated.
type rotatingCredential struct {
	countingCredential
	n int
}

func (r *rotatingCredential) GetCredential() (*credentials.CredentialModel, error) {
	r.n++
	id, secret := "key-"+strconv.Itoa(r.n), "secret"
	return &credentials.CredentialModel{AccessKeyId: &id, AccessKeySecret: &secret}, nil
}

func TestCredentialSnapshotsAreReusedBriefly(t *testing.T) {
	rot := &rotatingCredential{}
	m := newMockAPI(t)
	c, err := NewClient(WithHTTPClient(&http.Client{Transport: m.mt}), WithCredentials(rot))
	require.NoError(t, err)
	c.creds.(*providerCredential).reuse = 30 * time.Millisecond
	keyOf := func() string {
		_, err := c.DescribeLicenseOrders(context.Background(), nil)
		require.NoError(t, err)
		auth := m.last(t).Header.Get("Authorization")
		return auth[strings.Index(auth, "Credential=")+len("Credential=") : strings.Index(auth, ",")]
	}
	assert.Equal(t, "key-1", keyOf())
	assert.Equal(t, "key-1", keyOf(), "reused within the window")
	time.Sleep(40 * time.Millisecond)
	assert.Equal(t, "key-2", keyOf(), "fetched again after it")
}

func TestCredentialErrorsWithholdConfigContent(t *testing.T) {
	home := t.TempDir()
	for _, k := range []string{"ALIBABA_CLOUD_ACCESS_KEY_ID", "ALIBABA_CLOUD_ACCESS_KEY_SECRET", "ALIBABA_CLOUD_SECURITY_TOKEN",
		"ALIBABA_CLOUD_ROLE_ARN", "ALIBABA_CLOUD_OIDC_PROVIDER_ARN", "ALIBABA_CLOUD_OIDC_TOKEN_FILE", "ALIBABA_CLOUD_CREDENTIALS_URI",
		"ALIBABA_CLOUD_PROFILE", "ALIBABA_CLOUD_CONFIG_FILE", "ALIBABA_CLOUD_CREDENTIALS_FILE"} {
		t.Setenv(k, "")
		os.Unsetenv(k)
	}
	t.Setenv("HOME", home)
	t.Setenv("ALIBABA_CLOUD_ECS_METADATA_DISABLED", "true")
	require.NoError(t, os.MkdirAll(filepath.Join(home, ".aliyun"), 0o700))
	malformed := `{"current": "p", "profiles": [{"name": "p", "mode": "AK", "access_key_id": "id", "access_key_secret": "` + testSecret + `", }]}`
	require.NoError(t, os.WriteFile(filepath.Join(home, ".aliyun", "config.json"), []byte(malformed), 0o600))

	m := newMockAPI(t)
	c, err := NewClient(WithHTTPClient(&http.Client{Transport: m.mt}))
	require.NoError(t, err)
	_, err = c.DescribeLicenseOrders(context.Background(), nil)
	var ce *CredentialError
	require.ErrorAs(t, err, &ce)
	assert.Contains(t, ce.Reason, "content withheld")
	assertNoSecrets(t, "CredentialError", err)
	assert.Zero(t, m.sent())
}

func TestNewCredentialError(t *testing.T) {
	cases := map[string]string{
		"unmarshal aliyun cli config from '/h/.aliyun/config.json' failed: {\"profiles\": [\"s3cret\"]}": "unmarshal aliyun cli config from '/h/.aliyun/config.json' failed (content withheld)",
		"key-value delimiter not found: access_key_secret s3cret":                                        "key-value delimiter not found (content withheld)",
		"get credentials from ECS metadata failed:\n timeout":                                            "get credentials from ECS metadata failed: timeout",
		"ALIBABA_CLOUD_ACCESS_KEY_SECRET cannot be empty":                                                "ALIBABA_CLOUD_ACCESS_KEY_SECRET cannot be empty",
	}
	for in, want := range cases {
		assert.Equal(t, want, newCredentialError(in).Reason)
	}
}
