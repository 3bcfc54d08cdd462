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
	assert.Equal(t, "polarlicense: no usable credentials: there is no profile named missing (~/config.json holds only other, polar; "+
		`there is no ~/no-credentials): run "aliyun configure --profile missing" or add a [missing] section to ~/no-credentials, or name one that exists`, line)
	assert.Equal(t, 1, srv.RequestCount(""), "only the good run reached the service")

	// Credentials the service refuses: the advice names the profile.
	r = runIn(t, profileEnv(srv.URL), "--profile", "other", "orders", "list")
	assert.Equal(t, exitFailure, r.code)
	assert.True(t, strings.HasSuffix(oneLineOn(t, r.stderr), `; check the credentials of profile "other" (--profile)`), r.stderr)
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

	// Without --profile the default chain reads [default], which the
	// service refuses: the advice names the file.
	r = runIn(t, profileEnv(srv.URL), "orders", "list")
	assert.Equal(t, exitFailure, r.code)
	assert.True(t, strings.HasSuffix(oneLineOn(t, r.stderr), "; check the credentials from the credentials file "+ini), r.stderr)
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
		if args[0] == "--profile" {
			assert.Equal(t, "polarlicense: no usable credentials: profile polar was not found (~/config.json is not valid JSON; there is no ~/no-credentials): "+
				`fix what cannot be read, run "aliyun configure --profile polar" or add a [polar] section to ~/no-credentials, or name one that exists`, line)
		} else {
			assert.Equal(t, "polarlicense: no usable credentials: ~/config.json is not valid JSON, so no profile could be read from it: "+
				"fix it, or use another source (--profile NAME, or ALIBABA_CLOUD_ACCESS_KEY_ID and ALIBABA_CLOUD_ACCESS_KEY_SECRET)", line)
		}
	}
}

// A profile that cannot be had is said in the tool's words: where it was
// looked for, what is there, what to do; never credentials-go's text, cut.
func TestProfileMessages(t *testing.T) {
	home := isolateCredentials(t)
	ini := filepath.Join(home, "no-credentials")
	cases := []struct {
		name, content, profile, want string
	}{
		{"no file at all", "", "nosuch",
			`there is no profile named nosuch (there is no ~/no-config.json; there is no ~/no-credentials): ` +
				`run "aliyun configure --profile nosuch" or add a [nosuch] section to ~/no-credentials, or name one that exists`},
		{"a key missing", "[polar]\ntype = access_key\naccess_key_id = LTAIonly\n", "polar",
			"profile polar in ~/no-credentials gave no credentials: it has no access_key_secret; add it there, or name another profile"},
		{"both keys missing", "[polar]\ntype = access_key\n", "polar",
			"profile polar in ~/no-credentials gave no credentials: it has no access_key_id and no access_key_secret; add it there, or name another profile"},
		{"many profiles", "[a]\n[b]\n[c]\n[d]\n[e]\n[f]\n", "nosuch",
			`there is no profile named nosuch (there is no ~/no-config.json; ~/no-credentials holds only a, b, c, d, …): ` +
				`run "aliyun configure --profile nosuch" or add a [nosuch] section to ~/no-credentials, or name one that exists`},
		{"too long for details", "", strings.Repeat("p", 40), "there is no profile named " + strings.Repeat("p", 40) + ": " +
			`run "aliyun configure --profile ` + strings.Repeat("p", 40) + `" or add a [` + strings.Repeat("p", 40) + `] section to ~/no-credentials, or name one that exists`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if tc.content != "" {
				require.NoError(t, os.WriteFile(ini, []byte(tc.content), 0o600))
				defer os.Remove(ini)
			}
			r := runIn(t, profileEnv("http://127.0.0.1:9"), "--profile", tc.profile, "orders", "list")
			assert.Equal(t, exitFailure, r.code)
			assert.Equal(t, "polarlicense: no usable credentials: "+tc.want, oneLineOn(t, r.stderr))
		})
	}
}

// An AccessKey half set in the environment is said once, with what to do.
func TestHalfSetEnvironment(t *testing.T) {
	isolateCredentials(t)
	for _, tc := range []struct{ set, want string }{
		{envKeyID, "ALIBABA_CLOUD_ACCESS_KEY_ID is set but ALIBABA_CLOUD_ACCESS_KEY_SECRET is not: set both, or unset ALIBABA_CLOUD_ACCESS_KEY_ID to use another source"},
		{envSecret, "ALIBABA_CLOUD_ACCESS_KEY_SECRET is set but ALIBABA_CLOUD_ACCESS_KEY_ID is not: set both, or unset ALIBABA_CLOUD_ACCESS_KEY_SECRET to use another source"},
	} {
		t.Setenv(tc.set, "LTAIhalf")
		r := runIn(t, profileEnv("http://127.0.0.1:9"), "orders", "list")
		assert.Equal(t, exitFailure, r.code)
		assert.Equal(t, "polarlicense: no usable credentials: "+tc.want, oneLineOn(t, r.stderr))
		require.NoError(t, os.Unsetenv(tc.set))
	}
}

func TestTidyProviderText(t *testing.T) {
	assert.Equal(t, "unable to get credentials from environment variables", tidyProviderText("unable to get credentials from enviroment variables"))
	assert.Equal(t, "cannot open the file: open /x: no such file or directory", tidyProviderText("ERROR: Can not open fileopen /x: no such file or directory"))
	assert.Equal(t, `cannot load the section: section "p" does not exist`, tidyProviderText(`ERROR: Can not load sectionsection "p" does not exist`))
}

// The default chain's profile sources fail in the same words as --profile:
// the profile the chain read (the credentials file's [default] or
// $ALIBABA_CLOUD_PROFILE, the aliyun CLI's current one), what is wrong
// with it, what to do; never credentials-go's "Failed to get value".
func TestDefaultChainProfileMessages(t *testing.T) {
	home := isolateCredentials(t)
	ini := filepath.Join(home, "no-credentials")
	cfg := filepath.Join(home, "no-config.json")
	cases := []struct {
		name, file, content, profileEnv, want string
	}{
		{"no [default]", ini, "[polar]\ntype = access_key\naccess_key_id = a\naccess_key_secret = b\n", "",
			"there is no profile named default (~/no-credentials holds only polar): add a [default] section to ~/no-credentials, or name one that exists (--profile NAME)"},
		{"$ALIBABA_CLOUD_PROFILE names none", ini, "[default]\ntype = access_key\naccess_key_id = a\naccess_key_secret = b\n", "zz",
			"there is no profile named zz (~/no-credentials holds only default): add a [zz] section to ~/no-credentials, or name one that exists (--profile NAME)"},
		{"a key missing", ini, "[default]\ntype = access_key\naccess_key_id = a\n", "",
			"profile default in ~/no-credentials gave no credentials: it has no access_key_secret; add it there, or name another profile (--profile NAME)"},
		{"an unknown type", ini, "[default]\ntype = nosuchtype\n", "",
			`profile default in ~/no-credentials gave no credentials: its type "nosuchtype" is none of access_key, ecs_ram_role, ram_role_arn; fix it there, or name another profile (--profile NAME)`},
		{"no type", ini, "[default]\naccess_key_id = a\n", "",
			"profile default in ~/no-credentials gave no credentials: it has no type (such as type = access_key); fix it there, or name another profile (--profile NAME)"},
		{"the CLI's current profile missing", cfg, `{"current": "x", "profiles": [{"name": "y", "mode": "AK", "access_key_id": "a", "access_key_secret": "b"}]}`, "",
			`there is no profile named x (~/no-config.json holds only y): run "aliyun configure --profile x", or name one that exists (--profile NAME)`},
		{"the CLI's current profile lacks its secret", cfg, `{"current": "x", "profiles": [{"name": "x", "mode": "AK", "access_key_id": "a"}]}`, "",
			"profile x in ~/no-config.json gave no credentials: it has no access_key_secret; add it there, or name another profile (--profile NAME)"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			require.NoError(t, os.WriteFile(tc.file, []byte(tc.content), 0o600))
			defer os.Remove(tc.file)
			if tc.profileEnv != "" {
				t.Setenv("ALIBABA_CLOUD_PROFILE", tc.profileEnv)
				defer os.Unsetenv("ALIBABA_CLOUD_PROFILE")
			}
			r := runIn(t, profileEnv("http://127.0.0.1:9"), "orders", "list")
			assert.Equal(t, exitFailure, r.code)
			line := oneLineOn(t, r.stderr)
			assert.Equal(t, "polarlicense: no usable credentials: "+tc.want, line)
			assert.NotContains(t, line, "Failed to get")
			assert.NotContains(t, line, "use --profile NAME, or try --emulator", "the advice is given once")
		})
	}
}

// An OIDC role half set up in the environment, which credentials-go passes
// over in silence, is named when nothing else gives credentials; when
// something else does, it is used as before.
func TestHalfSetOIDC(t *testing.T) {
	home := isolateCredentials(t)
	t.Setenv("ALIBABA_CLOUD_ROLE_ARN", "acs:ram::1:role/polar")
	r := runIn(t, profileEnv("http://127.0.0.1:9"), "orders", "list")
	assert.Equal(t, exitFailure, r.code)
	assert.Equal(t, "polarlicense: no usable credentials: an OIDC role needs three variables: ALIBABA_CLOUD_ROLE_ARN is set but "+
		"ALIBABA_CLOUD_OIDC_PROVIDER_ARN and ALIBABA_CLOUD_OIDC_TOKEN_FILE are not: set all three, or unset ALIBABA_CLOUD_ROLE_ARN to use another source",
		oneLineOn(t, r.stderr))

	t.Setenv("ALIBABA_CLOUD_OIDC_PROVIDER_ARN", "acs:ram::1:oidc-provider/polar")
	r = runIn(t, profileEnv("http://127.0.0.1:9"), "orders", "list")
	assert.Contains(t, oneLineOn(t, r.stderr), "ALIBABA_CLOUD_ROLE_ARN and ALIBABA_CLOUD_OIDC_PROVIDER_ARN are set but ALIBABA_CLOUD_OIDC_TOKEN_FILE is not")

	srv := newServer(t)
	ini := filepath.Join(home, "no-credentials")
	require.NoError(t, os.WriteFile(ini, []byte("[default]\ntype = access_key\naccess_key_id = "+srv.AccessKeyID+"\naccess_key_secret = "+srv.AccessKeySecret+"\n"), 0o600))
	ok(t, runIn(t, profileEnv(srv.URL), "orders", "list"))
}
