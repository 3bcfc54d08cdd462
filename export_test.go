package polarlicense

import "time"

// SetEnsureLookDelays replaces the waits of EnsureActivationCode's looks
// after an uncertain create, for tests that must not wait seconds; the
// returned function restores them.
func SetEnsureLookDelays(d ...time.Duration) (restore func()) {
	old := ensureLookDelays
	ensureLookDelays = d
	return func() { ensureLookDelays = old }
}

// WithClock pins what the client takes for now to a clock of the test's.
func WithClock(now func() time.Time) Option {
	return func(s *settings) error { s.now = now; return nil }
}
