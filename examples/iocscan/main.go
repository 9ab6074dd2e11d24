// Command iocscan loads IOC feeds and scans log files for them, printing
// one JSON object per match.
//
//	go run ./examples/iocscan -feed PATH [-feed PATH …] [-q] [-v] [FILE …]
//	go run ./examples/iocscan -taxii URL [-taxii-collection NAME] [-taxii-user U] … [FILE …]
//
// Each -feed is a feed file or a directory of feed files, in any format
// package loader reads (detected from each file's content). -taxii loads
// a TAXII 2.1 collection: URL is the collection's URL, or a discovery or
// API root URL with -taxii-collection naming it (id, alias or title);
// -taxii-user with -taxii-password (or $IOCSCAN_TAXII_PASSWORD) or
// -taxii-token (or $IOCSCAN_TAXII_TOKEN) authenticate (the credentials
// go only to the host of URL, and to those -taxii-credential-hosts lists:
// "name" or "name:port", comma-separated), and -taxii-added-after loads
// only what was added after an RFC 3339 time.
// For each feed, its problems, then the counts of indicators, skipped
// records (per reason) and unsupported records (per kind) go to standard
// error; -v adds the counts of every file. The files are scanned line by
// line (standard
// input when none is named, or for "-"), and every match is written to
// standard output as
//
//	{"file":"access.log","line":12,"start":40,"end":50,"type":"domain","indicator":"evil.com","matched":"a.EVIL.com","sources":["feedA","feedB"]}
//
// where line is 1-based, start and end are byte offsets in the line,
// indicator is the canonical value and sources are sorted. Problems in the
// feeds and a summary go to standard error; -q silences the summary and
// the per-record problems (fatal errors are still printed).
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
// Exit status: 0 when the scan ran, with or without matches; 2 on a usage
// error, an unreadable feed or input file, when no feed at all gave a
// valid indicator, or with -strict a bad record or a feed with no valid
// indicator.
package main

import (
	"os"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}
