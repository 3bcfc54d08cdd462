package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// These tests set the process environment (where credentials-go looks for
// its files), so none runs in parallel.

// profileEnv is an environment that names only the endpoint: credentials
// must come from --profile.
func profileEnv(endpoint string) environment {
	env := testEnv(nil)
	env.getenv = func(k string) string {
		if k == envEndpoint {
			return endpoint
		}
		return ""
	}
	return env
}

func TestProfileFromCLIConfig(t *testing.T) {
	home := isolateCredentials(t)
	srv := newServer(t)
	cfg := filepath.Join(home, "config.json")
	require.NoError(t, os.WriteFile(cfg, []byte(`{"current": "other", "profiles": [
		{"name": "other", "mode": "AK", "access_key_id": "wrong", "access_key_secret": "wrong"},
		{"name": "polar", "mode": "AK", "access_key_id": "`+srv.AccessKeyID+`", "access_key_secret": "`+srv.AccessKeySecret+`"}]}`), 0o600))
	t.Setenv("ALIBABA_CLOUD_CONFIG_FILE", cfg)
	// An AccessKey in the environment does not win over the named profile.
	t.Setenv(envKeyID, "LTAIenvironment")
	t.Setenv(envSecret, "environment-secret")

	r := ok(t, runIn(t, profileEnv(srv.URL), "--profile", "polar", "orders", "list", "-o", "json"))
	assert.Len(t, decodeJSON[[]orderRecord](t, r.stdout), 7)

	r = runIn(t, profileEnv(srv.URL), "--profile", "missing", "orders", "list")
	assert.Equal(t, exitFailure, r.code)
	line := oneLineOn(t, r.stderr)
	assert.True(t, strings.HasPrefix(line, "polarlicense: no usable credentials: profile missing not found or not usable: "), line)
	assert.Equal(t, 1, srv.RequestCount(""), "only the good run reached the service")
}

func TestProfileFromCredentialsFile(t *testing.T) {
	home := isolateCredentials(t)
	srv := newServer(t)
	ini := filepath.Join(home, "credentials")
	require.NoError(t, os.WriteFile(ini, []byte("[default]\ntype = access_key\naccess_key_id = wrong\naccess_key_secret = wrong\n\n"+
		"[polar]\ntype = access_key\naccess_key_id = "+srv.AccessKeyID+"\naccess_key_secret = "+srv.AccessKeySecret+"\n"), 0o600))
	t.Setenv("ALIBABA_CLOUD_CREDENTIALS_FILE", ini)

	r := ok(t, runIn(t, profileEnv(srv.URL), "--profile", "polar", "orders", "get", "239618016570503", "-o", "json"))
	assert.Equal(t, "239618016570503", decodeJSON[orderRecord](t, r.stdout).AliyunOrderID)
}

func TestMalformedCLIConfigIsNotPrinted(t *testing.T) {
	home := isolateCredentials(t)
	srv := newServer(t)
	cfg := filepath.Join(home, "config.json")
	require.NoError(t, os.WriteFile(cfg, []byte(`{"profiles": [{"name": "polar", "access_key_secret": "very-secret-value", }]`), 0o600))
	t.Setenv("ALIBABA_CLOUD_CONFIG_FILE", cfg)

	for _, args := range [][]string{{"--profile", "polar", "orders", "list"}, {"orders", "list"}} {
		r := runIn(t, profileEnv(srv.URL), args...)
		assert.Equal(t, exitFailure, r.code, args)
		line := oneLineOn(t, r.stderr)
		assert.NotContains(t, line, "very-secret-value", args)
		assert.Contains(t, line, "unmarshal aliyun cli config from", args)
		assert.Contains(t, line, "(content withheld)", args)
	}
}
