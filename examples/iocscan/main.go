// Command iocscan loads IOC feeds and scans log files for them, printing
// one JSON object per match.
//
//	go run ./examples/iocscan -feed PATH [-feed PATH …] [-q] [FILE …]
//
// Each -feed is a feed file or a directory of feed files (see package
// loader for the formats). The files are scanned line by line (standard
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
// Exit status: 0 when the scan ran, with or without matches; 2 on a usage
// error, an unreadable feed or input file, or a feed with no valid
// indicator.
package main

import (
	"os"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}
