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
// per-state offset. The first few states (the root and its shallow
// descendants) additionally get full 256-entry DFA rows so that the hot part
// of the automaton is traversed with a single table lookup per byte.
// Overlapping matches are enumerated through a per-state output chain that
// links the patterns ending in a state to those of its dictionary suffix, so
// Scan never walks failure links just to collect outputs.
//
// An Automaton is immutable after Build and safe for concurrent use.
package ac
