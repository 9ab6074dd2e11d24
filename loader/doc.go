// Package loader reads threat-intelligence feeds into indicators
// (indicator.Indicator) for the matcher.
//
//	res, err := loader.Load("feeds/", loader.Options{})
//	if err != nil { … }
//	for _, p := range res.Problems { log.Print(p) } // "feeds/c2.txt:12: …"
//	m, err := match.Compile(res.Indicators, match.Options{})
//
// # Formats
//
// Load reads a file, or every regular file under a directory, in the
// format detected from its content first and its name second (Detect), or
// the one Options.Format names. Read does the same for one io.Reader, and
// each format has a reader of its own:
//
//	Format                 reader               what it is
//	FormatList             ReadList             one indicator per line
//	FormatCSV              ReadCSV              CSV with a header (abuse.ch exports …)
//	FormatSTIX             ReadSTIX             STIX 2.x bundles, objects, TAXII envelopes
//	FormatMISP             ReadMISP             MISP events (and MISP feeds' event files)
//	FormatMISPManifest     ReadMISPManifest     a MISP feed's manifest.json
//	FormatWarninglist      ReadWarninglist      MISP warninglists (allowlists)
//	FormatZeek             ReadZeek             Zeek intel framework files
//	FormatSuricataDataset  ReadSuricataDataset  Suricata datasets
//	FormatSuricataIPRep    ReadSuricataIPRep    Suricata IP reputation files
//	FormatOTX              ReadOTX              AlienVault OTX pulses, API pages, indicator lines
//	FormatRecordedFuture   ReadRecordedFuture   Recorded Future risk lists (CSV)
//	FormatAbuseIPDB        ReadAbuseIPDB        AbuseIPDB blacklists: JSON, CSV, plain text
//	FormatThreatConnect    ReadThreatConnect    ThreatConnect indicators: API v2, v3, batch files
//	FormatThreatStream     ReadThreatStream     Anomali ThreatStream intelligence (API pages, objects, elastic events)
//	FormatMandiant         ReadMandiant         Mandiant Threat Intelligence indicators (API pages, elastic events)
//	FormatCrowdStrike      ReadCrowdStrike      CrowdStrike Falcon Intel indicators (arrays, API envelopes)
//
// The rules of each format are in the documentation of its reader; the
// TAXII 2.1 client is package loader/taxii. gzip-compressed input
// (recognised by its magic bytes, whatever the name) is decompressed on
// the fly; a corrupt or truncated gzip stream is a problem
// (ReasonMalformed) that ends the reading of its file, what was read
// before it kept.
//
// Every reader streams its input: line formats hold one line (at most
// Options.MaxLineLen bytes) at a time, JSON formats one record (one STIX
// object, one MISP attribute or object: at most Options.MaxRecordSize
// bytes, nested at most Options.MaxJSONDepth deep), besides the
// indicators read. A 1 GB feed is never read into memory at once. The
// nesting is followed byte by byte as the input is read, so that nesting
// too deep is found however deep it is, before the value is read whole;
// a MaxJSONDepth above 10,000 (encoding/json's own limit) is 10,000.
//
// What is kept is bounded too: identical records are merged as they are
// read (see Indicators below), and a file gives at most
// Options.MaxIndicatorsPerFile indicators (DefaultMaxIndicatorsPerFile, 5
// million), a Load or Read at most Options.MaxIndicators in all
// (DefaultMaxIndicators, 10 million; about 390 to 530 bytes each in the
// Result, so at most 3.9 to 5.3 GB, and about three times that at the peak
// of loading). The indicator past a cap is a
// problem (ReasonTooMany) that ends the reading of its file, what was read
// before it kept; past MaxIndicators every later file ends the same way at
// its first new indicator.
//
// StreamAll reads like LoadAll but hands the indicators to a function in
// batches (StreamBatch, 4096, or one MISP event or STIX file) instead of
// keeping them, for a program that compiles them as they come
// (match.Builder, package live): it never holds the whole Result's
// indicators, at the price of leaving the merging of identical records
// to the matcher. StreamAllMerged merges them as LoadAll does, keeping a
// 128-bit fingerprint of each indicator instead of the indicator, for a
// program that reports LoadAll's counts (iocscan). LoadAllowlists reads
// only the allowlists of a feed tree (warninglists, Zeek whitelist rows),
// the first pass of such a program when it applies them (package allow).
//
// # Problems
//
// A record that cannot be read (a value that is not a valid indicator, a
// line that is too long, malformed JSON …) is skipped and reported as a
// Problem whose text is "path:line: message" for line formats and
// "path: record: message" for JSON formats (record is the object's id or
// place); Result.Skipped counts the skipped records per reason
// (ReasonInvalidValue …). Result.Problems keeps the first MaxProblems of
// them; the counts go on. With Options.Strict, reading stops at the first
// bad record instead, and the error returned is that *Problem. A JSON
// syntax error or a passed limit ends the reading of its file (what was
// read before it is kept), as a problem; but in STIX and MISP input of
// several JSON documents one after the other (JSON lines), nesting too
// deep (ReasonTooDeep) ends only its document: the rest of it is skipped,
// and reading goes on with the next.
//
// A valid record that iocmatch does not read (a STIX pattern with AND, a
// MISP attachment, a Zeek indicator type with no indicator kind, a STIX
// indicator revoked or superseded by a later version of it …) is not a
// problem: it is counted in Result.Unsupported by what it is. So every
// record is accounted for: an indicator, a duplicate, a problem, or
// unsupported. Result.PerFile has these counts per file.
//
// Indicators are returned in input order, one per good record (some
// records give several: a MISP domain|ip attribute, a STIX pattern with
// OR), except that a record identical to one read before it is merged
// into it and counted in Result.Duplicates (and FileStats.Duplicates):
// identical means the same type, canonical value and metadata (every field
// of indicator.Meta, Source and File included, times as instants). So a
// feed that repeats one line a billion times costs one indicator. As
// Meta.File is the file's path, only records of one file merge: the same
// record in two files (two copies of a feed, or two feeds of one source
// name) stays two indicators, each naming its file (different provenance;
// the matcher makes them one entry with both). The same value with other metadata (another
// source, other tags …) stays a separate indicator: collapsing those into
// one entry is the matcher's job. The metadata a STIX document or MISP
// event resolves at its end (identities, event tags) is part of the
// comparison: such indicators are merged once it is known. Every
// indicator's Meta.Source is Options.Source if set,
// else the source the feed names (a MISP organisation, a STIX identity, a
// Zeek meta.source), else the file's name without extension (SourceName);
// its Meta.File is the path of its file as given to Load (or joined to
// the directory given), or the path given to Read. Where several files
// share a source name (Zeek test files all saying "source1", a MISP
// organisation's events), File tells them apart.
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
//     the count of ipsum-style "IP<TAB>count" lists.
//   - Hosts-file lines are the exception: when the first field is a sink
//     address (0.0.0.0, 127.0.0.1, ::, ::1) and more fields follow, the
//     values are those fields ("0.0.0.0 evil.example www.evil.example"
//     gives two domains, and no address); a name without a dot
//     ("127.0.0.1 localhost") is counted as unsupported. Under a header the
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
//     NULs) are read like any others; but a file whose format is detected
//     and that has a NUL in its first 8 KiB (BinarySniffLen) is a binary
//     file, not read at all (see Directories).
//   - Every indicator gets Meta.Source = Options.Source, or by default the
//     base name of the file without its extension (SourceName:
//     "feeds/c2-domains.txt" is "c2-domains", "ips.txt.gz" is "ips"). Plain
//     lists carry no other metadata: Meta.ID and the rest are left zero.
//   - A plain list is what Detect falls back on: a file no other format
//     claims is read as one.
//
// # Directories
//
// Load on a directory reads every regular file under it, recursively, in
// lexical order (a directory's files and subdirectories sorted by name
// together), skipping hidden files and directories (names starting with
// '.'). Symbolic links to files are read; symbolic links to directories are
// not followed, unless the path given to Load is one. Each file is read in
// its own format. A MISP feed directory (manifest.json and one
// <uuid>.json per event) is read this way too; its hashes.csv (hashes of
// values, for correlation) is skipped when a manifest.json is beside it.
// A directory without files gives no indicators and no error; a path that
// does not exist is an error. LoadAll reads several paths, files or
// directories, into one Result.
//
// Under a directory, some files are not feeds, and are skipped, each named
// in Result.SkippedFiles with why:
//
//   - documentation (IsDocumentation): README*, SOURCES*, LICENSE*,
//     LICENCE*, COPYING*, CHANGELOG*, *.md, *.markdown, *.adoc,
//     *.asciidoc, *.rst, whatever they hold (an IOC report in README.adoc
//     is read by naming it, or with an Options.Include pattern matching
//     it);
//   - the files Options.Exclude matches (and the directories: all under
//     them), and with Options.Include set the files it does not match: the
//     patterns (path.Match syntax) are matched against the path relative
//     to the directory and against the base name;
//   - a MISP feed's hashes.csv (above).
//
// A file given to Load itself is always read. And any file read, under a
// directory or not, whose format is to be detected and that has a NUL byte
// in its first 8 KiB, after gzip decompression (an executable, an archive,
// a gzip inside the gzip, UTF-16 text), is a binary file: a problem of the
// file (ReasonBinary, "path: binary file …"), which is not read. With
// Options.Format set it is read as that format.
package loader
