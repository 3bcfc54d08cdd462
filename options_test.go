package polarlicense

import (
	"net/http"
	"strings"
	"testing"
	"time"
)

func TestWithTimeoutsZeroKeepsDefaults(t *testing.T) {
	c, err := NewClient(WithAccessKey("id", "secret"), WithTimeouts(Timeouts{Connect: 2 * time.Second}))
	if err != nil {
		t.Fatal(err)
	}
	if c.attemptTimeout != DefaultTimeouts.Attempt {
		t.Errorf("Attempt = %v, want the default %v", c.attemptTimeout, DefaultTimeouts.Attempt)
	}
	tr := c.http.Transport.(*http.Transport)
	if tr.ResponseHeaderTimeout != DefaultTimeouts.ResponseHeader || tr.TLSHandshakeTimeout != DefaultTimeouts.TLSHandshake {
		t.Errorf("transport timeouts = %v, %v; want the defaults", tr.ResponseHeaderTimeout, tr.TLSHandshakeTimeout)
	}
}

func TestWithTimeoutsNoTimeoutRemovesTheBound(t *testing.T) {
	c, err := NewClient(WithAccessKey("id", "secret"),
		WithTimeouts(Timeouts{Attempt: NoTimeout, ResponseHeader: NoTimeout, TLSHandshake: NoTimeout}))
	if err != nil {
		t.Fatal(err)
	}
	if c.attemptTimeout != 0 {
		t.Errorf("Attempt = %v, want no bound", c.attemptTimeout)
	}
	tr := c.http.Transport.(*http.Transport)
	if tr.ResponseHeaderTimeout != 0 || tr.TLSHandshakeTimeout != 0 {
		t.Errorf("transport timeouts = %v, %v; want none", tr.ResponseHeaderTimeout, tr.TLSHandshakeTimeout)
	}
}

func TestWithTimeoutsPositiveReplaces(t *testing.T) {
	c, err := NewClient(WithAccessKey("id", "secret"), WithTimeouts(Timeouts{Attempt: time.Minute}))
	if err != nil {
		t.Fatal(err)
	}
	if c.attemptTimeout != time.Minute {
		t.Errorf("Attempt = %v, want 1m", c.attemptTimeout)
	}
}

func TestWithTimeoutsRefusesOtherNegatives(t *testing.T) {
	_, err := NewClient(WithAccessKey("id", "secret"), WithTimeouts(Timeouts{Attempt: -2 * time.Second}))
	if err == nil || !strings.Contains(err.Error(), "NoTimeout") {
		t.Fatalf("err = %v, want a refusal naming NoTimeout", err)
	}
}
