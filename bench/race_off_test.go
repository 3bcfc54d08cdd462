//go:build !race

package bench

// raceEnabled is true when tests run with -race. The race detector makes
// sync.Pool drop items at random, so allocation counts are not checked then.
const raceEnabled = false
