// Package allow filters and annotates indicators before they are
// compiled (match.Compile), so that a matcher stays quiet on what is
// known to be benign or internal: "filter by relevance" at compile time,
// at no cost per log line.
//
// A Policy (New, from Options) holds these lists, applied by
// Policy.Apply in this order:
//
//   - Reserved ranges, built in, on by default (ReservedRanges): the
//     special-purpose ranges of the IANA IPv4 and IPv6 registries that are
//     not globally reachable (RFC 6890 and successors: private use,
//     loopback, link local, shared address space, multicast, reserved …).
//     An address indicator inside one, or a CIDR indicator wholly inside
//     their union, is suppressed: 224.0.0.0/3 is 224.0.0.0/4 and
//     240.0.0.0/4, so it is suppressed; 0.0.0.0/0 overlaps them but is not
//     inside, so it is kept. Options.NoReserved turns them off.
//   - Documentation ranges (DocumentationRanges: 192.0.2.0/24,
//     198.51.100.0/24, 203.0.113.0/24, 2001:db8::/32, 3fff::/20), built in,
//     off by default (Options.Documentation), same semantics. Neither range
//     list applies to the sources named in Options.InternalSources.
//   - Plain allowlists (Options.Allowlists): files in the plain-list
//     syntax of package loader; they suppress exactly their values
//     (addresses and CIDRs: containment; domains: the name and its
//     subdomains; other types: equal type and value).
//   - Zeek whitelist entries (Options.Allowlist, loader.Result.Allowlist:
//     the meta.whitelist=T rows of Zeek intel files), with Zeek's
//     semantics: the same indicator is suppressed, whatever its source.
//   - MISP warninglists (Options.Warninglists), with MISP's semantics per
//     list type and restricted to the types their matching_attributes
//     name (see Policy). Each list suppresses or annotates: by its category
//     ("false-positive" suppresses; "known", any other, or none
//     annotates), overridden per list by Options.Actions, or every list
//     suppresses with Options.SuppressAll, but the ThreatLists (sinkholes,
//     hosting and VPN ranges, dynamic DNS: where real threats are seen),
//     which keep annotating. An annotated indicator is kept
//     with the tag "warninglist:<id>" (TagPrefix, ListID) for each list
//     holding it, which the match output shows with its other tags.
//
// Warninglists are compiled into one structure per list type, shared by
// all lists: hash sets for string and hostname lists (a host name is
// looked up with each of its parent domains), a prefix table
// (github.com/gaissmai/bart) for cidr lists, an Aho-Corasick automaton
// for substring lists, one alternation per regex list. Checking an
// indicator costs a few lookups whatever the number of entries.
//
// Apply returns the kept indicators and a Report: the counts per list and
// per source (feed), with a few examples per list. A Policy is immutable
// and safe for concurrent use. The package depends on indicator and
// loader, not on match: a host program applies a Policy between loading
// and compiling.
package allow
