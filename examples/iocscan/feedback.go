package main

import (
	"errors"
	"flag"
	"fmt"
	"io/fs"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/iocmatch/iocmatch/age"
	"github.com/iocmatch/iocmatch/allow"
	"github.com/iocmatch/iocmatch/hits"
	"github.com/iocmatch/iocmatch/indicator"
	"github.com/iocmatch/iocmatch/match"
	"github.com/iocmatch/iocmatch/roi"
	"github.com/iocmatch/iocmatch/sightings"
)

// feedbackFlags are the flags of what iocscan reports back: hit
// statistics, sightings, the feeds' ROI.
type feedbackFlags struct {
	stats, sightings, format, sensor, roi string
	every                                 time.Duration
}

func (f *feedbackFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&f.stats, "stats", "", "write the hit statistics per indicator (count, first and last hit, sources) to `FILE` as JSON, at the end, every -stats-interval with -follow, and on SIGUSR1; read back at start when it exists, so counts survive restarts")
	fs.StringVar(&f.sightings, "sightings", "", "append the indicators' sightings to `FILE`, one JSON document per period (the run, or each -stats-interval with -follow, or up to a SIGUSR1): -sightings-format misp or stix")
	fs.StringVar(&f.format, "sightings-format", "stix", "`FORMAT` of -sightings: misp (the bodies of MISP's /sightings/add, a JSON array) or stix (a STIX 2.1 bundle of sighting objects)")
	fs.StringVar(&f.sensor, "sensor", "", "`NAME` of this sensor in the sightings (MISP source, STIX identity; default: the host name)")
	fs.StringVar(&f.roi, "roi", "", "write the feeds' ROI report to `FILE` (JSON when it ends in .json, else markdown): per feed, indicators loaded, suppressed per list, expired and decayed, indicators hit, hits, the hits no other feed gave, the share on warninglisted indicators")
	fs.DurationVar(&f.every, "stats-interval", time.Minute, "with -follow, write -stats, -sightings and -roi every `DURATION` (0: only at the end and on SIGUSR1)")
}

// feedback is the run's hit statistics and their exports.
type feedback struct {
	flags  feedbackFlags
	format sightings.Format
	sensor string
	st     *hits.Stats
	clock  func() time.Time
	logf   func(string, ...any)

	mu    sync.Mutex // one export at a time; guards feeds
	feeds []roi.FeedInput
}

// newFeedback checks the flags and starts the statistics at the clock's
// now: they are always kept (a few bytes per entry hit); the flags say
// what is written.
func newFeedback(f feedbackFlags, clock func() time.Time, logf func(string, ...any)) (*feedback, error) {
	fb := &feedback{flags: f, clock: clock, logf: logf, sensor: f.sensor}
	var err error
	if fb.format, err = sightings.ParseFormat(f.format); err != nil {
		return nil, fmt.Errorf("-sightings-format: %w", err)
	}
	if f.every < 0 {
		return nil, fmt.Errorf("-stats-interval %v: must be 0 or more", f.every)
	}
	if fb.sensor == "" {
		if h, err := os.Hostname(); err == nil {
			fb.sensor = h
		}
	}
	fb.st = hits.New(hits.Options{Start: clock()})
	return fb, nil
}

// bind binds the statistics to m, the first set (restoring the counts of
// an earlier run's -stats file) or a reload's.
func (fb *feedback) bind(m *match.Matcher, first bool) error {
	fb.st.Rebind(m)
	if !first || fb.flags.stats == "" {
		return nil
	}
	f, err := hits.ReadFile(fb.flags.stats)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("-stats: %w", err)
	}
	fb.st.Restore(f.Entries)
	return nil
}

// setFeeds sets what the ROI report says of the feeds before matching:
// from the allowlist report and the ageing counts per source (with -roi
// only).
func (fb *feedback) setFeeds(rep *allow.Report, kept []indicator.Indicator, ages *age.Report) {
	if fb.flags.roi == "" {
		return // only the ROI report reads them: no walk over every indicator at start without -roi
	}
	feeds := roi.FeedsFrom(rep, kept)
	roi.AddAges(feeds, ages)
	fb.mu.Lock()
	fb.feeds = feeds
	fb.mu.Unlock()
}

// roi reports whether the ROI report is asked for (-roi): only it reads
// the feeds' files (setFeeds).
func (fb *feedback) roi() bool { return fb.flags.roi != "" }

// feedFiles are, for setFeeds, one indicator of each source and file of
// the kept indicators, in the order first met: roi.FeedsFrom reads only
// those (and the counts of the allowlist report) of them.
type feedFiles struct {
	seen map[[2]string]bool
	inds []indicator.Indicator
}

// add adds the sources and files of kept not met before.
func (f *feedFiles) add(kept []indicator.Indicator) {
	if f.seen == nil {
		f.seen = map[[2]string]bool{}
	}
	for i := range kept {
		k := [2]string{kept[i].Source, kept[i].File}
		if !f.seen[k] {
			f.seen[k] = true
			f.inds = append(f.inds, indicator.Indicator{Meta: indicator.Meta{Source: k[0], File: k[1]}})
		}
	}
}

// write writes every export the flags ask for; end: the last one, at the
// end of the run. Errors are reported, and returned joined.
func (fb *feedback) write(end bool) error {
	fb.mu.Lock()
	defer fb.mu.Unlock()
	now := fb.clock()
	var errs []error
	if fb.flags.stats != "" {
		if err := fb.st.WriteFile(fb.flags.stats, now); err != nil {
			errs = append(errs, fmt.Errorf("-stats: %w", err))
		}
	}
	if fb.flags.sightings != "" {
		p := fb.st.Cut(now)
		if len(p.Entries) > 0 || end {
			if err := fb.appendSightings(p); err != nil {
				errs = append(errs, fmt.Errorf("-sightings: %w", err))
			}
		}
	}
	if fb.flags.roi != "" {
		r := roi.Compute(fb.feeds, fb.st.Snapshot())
		if err := r.WriteFile(fb.flags.roi); err != nil {
			errs = append(errs, fmt.Errorf("-roi: %w", err))
		}
	}
	for _, err := range errs {
		fb.logf("%v", err)
	}
	return errors.Join(errs...)
}

// appendSightings appends the sightings of p to the -sightings file as
// one line: one JSON document per period.
func (fb *feedback) appendSightings(p hits.Period) error {
	var b strings.Builder
	if err := sightings.Write(&b, fb.format, p, sightings.Options{Sensor: fb.sensor}); err != nil {
		return err
	}
	doc := strings.ReplaceAll(strings.TrimSpace(b.String()), "\n", "") // JSON: a newline is only white space
	f, err := os.OpenFile(fb.flags.sightings, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o644)
	if err != nil {
		return err
	}
	if _, err := f.WriteString(doc + "\n"); err != nil { // one write: a reader sees whole lines
		f.Close()
		return err
	}
	return f.Close()
}
