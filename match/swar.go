package match

// SWAR ("SIMD within a register") helpers: tests on the 8 bytes of a
// uint64 at once, used where a scan would otherwise look at every byte
// (separators, hex runs, hex digests). None lets a carry cross from one
// byte lane into the next.

// Constants with one byte of each per lane of a uint64.
const (
	lanes01 = 0x0101010101010101
	lanes0f = 0x0f * lanes01
	lanes80 = 0x80 * lanes01
)

// inRange returns, for the 8 bytes of w (each below 0x80), 0x80 in the
// lanes whose byte is in [lo, hi] and 0 in the others.
func inRange(w uint64, lo, hi byte) uint64 {
	ge := w + (0x80-uint64(lo))*lanes01 // 0x80 set when >= lo
	gt := w + (0x7f-uint64(hi))*lanes01 // 0x80 set when > hi
	return ge &^ gt & lanes80
}

// zeroLanes returns 0x80 in each byte lane of x that is zero and 0 in the
// others (exactly: no carry crosses a lane).
func zeroLanes(x uint64) uint64 {
	const low7 = 0x7f * lanes01
	return ^((x&low7 + low7) | x | low7)
}

// allHex reports whether the 8 bytes of w are all hex digits.
func allHex(w uint64) bool {
	return w&lanes80 == 0 && inRange(w, '0', '9')|inRange(w|0x20*lanes01, 'a', 'f') == lanes80
}
