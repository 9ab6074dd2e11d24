//go:build race

package roi_test

const raceEnabled = true
