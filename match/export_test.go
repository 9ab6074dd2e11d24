package match

// SetSIMD turns the SIMD classification of the token pass on (where the
// CPU has it) or off, for the tests that run on both paths, and returns a
// function that restores the previous setting.
func SetSIMD(on bool) (restore func()) {
	old := setSIMD(on)
	return func() { setSIMD(old) }
}

// SIMDAvailable reports whether this build and CPU have a SIMD path.
var SIMDAvailable = simdAvailable
