package main

import (
	"fmt"
	"io"
	"os"
	"strings"
	"sync"
	"time"
)

// isTerminal reports whether w is a terminal (a character device), by the
// standard library alone: no ioctl, so /dev/null counts as one too, which
// only means output nobody reads is formatted for a person.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}

// progress shows how far a long walk has got on one line of stderr,
// rewritten in place, and only when stderr is a terminal: never on stdout,
// never into a pipe or a file. It is safe for concurrent use.
type progress struct {
	w  io.Writer
	on bool

	mu    sync.Mutex
	last  time.Time
	width int // of what is on the line now
}

func newProgress(w io.Writer, on bool) *progress {
	return &progress{w: w, on: on}
}

// progressInterval is how often the line is rewritten at most.
const progressInterval = 100 * time.Millisecond

// update shows a new state of the walk.
func (p *progress) update(format string, args ...any) {
	if p == nil || !p.on {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	now := time.Now()
	if now.Sub(p.last) < progressInterval {
		return
	}
	p.last = now
	msg := fmt.Sprintf(format, args...)
	pad := max(p.width-len(msg), 0)
	fmt.Fprint(p.w, "\r"+msg+strings.Repeat(" ", pad))
	p.width = len(msg)
}

// clear erases the line, before anything else is written to stderr and at
// the end of the walk.
func (p *progress) clear() {
	if p == nil || !p.on {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.width > 0 {
		fmt.Fprint(p.w, "\r"+strings.Repeat(" ", p.width)+"\r")
		p.width = 0
	}
	p.last = time.Time{}
}
