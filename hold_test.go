package polarlicense_test

import (
	"io"
	"net/http"
	"strings"
	"sync"
)

// holdTransport is a transport that stops the first request for action,
// before it is sent or (after) once its answer is in: it closes reached
// and waits for release. Tests use it to put another client's call at an
// exact point of this one's, whatever the scheduling.
type holdTransport struct {
	action           string
	after            bool
	reached, release chan struct{}
	once             sync.Once
}

func (h *holdTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	isAction := r.Header.Get("x-acs-action") == h.action || strings.Contains(r.URL.RawQuery, "Action="+h.action)
	if !isAction && r.GetBody != nil {
		if b, err := r.GetBody(); err == nil {
			raw, _ := io.ReadAll(b)
			isAction = strings.Contains(string(raw), "Action="+h.action)
		}
	}
	stop := func() {
		h.once.Do(func() {
			close(h.reached)
			<-h.release
		})
	}
	if isAction && !h.after {
		stop()
	}
	resp, err := http.DefaultTransport.RoundTrip(r)
	if isAction && h.after {
		stop()
	}
	return resp, err
}
