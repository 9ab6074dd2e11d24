// Package peers wraps the engines iocmatch is compared with, behind small
// uniform types, so that the benchmarks and cmd/iocbench run them on the
// same data:
//
//   - AhoCorasick: github.com/cloudflare/ahocorasick, a literal
//     multi-pattern matcher (256-way trie nodes: about 4 KiB per pattern
//     byte, so it can only hold small sets: 50k domains take ~3 GB).
//   - CIDRRanger: github.com/yl2chen/cidranger, a path-compressed trie for
//     address-in-prefix lookups.
//   - Naive: what a first attempt looks like: one regexp that extracts
//     candidate tokens (URLs, dotted quads, hex digests, host names), then
//     map lookups, walking the parents of host names.
//   - Tool: an external program run as a whole process (GNU grep -F -f,
//     ripgrep -F -f), timed by wall clock and CPU time (user+system) with
//     its peak RSS.
//   - Hyperscan: Intel Hyperscan (libhs) through a cgo binding of its own,
//     literal patterns (hs_compile_lit_multi, caseless, single match),
//     block mode, one block per line. Built only with the hyperscan build
//     tag (go build -tags hyperscan, needs Debian's libhyperscan-dev:
//     bench/hyperscan.sh installs it); without the tag NewHyperscan
//     returns ErrHyperscanNotBuilt, so the module builds and tests without
//     the library.
//
// The literal engines (Aho-Corasick, grep, rg, Hyperscan) know nothing of token
// boundaries or indicator types: they are compared on domain-only sets,
// where a literal match is close to what iocmatch does.
package peers
