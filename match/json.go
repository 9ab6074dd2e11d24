package match

import (
	"sync"
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
// the raw offsets of each decoded byte, and a buffer for URL keys. Scratch
// buffers are pooled so that matching does not allocate in steady state.
type scratch struct {
	dec    []byte
	starts []int32 // raw offset where decoded byte i's escape begins
	ends   []int32 // raw offset where it ends
	key    []byte
}

var scratchPool = sync.Pool{New: func() any { return new(scratch) }}

func getScratch() *scratch { return scratchPool.Get().(*scratch) }

func putScratch(s *scratch) {
	if cap(s.dec) > 1<<20 {
		s.dec, s.starts, s.ends = nil, nil, nil // do not pin huge buffers
	}
	if cap(s.key) > 1<<16 {
		s.key = nil
	}
	scratchPool.Put(s)
}

// decodeJSON decodes the JSON string escapes of line into s.dec, recording
// for every decoded byte the raw range it came from. Backslashes that do
// not start a valid escape are kept as they are.
func (s *scratch) decodeJSON(line []byte) []byte {
	s.dec, s.starts, s.ends = s.dec[:0], s.starts[:0], s.ends[:0]
	emit := func(b []byte, from, to int) {
		for _, c := range b {
			s.dec = append(s.dec, c)
			s.starts = append(s.starts, int32(from))
			s.ends = append(s.ends, int32(to))
		}
	}
	var one [1]byte
	var enc [utf8.UTFMax]byte
	for i := 0; i < len(line); {
		c := line[i]
		if c != '\\' || i+1 >= len(line) {
			one[0] = c
			emit(one[:], i, i+1)
			i++
			continue
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
				one[0] = c
				emit(one[:], i, i+1)
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
			emit(enc[:m], i, i+n)
			i += n
			continue
		default:
			one[0] = c
			emit(one[:], i, i+1)
			i++
			continue
		}
		one[0] = d
		emit(one[:], i, i+2)
		i += 2
	}
	return s.dec
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
