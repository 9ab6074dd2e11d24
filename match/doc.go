// Package match compiles indicators of compromise into an immutable
// *Matcher and finds them in log lines (free-text matching) or in fields a
// host program has already parsed (field matching).
//
//	m, err := match.Compile(inds, match.Options{MinConfidence: 50})
//	dst = m.AppendMatches(dst[:0], line) // no allocation when nothing matches
//	for _, x := range dst {
//		e := m.Entry(x.ID) // canonical value, every source's metadata
//		…
//	}
//
// A Matcher is safe for concurrent use by any number of goroutines; it holds
// no global state and is never modified after Compile.
//
// # Method names
//
// Methods named Append… append their results to the slice given and return
// it, like strconv.AppendInt: they do not allocate when nothing matches or
// when the slice has room. Methods named Lookup… return a new slice and
// allocate only when there is a result. Contains reports whether anything
// matches. Entry turns an ID into the indicator's value and metadata.
//
// # Entries
//
// The same canonical (type, value) from several feeds is one entry, with
// one ID and every source's indicator.Indicator, each distinct record once:
// records with identical metadata are one, counted in Entry.Duplicates.
// Entry gives the first MaxEntryIndicators records (16) and the number of
// them; AppendIndicators pages through the rest. An entry matches at time t
// (Options.Now, time.Now by default) when at least one of its indicators is
// valid at t (indicator.Meta.ValidAt: valid-from reached, valid-until not
// yet): the clock is read once per line that has a match on an entry with
// a window, never on lines without matches, and an entry of several
// records checks the union of their windows with one binary search. This
// is how package age makes an indicator stop matching at its expiry or
// decay instant between reloads (it sets ValidUntil). Options.MinConfidence
// drops, at compile time, indicators whose known confidence is below the
// floor. Records and Record walk the records of an entry in place,
// without allocating (for a score at match time).
//
// # Free-text rules
//
// AppendMatches reports every match once per (indicator, start, end),
// ordered by start offset, then end, type and ID. Offsets are byte offsets
// into the line. Case is folded for ASCII letters only.
//
// JSON lines: when the first byte that is not a space or tab is '{' and the
// line holds a backslash, the rules below run on the line with its JSON
// string escapes decoded (\\ \" \/ \b \f \n \r \t and \uXXXX, surrogate
// pairs joined, a lone surrogate as U+FFFD; any other backslash is kept as
// it is). Offsets still refer to the raw line: a match that begins or ends
// inside an escape covers the whole escape. They are exact for lines of any
// length (there is no 2 GiB limit). The decoding takes a buffer the size of
// the line and an offset map of 1/8 of it (one checkpoint of 8 bytes per 64
// decoded bytes), however many escapes the line holds, in time linear in
// the line; both are pooled for reuse when the line is at most 1 MiB.
//
// Below, "word byte" is [A-Za-z0-9_] and "host byte" is [A-Za-z0-9_.-].
//
//   - IPv4: a maximal run of digits and dots that is a dotted quad of 0-255
//     without leading zeros, or such a quad and one more dot that is not
//     followed by a word byte ("1.2.3.4." ending a sentence). The byte
//     before the run is not a word byte; the byte after the quad is not a
//     word byte (":port" may follow). "1.2.3.4.5", "01.2.3.4" and
//     "v1.2.3.4" hold no address. A quad that ends a valid IPv6 token
//     ("::ffff:1.2.3.4") is found as that token instead.
//   - IPv6: a maximal run of hex digits, ':' and '.' holding at least two
//     colons, optionally followed by "%zone" (zone: host bytes but '.'),
//     with no word byte just before it or just after it (zone included).
//     The run is an address in any RFC 4291 form, or is one once a single
//     trailing '.' or ':' is cut off (when no zone follows); a '%' with no
//     zone after it is not part of the token. Brackets and ":port" around it are
//     not part of it. An IPv4-mapped address (::ffff:a.b.c.d) is taken as
//     the IPv4 address a.b.c.d.
//   - Addresses: an address matches its ipv4/ipv6 indicator and every cidr
//     indicator that contains it. The match covers the address (and zone).
//   - Domains: a maximal run of host bytes with dots and hyphens cut from
//     both ends is a token. A domain indicator d matches a token equal to d
//     or ending in "."+d (case-insensitively), so evil.com matches
//     a.EVIL.com but not notevil.com nor evil.com.au. The match covers the
//     token. Domains inside URLs and email addresses are such tokens too.
//     Public suffixes: a domain indicator that is a public suffix, a name
//     the Public Suffix List (golang.org/x/net/publicsuffix, its ICANN or
//     private section) gives as its own suffix ("co.uk", "com.au",
//     "duckdns.org", "amplifyapp.com", "googleapis.com", "x.ck" under the
//     rule *.ck), matches a token equal to it only, never a subdomain:
//     those are other people's names (every customer of a dynamic-DNS or
//     hosting provider would match). So co.uk matches "co.uk" but not
//     "bbc.co.uk", while evil.co.uk still matches "a.evil.co.uk". The
//     list's default rule for a top-level domain it does not know gives
//     only that label, so no indicator (two labels at least: "com" alone
//     is not one) under such a domain ("corp.internal") is a public
//     suffix. Compile decides it once per domain entry
//     (Matcher.ExactOnly); Options.SubdomainsOfPublicSuffixes turns the
//     rule off. URL and email indicators are unaffected (their hosts are
//     compared exactly anyway).
//   - URLs with a scheme: at every "://", the scheme is the longest run of
//     [A-Za-z0-9+.-] before it, from its first letter; the URL goes on up
//     to white space (any byte <= 0x20), a quote (" ' `) or < >, and then
//     loses trailing . , ; : ! ? ) ] }. Its authority must hold a valid
//     host (a domain name, a dotted quad or a bracketed IPv6 address) and
//     optionally a port. Scheme-less URLs: a run of host bytes that is a
//     valid domain name or dotted quad, optionally followed by ":port",
//     then by '/', and not preceded by a host byte, '/', '\' or '@', starts
//     a URL that ends the same way. Both are compared as the canonical key
//     host[:port]/path, the scheme ignored (the port dropped when it is the
//     default of the text's scheme, 80 without a scheme): a url indicator
//     without a query matches that key with any query or none; one with a
//     query also needs exactly that query. The fragment is ignored. The
//     match covers the URL as delimited above.
//   - Emails: at every '@', the local part is the run of [A-Za-z0-9._%+-]
//     before it with leading dots cut, and the domain the run of host bytes
//     after it with dots and hyphens cut from both ends; local@domain
//     matches the email indicator with that value (case-insensitively).
//     The match covers the text from the local part's first byte to the
//     domain's last.
//   - Hashes: a maximal run of exactly 32, 40, 64 or 128 hex digits with no
//     word byte just before or after it matches the md5, sha1, sha256 or
//     sha512 indicator of that value, case-insensitively
//     ("MD5=ABC…,SHA256=…" works).
//   - String kinds: every occurrence of the value as a case-insensitive
//     substring, with these boundaries (a "name byte" is a host byte or any
//     byte >= 0x80):
//     filename: the byte before is not a name byte, and the byte after is
//     not a name byte or is a '.' that is followed by no name byte;
//     regkey: the byte before is not a word byte, and the text ends or goes
//     on with '\', a quote, white space or one of , ; ) ] } < >; a key
//     written with a long hive name (HKEY_LOCAL_MACHINE\…) and one written
//     with its abbreviation (HKLM\…) are the same key on either side;
//     mutex, useragent, email-subject, string: no boundary.
//
// Matching is linear in the length of the line whatever it holds: every
// candidate token is looked up once per suffix at a dot (domains), each
// label hashed once, and string kinds run on an Aho-Corasick automaton.
//
// Matches per line: at most Options.MaxMatchesPerLine
// (DefaultMaxMatchesPerLine, 10000, when 0; negative: no cap) are
// reported; the scan of a line stops at the cap, so its cost is bounded by
// the cap and the line's length (overlapping string indicators could
// otherwise give a match per indicator at every byte).
// AppendMatchesTruncated reports whether a line was cut short.
//
// Occurrences that fail a boundary rule: the end half of the filename and
// regkey rules (the bytes after the occurrence) is checked inside the
// Aho-Corasick scan, which jumps over the patterns of those kinds at an
// end position where it fails without looking at them, however many
// overlap there. So the string-kind occurrences looked at on a line are at
// most its matches (within the cap) plus, at each end position where the
// end half of a rule passes, the occurrences ending there that the start
// half (the byte before) rejects: at most the string-kind patterns that
// end there, which are suffixes of one another (so one per length, unless
// a value is given in several kinds or spellings of case). Filename and
// regkey indicators overlapping at every byte of a long word cost nothing
// more than its length (100 of them, a to a×100, on a 1 MB line of 'a':
// about 4 ms and no match, BenchmarkHostileLine); so do "a", "a.a", …
// on "a.a.a.…" (a '.' followed by a name byte fails the end rule). While
// the patterns are made of name bytes only, those the start half rejects
// at a position start inside the run of name bytes that ends there, so
// they add at most the line's length. Patterns holding other bytes
// (spaces, '\', '/') can do worse: a crafted pair of feed and line,
// filename patterns "b", "b ab", "b ab ab", … on "ab ab ab …" (or regkey
// ones "b", "b\ab", … on "ab\ab\…"), still costs line length × patterns
// at the end positions where the end rule passes (here one in three: 100
// such patterns on 1 MB, about 0.15 s, no match); their occurrences are
// rejected by the byte before them, which differs per pattern.
//
// Long lines: a LineStream (NewLineStream) matches a line given in parts
// while holding about one piece of it (DefaultPieceSize, 64 MiB, or the
// size given) instead of the whole line, and reports what AppendMatches
// would on the whole line as long as the line has a white space, a quote,
// < or > at least every half piece (see LineStream for what happens
// otherwise).
//
// # Resource usage
//
// Figures measured with bench/cmd/iocbench on 1M generated mixed
// indicators (AMD EPYC VM, 2 cores, go1.26.8; bench/report/report.md has
// them all):
//
//   - Compile: about 1.3 s for 1M indicators, to about 82 bytes of live
//     heap per indicator, values included. Values are stored back to back
//     in one string; metadata that is only a source name is stored once
//     per source; other metadata compactly, per record its ID, its own
//     times and 3 to 7 bytes, the strings, tags and times that records
//     share once (1M-indicator MISP and STIX feeds, generated: 144 and
//     152 bytes per indicator after compile, 45 and 53 of them metadata).
//     With filename indicators, the string-kind automaton takes 5 bytes
//     more per pattern, 9 with regkey ones (its gate links, see
//     "Occurrences that fail a boundary rule" above). The public-suffix
//     check (see Domains above) costs about 0.1-0.25 µs of CPU per
//     domain entry (1M domains: 1.3-1.9 s of CPU with it, 1.2-1.8 s
//     without, BenchmarkCompileDomains on a loaded host) and one
//     transient 48-byte allocation inside golang.org/x/net/publicsuffix;
//     nothing at match time for names that are not below such an entry.
//   - Builder: NewBuilder, Add a batch at a time, Finish gives the
//     Matcher Compile gives (Compile is those three calls), for
//     indicators that are streamed rather than held in one slice
//     (loader.StreamAll). While building it holds the entries as the
//     Matcher will, plus an index of 16 bytes per entry (a seeded 64-bit
//     hash of type and value) and the records' duplicate check;
//     GrowLike(m) reserves the room of a previous Matcher, so that a
//     rebuild of about its size does not grow its arrays by doubling.
//   - AppendMatches: 180–370 MB/s per core at 1M mixed indicators
//     (280–560 at 10k) on generated web, DNS, firewall, proxy and JSON
//     lines (bench/report, 2026-12-02; 0 allocations on lines without a
//     match, none on lines with matches when dst has room); it scales with
//     goroutines. The token pass classifies the line into bit masks, 64
//     bytes per step (AVX-512BW or AVX2 on amd64, chosen at run time;
//     portable Go elsewhere and with the purego build tag), and visits
//     only the tokens holding a '.' or ':' and the hex runs of 32 digits
//     or more that the masks give; when there are string kinds, the
//     string-kind automaton looks at every position through a start
//     filter (two bits of a pattern's first 7-8 bytes, one bit of 2-4
//     bytes for shorter patterns; AVX-512 or AVX2 gathers, the portable
//     path one bit of 4 bytes), two 128 KiB bit sets at most.
//   - Field lookups at 1M indicators, 1024 keys in turn: AppendAddr
//     15–25 ns, AppendHash 50–80 ns, AppendDomain 75–85 ns for a name two
//     labels below its entry (35–50 ns for a name with no entry),
//     AppendURL 180–240 ns; keys spread over more than the caches hold
//     cost a miss each (see the batch lookups below).
//   - Entry allocates one slice of at most MaxEntryIndicators (16)
//     indicators, whatever the number of records of the entry; Sources
//     does not allocate (Compile computes each entry's); AppendIndicators
//     pages through the records and does not allocate when dst has room;
//     Records and Record give each record's metadata without allocating
//     (Record decodes it: some 40 ns).
//   - Hostile input: the tables keyed by indicator values hash every byte
//     of the key with a random seed per Matcher (domains: hash/maphash per
//     label, joined right to left by a keyed mixer; URLs, emails: Go maps,
//     which the runtime seeds per map; IPv4 and digests: seeded mixers), so
//     that neither a crafted feed nor a crafted line can pile keys into one
//     probe chain. A domain indicator takes at most 8 table slots (itself
//     and its parents of 2 to 8 labels, as markers) whatever its number of
//     labels; a token below a parent of 8 labels has each longer suffix
//     looked up, within the longest domain indicator's length.
//
// # Limits
//
// Compile returns an error naming the limit, never a panic nor a truncated
// table, for a set of indicators past one of these (all far beyond the
// memory of most hosts), checked as the indicators are read, before any
// table is built (the CIDR lists as their table is built):
//
//   - MaxEntries (2^31-2) distinct canonical indicators;
//   - MaxValueBytes (4 GiB - 1) of canonical values in total;
//   - MaxStringBytes (2 GiB - 1) of string-kind values in total (the
//     Aho-Corasick automaton's limit), a registry key written with a hive
//     counting twice, with its long hive name: about 1 GiB of HKLM\… keys
//     reaches it;
//   - 65535 bytes per canonical value (indicator.MaxValueLen, 8192,
//     already keeps values within it), 2^32-1 indicators given to
//     Compile, and 2^32-1 IDs in the lists of CIDR entries containing each
//     CIDR entry (at most 129 per CIDR entry).
//
// Lines have no length limit: offsets are ints, exact for any length (see
// JSON lines above).
//
// # Field matching
//
// LookupAddr and AppendAddr take an address; LookupDomain the name (parents
// are walked as in free text, public suffixes matching their exact name
// only); LookupURL a URL with or without scheme;
// LookupHash a hex digest; LookupEmail an address; LookupString a value
// and a string kind, matched with that kind's free-text rule inside the
// value (a filename indicator matches the field "C:\Temp\evil.exe").
// Lookup takes a type and dispatches.
//
// AppendAddrs, AppendHashes and AppendDomains take many keys per call and
// return each ID with the index of its key (KeyID), the same IDs in the
// same order as the single-key calls. For addresses and digests they read
// the first table slots of 16 keys before comparing any, so that their
// cache misses overlap: in a set larger than the caches, 93 against 39 ns
// per address and 359 against 299 ns per digest (bench/report, 64k
// distinct keys over 1M indicators); domains are looked up one after the
// other, a parent walk's reads depending on each other.
package match
