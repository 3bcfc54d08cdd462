package polarlicensetest

import (
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestProcessServerHasTimeouts(t *testing.T) {
	srv := newProcessServer(http.NotFoundHandler())
	assert.Equal(t, processReadHeaderTimeout, srv.ReadHeaderTimeout)
	assert.Equal(t, processReadTimeout, srv.ReadTimeout)
	assert.Equal(t, processWriteTimeout, srv.WriteTimeout)
	assert.Equal(t, processIdleTimeout, srv.IdleTimeout)
	assert.Equal(t, processMaxHeaderBytes, srv.MaxHeaderBytes)
	for _, d := range []any{srv.ReadHeaderTimeout, srv.ReadTimeout, srv.WriteTimeout, srv.IdleTimeout} {
		assert.Positive(t, d)
	}
	assert.Positive(t, srv.MaxHeaderBytes)
}

func TestNewServerHasReadTimeouts(t *testing.T) {
	s := NewServer(WithoutDemoData())
	defer s.Close()
	assert.Positive(t, s.srv.ReadHeaderTimeout)
	assert.Positive(t, s.srv.ReadTimeout)
	assert.Positive(t, s.srv.IdleTimeout)
	assert.Zero(t, s.srv.WriteTimeout, "a FaultDelay may hold an answer as long as a test likes")
}
