package match

import (
	"bytes"
	"slices"
	"sync"
	"sync/atomic"
	"unicode/utf16"
	"unicode/utf8"
	"unsafe"
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
// the escapes it decoded, and a buffer for URL keys. Scratch buffers are
// pooled so that matching does not allocate in steady state.
type scratch struct {
	dec []byte
	esc []escape // the escapes decoded, in order
	key []byte
}

// escape is one JSON escape decoded: the raw bytes line[raw:rawEnd] became
// the n decoded bytes dec[at:at+n]. Between escapes, decoded and raw bytes
// are the same, shifted.
type escape struct {
	at, n, raw, rawEnd int32
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
		s.dec, s.esc = nil, nil // do not pin huge buffers
	}
	if cap(s.key) > 1<<16 {
		s.key = nil
	}
	if cap(s.dec)+cap(s.key)+int(unsafe.Sizeof(escape{}))*cap(s.esc) <= reserveMax {
		for i := range scratchReserve {
			if scratchReserve[i].CompareAndSwap(nil, s) {
				return
			}
		}
	}
	scratchPool.Put(s)
}

// decodeJSON decodes the JSON string escapes of line into s.dec, recording
// each escape's raw range. Backslashes that do not start a valid escape are
// kept as they are.
func (s *scratch) decodeJSON(line []byte) []byte {
	dec, esc := s.dec[:0], s.esc[:0]
	var enc [utf8.UTFMax]byte
	for i := 0; i < len(line); {
		k := bytes.IndexByte(line[i:], '\\')
		if k < 0 {
			dec = append(dec, line[i:]...)
			break
		}
		dec = append(dec, line[i:i+k]...)
		i += k
		if i+1 >= len(line) {
			dec = append(dec, '\\')
			break
		}
		var d byte
		switch line[i+1] {
		case '\\':
			d = '\\'
		case '"':
			d = '"'
		case '/':
			d = '/'
		case 'b':
			d = '\b'
		case 'f':
			d = '\f'
		case 'n':
			d = '\n'
		case 'r':
			d = '\r'
		case 't':
			d = '\t'
		case 'u':
			r, ok := hex4(line, i+2)
			if !ok {
				dec = append(dec, '\\')
				i++
				continue
			}
			n := 6
			if utf16.IsSurrogate(r) {
				r2, ok2 := rune(0), false
				if i+7 < len(line) && line[i+6] == '\\' && line[i+7] == 'u' {
					r2, ok2 = hex4(line, i+8)
				}
				if ok2 {
					if p := utf16.DecodeRune(r, r2); p != utf8.RuneError {
						r, n = p, 12
					} else {
						r = utf8.RuneError
					}
				} else {
					r = utf8.RuneError
				}
			}
			m := utf8.EncodeRune(enc[:], r)
			esc = append(esc, escape{at: int32(len(dec)), n: int32(m), raw: int32(i), rawEnd: int32(i + n)})
			dec = append(dec, enc[:m]...)
			i += n
			continue
		default:
			dec = append(dec, '\\')
			i++
			continue
		}
		esc = append(esc, escape{at: int32(len(dec)), n: 1, raw: int32(i), rawEnd: int32(i + 2)})
		dec = append(dec, d)
		i += 2
	}
	s.dec, s.esc = dec, esc
	return dec
}

// rawStart returns the raw offset where the decoded byte at d begins: the
// start of its escape, if it came from one.
func (s *scratch) rawStart(d int) int {
	e, ok := s.escapeAt(d)
	switch {
	case !ok:
		return d
	case d < int(e.at+e.n):
		return int(e.raw)
	}
	return d - int(e.at+e.n) + int(e.rawEnd)
}

// rawEnd returns the raw offset where the decoded bytes ending at end (>
// 0) end: the end of the escape of the last one, if it came from one.
func (s *scratch) rawEnd(end int) int {
	e, ok := s.escapeAt(end - 1)
	switch {
	case !ok:
		return end
	case end-1 < int(e.at+e.n):
		return int(e.rawEnd)
	}
	return end - int(e.at+e.n) + int(e.rawEnd)
}

// escapeAt returns the last escape that starts at or before the decoded
// offset d, if any.
func (s *scratch) escapeAt(d int) (escape, bool) {
	// the first escape starting after d
	i, _ := slices.BinarySearchFunc(s.esc, d, func(e escape, d int) int {
		if int(e.at) <= d {
			return -1
		}
		return 1
	})
	if i == 0 {
		return escape{}, false
	}
	return s.esc[i-1], true
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
