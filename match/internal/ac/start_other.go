//go:build !amd64 || purego

package ac

// useAVX2 and useAVX512 are false where there is no assembly start
// filter.
var useAVX2, useAVX512 = false, false

// skipSIMD returns i: the portable loop does all the work.
func skipSIMD(f *startFilter, text []byte, i int) (int, bool) { return i, false }
