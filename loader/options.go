package loader

// Default limits, used when the corresponding Options field is zero.
const (
	// DefaultMaxLineLen is the longest line, in bytes, of a line-based
	// format (plain list, CSV, Zeek intel, Suricata): 1 MiB.
	DefaultMaxLineLen = 1 << 20

	// DefaultMaxRecordSize is the largest JSON record, in bytes: one STIX
	// object, one MISP attribute or object, the event-level fields of a
	// MISP event, a whole warninglist or manifest: 64 MiB.
	DefaultMaxRecordSize = 64 << 20

	// DefaultMaxJSONDepth is the deepest nesting of JSON arrays and objects
	// accepted: 64.
	DefaultMaxJSONDepth = 64

	// DefaultMaxIndicatorsPerFile is the most indicators read from one
	// file (or one Read, one TAXII load): 5 million, above the largest
	// public feeds of a few million lines.
	DefaultMaxIndicatorsPerFile = 5_000_000

	// DefaultMaxIndicators is the most indicators one Load (or Read)
	// returns, all files together: 10 million. A Result holds about 390 to
	// 530 bytes per indicator (320 of them the indicator.Indicator itself,
	// the rest its value, the slice's growth room and the metadata of JSON
	// formats; Meta.File shares its file's path), so 3.9 to 5.3 GB at this
	// default, and the peak RSS while loading is about three times that
	// (the slice's growth and the garbage collector's room), 12 to 16 GB:
	// it leaves room on a 24 GiB machine for Compile (about 82 bytes per
	// indicator more, see package match).
	DefaultMaxIndicators = 10_000_000
)

// Options control how feeds are read. The zero Options are the defaults.
type Options struct {
	// Strict stops reading at the first bad record, which is returned as
	// the error (a *Problem), instead of skipping it. Unsupported records
	// (Result.Unsupported) are not bad records: they never stop reading.
	Strict bool

	// Source, when set, is the source name (indicator.Meta.Source) of
	// every indicator read, instead of the one the format gives (a MISP
	// event's organisation, a STIX identity, a Zeek meta.source …) or, by
	// default, the file's name (see SourceName).
	Source string

	// Format, when set, is the format of every file read, instead of the
	// one detected (see Detect).
	Format Format

	// MaxLineLen is the longest line accepted, in bytes, line ending
	// excluded, by the line-based formats; zero or less means
	// DefaultMaxLineLen. A longer line is a problem (ReasonLineTooLong): it
	// is skipped (with Strict, it is the error) and reading goes on with
	// the next line.
	MaxLineLen int

	// MaxRecordSize is the largest JSON record accepted, in bytes (see
	// DefaultMaxRecordSize); zero or less means the default. A larger
	// record is a problem (ReasonTooLarge) that ends the reading of its
	// file: what was read before it is kept.
	MaxRecordSize int64

	// MaxJSONDepth is the deepest nesting of JSON arrays and objects
	// accepted; zero or less means DefaultMaxJSONDepth. Deeper input is a
	// problem (ReasonTooDeep) that ends the reading of its file.
	MaxJSONDepth int

	// MaxIndicatorsPerFile is the most indicators read from one file;
	// zero or less means DefaultMaxIndicatorsPerFile. Duplicates (see
	// Result.Duplicates) do not count. The indicator past it is a problem
	// (ReasonTooMany) that ends the reading of its file: what was read
	// before it is kept (with Strict, it is the error).
	MaxIndicatorsPerFile int

	// MaxIndicators is the most indicators of one Load or Read, all files
	// together; zero or less means DefaultMaxIndicators. Duplicates do not
	// count. The indicator past it is a problem (ReasonTooMany) that ends
	// the reading of its file, and so is the first new indicator of every
	// later file: what was read before is kept (with Strict, the first is
	// the error).
	MaxIndicators int

	// MISPAllAttributes reads every MISP attribute, not only those marked
	// to_ids (the default, as MISP's own exports do).
	MISPAllAttributes bool

	// CSV says how to read CSV files; the zero value detects the columns
	// from the header.
	CSV CSVOptions

	// Include, when not empty, restricts the files read under a directory
	// to those matching one of its patterns; Exclude leaves out the files,
	// and the directories with all under them, matching one of its. A
	// pattern has the syntax of path.Match ("*.txt", "misp/*.json",
	// "warninglists") and is matched against the path relative to the
	// directory given to Load ('/'-separated) and against the base name:
	// "*.csv" matches every CSV file at any depth, "lists/*.csv" only
	// those directly under lists. Exclude wins over Include; Include
	// applies to files only (every directory is walked). A documentation
	// file (see IsDocumentation) is skipped unless an Include pattern
	// matches it. The files left out are named in Result.SkippedFiles. A
	// file given to Load itself is always read. A malformed pattern is an
	// error of Load.
	Include, Exclude []string

	// Progress, when set, is called by Load after each file it reads,
	// with the counts of the Load so far, so that a host program can show
	// the progress of a long load. It is called on the goroutine that
	// called Load.
	Progress func(Progress)
}

// Progress is what Load has read so far: it is passed to
// Options.Progress after each file.
type Progress struct {
	// Path is the file just read.
	Path string
	// Files is the number of files read (Result.Files), Indicators the
	// number of indicators kept (len(Result.Indicators); with StreamAll,
	// those given to the sink so far and those not given yet).
	Files, Indicators int
}

func (o *Options) maxLineLen() int {
	if o.MaxLineLen <= 0 {
		return DefaultMaxLineLen
	}
	return o.MaxLineLen
}

func (o *Options) maxRecordSize() int64 {
	if o.MaxRecordSize <= 0 {
		return DefaultMaxRecordSize
	}
	return o.MaxRecordSize
}

func (o *Options) maxJSONDepth() int {
	if o.MaxJSONDepth <= 0 {
		return DefaultMaxJSONDepth
	}
	return o.MaxJSONDepth
}

func (o *Options) maxIndicatorsPerFile() int {
	if o.MaxIndicatorsPerFile <= 0 {
		return DefaultMaxIndicatorsPerFile
	}
	return o.MaxIndicatorsPerFile
}

func (o *Options) maxIndicators() int {
	if o.MaxIndicators <= 0 {
		return DefaultMaxIndicators
	}
	return o.MaxIndicators
}
