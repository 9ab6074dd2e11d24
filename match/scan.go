package match

import (
	"bytes"
	"cmp"
	"encoding/binary"
	"math/bits"
	"net/netip"
	"slices"

	"github.com/iocmatch/iocmatch/indicator"
	"github.com/iocmatch/iocmatch/internal/canon"
)

// AppendMatches appends to dst every match in line, following the
// free-text rules of the package doc, and returns the extended slice. The
// matches appended are ordered by start offset, then end, type and ID.
// At most Options.MaxMatchesPerLine are appended (see
// AppendMatchesTruncated).
//
// It does not allocate when nothing matches, nor when dst has room for the
// matches.
func (m *Matcher) AppendMatches(dst []Match, line []byte) []Match {
	dst, _ = m.AppendMatchesTruncated(dst, line)
	return dst
}

// AppendMatchesTruncated is AppendMatches that also reports whether the
// line held more matches than Options.MaxMatchesPerLine: then the scan
// stopped at the cap and the matches appended (at most the cap) are the
// first ones it found, which are not always those of the lowest offsets:
// the rules run one after the other (addresses, domains and URLs, then
// hashes, emails, string kinds), each from the start of the line to its
// end. The cap counts distinct matches: a match found twice (in a JSON
// line, two occurrences inside one escape) counts once.
func (m *Matcher) AppendMatchesTruncated(dst []Match, line []byte) ([]Match, bool) {
	s := scanner{m: m, text: line, dst: dst, left: m.maxHit, limit: m.maxHit, n0: len(dst)}
	s.scan(line)
	return s.finish(len(dst)), s.truncated
}

// finish sorts the matches appended since n0 and drops duplicates.
func (s *scanner) finish(n0 int) []Match {
	dst := s.dst
	if len(dst)-n0 > 1 {
		out := dst[n0:]
		slices.SortFunc(out, compareMatch)
		dst = dst[:n0+len(slices.Compact(out))]
	}
	return dst
}

// Contains reports whether anything in line matches. It stops at the first
// match and does not allocate.
func (m *Matcher) Contains(line []byte) bool {
	s := scanner{m: m, text: line, contains: true}
	s.scan(line)
	return s.found
}

func compareMatch(a, b Match) int {
	if c := cmp.Compare(a.Start, b.Start); c != 0 {
		return c
	}
	if c := cmp.Compare(a.End, b.End); c != 0 {
		return c
	}
	if c := cmp.Compare(a.Type, b.Type); c != 0 {
		return c
	}
	return cmp.Compare(a.ID, b.ID)
}

// scanner is the state of one AppendMatches call; it lives on the stack.
type scanner struct {
	m    *Matcher
	text []byte
	dst  []Match
	sc   *scratch // nil until a JSON line or a URL key needs one
	now  int64    // unix nanoseconds, read on the first hit that needs it

	contains bool // only report whether anything matches: found
	found    bool
	jsonMode int8 // 0: a JSON line if isJSONLine; 1: JSON, -1: not (a piece of a line, see LineStream)

	// left is how many more matches may be appended (< 0: no cap); when a
	// match is found with none left, truncated is set.
	left      int
	limit     int // the cap (< 0: none), and the matches appended since n0 count against it
	n0        int
	truncated bool

	line    []byte // the line given to scan
	decoded bool   // text is line's JSON decoding: offsets are mapped back to line
	mapped  int    // dst[:mapped] have offsets in line
	stop    bool   // found with contains, or truncated: the scan is over
	strOuts int    // occurrences the string-kind automaton reported (for tests)

	// URL end cache: for start positions up to termAt, the first
	// terminator at or after them is termAt, and the URL ends at urlEnd
	// (termAt with trailing punctuation cut).
	termAt, urlEnd int
	urlStart       int // start of the last URL checked

	// traceToken, when not nil (in tests), is called with every token
	// the token pass visits, as token is.
	traceToken func(i, j int, f uint32, colons, dots int)
}

func (s *scanner) emit(id ID, start, end int) {
	if !s.m.validAt(id, &s.now) {
		return
	}
	s.found = true
	if s.contains {
		s.stop = true
		return
	}
	x := Match{ID: id, Type: s.m.ents[id].typ, Start: start, End: end}
	if s.left == 0 && !s.room(x) {
		return
	}
	s.left--
	s.dst = append(s.dst, x)
}

// room is called when a match x is found with the cap reached: it drops
// the matches found twice (in a JSON line, two occurrences in the decoded
// text, inside one escape, are one range of the line), so that the cap
// counts distinct matches, and reports whether x is to be appended. Past
// the cap it sets truncated and stop, keeping the cap's number of matches
// (the lowest offsets of those found, as found twice). After a compaction
// that made room, matches may be appended up to twice the cap before the
// next, so that the sorting is amortized over as many matches as it
// sorts. A duplicate x is dropped (false) without ending the scan.
func (s *scanner) room(x Match) bool {
	s.mapRaw()
	out := s.dst[s.n0:]
	slices.SortFunc(out, compareMatch)
	out = slices.Compact(out)
	s.dst = s.dst[:s.n0+len(out)]
	s.mapped = len(s.dst)
	if len(out) < s.limit {
		s.left = 2*s.limit - len(out)
		return true
	}
	if s.decoded {
		x.Start, x.End = s.sc.rawStart(s.line, x.Start), s.sc.rawEnd(s.line, x.End)
	}
	if _, dup := slices.BinarySearchFunc(out, x, compareMatch); dup && len(out) == s.limit {
		s.left = 0
		return false
	}
	s.dst = s.dst[:s.n0+s.limit]
	s.mapped = len(s.dst)
	s.truncated, s.stop = true, true
	return false
}

// mapRaw maps the offsets of the matches not mapped yet from the decoded
// text of a JSON line back to the line.
func (s *scanner) mapRaw() {
	if s.decoded {
		for i := s.mapped; i < len(s.dst); i++ {
			s.dst[i].Start = s.sc.rawStart(s.line, s.dst[i].Start)
			s.dst[i].End = s.sc.rawEnd(s.line, s.dst[i].End)
		}
	}
	s.mapped = len(s.dst)
}

// scan runs every rule on line (decoded first if it is a JSON line with
// escapes) and maps the offsets of what it found back to line.
func (s *scanner) scan(line []byte) {
	s.mapped, s.line = len(s.dst), line
	if s.limit == 0 {
		s.limit = s.left // a scanner made with left only
	}
	json := s.jsonMode > 0 || s.jsonMode == 0 && isJSONLine(line)
	s.decoded = json && bytes.IndexByte(line, '\\') >= 0
	if s.decoded {
		s.sc = getScratch()
		s.text = s.sc.decodeJSON(line)
	}
	s.run()
	s.mapRaw()
	if s.limit > 0 && !s.truncated && len(s.dst)-s.n0 > s.limit {
		// matches appended past the cap after a compaction (see room):
		// the line had more than the cap if more than it are distinct
		out := s.dst[s.n0:]
		slices.SortFunc(out, compareMatch)
		out = slices.Compact(out)
		if len(out) > s.limit {
			out, s.truncated = out[:s.limit], true
		}
		s.dst = s.dst[:s.n0+len(out)]
	}
	if s.sc != nil {
		putScratch(s.sc)
		s.sc = nil
	}
}

func (s *scanner) run() {
	m := s.m
	s.tokens()
	if s.stop {
		return
	}
	if m.emails != nil {
		s.emails()
	}
	if s.stop {
		return
	}
	if !m.strs.empty() {
		s.strings()
	}
}

// tokens finds addresses, domains and scheme-less URLs in the maximal runs
// of token bytes [A-Za-z0-9_.:-] that hold a '.' or a ':' (every IPv4
// address, domain and URL host has a dot, every IPv6 address a colon),
// found in the masks of the classification front end (see classify), so
// that the bytes of other words are not looked at one by one; a token that
// ends in ':' before "//" is also where a URL with a scheme is; then hashes
// (see hexRuns). Every maximal run of address bytes [0-9A-Fa-f:.] and
// every maximal run of host bytes [A-Za-z0-9_.-] lies inside one token;
// the classes of a token's bytes, OR-ed together, tell which of them can
// be there at all.
func (s *scanner) tokens() {
	m := s.m
	hexFrom := 0
	if !m.addrs.empty() || !m.domains.empty() || !m.urls.empty() {
		s.termAt, s.urlEnd = -1, -1
		hexFrom = s.tokenPass(m.hashes.n > 0)
	}
	if m.hashes.n > 0 && !s.stop && hexFrom >= 0 {
		s.hexRuns(hexFrom)
	}
}

// tokenPass visits, in order, every token that holds a '.' or a ':', one
// chunk of masks at a time. With hex, it also returns where hexRuns is to
// start: the first 16-byte block at a multiple of 16 made of hex digits
// only, or -1 when there is none.
func (s *scanner) tokenPass(hex bool) int {
	text := s.text
	n := len(text)
	hexFrom := -1
	// the chunk's masks between two blocks with no token byte: the
	// windows of 64 bits around a separator (see chunkToken) need no
	// test at the chunk's edges
	var pad paddedMasks
	cm := (*chunkMasks)(pad[1 : chunkBlocks+1])
	done := 0 // the tokens before done have been visited
	for base := 0; base < n; base += chunkLen {
		end := min(base+chunkLen, n)
		if done >= end && !(hex && hexFrom < 0) {
			continue // inside a long token: no separator to visit
		}
		nb := classify(cm, text, base, end)
		pad[nb+1] = blockMasks{}
		if hex && hexFrom < 0 {
			hexFrom = firstHexBlock(cm, nb, base)
		}
		for b := 0; b < nb; b++ {
			off := base + b*64
			if done >= off+64 {
				continue
			}
			seps := cm[b].dot | cm[b].colon
			if done > off {
				seps &= ^uint64(0) << uint(done-off)
			}
			for seps != 0 {
				j := s.chunkToken(&pad, nb, base, off+bits.TrailingZeros64(seps))
				if s.stop {
					return -1
				}
				done = j
				if j >= off+64 {
					break
				}
				seps &= ^uint64(0) << uint(j-off)
			}
		}
	}
	return hexFrom
}

// chunkToken visits the token around the separator text[p], in the chunk
// at base whose nb blocks of masks are cm, and returns its end. text[p] is
// the token's first separator: the bytes between the token visited before
// and p have none. A token that reaches past the chunk is extended byte by
// byte (once: the tokens are maximal and visited in order).
func (s *scanner) chunkToken(pad *paddedMasks, nb, base, p int) int {
	text := s.text
	k := p - base
	chunkEnd := base + nb*64
	{
		// The common case: the token within 63 bytes of p on either side
		// and inside the chunk, found in 64-bit windows of the masks
		// from p on (the end) and up to p (the start), without a branch
		// on where the blocks end.
		b, sh := k>>6, uint(k&63)
		prev, cur, next := &pad[b], &pad[b+1], &pad[b+2]
		e := bits.TrailingZeros64(^(cur.tok>>sh | next.tok<<(64-sh))) // bytes from p to the end
		j := p + e
		if e < 64 && (j < chunkEnd || j == len(text)) {
			rF := uint64(1)<<uint(e) - 1
			colon := (cur.colon>>sh | next.colon<<(64-sh)) & rF
			dot := (cur.dot>>sh | next.dot<<(64-sh)) & rF
			// Most tokens without a dot ("key:", "hh:mm:ss") give token
			// nothing to do (see below): their start and classes are
			// not needed.
			if idleToken(colon, dot) && s.traceToken == nil {
				if colon>>uint(e-1)&1 != 0 { // ends in ':'
					s.schemeAt(j)
				}
				return j
			}
			l := bits.LeadingZeros64(^(cur.tok<<(64-sh) | prev.tok>>sh)) // bytes before p
			i := p - l
			if l < 64 && (i > base || base == 0 || class[text[base-1]]&cTok == 0) {
				rB := ^uint64(0) << uint(64-l) // [i, p): no separator there
				digit := (cur.digit>>sh|next.digit<<(64-sh))&rF | (cur.digit<<(64-sh)|prev.digit>>sh)&rB
				alpha := (cur.alpha>>sh|next.alpha<<(64-sh))&rF | (cur.alpha<<(64-sh)|prev.alpha>>sh)&rB
				notAddr := rF&^((cur.hex>>sh|next.hex<<(64-sh))|colon|dot) | rB&^(cur.hex<<(64-sh)|prev.hex>>sh)
				f := maskFlags(digit, alpha, notAddr, colon, dot, colon&(colon>>1))
				s.visit(i, j, f, bits.OnesCount64(colon), bits.OnesCount64(dot))
				return j
			}
		}
	}
	// Otherwise: block by block, and byte by byte past the chunk.
	cm := (*chunkMasks)(pad[1 : chunkBlocks+1])
	// The end: the first byte after p that is not a token byte (the
	// masks of a last, partial block have none past the text's end).
	b := k >> 6
	j := chunkEnd
	for z := ^cm[b].tok & (^uint64(0) << uint(k&63)); ; z = ^cm[b].tok {
		if z != 0 {
			j = base + b*64 + bits.TrailingZeros64(z)
			break
		}
		if b++; b == nb {
			break
		}
	}
	inside := true
	if j == chunkEnd {
		for j < len(text) && class[text[j]]&cTok != 0 {
			j++
			inside = false
		}
	}
	one := inside && k>>6 == (j-1-base)>>6 // p to the end in one block
	var r, colon, dot uint64               // with one: the bytes [p, j) of the block
	if one {
		bm := &cm[k>>6]
		r = ^uint64(0) << uint(k&63) & (^uint64(0) >> uint(63-(j-1-base)&63))
		colon, dot = bm.colon&r, bm.dot&r
		// Most tokens without a dot ("key:", "hh:mm:ss") give token
		// nothing to do (see below): their start and classes are not
		// needed.
		if idleToken(colon, dot) && s.traceToken == nil {
			if colon>>uint((j-1-base)&63)&1 != 0 { // ends in ':'
				s.schemeAt(j)
			}
			return j
		}
	}
	// The start: the last byte below p that is not a token byte.
	b = k >> 6
	i := -1
	for z := ^cm[b].tok & (uint64(1)<<uint(k&63) - 1); ; z = ^cm[b].tok {
		if z != 0 {
			i = base + b*64 + 64 - bits.LeadingZeros64(z)
			break
		}
		if b == 0 {
			break
		}
		b--
	}
	if i < 0 {
		i = base
		for i > 0 && class[text[i-1]]&cTok != 0 {
			i--
			inside = false
		}
	}
	var f uint32
	var colons, dots int
	if li := i - base; one && inside && li>>6 == k>>6 {
		// one block: the common case; [i, p) holds no separator
		bm := &cm[li>>6]
		r |= ^uint64(0) << uint(li&63) & (uint64(1)<<uint(k&63) - 1)
		colons, dots = bits.OnesCount64(colon), bits.OnesCount64(dot)
		f = maskFlags(bm.digit&r, bm.alpha&r, r&^(bm.hex|bm.dot|bm.colon), colon, dot, colon&(colon>>1))
	} else if inside {
		f, colons, dots = maskClasses(cm, i-base, j-base)
	} else {
		var seps uint64
		for _, c := range text[i:j] {
			f |= class[c]
			seps += sepCount[c]
		}
		f &= tokenClasses
		if bytes.Contains(text[i:j], []byte("::")) {
			f |= fColonPair
		}
		colons, dots = int(seps&0xffffffff), int(seps>>32)
	}
	s.visit(i, j, f, colons, dots)
	return j
}

// visit hands the token text[i:j] of classes f (with fColonPair) to
// token when it may hold something, and checks for a URL with a scheme
// at its end.
func (s *scanner) visit(i, j int, f uint32, colons, dots int) {
	if s.traceToken != nil {
		s.traceToken(i, j, f, colons, dots)
	}
	// A token without a dot holds no domain nor host, and no address
	// unless it can be an IPv6 one (see token): most "key:" and "hh:mm:ss".
	if dots > 0 || colons >= 6 || f&fColonPair != 0 {
		s.token(i, j, f, colons, dots)
	}
	if f&cColon != 0 {
		s.schemeAt(j)
	}
}

// idleToken reports whether a token with the colon and dot masks given
// (of all its bytes from its separator on) gives token nothing to do: no
// dot, no "::", fewer than six colons (visit's test).
func idleToken(colon, dot uint64) bool {
	return dot == 0 && colon&(colon>>1) == 0 && bits.OnesCount64(colon) < 6
}

// maskFlags returns the classes given to token for a token whose bytes
// have the digit, letter, not-address, colon and dot masks given (only
// whether each is empty counts), with fColonPair when pair (two colons
// in a row) is not empty.
func maskFlags(digit, alpha, notAddr, colon, dot, pair uint64) uint32 {
	var f uint32
	if digit != 0 {
		f |= cDigit
	}
	if alpha != 0 {
		f |= cAlpha
	}
	if notAddr != 0 {
		f |= cNotAddr
	}
	if colon != 0 {
		f |= cColon
	}
	if dot != 0 {
		f |= cDot
	}
	if pair != 0 {
		f |= fColonPair
	}
	return f
}

// schemeAt checks for a URL with a scheme at the end j of a token: every
// "://" ends a token (':' is a token byte, '/' is not).
func (s *scanner) schemeAt(j int) {
	text := s.text
	if j+1 < len(text) && text[j-1] == ':' && text[j] == '/' && text[j+1] == '/' && !s.m.urls.empty() {
		s.schemeURL(j - 1)
	}
}

// tokenClasses are the classes of a token's bytes that token reads.
const tokenClasses = cDigit | cAlpha | cNotAddr | cColon | cDot

// fColonPair is set in the classes given to token when the token holds
// "::" (it is no byte class).
const fColonPair = 1 << 31

// maskClasses returns the classes cDigit, cAlpha, cNotAddr, cColon and
// cDot (tokenClasses) of the token bytes [i, j) of the chunk of masks cm,
// OR-ed, with fColonPair when it holds "::", and its colons and dots.
func maskClasses(cm *chunkMasks, i, j int) (f uint32, colons, dots int) {
	var digit, alpha, notAddr, colon, dot, pair, top uint64
	last := (j - 1) >> 6
	for b := i >> 6; b <= last; b++ {
		r := ^uint64(0)
		if b == i>>6 {
			r <<= uint(i & 63)
		}
		if b == last {
			r &= ^uint64(0) >> uint(63-(j-1)&63)
		}
		bm := &cm[b]
		digit |= bm.digit & r
		alpha |= bm.alpha & r
		notAddr |= r &^ (bm.hex | bm.dot | bm.colon) // token bytes: r is inside bm.tok
		c, d := bm.colon&r, bm.dot&r
		colon |= c
		dot |= d
		pair |= c&(c>>1) | c&top // top: the last byte of the block before was a colon
		top = c >> 63
		colons += bits.OnesCount64(c)
		dots += bits.OnesCount64(d)
	}
	return maskFlags(digit, alpha, notAddr, colon, dot, pair), colons, dots
}

// sepCount counts the colons (low 32 bits) and dots (high 32 bits) of a
// token when summed over its bytes.
var sepCount = func() (t [256]uint64) {
	t[':'], t['.'] = 1, 1<<32
	return t
}()

// token looks for addresses, domains and scheme-less URLs in the maximal
// run of token bytes text[i:j], whose byte classes OR-ed are f (with
// fColonPair when it holds "::") and which has the colons and dots given.
func (s *scanner) token(i, j int, f uint32, colons, dots int) {
	text := s.text
	// IPv4 needs digits and three dots, IPv6 "::" or six colons (see
	// addrRun): runs inside a token with neither are not tried.
	quad := dots >= 3 && f&cDigit != 0
	v6 := colons >= 6 || f&fColonPair != 0
	if !s.m.addrs.empty() && (v6 || quad) {
		if colons == 0 && f&(cAlpha|cNotAddr) == 0 {
			s.ipv4Run(i, j) // digits and dots only: one [0-9.] run
		} else if f&cNotAddr == 0 {
			s.addrRun(i, j, v6, quad)
		} else {
			for a := i; a < j; {
				if !is(text[a], cAddr) {
					a++
					continue
				}
				b := runEnd(text, a, j, cAddr)
				s.addrRun(a, b, v6, quad)
				a = b
			}
		}
	}
	if s.m.domains.empty() && s.m.urls.empty() {
		return
	}
	if f&cColon == 0 {
		// A domain's last label has a letter or '_' or '-' (it is not all
		// digits); a token without any has no domain, only perhaps a
		// dotted quad starting a scheme-less URL.
		s.hostRun(i, j, f&cDot != 0 && f&(cAlpha|cNotAddr) != 0)
		return
	}
	if dots == 0 {
		return // no host with a dot between the colons
	}
	for a := i; a < j; {
		if text[a] == ':' {
			a++
			continue
		}
		b := a + 1
		c := class[text[a]]
		for b < j && text[b] != ':' {
			c |= class[text[b]]
			b++
		}
		if c&cDot != 0 {
			// as for a token without colons: a host with a dot and a
			// letter, '_' or '-' (its last label is not all digits)
			s.hostRun(a, b, c&(cAlpha|cNotAddr) != 0)
		}
		a = b
	}
}

// hexRuns finds the maximal runs of at least 32 hex digits and looks for
// hashes in them, from the 16-byte block at from (a multiple of 16 at or
// before the first such run). Such a run covers a whole 16-byte block at
// an offset that is a multiple of 16: only those blocks are looked at
// first, 8 bytes per step (allHex), so text without long hex runs costs
// about one step per 16 bytes, and no byte is looked at more than a few
// times whatever the text.
func (s *scanner) hexRuns(from int) {
	text := s.text
	n := len(text)
	for k := from; k+16 <= n; k += 16 {
		if !allHex(binary.LittleEndian.Uint64(text[k:])) || !allHex(binary.LittleEndian.Uint64(text[k+8:])) {
			continue
		}
		a, b := k, k+16
		for a > 0 && class[text[a-1]]&cHex != 0 {
			a--
		}
		for b < n && class[text[b]]&cHex != 0 {
			b++
		}
		if b-a >= 32 {
			s.hashes(a, b)
			if s.stop {
				return
			}
		}
		k = b / 16 * 16 // the next block is the first after the run
	}
}

// addrRun looks for addresses in the maximal run of address bytes
// text[i:j]; colon is false when the run surely has no IPv6 address
// (neither "::" nor six colons), quad when it surely has no dotted quad.
func (s *scanner) addrRun(i, j int, colon, quad bool) {
	text := s.text
	if !s.m.addrs.empty() {
		// An IPv6 token has "::" or at least six colons (seven, or six
		// and an IPv4 tail): "10:00:01" is not tried.
		if colon {
			if k := bytes.IndexByte(text[i:j], ':'); k >= 0 {
				colons, double := 0, false
				for k += i; k < j; k++ {
					if text[k] == ':' {
						colons++
						double = double || (k > i && text[k-1] == ':')
					}
				}
				// at most 8 colons in an address ("1:2:3:4:5:6:7::"), 9
				// with a trailing one cut off: a MAC address list is not
				// parsed
				if (double || colons >= 6) && colons <= 9 && s.ipv6(i, j) {
					return
				}
			}
		}
		if quad && j-i >= 7 {
			s.ipv4s(i, j)
		}
	}
}

// hostRun looks for a domain (when the run has a dot) and a scheme-less
// URL starting with the maximal run of host bytes text[i:j].
func (s *scanner) hostRun(i, j int, dot bool) {
	if dot && !s.m.domains.empty() {
		s.domain(i, j)
	}
	if j < len(s.text) && (s.text[j] == '/' || s.text[j] == ':') && !s.m.urls.empty() {
		s.schemelessURL(i, j)
	}
}

// ipv6 tries the run text[i:j] as an IPv6 token and reports whether it was
// one.
func (s *scanner) ipv6(i, j int) bool {
	text := s.text
	if at(text, i-1, cWord) {
		return false
	}
	end, after := j, j
	if j < len(text) && text[j] == '%' {
		k := j + 1
		for k < len(text) && is(text[k], cZone) {
			k++
		}
		if k > j+1 {
			after = k // a '%' without a zone is not part of the address
		}
	}
	if at(text, after, cWord) {
		return false
	}
	ip, ok := canon.ParseIPv6(text[i:end])
	if !ok && after == end && (text[end-1] == '.' || text[end-1] == ':') {
		end--
		after = end
		ip, ok = canon.ParseIPv6(text[i:end])
	}
	if !ok {
		return false
	}
	s.addr(netip.AddrFrom16(ip).Unmap(), i, after)
	return true
}

// ipv4s looks for dotted quads in the maximal [0-9.] runs inside the
// address run text[i:j].
func (s *scanner) ipv4s(i, j int) {
	text := s.text
	for a := i; a < j; {
		if !is(text[a], cDigDot) {
			a++
			continue
		}
		b := runEnd(text, a, j, cDigDot)
		s.ipv4Run(a, b)
		a = b
	}
}

// ipv4Run looks for a dotted quad in the maximal [0-9.] run text[a:b].
func (s *scanner) ipv4Run(a, b int) {
	text := s.text
	if b-a >= 7 && !at(text, a-1, cWord) {
		q := b
		if text[q-1] == '.' {
			q--
		}
		if ip, ok := parseQuad(text[a:q]); ok && !at(text, b, cWord) {
			s.addr(netip.AddrFrom4(ip), a, q)
		}
	}
}

// runEnd returns the end of the run of bytes with one of bits that starts
// at text[a] (which has them), stopping at j.
func runEnd(text []byte, a, j int, bits uint32) int {
	b := a + 1
	for b < j && is(text[b], bits) {
		b++
	}
	return b
}

func (s *scanner) addr(a netip.Addr, start, end int) {
	id, ok, cidrs := s.m.addrs.find(a)
	if ok {
		s.emit(id, start, end)
	}
	for _, id := range cidrs {
		s.emit(id, start, end)
	}
}

// hashes looks for hex runs of digest length in the address run text[i:j].
func (s *scanner) hashes(i, j int) {
	text := s.text
	for a := i; a < j; {
		if !is(text[a], cHex) {
			a++
			continue
		}
		b := runEnd(text, a, j, cHex)
		if n := b - a; (n == 32 || n == 40 || n == 64 || n == 128) &&
			!at(text, a-1, cWord) && !at(text, b, cWord) {
			if id, ok := s.m.hashes.lookup(text[a:b]); ok {
				s.emit(id, a, b)
			}
		}
		a = b
	}
}

func (s *scanner) domain(i, j int) {
	text := s.text
	for i < j && (text[i] == '.' || text[i] == '-') {
		i++
	}
	for j > i && (text[j-1] == '.' || text[j-1] == '-') {
		j--
	}
	if j-i < 3 {
		return
	}
	// Most dotted tokens of a log line ("app.js", "10.0.0.1") end in a
	// label no indicator ends in: reject them before anything else.
	// the last label, found from the end: it is short, where a call of
	// bytes.LastIndexByte costs more than the loop
	k := j - 1
	for k >= i && text[k] != '.' {
		k--
	}
	if k < i || !s.m.domains.hasTLD(text[k+1:j]) {
		return
	}
	// Only suffixes up to the longest indicator can match: look at that
	// many bytes and the dot before them.
	from := max(i, j-s.m.domains.maxLen-1)
	var buf [canon.MaxDomainLen + 1]byte
	tok := buf[:0]
	for _, c := range text[from:j] {
		tok = append(tok, canon.LowerTable[c])
	}
	s.m.domains.each(tok, func(id ID) { s.emit(id, i, j) })
}

func (s *scanner) schemelessURL(i, j int) {
	text := s.text
	if i > 0 && (text[i-1] == '/' || text[i-1] == '\\' || text[i-1] == '@') {
		return
	}
	k := j
	if k < len(text) && text[k] == ':' {
		k++
		for k < len(text) && canon.IsDigit(text[k]) {
			k++
		}
		if k == j+1 {
			return
		}
	}
	if k >= len(text) || text[k] != '/' {
		return
	}
	host := text[i:j]
	if _, ok := canon.ParseIPv4(host); !ok {
		if len(host) > canon.MaxDomainLen {
			return
		}
		var buf [canon.MaxDomainLen]byte
		if !canon.ValidDomain(canon.AppendLower(buf[:0], host)) {
			return
		}
	}
	s.url(i, k)
}

// schemeURL checks the URL whose "://" is at text[k].
func (s *scanner) schemeURL(k int) {
	text := s.text
	start := k
	for start > 0 && canon.IsSchemeChar(text[start-1]) {
		start--
	}
	for start < k && canon.Class[text[start]]&(canon.Lower|canon.Upper) == 0 {
		start++ // the scheme starts at its first letter
	}
	if start == k {
		return
	}
	// the authority ends at the first '/', '?' or '#' after "://"
	a := k + 3
	for a < len(text) && text[a] != '/' && text[a] != '?' && text[a] != '#' && !is(text[a], cURLStop) {
		a++
	}
	s.url(start, a)
}

// url checks the URL that starts at text[start] and whose authority ends
// at text[authEnd].
func (s *scanner) url(start, authEnd int) {
	text := s.text
	if start > s.termAt || start < s.urlStart {
		t := start
		for t < len(text) && !is(text[t], cURLStop) {
			t++
		}
		e := t
		for e > start && is(text[e-1], cURLTail) {
			e--
		}
		s.termAt, s.urlEnd = t, e
	}
	s.urlStart = start
	end := s.urlEnd
	if end <= start {
		return
	}
	u := &s.m.urls
	// The host, found as SplitURL finds it, must be some key's.
	a := text[start:min(authEnd, end)]
	if k := canon.SchemeEnd(a); k >= 0 {
		a = a[k+3:]
	}
	if k := bytes.LastIndexByte(a, '@'); k >= 0 {
		a = a[k+1:]
	}
	if len(a) > 0 && a[0] != '[' {
		if k := bytes.LastIndexByte(a, ':'); k >= 0 {
			a = a[:k]
		}
		if !u.mayHaveHost(a) {
			return
		}
	}
	// Keys longer than the longest indicator cannot match: parsing a
	// bounded prefix keeps the work per URL bounded.
	tok := text[start:min(end, authEnd+u.maxLen+2)]
	p, ok := canon.SplitURL(tok)
	if !ok {
		return
	}
	if s.sc == nil {
		s.sc = getScratch()
	}
	key := canon.AppendURLKey(s.sc.key[:0], p)
	if len(key) <= u.maxLen {
		emit := func(id ID) { s.emit(id, start, end) }
		u.each(u.noQuery, key, emit)
		if p.HasQuery && len(p.Query) > 0 && len(key)+1+len(p.Query) <= u.maxLen {
			key = append(key, '?')
			key = append(key, p.Query...)
			u.each(u.withQuery, key, emit)
		}
	}
	s.sc.key = key
}

// emails finds local@domain at every '@'.
func (s *scanner) emails() {
	text := s.text
	for p := 0; !s.stop; {
		k := bytes.IndexByte(text[p:], '@')
		if k < 0 {
			return
		}
		k += p
		p = k + 1
		ls := k
		for ls > 0 && is(text[ls-1], cLocal) {
			ls--
		}
		for ls < k && text[ls] == '.' {
			ls++
		}
		de := k + 1
		for de < len(text) && is(text[de], cHost) {
			de++
		}
		ds := k + 1
		for ds < de && (text[ds] == '.' || text[ds] == '-') {
			ds++
		}
		for de > ds && (text[de-1] == '.' || text[de-1] == '-') {
			de--
		}
		n := (k - ls) + 1 + (de - ds)
		if ls == k || ds == de || n > 320 {
			continue
		}
		var buf [320]byte
		key := canon.AppendLower(buf[:0], text[ls:k])
		key = append(key, '@')
		key = canon.AppendLower(key, text[ds:de])
		if id, ok := s.m.emails[string(key)]; ok {
			s.emit(id, ls, de)
		}
	}
}

// strings runs the string-kind automaton and applies each kind's
// boundary rule. The automaton does not hand over filename and regkey
// occurrences whose end fails the rule (see strGate).
func (s *scanner) strings() {
	text := s.text
	st := &s.m.strs
	st.ac.ScanGated(text, strGate, func(p, end int) bool {
		s.strOuts++
		start := end - st.ac.PatternLen(p)
		sp := st.pats[p]
		if stringBoundary(text, sp.t, start, end) {
			s.emit(sp.id, start, end)
		}
		return !s.stop
	})
}

// stringBoundary applies the boundary rule of kind t to the occurrence
// text[start:end].
func stringBoundary(text []byte, t indicator.Type, start, end int) bool {
	switch t {
	case indicator.Filename:
		if at(text, start-1, cName) {
			return false
		}
		if end < len(text) && is(text[end], cName) {
			return text[end] == '.' && !at(text, end+1, cName)
		}
	case indicator.RegKey:
		if at(text, start-1, cWord) {
			return false
		}
		return end == len(text) || is(text[end], cKeyEnd)
	}
	return true
}
