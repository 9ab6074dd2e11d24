package match

import "strings"

// urlTable holds URL entries by their scheme-less key host[:port]/path:
// entries without a query in one map, entries with one in another under
// key "?" query.
type urlTable struct {
	noQuery   map[string][]ID // several entries share a key when only their schemes differ
	withQuery map[string][]ID
	maxLen    int // longest key, query included
}

func (u *urlTable) add(id ID, value string) {
	if u.noQuery == nil {
		u.noQuery = make(map[string][]ID)
		u.withQuery = make(map[string][]ID)
	}
	key := value[strings.Index(value, "://")+3:]
	if strings.IndexByte(key, '?') >= 0 {
		u.withQuery[key] = append(u.withQuery[key], id)
	} else {
		u.noQuery[key] = append(u.noQuery[key], id)
	}
	u.maxLen = max(u.maxLen, len(key))
}

func (u *urlTable) empty() bool { return u.noQuery == nil }
