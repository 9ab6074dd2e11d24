// Package live keeps a compiled set of indicators up to date while a host
// program matches with it: a Matcher holds the current set, rebuilds it
// from its sources (feed files and directories, TAXII collections,
// platform API feeds) in the background, and swaps the new set in
// atomically.
//
//	lm, err := live.New(ctx, live.Options{
//		Paths:    []string{"feeds/"},
//		Allow:    &allow.Options{},        // reserved ranges, + the feeds' warninglists
//		Interval: time.Hour,               // rebuild from every source hourly
//		OnReload: func(ev live.Event) { log.Print(ev) },
//	})
//	go lm.Run(ctx)                         // watch the files, and the period
//	…
//	s := lm.Current()                      // never blocks, never allocates
//	dst = s.Matcher.AppendMatches(dst[:0], line)
//	for _, x := range dst { e := s.Matcher.Entry(x.ID) … }
//
// On SIGHUP a host calls Reload(ctx).
//
// # The model
//
// A Set is immutable: a compiled *match.Matcher, its generation (1, 2, …:
// one more per successful build), when it was built, and the reports of
// its build (per source: indicators, files, problems; the allowlist
// report). Matcher.Current returns the current Set with one atomic load:
// a reader never blocks on a reload and never sees a half-built set; a
// reader that holds a Set keeps using it, whole, while a newer one is
// swapped in (the old one is freed when no reader holds it any more).
// Take the Set once per line, or per batch of lines, and resolve the
// matches' IDs (Entry, View) with the same Set: IDs of two sets differ.
//
// Every build runs the same pipeline with the same options:
//
//  1. TAXII: each TAXII source's Poller.Poll (an incremental poll: the
//     poller returns the collection's full current set, new versions
//     replacing old ones, revoked ones removed), first, so that a server
//     that is down fails the build before the files are read; then each
//     of Options.Feeds (the platforms' API pollers of package
//     loader/platform: OTX, AbuseIPDB, Recorded Future, ThreatConnect),
//     whose Poll returns the feed's full current set too;
//  2. with Options.Allow, the feeds' own allowlists
//     (loader.LoadAllowlists: their warninglists and Zeek whitelist
//     rows, read first) and allow.New(Options.Allow plus those);
//  3. the indicators of Options.Paths, streamed (loader.StreamAll, with
//     Options.Loader) a batch at a time (at most loader.StreamBatch, or
//     one MISP event or STIX file), then those of the TAXII sources and
//     the Feeds, each
//     batch through the allowlist (Policy.Apply), then Options.Transform
//     (an ageing or decay policy) with the build's time, into a
//     match.Builder (Options.Compile);
//  4. the guards (see Failures), then Builder.Finish, the diff, the swap.
//
// As the Transform sees one batch at a time, it must decide each
// indicator on its own (as an ageing policy does); a Transform that
// keeps counts must add them up across its calls. Set.Allow is the sum of
// the batches' allowlist reports.
//
// A build reads everything again: deletions delete. An indicator gone
// from its feed (a line removed, a file removed from a directory, a STIX
// indicator revoked) is not in the new set and stops matching at the
// swap; nothing accumulates from one build to the next.
//
// Time moves on between builds: match.Options.Now is the Matcher's clock
// (Options.Now) unless Compile.Now is set, so validity windows
// (ValidFrom, ValidUntil, and those a Transform sets from ages and decay)
// are checked at match time, not only at build time.
//
// # Triggers
//
// Builds run one at a time. New runs the first; Reload runs one on
// demand and returns its Event; Run watches until its context ends:
// every Options.WatchInterval (DefaultWatchInterval, 5 s) it compares the
// files of Options.Paths with their state when the current set's build
// read them, and every Options.Interval it rebuilds from every source
// (TAXII collections and Feeds are only polled by Interval and Reload). Requests
// that come during a build (Reload calls, changes, ticks) are served
// together by one more build after it.
//
// Change detection polls, so it works on every file system (network file
// systems, bind mounts, where inotify does not): each file's size,
// modification time, inode and device; a file added, removed or replaced
// (a rename over it) is a change. As modification times have a
// granularity of 1 to 2 s on some file systems, a file rewritten within
// the same tick with the same size would look unchanged: so while a
// file's modification time is within ModTimeWindow (3 s) of the check, and
// once more after, its content is hashed too. Only such recent files are
// read; a check costs one stat per file otherwise.
//
// # Failures
//
// A build that fails keeps the current set, whole, and says why: in
// Event.Err (OnReload, Reload's error) and Status.LastError, with
// Status.Failures counted. A build fails when
//
//   - a path cannot be read (a file or directory gone, permissions), or
//     with Loader.Strict, a record is bad: the loader's error names the
//     file (and line);
//   - a TAXII poll fails (server down, authentication, a limit with
//     Strict): "TAXII source NAME: …"; a Feed's poll fails: "feed NAME:
//     …";
//   - a source that gave indicators in the current set gives none (an
//     emptied or truncated file, a directory emptied, an empty
//     collection): ErrSourceEmpty, unless Options.AllowEmpty; or, with
//     Options.MinRatio, fewer than that share of them: ErrSourceShrank;
//   - the allowlist policy cannot be built (a bad allowlist file), the
//     Transform fails, Compile fails, or the context ends.
//
// Bad records in a feed that is otherwise read (an invalid value, a
// malformed line) do not fail a build: they are skipped, as the loader
// skips them, and reported per source (SourceReport.Skipped, Problems).
// The next trigger tries again (a change of the files, the period, a
// Reload).
//
// # Diff
//
// Each successful build reports what changed from the previous set, by
// entry (canonical type and value): added, removed and changed entries
// (changed: the same value with other records, a confidence, tag, source
// or validity changed). Event.Diff.AddedIDs are the added entries in the
// new set; for a retro-hunt, Event.CompileAdded compiles them (every
// record of each) into a Matcher of their own, to match the lines kept
// from before the reload; Event.AddedIndicators gives their records. The
// diff keeps 24 bytes per entry with each set (hashes of value and
// metadata), and 4 per added entry.
//
// # Costs
//
// A build costs what a load, an allowlist pass and a Compile cost (see
// packages loader, allow and match), plus the fingerprints of the diff;
// the reads go on meanwhile at full speed on the old set.
//
// Memory: the old set stays in memory until the swap (readers use it),
// so a reload holds two sets at its peak: the old one and the one being
// built. What a build adds to that is kept small: the feeds are streamed
// (never the whole []indicator.Indicator, about 400 bytes per indicator
// and its growth, which made the peak of a load about 9 times the final
// heap), the Builder reserves the previous set's room up front
// (Builder.GrowLike: no doubling of its arrays) and indexes its entries
// in a flat table of 10-12 bytes per entry, the metadata of the records
// is compact (match keeps a record's own times and ID in a few dozen
// bytes, the rest interned), the diff keeps 24 bytes per entry with each
// set; and during
// a build the runtime's soft memory limit is set to
// Options.BuildMemoryRatio (1.9) times the memory in use at its start, so
// that the garbage collector does not let the heap grow to twice the live
// data. After the swap, unless Options.KeepMemory, debug.FreeOSMemory
// returns the freed memory to the system (one full collection).
//
// Measured with bench/cmd/reloadmem (1M generated indicators: half a
// plain list by type, 40% a CSV with dates, confidence, tags and a
// malware family, 10% a STIX 2.1 bundle; allowlist on; 2-core VM shared
// with other work, go1.26.8): steady RSS 338-370 MB; with a ratio of 2 a
// reload of unchanged feeds peaked at 670-733 MB (1.82-2.07× steady) in
// 8.1-9.6 s of CPU, one that replaces half the indicators (-churn: +487k
// -492k entries) at 692-698 MB (2.05×) in 7.4-8.3 s; with 1.85 at
// 615-654 MB (1.79-1.91×) in 12-20 s of CPU (the collector works harder
// near the limit): hence the default of 1.9 (bench/report/report.md has
// the figures of the default); with
// BuildMemoryRatio < 0 (no limit) it peaks at 1.2-1.3 GB (3.6-3.9×) in
// 6.9 s of CPU. New's first build is not limited: 940 MB. The loader,
// allowlist and Compile of the same feeds before streaming (LoadAll, then
// Compile, and FreeOSMemory after) peaked at 1.73 GB for the first build
// and 2.2 GB for a reload (5.97× its steady 369 MB), in 10.5 s of CPU.
// Since match keeps the metadata compactly the steady RSS of the same
// feeds is 134 MiB, and a reload with the default ratio peaks at 246-249
// MiB (1.83-1.86×) in 8.2 s of CPU, 256-258 MiB (1.91-1.92×) with -churn
// (AMD EPYC VM, 2026-12-02, bench/report/report.md). Just before the
// Builder's flat index of entries and the smaller interning maps it was
// 2.15-2.17× in 15-16 s of CPU: the build's own data (then 41 bytes per
// entry for the index alone) no longer fitted under the limit, and the
// collector ran at it.
//
// Change detection costs one stat per file per WatchInterval, and a read
// of the files modified within ModTimeWindow.
package live
