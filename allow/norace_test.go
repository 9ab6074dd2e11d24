//go:build !race

package allow

const raceEnabled = false
