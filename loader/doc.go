// Package loader reads threat-intelligence feeds into indicators
// (indicator.Indicator) for the matcher.
//
//	res, err := loader.Load("feeds/", loader.Options{})
//	if err != nil { … }
//	for _, p := range res.Problems { log.Print(p) } // "feeds/c2.txt:12: …"
//	m, err := match.Compile(res.Indicators, match.Options{})
//
// Load reads a file, or every regular file under a directory; ReadList
// reads one plain list from an io.Reader. Both stream their input through
// a bufio.Reader and never hold more than one line (at most
// Options.MaxLineLen bytes) in memory besides the indicators read.
//
// # Problems
//
// A record that cannot be read (a value that is not a valid indicator, a
// line that is too long …) is skipped and reported as a Problem whose text
// is "path:line: message"; Result.Skipped counts the skipped records per
// reason (ReasonInvalidValue, ReasonCannotInfer, ReasonLineTooLong,
// ReasonBadHeader). Result.Problems keeps the first MaxProblems of them;
// the counts go on. With Options.Strict, reading stops at the first bad
// record instead, and the error returned is that *Problem.
//
// Indicators are returned in input order, one per good record; the same
// value on two lines gives two indicators (merging is the matcher's job).
//
// # Plain lists
//
// A plain list holds one indicator per line:
//
//	# C2 domains, 2024-05-01
//	evil[.]example          # defanged values are refanged
//	hxxps://cdn.bad.example/payload.bin
//	198.51.100.7	12      # ipsum style: the count is ignored
//
//	# type: mutex
//	Global\MsWinZonesCacheCounterMutexA
//
// The rules:
//
//   - A line ends at "\n"; a "\r" just before it (or at the end of the
//     input) is part of the line ending. A UTF-8 byte order mark at the start
//     of the input is dropped.
//   - Blank lines (empty or only white space) and lines whose first
//     non-space character is '#' are comments.
//   - A header comment "# type: NAME" ("type" in any case, NAME any name
//     indicator.ParseType accepts, optionally followed by " # comment") sets
//     the type of every following line, up to the next such header. A
//     header naming no known type is a problem (ReasonBadHeader), and so is
//     every value under it, until the next good header: they are skipped
//     rather than guessed.
//   - Without a header the type of each line is inferred from its value
//     (indicator.Parse: refang, infer, canonicalise). A value whose type
//     cannot be inferred (a file name, free text …) is a problem
//     (ReasonCannotInfer): lists of string kinds must name their type.
//   - For every type but the string kinds, the value is the first field of
//     the line (fields are separated by white space); anything after it is
//     ignored, in particular an inline comment ("evil.example  # C2") and
//     the count of ipsum-style "IP<TAB>count" lists. Under a header the
//     value is read with indicator.ParseAs, which refangs it.
//   - For the string kinds (filename, regkey, mutex, useragent,
//     email-subject, string: indicator.Type.IsString) the value is the whole
//     line without its line ending, taken as given: no refanging, no
//     trimming, no inline comment ("Mozilla/5.0 (X11; Linux) #1" is one
//     value). So such a value can neither start with '#' (after optional
//     white space) nor be only white space.
//   - A value indicator.ParseAs or indicator.Parse rejects is a problem
//     (ReasonInvalidValue, or ReasonCannotInfer); the message includes the
//     indicator error, which quotes the value.
//   - A line longer than Options.MaxLineLen bytes (DefaultMaxLineLen by
//     default), line ending excluded, is a problem (ReasonLineTooLong)
//     whatever it holds; it is skipped without being read into memory whole,
//     and reading goes on with the next line. Any other bytes (invalid UTF-8,
//     NULs) are read like any others.
//   - Every indicator gets Meta.Source = Options.Source, or by default the
//     base name of the file without its extension (SourceName:
//     "feeds/c2-domains.txt" is "c2-domains", "ips.txt.gz" is "ips"). Plain
//     lists carry no other metadata: Meta.ID and the rest are left zero.
//
// # Directories
//
// Load on a directory reads every regular file under it, recursively, in
// lexical order (a directory's files and subdirectories sorted by name
// together), skipping hidden files and directories (names starting with
// '.'). Symbolic links to files are read; symbolic links to directories are
// not followed, unless the path given to Load is one. For now
// every file is read as a plain list. A directory without files gives no
// indicators and no error; a path that does not exist is an error.
package loader
