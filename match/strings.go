package match

import (
	"fmt"
	"strings"

	"github.com/iocmatch/iocmatch/indicator"
	"github.com/iocmatch/iocmatch/match/internal/ac"
)

// stringTable finds string-kind entries with one Aho-Corasick automaton;
// pats maps each automaton pattern to its entry. A registry key written
// with a hive is entered twice, with the short and the long hive name.
type stringTable struct {
	ac   *ac.Automaton
	pats []strPat
}

type strPat struct {
	id ID
	t  indicator.Type
}

type stringBuilder struct {
	patterns [][]byte
	pats     []strPat
	levels   []uint8 // gate level of each pattern, see strGate
}

// Gate levels of the string kinds' patterns (ac.BuildGated): the end half
// of the filename and regkey boundary rules (stringBoundary) depends only
// on the end position, so the automaton skips the occurrences of those
// kinds at an end where it fails, without handing them over. A regkey's
// end (the end of the text or a key-end byte after it) is also a
// filename's (key-end bytes are not name bytes), so the levels nest: the
// other kinds 0 (everywhere), filename 1, regkey 2.
func stringLevel(t indicator.Type) uint8 {
	switch t {
	case indicator.Filename:
		return 1
	case indicator.RegKey:
		return 2
	}
	return 0
}

// strGate gives an end position level 2 where a registry key may end
// there (and so a file name), 1 where only a file name may (a byte that is
// not a name byte follows, or a '.' followed by none), 0 elsewhere; at the
// end of the text, 2.
var strGate = func() *ac.Gate {
	g := &ac.Gate{End: 2}
	for c := range 256 {
		switch {
		case is(byte(c), cKeyEnd):
			g.At[c] = 2
		case !is(byte(c), cName):
			g.At[c] = 1
		}
	}
	g.Pair['.'] = 1
	return g
}()

// hives are the registry hives, long name and abbreviation.
var hives = indicator.RegKeyHives()

// regKeyHive returns the hive the registry key value (canonical: a hive
// is abbreviated) starts with, long name and abbreviation, if any.
func regKeyHive(value string) (long, short string, ok bool) {
	for _, h := range hives {
		long, short := h[0], h[1]
		if strings.HasPrefix(value, short) && (len(value) == len(short) || value[len(short)] == '\\') {
			return long, short, true
		}
	}
	return "", "", false
}

// regKeyLong returns the registry key value written with the long hive
// name, if it starts with a hive.
func regKeyLong(value string) (string, bool) {
	long, short, ok := regKeyHive(value)
	if !ok {
		return "", false
	}
	return long + value[len(short):], true
}

// stringBytes returns the bytes the automaton's patterns take for the
// string-kind entry (t, value): a registry key with a hive counts twice,
// once with its long name.
func stringBytes(t indicator.Type, value string) int {
	n := len(value)
	if t == indicator.RegKey {
		if long, short, ok := regKeyHive(value); ok {
			n += len(value) - len(short) + len(long)
		}
	}
	return n
}

func (b *stringBuilder) add(id ID, t indicator.Type, value string) {
	b.patterns = append(b.patterns, []byte(value))
	b.pats = append(b.pats, strPat{id, t})
	b.levels = append(b.levels, stringLevel(t))
	if t == indicator.RegKey {
		if long, ok := regKeyLong(value); ok {
			b.patterns = append(b.patterns, []byte(long))
			b.pats = append(b.pats, strPat{id, t})
			b.levels = append(b.levels, stringLevel(t))
		}
	}
}

// build compiles the automaton. Compile has kept the patterns within
// MaxStringBytes (and there are at most two per entry, far below
// ac.MaxPatterns); an error from ac.Build is returned all the same.
func (b *stringBuilder) build() (stringTable, error) {
	if len(b.patterns) == 0 {
		return stringTable{}, nil
	}
	a, err := ac.BuildGated(b.patterns, b.levels)
	if err != nil {
		return stringTable{}, fmt.Errorf("match: string kinds: %w", err)
	}
	return stringTable{ac: a, pats: b.pats}, nil
}

func (s *stringTable) empty() bool { return s.ac == nil }
