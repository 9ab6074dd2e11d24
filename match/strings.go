package match

import (
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
}

func (b *stringBuilder) add(id ID, t indicator.Type, value string) {
	b.patterns = append(b.patterns, []byte(value))
	b.pats = append(b.pats, strPat{id, t})
	if t == indicator.RegKey {
		for _, h := range indicator.RegKeyHives() {
			long, short := h[0], h[1]
			if strings.HasPrefix(value, short) && (len(value) == len(short) || value[len(short)] == '\\') {
				b.patterns = append(b.patterns, []byte(long+value[len(short):]))
				b.pats = append(b.pats, strPat{id, t})
			}
		}
	}
}

func (b *stringBuilder) build() stringTable {
	if len(b.patterns) == 0 {
		return stringTable{}
	}
	return stringTable{ac: ac.Build(b.patterns), pats: b.pats}
}

func (s *stringTable) empty() bool { return s.ac == nil }
