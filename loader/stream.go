package loader

import (
	"errors"

	"github.com/iocmatch/iocmatch/indicator"
	"github.com/iocmatch/iocmatch/internal/metakey"
)

// StreamBatch is the most indicators StreamAll gives its sink at once,
// but for the indicators of one MISP event or one STIX document, which
// are given together once the document's metadata is resolved (after
// fewer than StreamBatch others at most): 4096.
const StreamBatch = 4096

// StreamAll is LoadAll that does not keep the indicators: it gives them
// to sink in batches as it reads them (at most StreamBatch at a time,
// but the indicators of one MISP event or one STIX file, given together
// once their metadata is resolved, after fewer than StreamBatch others),
// so that a program that compiles them (match.Builder) never holds the
// whole []indicator.Indicator of a large feed (about 400 bytes per
// indicator, and the growth of the slice).
// The batch slice is reused after sink returns: sink must not keep it
// (the strings and slices inside may be kept).
//
// Everything else is LoadAll's, with one difference: identical records
// are not merged by the loader (Result.Duplicates and
// FileStats.Duplicates stay 0, and FileStats.Indicators counts them), as
// that takes every indicator read; match.Compile and match.Builder merge
// them into one record of their entry (Entry.Duplicates) instead. The
// caps (Options.MaxIndicatorsPerFile, MaxIndicators) count the indicators
// given to sink. Result.Indicators is empty; the rest of the Result
// (problems, counts, warninglists, allowlist rows, files) is as LoadAll's.
//
// An error of sink ends the load: StreamAll returns it (wrapped with the
// path of the file being read; errors.Is and errors.As see it), with the
// Result of what was read before it.
func StreamAll(paths []string, opts Options, sink func([]indicator.Indicator) error) (Result, error) {
	return streamAll(paths, opts, sink, false)
}

// StreamAllMerged is StreamAll that merges identical records as LoadAll
// does: sink gets the indicators of LoadAll's Result, in its order, and
// the Result's counts (Duplicates, FileStats.Indicators and Duplicates,
// the caps) are LoadAll's. Instead of the indicators, it keeps a 128-bit
// fingerprint of each (two hashes under independent random seeds: 21 to
// 43 bytes an indicator in its table); a record is a
// duplicate when its fingerprint was seen, so two different records are
// taken for one with a probability of 2⁻¹²⁸ per pair. It is for a program
// that reports a feed as LoadAll's Result would (the counts of records
// before the allowlists and the ageing) but compiles it as it streams.
func StreamAllMerged(paths []string, opts Options, sink func([]indicator.Indicator) error) (Result, error) {
	return streamAll(paths, opts, sink, true)
}

func streamAll(paths []string, opts Options, sink func([]indicator.Indicator) error, merge bool) (Result, error) {
	var res Result
	if sink == nil {
		return res, errors.New("loader: StreamAll: nil sink")
	}
	if err := checkPatterns(&opts); err != nil {
		return res, err
	}
	st := newLoadState()
	st.sink = sink
	if merge {
		st.seen, st.hash2 = &fpSet{}, metakey.NewHasher()
	}
	for _, path := range paths {
		if err := loadPath(&res, st, path, &opts); err != nil {
			return res, err
		}
		if err := st.flush(&res, 0, 1); err != nil {
			return res, readError(path, err)
		}
	}
	return res, nil
}

// LoadAllowlists reads, of the files of paths (walked as LoadAll walks
// them), only those whose format holds allowlists: MISP warninglists
// (Result.Warninglists) and Zeek intel files (the rows with
// meta.whitelist "T": Result.Allowlist). Their indicators are not kept,
// nor are the other files read (a file's format is still detected from
// its first bytes): it is the first pass of a program that streams the
// indicators (StreamAll) through an allowlist policy built from the
// feeds' own lists (package allow). With Options.Format set, only files
// of that format are read, and only if it is one of those two. The
// Result's counts (PerFile, problems) are of the files read.
func LoadAllowlists(paths []string, opts Options) (Result, error) {
	var res Result
	if err := checkPatterns(&opts); err != nil {
		return res, err
	}
	st := newLoadState()
	st.sink = func([]indicator.Indicator) error { return nil }
	st.allowOnly = true
	for _, path := range paths {
		if err := loadPath(&res, st, path, &opts); err != nil {
			return res, err
		}
	}
	res.Indicators = nil
	return res, nil
}
