package match

import "github.com/iocmatch/iocmatch/indicator"

// Key returns the type and canonical value of entry id, without
// allocating: what identifies the entry across compiles (IDs change from
// one Compile to the next; the canonical (type, value) does not), for
// host programs that keep per-entry state across reloads, such as the hit
// statistics of package hits. The value is shared with the Matcher. It
// panics if id is out of range, like an index expression.
func (m *Matcher) Key(id ID) (indicator.Type, string) {
	return m.ents[id].typ, m.value(id)
}
