// Package encode writes the matches of a match.Matcher as triage-ready
// JSON: iocmatch's native JSON lines, one object per match, and Elastic
// Common Schema (ECS 9.4) events, one per line with matches. It imports
// indicator and match; match does not import it, and matching
// (AppendMatches) never encodes: encoding is a separate, measurable cost.
//
//	enc := encode.NewEncoder(m, encode.Options{})
//	for _, x := range m.AppendMatches(dst[:0], text) {
//		buf = enc.AppendJSON(buf[:0], encode.Line{File: name, Number: n, Offset: off, Text: text}, x)
//		buf = append(buf, '\n')
//	}
//
// An Encoder caches, per entry, the bytes that depend on the entry only
// (its value, sources and merged metadata, from match.Matcher.View), so
// that a repeated hit costs copying them plus the per-match fields. The
// cache holds at most Options.CacheEntries entries per format
// (DefaultCacheEntries, 65536), emptied when full. An Encoder is for one goroutine; the package-level AppendJSON and
// AppendECS need no Encoder, are safe for concurrent use, and compute the
// entry's parts on each call.
//
// # Cost
//
// BenchmarkEncode (AMD EPYC VM, 2 shared cores, go1.26; best of 5, lines
// of 2 matches, a domain with a detailed record and an address with its
// source only): with the entries in the Encoder's cache, native JSON
// about 100 ns and 360 bytes per match, ECS about 175 ns and 610 bytes per
// match (the event's @timestamp, event.original and log fields shared by
// the line's matches), no allocation when dst has room; iocscan's writer
// before this package, fields up to sources only, about 85 ns and 160
// bytes. Without the cache (the package-level functions) an entry's parts
// cost about 1 µs and 7 allocations per match in JSON, 1.7 µs and 10 in
// ECS (View's unions and the parts' buffers). On every real feed over every real log of the project's
// test data (76,942 matches) iocscan's scan took 150-250 ms before, about
// the same with the native JSON, and 320-340 ms with ECS.
//
// # Native JSON
//
// One object per match, fields in this order, empty ones omitted:
//
//	{"file":"access.log","line":12,"offset":3120,"start":40,"end":50,
//	 "type":"domain","indicator":"evil.com","matched":"a.EVIL.com",
//	 "sources":["feedA","feedB"],"confidence":"high","severity":"high",
//	 "tlp":"amber","lists":["Top 1000 websites"],
//	 "records":[{"source":"feedB","file":"feeds/b.json","id":"…",
//	   "confidence":"medium","severity":"high","tlp":"amber","tags":["c2"],
//	   "threat_actor":"…","malware_family":"…","techniques":["T1071.001"],
//	   "first_seen":"2024-01-02T03:04:05Z","last_seen":"…",
//	   "description":"…","reference":"…"}],"more_records":3}
//
// file, line, start, end, type, indicator, matched and sources are always
// there (sources may be []); offset (the byte offset of the line in its
// file) when Line.Offset is not negative. confidence, severity and tlp
// are the entry's merged values (match.View: highest confidence and
// severity, strictest TLP), lists the warninglists that annotate it.
// records are the entry's source records, in input order, that say more
// than their source name (a record with only a source name is fully
// described by sources); at most match.MaxEntryIndicators of them, and
// more_records counts the ones left out; a record's file is the feed file
// it came from (Meta.File), its file_name the file name it gives with a
// hash (Meta.FileName). Times are RFC 3339 in UTC.
//
// With Options.Scorer (an *age.Policy with a decay model), "score" is the
// decay score at Options.Now, 0 to 100 with one decimal: after "matched"
// the entry's (Scorer.EntryScore: the best of its valid records), and at
// the end of each record object the record's:
//
//	…,"matched":"a.EVIL.com","score":72.7,"sources":[…],…,
//	 "records":[{"source":"feedB",…,"last_seen":"…","score":72.7}]}
//
// It is omitted where no model applies, and without a Scorer (the output
// is then as before scores existed). The score is computed per match, as
// it moves with the clock; the cached parts around it stay valid. It
// costs about 90 ns more per match in native JSON (BenchmarkEncode, best
// of 5: json 99 ns, json-score 190 ns per match; the entry's score walks
// its records, then each shown record is scored) and about 25 ns in ECS
// (ecs 184 ns, ecs-score 208 ns: the entry's score only), no allocation.
//
// Confidence, 0-100 in indicator.Confidence, is written in words, on the
// None/Low/Med/High scale of STIX 2.1 (appendix A): 0 is "none", 1-29
// "low", 30-69 "medium", 70-100 "high"; unknown is omitted. Severity is
// its indicator.Severity name ("info" … "critical"), unknown omitted; TLP
// its lower-case name ("amber+strict").
//
// # ECS
//
// One event per line with matches:
//
//	{"@timestamp":T,"event":{"kind":"alert","category":["threat"],"type":["indicator"],"original":LINE},
//	 "log":{"file":{"path":FILE},"offset":OFFSET},
//	 "threat":{"enrichments":[…],"group":{"name":[…]},"software":{"name":[…]},"technique":{"id":[…]}}}
//
// @timestamp and every matched.occurred are the time of encoding, from
// Options.Now (the log's own timestamps are not parsed). event.original is
// the line (omitted when Line.Text is nil: iocscan does not keep a line
// longer than its read buffer). log.offset is the line's byte offset in
// its file, as Filebeat writes it: not an ECS 9.4 field (validate with
// --allow-prefix log.offset). threat.group.name, threat.software.name and
// threat.technique.id are the unions, over the line's enrichments, of
// their threat actors, malware families and ATT&CK ids.
//
// Each match is one element of threat.enrichments, in match order:
//
//	indicator.type         by indicator type: ipv4 → ipv4-addr, ipv6 → ipv6-addr,
//	                       cidr → ipv4-addr or ipv6-addr (by family), domain →
//	                       domain-name, url → url, email → email-addr, md5 sha1
//	                       sha256 sha512 filename → file, regkey →
//	                       windows-registry-key, mutex → mutex, useragent →
//	                       software; email-subject and string: omitted (ECS
//	                       has no such type)
//	indicator.ip           ipv4, ipv6 (an ECS ip field cannot hold a prefix:
//	                       a cidr's prefix is in name and matched.atomic)
//	indicator.url.domain   domain
//	indicator.url.full     url
//	indicator.email.address email
//	indicator.file.hash.*  md5, sha1, sha256, sha512
//	indicator.file.name    filename; with a hash, the file name a record gives
//	                       with it (Meta.FileName: MISP filename|sha256 …)
//	indicator.registry.path, .hive, .key  regkey (hive and key when the
//	                       value starts with a known hive)
//	indicator.name         the canonical value, every type
//	indicator.provider     the source name, or an array of them when several
//	indicator.confidence   the merged confidence: None, Low, Medium, High as
//	                       above; unknown omitted (ECS's "Not Specified")
//	indicator.marking.tlp  the strictest TLP, upper-case: CLEAR, GREEN, AMBER,
//	                       AMBER+STRICT, RED
//	indicator.first_seen, indicator.last_seen  earliest and latest of the records
//	indicator.description, indicator.reference  the first record's that has one
//	matched.atomic         the canonical value
//	matched.field          "message" (free text)
//	matched.type           "indicator_match_rule"
//	matched.occurred       the time of encoding
//	iocmatch.type, .start, .end, .text  iocmatch's type name and the match's
//	                       offsets and text in the line
//	iocmatch.severity, .tags, .lists  merged severity, tags and the
//	                       warninglists that annotate the entry
//	iocmatch.score         with Options.Scorer: the entry's decay score at
//	                       Options.Now, 0-100, one decimal (ECS has no score
//	                       field; threat.indicator.confidence stays the
//	                       source's confidence)
//
// The iocmatch object inside an enrichment is a custom namespace (validate
// with --allow-prefix threat.enrichments.iocmatch).
//
// # Enrichments only
//
// A host program that adds the matches to an event of its own (a Benthos
// message, an OpenTelemetry log record) writes the threat.enrichments
// array alone with Encoder.AppendEnrichments (or one element with
// AppendEnrichment): the same elements from the same cached parts, with
// matched.field the event field the matches were found in (a field name
// of the host's event, e.g. "url.original"; "message" for free text). The
// event-level unions (threat.group.name …) are the host's to add.
package encode
