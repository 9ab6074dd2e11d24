// Package workload generates deterministic benchmark workloads for
// iocmatch: indicator sets and log lines that hold a chosen share of them.
//
//	inds := workload.Indicators(100_000, 1)            // mixed set
//	lines := workload.Lines(workload.Web, 10_000, 0.005, inds, 2)
//
// Everything is a pure function of its arguments and seed (math/rand/v2
// PCG), so two runs, or two machines, benchmark the same bytes.
//
// # Indicator sets
//
// Indicators returns a mixed set in the proportions of a typical threat
// feed: about 55% domains, 20% IPv4 addresses, 2% CIDR prefixes, 10% URLs,
// 10% SHA-256, 2% MD5 and 1% string kinds (filenames, mutexes, user agents,
// registry keys). Domains, Strings and Kind return one kind only, for
// engines that match literals (grep -F, Aho-Corasick) and for the
// string-kind figures. Values are unique within a set.
//
// # Log lines
//
// Lines renders n lines of one Format (web access, DNS query log,
// firewall, proxy, JSON endpoint events, or a Mixed stream of all five).
// Exactly round(n*hitRate) of them, at pseudo-random positions, carry one
// indicator of the set in the field where such a value would appear (the
// client address of a web log, the query name of a DNS log, the Hashes of
// a process event …); the others match nothing.
//
// Miss lines are built only from reserved values that generated
// indicators never use: documentation and private address ranges
// (192.0.2.0/24, 198.51.100.0/24, 203.0.113.0/24, 10.0.0.0/8,
// 172.16.0.0/12, 192.168.0.0/16), names under the reserved example, test
// and invalid domains, a fixed vocabulary of benign file names and user
// agents that indicator labels are never drawn from, and random hex digests
// (a 2^-128 chance of meeting a set member). The package tests check this
// with the matcher: every hit line matches, no miss line does.
package workload
