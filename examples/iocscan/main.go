// Command iocscan loads IOC feeds and scans log files for them, printing
// one JSON object per match.
//
//	go run ./examples/iocscan -feed PATH [-feed PATH …] [-q] [-v] [-now TIME] [-format json|ecs] [FILE …]
//	go run ./examples/iocscan -taxii URL [-taxii-collection NAME] [-taxii-user U] … [FILE …]
//	IOCSCAN_OTX_KEY=… go run ./examples/iocscan -otx [-abuseipdb] [-recordedfuture ip] [-threatconnect URL] … [FILE …]
//	tail -f app.log | iocscan -feed PATH
//	go run ./examples/iocscan -feed PATH -follow [-poll DURATION] [-retro SIZE] FILE …
//	go run ./examples/iocscan -feed PATH -follow -reload 1m -retro 256MiB -stats hits.json -sightings s.json -roi roi.md FILE …
//
// Each -feed is a feed file or a directory of feed files, in any format
// package loader reads (detected from each file's content, or the one
// -feed-format names). -taxii loads
// a TAXII 2.1 collection: URL is the collection's URL, or a discovery or
// API root URL with -taxii-collection naming it (id, alias or title);
// -taxii-user with -taxii-password (or $IOCSCAN_TAXII_PASSWORD) or
// -taxii-token (or $IOCSCAN_TAXII_TOKEN) authenticate (the credentials
// go only to the host of URL, and to those -taxii-credential-hosts lists:
// "name" or "name:port", comma-separated), and -taxii-added-after loads
// only what was added after an RFC 3339 time. -otx, -abuseipdb,
// -recordedfuture LIST and -threatconnect URL load the platforms' API
// feeds (package loader/platform: the account's subscribed OTX pulses,
// the AbuseIPDB blacklist, Recorded Future risk lists, ThreatConnect
// indicators), their secrets from $IOCSCAN_OTX_KEY,
// $IOCSCAN_ABUSEIPDB_KEY, $IOCSCAN_RF_TOKEN, $IOCSCAN_TC_SECRET_KEY (with
// -threatconnect-access-id) or $IOCSCAN_TC_TOKEN, or their flags; with
// -reload they are polled that often, OTX and ThreatConnect
// incrementally.
//
// For each feed, its problems, then the counts of indicators, skipped
// records (per reason) and unsupported records (per kind) go to standard
// error; -v adds the counts of every file. Then one line gives the
// indicators loaded and the time the loading took, the matcher compiled
// and the time the compilation took. While the feeds load, a progress
// line (feed, files read, indicators so far, time) is rewritten every
// second on standard error when it is a terminal (never when it is a file
// or a pipe, nor with -q).
//
// The files are scanned line by line (standard input when none is named,
// or for "-"). A gzip-compressed input is decompressed, recognised by its
// first bytes whatever its name (standard input too; concatenated members
// are read one after the other); corrupt or truncated gzip data is an
// error of that input, after the lines read before it were scanned. Every
// match is written to standard output, by default (-format json) as
// one JSON object per match:
//
//	{"file":"access.log","line":12,"offset":3120,"start":40,"end":50,"type":"domain","indicator":"evil.com","matched":"a.EVIL.com","sources":["feedA","feedB"],"confidence":"high","tlp":"amber","records":[{"source":"feedA","id":"indicator--…","confidence":"high","tlp":"amber","tags":["c2"],"malware_family":"Emotet"}]}
//
// where line is 1-based, offset is the line's byte offset in its file,
// start and end are byte offsets in the line, indicator is the canonical
// value and sources are sorted; confidence, severity and tlp are merged
// over the sources (highest, highest, strictest), and records give what
// each source record says beyond its name (id, confidence, severity, TLP,
// tags, threat actor, malware family, ATT&CK ids, first and last seen,
// description, reference), empty fields omitted: package encode
// documents every field. -format ecs writes instead one Elastic Common
// Schema event per line with matches, each match an element of
// threat.enrichments (the mapping is in package encode's documentation).
// Output is not held back: the matches found so far are written out
// whenever reading the input would wait (a pipe or a terminal: tail -f
// app.log | iocscan shows each match as its line arrives), and after each
// file; on a file, output is written in blocks of 64 KiB.
//
// -q (quiet) prints no summaries, no per-problem lines and no progress
// line: standard error gets only errors, one line per feed with skipped
// records counting them, and one line counting the lines of the scan that
// were truncated or matched in pieces; -q overrides -v.
//
// -now TIME (RFC 3339, e.g. 2026-01-02T15:04:05Z) judges the indicators'
// validity windows (match.Options.Now) at TIME instead of the clock, so
// that a run can be repeated with the same result.
//
// -max-matches-per-line N (default 10000, match.DefaultMaxMatchesPerLine;
// 0: no limit) caps the matches of one line: the rest of a line is not
// matched, standard error names the first truncated lines and the summary
// counts them. A line longer than the 1 MiB read buffer is matched with a
// match.LineStream, 64 MiB at a time, cut after white space, a quote, < or
// >, so that it reports what matching the whole line at once would (see
// match.LineStream for a line with no such byte in 32 MiB: it is cut
// inside a word, and standard error says so); the first such lines are
// named on standard error and the summary counts them.
//
// A feed (a -feed path or a TAXII collection) that gives no valid
// indicator (a header-only file, a binary file …) is a warning naming it
// on standard error, and the scan goes on with the others; with -strict it
// is an error. Under a feed directory, documentation files (README*,
// SOURCES*, LICENSE*, *.md, *.adoc …) are not read: the summary counts
// them and -v names them; binary files are problems of their own.
//
// -include GLOB and -exclude GLOB (repeatable, path.Match syntax, matched
// against a file's path relative to its feed directory and its base name;
// -exclude wins and prunes directories) choose the files read under a
// feed directory.
//
// Allowlists apply after loading, before the matcher is compiled (package
// allow): reserved ranges are suppressed by default (-reserved=false keeps
// them; -internal-source NAME keeps them for one source), -documentation
// suppresses the documentation ranges too, -allowlist FILE suppresses the
// values of a plain list, and the MISP warninglists found among the feeds
// or given with -warninglist FILE|DIR annotate (suppress when their
// category is false-positive; -warninglist-action NAME=suppress|annotate|off
// and -suppress-all-warninglists change that). A summary goes to standard
// error, -v adds every list with examples. A domain indicator that is a
// public suffix matches its exact name only, unless
// -public-suffix-subdomains.
//
// # Following files
//
// -follow keeps reading the files after their content, like tail -F,
// until SIGINT or SIGTERM: what is appended to them is matched as it
// arrives (its matches are on standard output within -poll, default
// 250 ms, of the line being written). The files are checked by polling
// (a stat every -poll at their end), which works on every file system.
// Each file is followed on a goroutine of its own; the output of one
// file stays in order, the records of several files interleave (each
// whole). A file that is renamed away and created anew (rotation) is
// read to its end, then the new one from its start; a file that became
// shorter (truncated, copytruncate) is read again from its start, and
// standard error says so; a file that does not exist yet, or was
// removed, is waited for. Line numbers and offsets are those in the
// file being read: they start again at 1 and 0 after a rotation or a
// truncation. A last line without a newline is held until it is
// completed, and matched as it is when the file is rotated or truncated,
// or when the run ends. A gzip-compressed file is read once, not
// followed (standard error says so); standard input, a FIFO or a device
// is read to its end, as without -follow (a pipe already streams).
//
// SIGINT or SIGTERM ends a -follow run cleanly: a file followed at its
// end is read to its end (the lines written just before the signal are
// matched), a file still read from its start (a backlog) stops after its
// current line, and standard error says so; every match is written, the
// summary printed, and the exit status is grep's (0 something matched,
// 1 nothing, 2 an error). Without -follow, SIGINT or SIGTERM stop the scan
// after its current line (a read of a pipe that waits ends at once):
// the matches so far are written, standard error names the input where
// the scan stopped and the summary follows; the exit status is then 130
// (SIGINT) or 143 (SIGTERM), as a shell reports a command killed by the
// signal, so that an interrupted scan is never taken for a complete
// one. A second SIGINT or SIGTERM kills iocscan at once.
//
// # Ageing and decay
//
// After the allowlists, package age ages the indicators at the clock
// (-now): an indicator whose last sighting (last seen, else first seen,
// else valid from) is older than its type's max age does not match; one
// with no date never ages. The max ages are age.DefaultMaxAge (addresses
// and CIDRs 30 days; domains, URLs, e-mail addresses and user agents 180
// days; e-mail subjects 90 days; hashes, file names, registry keys,
// mutexes and strings 365 days); -max-age TYPE=DURATION[,…] replaces
// those of the types it names (types as indicator names them, or ip,
// hash, all; durations as 30d, 2w, 1d12h or Go's; 0 or off: none), and
// -max-age off turns them all off. -decay MODEL scores every match with
// a MISP decaying model, by name ("NIDS Simple", "Phishing", "Vishing") or
// from a MISP model JSON file, applied as MISP does to the types of its
// attribute types: below the model's threshold an indicator stops
// matching, and each match carries "score" (0-100, one decimal) for the
// entry and each record (ECS: threat.enrichments.iocmatch.score). The
// indicators stop matching when the clock passes their end, between
// reloads too. Standard error gets one line of counts (-v: per source,
// with examples).
//
// # Reload
//
// -reload DURATION keeps the feeds live (package live): the feed files
// are checked for changes every DURATION (size, modification time, inode,
// and the content's hash while the modification time is recent), a TAXII
// collection is polled again that often, and SIGHUP reloads at once. A
// build runs in the background with the same options and allowlists (the
// feeds' own warninglists read again), and the new set is swapped in
// between two lines: the scan never waits for it. An indicator removed
// from its feed stops matching; a build that fails (a feed unreadable or
// suddenly empty, a TAXII error, -strict problems) keeps the current set,
// and standard error says why. Each reload gives one line: generation,
// entries added, removed and changed, the ageing counts, the time it took
// and the resident memory.
//
// # Feedback
//
// The hits of every indicator (lines with a match: count, first and last
// hit) are counted, and kept across reloads for the indicators that stay.
// -stats FILE writes them as JSON (package hits) at the end, every
// -stats-interval (default 1m) with -follow, and on SIGUSR1; a FILE that
// exists at start is read back, so that counts go on across restarts (a
// bad FILE is an error naming its line). -sightings FILE appends the
// sightings of each period (the run, or each interval or SIGUSR1 of a
// -follow run) as one JSON document per line, in -sightings-format stix
// (default: a STIX 2.1 bundle with an identity for this sensor, -sensor
// NAME, default the host name, and one sighting per indicator with its
// count, first and last seen; sighting_of_ref is the indicator's STIX id
// when it came from STIX) or misp (the bodies of MISP's /sightings/add,
// one per indicator, by attribute uuid when known, else by value).
// -roi FILE writes the feeds' ROI report (package roi; JSON when FILE
// ends in .json, else markdown): per feed, the indicators loaded,
// suppressed per list, expired and decayed, the indicators hit, the hits,
// the hits that no other feed would have given, and the share of its hits
// on warninglisted indicators.
//
// # Retro-hunt
//
// -retro SIZE (a byte size: 256MiB, 1GiB, 64MB, 1048576; default 0, off)
// keeps the most recent lines read, up to SIZE bytes (package retro:
// memory at most SIZE plus one block of 1 MiB, a quarter of SIZE under
// 4 MiB; a line longer than a block is not kept, nor one matched in
// pieces), with their files, line numbers and offsets, the oldest
// evicted first. When a reload (-reload, SIGHUP) brings new indicators,
// only those are matched against the kept lines, and their
// matches are written like the scan's, with the original file, line and
// offset, marked: "retro":true first in the native JSON object, and in
// ECS the ECS field tags: ["iocmatch-retro"]. Retro-hunting 256 MiB for
// 1,000 new indicators takes about 0.6 s of one core. The summary counts
// the lines kept and evicted.
//
// Exit status, as grep's: 0 when something matched, 1 when nothing did, 2
// on an error: a usage error (-h and -help print the usage on standard
// output and exit 0), an unreadable feed, no feed at all with a valid
// indicator (with -strict: any feed without one, or a bad record), an
// input that cannot be read (it is reported and the other inputs are
// scanned; the status is 2 even if they matched), or an error writing the
// output. A scan (not -follow) stopped by SIGINT or SIGTERM exits with 130
// or 143.
package main

import (
	"os"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}
