package match

import (
	"bytes"
	"slices"
	"sync"
	"sync/atomic"
	"unicode/utf16"
	"unicode/utf8"
)

// isJSONLine reports whether the first byte of line that is not a space or
// a tab is '{'.
func isJSONLine(line []byte) bool {
	for _, c := range line {
		if c != ' ' && c != '\t' {
			return c == '{'
		}
	}
	return false
}

// scratch holds the per-call buffers of a scan: the decoded JSON line with
// its map back to the raw line, and a buffer for URL keys. Scratch buffers
// are pooled so that matching does not allocate in steady state.
type scratch struct {
	dec []byte
	cps []uint64 // checkpoints of the decoded line, see decodeJSON
	key []byte

	// the unit rawUnit found last: where the next lookup may start
	curRaw, curDec int
}

// The decoded line is mapped back to the raw one through checkpoints, one
// per cpEvery decoded bytes: cps[i] is the first unit (a raw byte kept as
// it is, or a whole escape) whose decoded bytes begin at or after
// i*cpEvery, as raw<<cpShift | (its decoded offset - i*cpEvery). A unit
// decodes to at most 4 bytes, so the difference fits in cpShift bits, and
// the raw offset in the rest of a uint64 whatever the length of the line.
// A decoded offset is mapped back by decoding forward from the checkpoint
// before it: at most cpEvery bytes. So the map costs 8 bytes per cpEvery
// decoded bytes (1/8 of the line at most) and one pass over the line to
// build, however many escapes the line holds.
const (
	cpEvery = 64
	cpShift = 2
)

// packCP and unpackCP encode a checkpoint: the raw offset and the decoded
// offset of a unit, for the checkpoint of the decoded offset base.
func packCP(raw, dec, base int) uint64 { return uint64(raw)<<cpShift | uint64(dec-base) }

func unpackCP(cp uint64, base int) (raw, dec int) {
	return int(cp >> cpShift), base + int(cp&(1<<cpShift-1))
}

var scratchPool = sync.Pool{New: func() any { return new(scratch) }}

// scratchReserve keeps a few scratch buffers (of at most reserveMax bytes)
// across garbage collections, which empty scratchPool: without it the
// first lines that need one after a collection (the runtime forces one
// every two minutes) would allocate.
var scratchReserve [8]atomic.Pointer[scratch]

const reserveMax = 64 << 10

func getScratch() *scratch {
	for i := range scratchReserve {
		if scratchReserve[i].Load() != nil {
			if s := scratchReserve[i].Swap(nil); s != nil {
				return s
			}
		}
	}
	return scratchPool.Get().(*scratch)
}

func putScratch(s *scratch) {
	if cap(s.dec) > 1<<20 {
		s.dec, s.cps = nil, nil // do not pin huge buffers
	}
	if cap(s.key) > 1<<16 {
		s.key = nil
	}
	if cap(s.dec)+cap(s.key)+8*cap(s.cps) <= reserveMax {
		for i := range scratchReserve {
			if scratchReserve[i].CompareAndSwap(nil, s) {
				return
			}
		}
	}
	scratchPool.Put(s)
}

// decodeJSON decodes the JSON string escapes of line into s.dec and sets
// the checkpoints s.cps. Backslashes that do not start a valid escape are
// kept as they are. A decoded line is never longer than the raw one, so
// the buffers are sized once for the line: no growing, and at most 1/8 of
// the line more for the checkpoints.
func (s *scratch) decodeJSON(line []byte) []byte {
	dec := slices.Grow(s.dec[:0], len(line))
	cps := slices.Grow(s.cps[:0], len(line)/cpEvery+1)
	next := 0 // the decoded offset of the next checkpoint: len(cps)*cpEvery
	for i := 0; i < len(line); {
		if line[i] != '\\' {
			k := bytes.IndexByte(line[i:], '\\')
			if k < 0 {
				k = len(line) - i
			}
			// Each byte of line[i:i+k] is a unit, kept as it is: the
			// checkpoints of the multiples of cpEvery up to its end
			// (the first may come before it, after the previous unit's
			// start).
			for ; next < len(dec)+k; next += cpEvery {
				at := max(next, len(dec))
				cps = append(cps, packCP(i+at-len(dec), at, next))
			}
			dec = append(dec, line[i:i+k]...)
			i += k
			continue
		}
		if next <= len(dec) {
			cps = append(cps, packCP(i, len(dec), next))
			next += cpEvery
		}
		if i+1 < len(line) {
			if d := simpleEscape[line[i+1]]; d != 0 {
				dec = append(dec, d)
				i += 2
				continue
			}
		}
		var u [utf8.UTFMax]byte
		m, n := unit(line, i, &u)
		dec = append(dec, u[:m]...)
		i += n
	}
	if next <= len(dec) {
		cps = append(cps, packCP(len(line), len(dec), next)) // the end
	}
	s.dec, s.cps = dec, cps
	s.curRaw, s.curDec = 0, 0
	return dec
}

// simpleEscape maps the byte after a backslash to the byte that the
// two-byte escape decodes to, or to 0.
var simpleEscape = [256]byte{'\\': '\\', '"': '"', '/': '/', 'b': '\b', 'f': '\f', 'n': '\n', 'r': '\r', 't': '\t'}

// unit decodes the unit that starts at the backslash line[i]: an escape,
// or the backslash alone when no valid escape starts there. It writes the
// decoded bytes to u and returns their number and the unit's raw length.
func unit(line []byte, i int, u *[utf8.UTFMax]byte) (m, n int) {
	if i+1 >= len(line) {
		u[0] = '\\'
		return 1, 1
	}
	if d := simpleEscape[line[i+1]]; d != 0 {
		u[0] = d
		return 1, 2
	}
	switch line[i+1] {
	case 'u':
		r, ok := hex4(line, i+2)
		if !ok {
			u[0] = '\\'
			return 1, 1
		}
		n := 6
		if utf16.IsSurrogate(r) {
			r2, ok2 := rune(0), false
			if i+7 < len(line) && line[i+6] == '\\' && line[i+7] == 'u' {
				r2, ok2 = hex4(line, i+8)
			}
			p := utf8.RuneError
			if ok2 {
				if p = utf16.DecodeRune(r, r2); p != utf8.RuneError {
					n = 12
				}
			}
			r = p
		}
		return utf8.EncodeRune(u[:], r), n
	}
	u[0] = '\\'
	return 1, 1
}

// rawUnit returns the raw range [start, end) of the unit that the decoded
// byte at d (< len(s.dec)) comes from: the byte itself, or its escape. It
// decodes forward from the checkpoint before d, or from the unit it found
// last when that is nearer: at most cpEvery decoded bytes.
func (s *scratch) rawUnit(line []byte, d int) (start, end int) {
	i := d / cpEvery
	base := i * cpEvery
	r, dc := unpackCP(s.cps[i], base)
	if dc > d {
		base -= cpEvery
		r, dc = unpackCP(s.cps[i-1], base)
	}
	if s.curDec <= d && s.curDec > dc {
		r, dc = s.curRaw, s.curDec // matches come mostly in order
	}
	for {
		// the raw bytes up to the next backslash are kept as they are
		k := bytes.IndexByte(line[r:r+d-dc+1], '\\')
		if k < 0 {
			r += d - dc
			s.curRaw, s.curDec = r, d
			return r, r + 1
		}
		r, dc = r+k, dc+k
		var u [utf8.UTFMax]byte
		m, n := unit(line, r, &u)
		if d < dc+m {
			s.curRaw, s.curDec = r, dc
			return r, r + n
		}
		r, dc = r+n, dc+m
	}
}

// rawStart returns the raw offset where the decoded byte at d begins: the
// start of its escape, if it came from one.
func (s *scratch) rawStart(line []byte, d int) int {
	start, _ := s.rawUnit(line, d)
	return start
}

// rawEnd returns the raw offset where the decoded bytes ending at end (>
// 0) end: the end of the escape of the last one, if it came from one.
func (s *scratch) rawEnd(line []byte, end int) int {
	_, e := s.rawUnit(line, end-1)
	return e
}

func hex4(b []byte, i int) (rune, bool) {
	if i+4 > len(b) {
		return 0, false
	}
	var r rune
	for _, c := range b[i : i+4] {
		if !is(c, cHex) {
			return 0, false
		}
		r = r<<4 | rune(hexNibble(c))
	}
	return r, true
}
