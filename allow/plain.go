package allow

import (
	"strings"

	"github.com/iocmatch/iocmatch/indicator"
	"github.com/iocmatch/iocmatch/internal/canon"
)

// plainList is a plain allowlist or the Zeek whitelist entries: exact
// values by type, address and CIDR containment, and for plain lists
// domains with their subdomains.
type plainList struct {
	id, kind   string
	subdomains bool // a domain entry holds its subdomains (plain lists; not Zeek)
	n          int  // entries
	nets       prefixSet
	exact      map[indicator.Type]map[string]struct{}
}

func newPlainList(id, kind string, subdomains bool) *plainList {
	return &plainList{id: id, kind: kind, subdomains: subdomains, exact: map[indicator.Type]map[string]struct{}{}}
}

func (l *plainList) add(ind indicator.Indicator) {
	l.n++
	if ind.Type.IsAddress() {
		if p, ok := canon.PrefixOf(ind.Value); ok {
			l.nets.insert(p, "")
			return
		}
	}
	m := l.exact[ind.Type]
	if m == nil {
		m = map[string]struct{}{}
		l.exact[ind.Type] = m
	}
	m[ind.Value] = struct{}{}
}

// holds reports whether the list suppresses ind.
func (l *plainList) holds(ind *indicator.Indicator) bool {
	if ind.Type.IsAddress() {
		if l.nets.empty() {
			return false
		}
		p, ok := canon.PrefixOf(ind.Value)
		if !ok {
			return false
		}
		in, _ := l.nets.covers(p)
		return in
	}
	m := l.exact[ind.Type]
	if m == nil {
		return false
	}
	if ind.Type == indicator.Domain && l.subdomains {
		for h := ind.Value; ; {
			if _, ok := m[h]; ok {
				return true
			}
			i := strings.IndexByte(h, '.')
			if i < 0 {
				return false
			}
			h = h[i+1:]
		}
	}
	_, ok := m[ind.Value]
	return ok
}
