// Package hits keeps hit statistics per entry of a matcher: how many lines
// each indicator matched, and when first and last, across reloads of the
// indicator set and, through a file, across restarts. It is the
// "feedback" phase of the intelligence lifecycle: what fired, and how
// often (packages sightings and roi turn the statistics into sightings
// for MISP and STIX 2.1, and into a report of what each feed is worth).
//
//	st := hits.New(hits.Options{Start: now})
//	st.Rebind(m)                   // the matcher the hits come from
//	dst = m.AppendMatches(dst[:0], line)
//	if len(dst) > 0 {
//		st.Record(m, dst, now) // only lines with matches
//	}
//	…
//	st.Rebind(m2)                  // after a reload: counts follow the entries
//	hits.WriteFile("stats.json", st.Snapshot(), now)
//
// # Keys and reloads
//
// IDs change from one Compile to the next, so the statistics are keyed by
// the entry's canonical (type, value) (match.Matcher.Key). The Stats are
// bound to one matcher at a time (Rebind), with a block of counters per
// 64 of its IDs, allocated on the first hit in the block: Record on the
// bound matcher indexes them by ID. Rebind moves the counts of the
// entries the new matcher still holds to their new IDs, and keeps those
// of the entries it does not hold as history (Current false in a
// Snapshot, at most Options.MaxGone of them, the oldest dropped first):
// an indicator that leaves a feed and comes back keeps its count. Hits a
// goroutine records with an older matcher while or after a reload swaps
// the sets are counted by key: nothing is lost.
//
// A hit is a line: Record counts each distinct entry of the matches it is
// given once, however many times the entry matched in the line. Its
// times are those the caller gives (the clock is the host's: a fixed
// time in tests, -now in iocscan).
//
// # Periods
//
// Snapshot gives the counts since the Stats began; Cut gives those since
// the previous Cut and starts a new period, for exports per period (one
// sighting per indicator per period, package sightings).
//
// # Resource usage
//
// Memory: 8 bytes per 64 entries of the bound matcher (one pointer per
// block), plus 3 KiB per block of 64 IDs with a hit (48 bytes of
// counters per entry of it), plus for each entry kept by key (history,
// restored, slow path) its key, counts and descriptions (a few hundred
// bytes). Hits are rare and scattered: on the real data of the project
// (641k entries compiled from its feeds, 88k log lines, 180 entries hit)
// the Stats hold 335 KB.
//
// Record on the bound matcher does not allocate (but on the first hit in
// a block), takes a read lock and does about six atomic operations per
// distinct entry of the line: about 48 ns of CPU for a line with two
// matches (BenchmarkRecord, one goroutine or two; 120 ns through the
// slow path), against 10-13 ms of AppendMatches for 20k log lines
// (BenchmarkScanRecord: with 0.5% of the lines hit, Record adds about
// 5 µs, 0.05%, below the noise of the measure). Lines without matches
// cost nothing: the host does not call Record for them.
//
// Rebind costs one pass over the new matcher's entries (641k: 24 ms of
// CPU) done without blocking Record, then a pass over the entries with
// hits under the exclusive lock. Snapshot and Cut hold the exclusive
// lock while they read the counters (time linear in the blocks with a
// hit), and describe the entries (sources, ids, warninglists) after.
//
// Stats are safe for concurrent use by any number of goroutines.
//
// # File
//
// WriteFile writes a Snapshot as JSON, atomically (temporary file and
// rename); ReadFile reads it back, checking every entry (errors name the
// file and line), and Restore adds its counts to the Stats, so that a
// scanner restarted after months keeps its statistics. See File for the
// format.
package hits
