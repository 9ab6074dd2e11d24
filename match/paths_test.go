package match_test

import (
	"testing"

	"github.com/iocmatch/iocmatch/match"
)

// classifyPaths are the settings of match.SetSIMD to test: the SIMD path
// (where this build and CPU have one) and the portable one.
func classifyPaths() []bool {
	if match.SIMDAvailable() {
		return []bool{true, false}
	}
	return []bool{false}
}

func pathName(simd bool) string {
	if simd {
		return "simd"
	}
	return "portable"
}

// onPaths runs f on each classification path, with that path set.
func onPaths(t *testing.T, f func(t *testing.T)) {
	t.Helper()
	for _, simd := range classifyPaths() {
		t.Run(pathName(simd), func(t *testing.T) {
			defer match.SetSIMD(simd)()
			f(t)
		})
	}
}

// withPath calls f with the classification path simd set.
func withPath(simd bool, f func()) {
	defer match.SetSIMD(simd)()
	f()
}
