//go:build !amd64 || purego

package match

func useSIMD() bool { return false }

// simdAvailable reports false: there is no SIMD path (for tests).
func simdAvailable() bool { return false }

// setSIMD is a no-op where there is no SIMD path; it reports false.
func setSIMD(bool) bool { return false }

func classifySIMD(dst *chunkMasks, text []byte, base, end int) int {
	return classifyGo(dst, text[base:end])
}

// forEachSIMD does nothing: there is no SIMD code here.
func forEachSIMD(func(name string)) {}
