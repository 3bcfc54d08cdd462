package main

import (
	"io"
	"log/slog"
	"strings"
	"sync"
)

// --debug: the SDK's own request log (polarlicense.WithLogger) on stderr,
// one line per attempt: the operation, the attempt number, the HTTP status,
// the request id, the latency and the retry decision, with the error of a
// failed attempt. The SDK's records never hold credentials, signatures,
// request parameters or license content.
//
//	polarlicense: debug: operation=DescribeLicenseOrders attempt=1 status=200 request_id=6D3F… latency=8.4ms decision=done

// logger returns a slog.Logger that writes the SDK's debug records as
// --debug lines: "key=value" pairs, without time, level or message.
func (d *debugWriter) logger() *slog.Logger {
	return slog.New(slog.NewTextHandler(d, &slog.HandlerOptions{
		Level: slog.LevelDebug,
		ReplaceAttr: func(_ []string, a slog.Attr) slog.Attr {
			switch a.Key {
			case slog.TimeKey, slog.LevelKey, slog.MessageKey:
				return slog.Attr{}
			}
			return a
		},
	}))
}

// Write takes one record from the slog handler, which writes each record
// whole, as one --debug line.
func (d *debugWriter) Write(p []byte) (int, error) {
	d.line(strings.TrimSuffix(string(p), "\n"))
	return len(p), nil
}

// debugWriter writes --debug lines to stderr, one at a time, clearing the
// progress line first.
type debugWriter struct {
	mu       sync.Mutex
	w        io.Writer
	progress *progress
}

func (d *debugWriter) line(s string) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.progress.clear()
	io.WriteString(d.w, "polarlicense: debug: "+s+"\n")
}
