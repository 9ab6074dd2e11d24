package match

import (
	"bytes"
	"encoding/binary"
	"math"
	"math/bits"
	"unicode/utf8"

	"github.com/iocmatch/iocmatch/indicator"
)

// DefaultPieceSize is the piece size of a LineStream made with 0.
const DefaultPieceSize = 64 << 20

// forcedOverlap is the overlap of the pieces at a forced cut, in bytes of
// a line that is not a JSON line (12 times as many on a JSON line).
const forcedOverlap = 512

// LineStream matches one line given in consecutive parts, holding about
// one piece of it (and the last part) in memory instead of the whole line:
// for lines too long to gather first. It reports what AppendMatches on the
// whole line reports, with offsets in the whole line, when the line has a
// byte that ends every URL (white space, a quote, < or >: a URL stop) at
// least every half piece:
//
//   - When more than a piece is buffered, the buffer is cut after its last
//     URL stop. No match but a string-kind one can span a URL stop, and no
//     rule looks across one, so the matches (other than string kinds) that
//     start before the cut are those of the piece before it, the others
//     those of the text after it.
//   - String kinds can span a cut: the next piece begins early enough to
//     hold the longest string-kind indicator, plus the bytes around it that
//     the boundary rules look at (twelve times as many on a JSON line,
//     where one byte can come from an escape of up to twelve), and a match
//     found in both pieces is reported once.
//   - A JSON line (one whose first byte that is not a space or a tab is
//     '{') is matched as one in every piece; no piece begins or ends inside
//     an escape or between the two escapes of a surrogate pair.
//
// A half piece without a URL stop (a hostile line: no real log has 32 MiB
// without a space or a quote) is cut at the end of the buffer (a forced
// cut, moved back out of an escape), the next piece beginning 512 bytes
// earlier (6144 on a JSON line). Every match that ends at least 2 bytes
// (24) before the cut or starts at most 256 bytes (3072) before it is
// still found, once; a longer match across the cut (a long domain token, a
// URL) may be missed, as may a URL that runs past it; and a domain or email
// match behind a run of more than 250 dots or hyphens across the cut, or a
// URL whose scheme follows as long a run of digits, '+', '.' or '-', may be
// reported from a later start.
//
// The cap on matches per line (Options.MaxMatchesPerLine) holds for the
// whole line; as the matches a piece finds again in its overlap are
// counted once only about, Finish may say a line that holds just about
// the cap was truncated. Each piece's matches are ordered as AppendMatches
// orders them; a string-kind match across a cut may come after matches of
// the piece before that start later. The piece size is at least four
// times the largest overlap: 4 × max(512, L+3) bytes for a longest string
// indicator of L bytes, twelve times that on a JSON line (2 KiB and
// 24 KiB with string indicators of up to 509 bytes).
//
// A LineStream is not safe for concurrent use; make one per goroutine.
type LineStream struct {
	m      *Matcher
	piece  int
	maxStr int // longest string-kind pattern
	unit   int // overlap at a forced cut, per raw byte of a decoded byte (forcedOverlap; tests make it small)

	buf  []byte // the line from offset base
	base int
	lo   int  // buf[lo:] is still to be matched
	done bool // Finish was called: the next call starts a new line

	json int8 // 1: a JSON line, -1: not one, 0: only spaces and tabs so far
	n    int  // bytes of the line so far

	// The next piece reports the matches of string kind that end at or
	// after strEnd, and the others that start at or after nsStart and end
	// at or after nsEnd (line offsets).
	nsStart, nsEnd, strEnd int
	slack                  int // matches the next piece finds again in its overlap
	left                   int // matches the line may still report (< 0: no cap)
	truncated              bool
	cuts, forced           int

	tmp []Match
}

// NewLineStream returns a LineStream for m that cuts lines into pieces of
// about pieceSize bytes (DefaultPieceSize, 64 MiB, when 0 or less; at least
// four times the overlap).
func (m *Matcher) NewLineStream(pieceSize int) *LineStream {
	if pieceSize <= 0 {
		pieceSize = DefaultPieceSize
	}
	ls := &LineStream{m: m, piece: pieceSize, unit: forcedOverlap, done: true}
	for i := range m.strs.ac.Len() {
		ls.maxStr = max(ls.maxStr, m.strs.ac.PatternLen(i))
	}
	return ls
}

// begin drops what the last call no longer needs, or starts a new line.
func (ls *LineStream) begin() {
	if ls.done {
		*ls = LineStream{m: ls.m, piece: ls.piece, maxStr: ls.maxStr, unit: ls.unit, buf: ls.buf[:0], tmp: ls.tmp[:0], left: ls.m.maxHit}
		return
	}
	if ls.lo > 0 {
		k := copy(ls.buf, ls.buf[ls.lo:])
		ls.buf = ls.buf[:k]
		ls.base += ls.lo
		ls.lo = 0
	}
}

// Append gives the next part of the line and appends to dst the matches
// that are known to be complete, with offsets in the line. Text gives the
// matched bytes until the next call. Append starts a new line after Finish.
func (ls *LineStream) Append(dst []Match, part []byte) []Match {
	ls.begin()
	ls.n += len(part)
	if ls.truncated {
		return dst
	}
	if ls.json == 0 {
		for _, c := range part {
			if c != ' ' && c != '\t' {
				ls.json = -1
				if c == '{' {
					ls.json = 1
				}
				break
			}
		}
	}
	ls.buf = append(ls.buf, part...)
	for !ls.truncated {
		p := ls.pieceSize()
		if len(ls.buf)-ls.lo < p {
			break
		}
		dst = ls.cut(dst, p)
	}
	return dst
}

// Finish ends the line: it appends the rest of its matches and reports
// whether the line held more than Options.MaxMatchesPerLine (then matches
// are missing). Text gives the matched bytes until the next call; the next
// Append starts a new line.
func (ls *LineStream) Finish(dst []Match) ([]Match, bool) {
	ls.begin()
	if !ls.truncated {
		dst = ls.report(dst, ls.buf[ls.lo:], ls.base+ls.lo, math.MaxInt, math.MaxInt, math.MaxInt, 0)
	}
	ls.done = true
	return dst, ls.truncated
}

// Text returns the bytes of the line that x, a match the last call
// returned, covers. They are valid until the next call.
func (ls *LineStream) Text(x Match) []byte {
	return ls.buf[x.Start-ls.base : x.End-ls.base]
}

// Len returns the number of bytes of the line given so far.
func (ls *LineStream) Len() int { return ls.n }

// Cuts returns how many times the line (so far, or the line just
// finished) was cut, and how many of those cuts were forced (no URL stop
// in the last half piece).
func (ls *LineStream) Cuts() (cuts, forced int) { return ls.cuts, ls.forced }

// grain is the most raw bytes one decoded byte of the line can come from.
func (ls *LineStream) grain() int {
	if ls.json > 0 {
		return 12 // a surrogate pair; a \u00XX escape is 6 for 1
	}
	return 1
}

// strOverlap is how far before a cut the next piece must begin for the
// string kinds.
func (ls *LineStream) strOverlap(g int) int {
	if ls.maxStr == 0 {
		return 0
	}
	return (ls.maxStr + 3) * g
}

func (ls *LineStream) pieceSize() int {
	g := ls.grain()
	return max(ls.piece, 4*max(ls.strOverlap(g), ls.unit*g))
}

// cut matches the buffered piece up to a cut, which it chooses in its
// second half, and keeps what the next piece needs.
func (ls *LineStream) cut(dst []Match, p int) []Match {
	b := ls.buf[ls.lo:]
	at := ls.base + ls.lo // line offset of b[0]
	g := ls.grain()
	c := lastStop(b, p/2) + 1
	forced := c == 0
	if forced {
		ls.forced++
		c = len(b)
		if g > 1 {
			// an escape may go on past the buffer: look 12 bytes back
			c = escapeStart(b, c-12)
		}
	}
	ls.cuts++
	C := at + c
	strLim, nsLim, urlLim := C-1, C, math.MaxInt
	if forced {
		// A URL must end before the last URL stop to be known whole.
		strLim, nsLim, urlLim = C-2*g, C-2*g, -1
	}
	dst = ls.report(dst, b[:c], at, strLim, nsLim, urlLim, p/2)

	o := ls.strOverlap(g)
	if forced {
		o = max(o, ls.unit*g)
	}
	x := max(0, c-o)
	if g > 1 && x > 0 {
		x = escapeStart(b, x)
	}
	X := at + x
	if forced {
		ls.nsStart, ls.nsEnd, ls.strEnd = X+ls.unit/2*g, C-2*g+1, C-2*g+1
	} else {
		ls.nsStart, ls.nsEnd, ls.strEnd = C, 0, C
	}
	ls.slack = 0
	for _, y := range ls.tmp {
		if y.Start+at >= X {
			ls.slack++
		}
	}
	ls.lo += x
	return dst
}

// report matches piece, which begins at line offset at, and appends the
// matches that belong to it: of string kind ending at or before strLim,
// the others ending at or before nsLim, URLs ending at or before urlLim
// (-1: at or before the last URL stop in piece[:stopsBefore], looked for
// only when the piece has a URL match).
func (ls *LineStream) report(dst []Match, piece []byte, at, strLim, nsLim, urlLim, stopsBefore int) []Match {
	limit := ls.left
	if limit >= 0 {
		limit += ls.slack
	}
	mode := ls.json
	if mode == 0 {
		mode = -1
	}
	s := scanner{m: ls.m, text: piece, dst: ls.tmp[:0], left: limit, limit: limit, jsonMode: mode}
	s.scan(piece)
	ls.tmp = s.finish(0)
	if s.truncated {
		ls.truncated = true
	}
	if urlLim < 0 {
		urlLim = at - 1
		for _, x := range ls.tmp {
			if x.Type == indicator.URL {
				urlLim = at + lastStop(piece[:stopsBefore], 0)
				break
			}
		}
	}
	for _, x := range ls.tmp {
		x.Start += at
		x.End += at
		if x.Type.IsString() {
			if x.End < ls.strEnd || x.End > strLim {
				continue
			}
		} else if x.Start < ls.nsStart || x.End < ls.nsEnd || x.End > nsLim || x.Type == indicator.URL && x.End > urlLim {
			continue
		}
		if ls.left == 0 {
			ls.truncated = true
			break
		}
		ls.left--
		dst = append(dst, x)
	}
	return dst
}

// lastStop returns the index of the last URL stop (a byte <= 0x20, a
// quote, < or >) in b[lo:], or -1. It looks at 8 bytes per step: a
// hostile line without any has a half piece of them to look at per cut.
func lastStop(b []byte, lo int) int {
	i := len(b)
	for ; i-8 >= lo; i -= 8 {
		w := binary.LittleEndian.Uint64(b[i-8:])
		low := w &^ lanes80
		// every URL stop is <= '>' or is '`' (and below 0x80)
		if (inRange(low, 0, '>')|zeroLanes(w^'`'*lanes01))&^(w&lanes80) == 0 {
			continue
		}
		m := inRange(low, 0, 0x20) | zeroLanes(w^'"'*lanes01) | zeroLanes(w^'\''*lanes01) |
			zeroLanes(w^'`'*lanes01) | zeroLanes(w^'<'*lanes01) | zeroLanes(w^'>'*lanes01)
		if m &^= w & lanes80; m != 0 {
			return i - 8 + (63-bits.LeadingZeros64(m))/8
		}
	}
	for i--; i >= lo; i-- {
		if class[b[i]]&cURLStop != 0 {
			return i
		}
	}
	return -1
}

// escapeStart returns x, or the start of the JSON escape of b that holds
// b[x] when there is one (an escape is at most 12 bytes long, and one
// that b[x] is inside of lies within b[:x+12]); b[0] does not lie inside
// an escape, and x+12 <= len(b).
func escapeStart(b []byte, x int) int {
	if bytes.IndexByte(b[max(0, x-11):x], '\\') < 0 {
		return x // no escape starts in the 11 bytes before x
	}
	// Walk the units (a byte, or an escape) from b[0], as decodeJSON does.
	var u [utf8.UTFMax]byte
	for i := 0; i < x; {
		k := bytes.IndexByte(b[i:x], '\\')
		if k < 0 {
			break
		}
		i += k
		_, n := unit(b, i, &u)
		if i+n > x {
			return i
		}
		i += n
	}
	return x
}
