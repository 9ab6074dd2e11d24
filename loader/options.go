package loader

// DefaultMaxLineLen is the longest line, in bytes, accepted when
// Options.MaxLineLen is zero: 1 MiB.
const DefaultMaxLineLen = 1 << 20

// Options control how feeds are read. The zero Options are the defaults.
type Options struct {
	// Strict stops reading at the first bad record, which is returned as
	// the error (a *Problem), instead of skipping it.
	Strict bool

	// Source, when set, is the source name (indicator.Meta.Source) of
	// every indicator read, instead of the file's name (see SourceName).
	Source string

	// MaxLineLen is the longest line accepted, in bytes, line ending
	// excluded; zero or less means DefaultMaxLineLen. A longer line is a
	// problem (ReasonLineTooLong): it is skipped (with Strict, it is the
	// error) and reading goes on with the next line.
	MaxLineLen int
}

func (o *Options) maxLineLen() int {
	if o.MaxLineLen <= 0 {
		return DefaultMaxLineLen
	}
	return o.MaxLineLen
}
