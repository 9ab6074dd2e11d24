// Package roi reports what each threat-intelligence feed is worth: per
// feed (source name), what it cost — indicators loaded, suppressed by
// each allowlist, expired or decayed — and what it gave — distinct
// indicators that hit, hits, the hits no other feed would have given
// (unique contribution: the entries this feed alone gave), and the share
// of its hits that landed on indicators a warninglist annotates (likely
// noise). It is the number a CTI team needs to keep or drop a paid feed.
//
//	kept, rep := policy.Apply(inds)                // package allow
//	feeds := roi.FeedsFrom(&rep, inds)             // loaded, suppressed per source
//	feeds[i].Expired, feeds[i].Decayed = …         // from the ageing report
//	r := roi.Compute(feeds, stats.Snapshot())      // package hits
//	r.WriteMarkdown(w)                             // or WriteJSON
//
// A hit is a line (package hits). An entry several feeds gave counts for
// each of them in Hits, and for none in UniqueHits. Feeds are ordered by
// unique hits on entries no warninglist annotates, then unique hits,
// then hits (see Report).
//
// # Resource usage
//
// Compute takes time linear in the feeds and the entries of the
// statistics, and allocates the report (a few hundred bytes per feed);
// FeedsFrom one pass over the indicators it is given.
package roi
