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
