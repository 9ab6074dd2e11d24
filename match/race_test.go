//go:build race

package match_test

// Under the race detector sync.Pool drops items at random, so allocation
// counts are not meaningful.
const raceEnabled = true
