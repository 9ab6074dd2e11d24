//go:build race

package age_test

const raceEnabled = true
