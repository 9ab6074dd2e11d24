// Package ac implements a compact, ASCII-case-insensitive Aho-Corasick
// automaton for finding every occurrence of many byte-string patterns in a
// text in a single linear pass.
//
// Matching folds the ASCII letters A-Z to a-z on both the pattern and the
// text side; every other byte (including bytes >= 0x80) is compared exactly.
//
// The automaton is stored in a handful of flat slices with uint32 state
// indices and no pointers. States are numbered in breadth-first order, which
// makes the children of every state a contiguous range of state numbers, so
// the sparse transition function needs only one label byte per state plus a
// per-state offset. The trie is built from the sorted patterns directly in
// that order, in time linear in the total pattern length (plus the sort).
// The shallowest states (the root and its hot descendants) additionally get
// full DFA rows indexed by byte class, so that the common case of the scan
// loop is a single table lookup per byte. When no pattern is shorter than
// two bytes and the patterns' starts are not too varied (some 30k–40k
// patterns of 8 bytes or more; past that the filter passes too often to
// pay), a start filter (two 2^20-bit hash sets: two bits per pattern for
// the first 8 bytes of the patterns that have them, one bit for the
// first 2 to 4 bytes of the shorter ones, see start.go) lets the scan
// skip the text where no pattern can begin (with AVX-512 on amd64, 7-byte
// windows at even positions, 30 positions per step; with AVX2, 16
// positions per step; start_amd64.s, chosen at run time; the portable
// loop, one bit of 2-4 bytes, elsewhere and under the purego build tag),
// and drop back to skipping
// as soon as the automaton's state can no longer lead to a match;
// otherwise bytes
// that leave the root unmoved are skipped. Overlapping matches are enumerated
// through a per-state output chain that links the patterns ending in a state
// to those of its dictionary suffix, so Scan never walks failure links just
// to collect outputs.
//
// Gates (BuildGated, ScanGated): a pattern may have a gate level, 1 or 2,
// and a Gate, a table on the one or two bytes after an end position, gives
// each end position a level; ScanGated reports a pattern of level l only
// where the end's level is at least l. Per pattern and level, a skip link
// to the next pattern of the output chain it may report lets the scan jump
// over the others without walking them, so the occurrences that a gate
// rejects cost nothing, however many patterns overlap there: a caller
// whose matches need a boundary after them (a file name ends before a byte
// that is not a name byte) does work in proportion to the text and the
// occurrences that pass the gate.
//
// An Automaton is immutable after Build and safe for concurrent use.
package ac
