package polarlicense

import (
	"context"
	"crypto/tls"
	"net"
	"net/http"
	"net/http/httptest"
	"net/http/httptrace"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// holdingListener hands the server every connection but the second, which
// it keeps, unanswered, until the test closes it.
type holdingListener struct {
	net.Listener
	n    atomic.Int32
	held chan net.Conn
}

func (l *holdingListener) Accept() (net.Conn, error) {
	for {
		c, err := l.Listener.Accept()
		if err != nil {
			return nil, err
		}
		if l.n.Add(1) == 2 {
			l.held <- c
			continue
		}
		return c, nil
	}
}

// TestCreateOnAReusedConnectionIsUncertainWhenAnotherDialsHandshakeFails:
// net/http dials a new connection for a request that finds none idle, and
// goes on with that dial after the request has taken a connection another
// request freed; the dial reports its TLS handshake to the request's trace.
// A create sent on the reused connection, whose answer is lost, was
// therefore taken for one never sent when that stray dial's handshake
// failed, and sent again: a second code, a second unit of quota.
func TestCreateOnAReusedConnectionIsUncertainWhenAnotherDialsHandshakeFails(t *testing.T) {
	describeStarted, releaseDescribe := make(chan struct{}), make(chan struct{})
	createArrived, dropCreate := make(chan struct{}, 1), make(chan struct{})
	var creates atomic.Int32
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Query().Get("Action") {
		case "DescribeLicenseOrders":
			close(describeStarted)
			<-releaseDescribe
			_, _ = w.Write([]byte(`{"RequestId":"R1","Items":[],"PageNumber":1,"PageRecordCount":0,"TotalRecordCount":0}`))
		case "CreateActivationCode":
			if creates.Add(1) > 1 { // a repeat, which must not happen
				_, _ = w.Write([]byte(`{"RequestId":"R3","Id":7,"Name":"n","MacAddress":"12:34:56:78:98:00","CertContentB64":"QUJD"}`))
				return
			}
			createArrived <- struct{}{}
			<-dropCreate
			// The create was received (and, for all the client can tell,
			// processed); its answer is lost.
			if conn, _, err := http.NewResponseController(w).Hijack(); err == nil {
				conn.Close()
			}
		}
	}))
	inner, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	hl := &holdingListener{Listener: inner, held: make(chan net.Conn, 1)}
	srv.Listener = hl
	srv.StartTLS()
	defer srv.Close()

	hc := srv.Client()
	c, err := NewClient(WithEndpoint(srv.URL), WithAccessKey("id", "secret"), WithSignatureAlgorithm(SignatureRPC), WithHTTPClient(hc),
		WithRetryer(&recordingRetryer{inner: NewStandardRetryer(RetryPolicy{})}))
	require.NoError(t, err)

	// A read holds the one connection.
	describeDone := make(chan error, 1)
	go func() {
		_, err := c.DescribeLicenseOrders(context.Background(), nil)
		describeDone <- err
	}()
	<-describeStarted

	// The create finds no idle connection: its dial reaches the listener,
	// which holds it.
	handshakeFailed := make(chan struct{})
	var once sync.Once
	ctx := withClientTrace(context.Background(), func(err error) {
		if err != nil {
			once.Do(func() { close(handshakeFailed) })
		}
	})
	createDone := make(chan error, 1)
	go func() {
		_, err := c.CreateActivationCode(ctx, &CreateActivationCodeRequest{AliyunOrderID: "1", MacAddress: "12:34:56:78:98:00", Name: "n"})
		createDone <- err
	}()
	held := <-hl.held

	// The read's connection comes free and the waiting create takes it.
	close(releaseDescribe)
	require.NoError(t, <-describeDone)
	<-createArrived

	// The create's own dial fails its handshake, after the create was sent
	// on the other connection; then the create's answer is lost.
	held.Close()
	<-handshakeFailed
	close(dropCreate)

	err = <-createDone
	require.Error(t, err)
	assert.ErrorIs(t, err, ErrUncertainOutcome, "the create was sent: its outcome is unknown")
	assert.Equal(t, int32(1), creates.Load(), "the create must not be sent again")
}

// withClientTrace returns ctx with a trace whose TLSHandshakeDone calls done;
// the client's own trace of an attempt runs its hooks before this one's.
func withClientTrace(ctx context.Context, done func(error)) context.Context {
	return httptrace.WithClientTrace(ctx, &httptrace.ClientTrace{
		TLSHandshakeDone: func(_ tls.ConnectionState, err error) { done(err) },
	})
}
