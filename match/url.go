package match

import (
	"strings"

	"github.com/iocmatch/iocmatch/internal/canon"
)

// urlTable holds URL entries by their scheme-less key host[:port]/path:
// entries without a query in one map, entries with one in another under
// key "?" query.
type urlTable struct {
	noQuery   map[string]ID // an entry, or multiKey|i: the entries multi[i]
	withQuery map[string]ID
	multi     [][]ID // entries sharing a key (their schemes differ)
	maxLen    int    // longest key, query included

	// hosts has bit hostHash(h)&hostMask set for the host h of every key
	// (but bracketed IPv6 hosts): a URL in text whose host has no bit set
	// is in no key, and need not be parsed.
	hosts    []uint64
	hostMask uint64
}

// hostHash is FNV-1a of b lower-cased.
func hostHash(b []byte) uint64 {
	h := uint64(14695981039346656037)
	for _, c := range b {
		h ^= uint64(canon.LowerTable[c])
		h *= 1099511628211
	}
	return h
}

// mayHaveHost reports whether some key may have the host h (any case).
func (u *urlTable) mayHaveHost(h []byte) bool {
	x := hostHash(h) & u.hostMask
	return u.hosts[x>>6]&(1<<(x&63)) != 0
}

// build sets up the host filter, once every key is added.
func (u *urlTable) build() {
	if u.empty() {
		return
	}
	n := uint64(64)
	for n < 16*uint64(len(u.noQuery)+len(u.withQuery)) {
		n *= 2
	}
	u.hosts, u.hostMask = make([]uint64, n/64), n-1
	for _, m := range []map[string]ID{u.noQuery, u.withQuery} {
		for key := range m {
			if key[0] == '[' {
				continue
			}
			h := key
			if i := strings.IndexAny(key, ":/"); i >= 0 {
				h = key[:i]
			}
			x := hostHash([]byte(h)) & u.hostMask
			u.hosts[x>>6] |= 1 << (x & 63)
		}
	}
}

func (u *urlTable) add(id ID, value string) {
	if u.noQuery == nil {
		u.noQuery = make(map[string]ID)
		u.withQuery = make(map[string]ID)
	}
	key := value[strings.Index(value, "://")+3:]
	m := u.noQuery
	if strings.IndexByte(key, '?') >= 0 {
		m = u.withQuery
	}
	old, ok := m[key]
	switch {
	case !ok:
		m[key] = id
	case old&multiKey == 0:
		u.multi = append(u.multi, []ID{old, id})
		m[key] = multiKey | ID(len(u.multi)-1)
	default:
		u.multi[old&^multiKey] = append(u.multi[old&^multiKey], id)
	}
	u.maxLen = max(u.maxLen, len(key))
}

// multiKey marks a urlTable map value that indexes multi.
const multiKey ID = 1 << 31

// each calls fn with every entry of key in m (noQuery or withQuery). It
// does not allocate.
func (u *urlTable) each(m map[string]ID, key []byte, fn func(ID)) {
	id, ok := m[string(key)]
	switch {
	case !ok:
	case id&multiKey == 0:
		fn(id)
	default:
		for _, id := range u.multi[id&^multiKey] {
			fn(id)
		}
	}
}

func (u *urlTable) empty() bool { return u.noQuery == nil }
