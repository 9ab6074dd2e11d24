package match

import (
	"strings"

	"github.com/iocmatch/iocmatch/internal/canon"
)

// domainTable is a hash set of canonical domain names. A candidate token
// is looked up as itself and as each suffix after a dot, but only after a
// set of the last labels ("com", "ru" …) of all indicators has accepted
// the token's last label, which rejects most tokens of a log line.
type domainTable struct {
	names  map[string]ID
	tlds   map[string]struct{}
	maxLen int
	maxTLD int // longest last label
}

// hasTLD reports whether some indicator's last label is label, in any
// case. It does not allocate.
func (d *domainTable) hasTLD(label []byte) bool {
	if len(label) > d.maxTLD {
		return false
	}
	var buf [canon.MaxDomainLen]byte
	_, ok := d.tlds[string(canon.AppendLower(buf[:0], label))]
	return ok
}

func (d *domainTable) add(id ID, name string) {
	if d.names == nil {
		d.names = make(map[string]ID)
		d.tlds = make(map[string]struct{})
	}
	d.names[name] = id
	tld := name[strings.LastIndexByte(name, '.')+1:]
	d.tlds[tld] = struct{}{}
	d.maxTLD = max(d.maxTLD, len(tld))
	d.maxLen = max(d.maxLen, len(name))
}

func (d *domainTable) empty() bool { return d.names == nil }

// each calls fn with the id of every domain entry that tok (lower case,
// at most maxDomainScan bytes: the tail of a longer token) equals or is a
// subdomain of. It does not allocate.
func (d *domainTable) each(tok []byte, fn func(ID)) {
	last := len(tok)
	for last > 0 && tok[last-1] != '.' {
		last--
	}
	if last == 0 {
		return // one label: no indicator is that short
	}
	if !d.hasTLD(tok[last:]) {
		return
	}
	if len(tok) <= d.maxLen {
		if id, ok := d.names[string(tok)]; ok {
			fn(id)
		}
	}
	for i := 0; i < last-1; i++ {
		if tok[i] != '.' {
			continue
		}
		s := tok[i+1:]
		if len(s) > d.maxLen {
			continue
		}
		if id, ok := d.names[string(s)]; ok {
			fn(id)
		}
	}
}
