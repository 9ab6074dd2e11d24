package setup

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/iocmatch/iocmatch/age"
	"github.com/iocmatch/iocmatch/encode"
	"github.com/iocmatch/iocmatch/indicator"
	"github.com/iocmatch/iocmatch/live"
	"github.com/iocmatch/iocmatch/loader"
	"github.com/iocmatch/iocmatch/match"
)

// Multi is a repeatable string flag: each use appends its value.
type Multi []string

// String joins the values with commas.
func (f *Multi) String() string { return strings.Join(*f, ",") }

// Set appends v.
func (f *Multi) Set(v string) error { *f = append(*f, v); return nil }

// Flags are the shared flags of a host program, as Register defines them.
type Flags struct {
	Feeds                  Multi         // -feed
	FeedFormat             string        // -feed-format: "" detect
	Strict                 bool          // -strict
	TAXII                  TAXII         // -taxii and its flags
	Platforms              Platforms     // -otx, -abuseipdb, -recordedfuture, -threatconnect and their flags
	MinConfidence          int           // -min-confidence
	MaxMatchesPerLine      int           // -max-matches-per-line: 0 no limit
	Now                    string        // -now: RFC 3339, "" the clock
	Allow                  Allow         // the allowlist flags
	Age                    Age           // -max-age, -decay
	Include, Exclude       Multi         // -include, -exclude
	Reload                 time.Duration // -reload: 0 load once
	PublicSuffixSubdomains bool          // -public-suffix-subdomains

	envPrefix string // of the platforms' secrets: envPrefix+"_OTX_KEY" …
}

// NewFlags returns Flags whose TAXII secrets may come from the
// environment variables envPrefix+"_TAXII_PASSWORD" and
// envPrefix+"_TAXII_TOKEN" (e.g. "IOCSCAN").
func NewFlags(envPrefix string) *Flags {
	return &Flags{TAXII: TAXII{EnvPassword: envPrefix + "_TAXII_PASSWORD", EnvToken: envPrefix + "_TAXII_TOKEN"}, envPrefix: envPrefix}
}

// Register defines the flags on fs.
func (f *Flags) Register(fs *flag.FlagSet) {
	fs.Var(&f.Feeds, "feed", "`PATH` of a feed file or directory (repeatable; at least one -feed, -taxii or platform feed: -otx …)")
	fs.StringVar(&f.FeedFormat, "feed-format", "", "read every -feed file as `FORMAT` (list, csv, stix, misp, zeek, otx, abuseipdb, recordedfuture, threatconnect …) instead of detecting it from its content")
	fs.BoolVar(&f.Strict, "strict", false, "fail on the first bad feed record instead of skipping it")
	f.TAXII.register(fs)
	f.Platforms.register(fs, f.envPrefix)
	fs.IntVar(&f.MinConfidence, "min-confidence", 0, "drop indicators whose known confidence is below `N` (0-100)")
	fs.IntVar(&f.MaxMatchesPerLine, "max-matches-per-line", match.DefaultMaxMatchesPerLine, "report at most `N` matches per line (0: no limit); the rest of a line is not matched")
	fs.StringVar(&f.Now, "now", "", "judge the indicators' validity windows at `TIME` (RFC 3339, e.g. 2026-01-02T15:04:05Z) instead of the clock, for reproducible runs")
	f.Allow.register(fs)
	f.Age.register(fs)
	fs.Var(&f.Include, "include", "read only the files matching `GLOB` under a feed directory (path.Match syntax, against the path relative to the directory and the base name; repeatable)")
	fs.Var(&f.Exclude, "exclude", "leave out the files and directories matching `GLOB` under a feed directory (repeatable; wins over -include)")
	fs.DurationVar(&f.Reload, "reload", 0, "keep the feeds live: check the feed files for changes every `DURATION` (and re-poll a TAXII collection that often), and on SIGHUP, rebuilding the indicators in the background and swapping them in between two lines (0: load once)")
	fs.BoolVar(&f.PublicSuffixSubdomains, "public-suffix-subdomains", false, "let a domain indicator that is a public suffix (duckdns.org, co.uk …) match its subdomains too, not only its exact name")
}

// ErrNoFeed is the error of Config when no feed is given: no -feed, no
// -taxii, no platform feed.
var ErrNoFeed = errors.New("at least one -feed, -taxii, -otx, -abuseipdb, -recordedfuture or -threatconnect is required")

// Config is what the flags build.
type Config struct {
	Flags  *Flags
	Loader loader.Options // Strict, Include, Exclude, Format (-feed-format)
	Match  match.Options  // MinConfidence, MaxMatchesPerLine (< 0: none), SubdomainsOfPublicSuffixes, Now (-now; nil: the clock)
	Age    *age.Policy    // the ageing and decay policy, on Clock
	Clock  func() time.Time
}

// Config checks the flags and builds the options; an error names the
// flag. ErrNoFeed: neither -feed nor -taxii.
func (f *Flags) Config() (*Config, error) {
	if len(f.Feeds) == 0 && f.TAXII.URL == "" && !f.Platforms.Any() {
		return nil, ErrNoFeed
	}
	if f.Reload < 0 {
		return nil, fmt.Errorf("-reload %v: must be 0 (off) or more", f.Reload)
	}
	if f.MaxMatchesPerLine < 0 {
		return nil, fmt.Errorf("-max-matches-per-line %d: must be 0 (no limit) or more", f.MaxMatchesPerLine)
	}
	maxHits := f.MaxMatchesPerLine
	if maxHits == 0 {
		maxHits = -1 // no cap
	}
	c := &Config{
		Flags:  f,
		Loader: loader.Options{Strict: f.Strict, Include: f.Include, Exclude: f.Exclude},
		Match:  match.Options{MinConfidence: f.MinConfidence, MaxMatchesPerLine: maxHits, SubdomainsOfPublicSuffixes: f.PublicSuffixSubdomains},
	}
	if f.FeedFormat != "" {
		ff, err := loader.ParseFormat(f.FeedFormat)
		if err != nil {
			return nil, fmt.Errorf("-feed-format: %w", err)
		}
		c.Loader.Format = ff
	}
	if f.Now != "" {
		now, err := ParseNow(f.Now)
		if err != nil {
			return nil, err
		}
		c.Match.Now = func() time.Time { return now }
	}
	var err error
	if c.Age, err = f.Age.Policy(c.Match.Now); err != nil {
		return nil, err
	}
	c.Clock = c.Match.Now
	if c.Clock == nil {
		c.Clock = time.Now
	}
	return c, nil
}

// ParseNow parses the -now flag: an RFC 3339 time, fractional seconds
// allowed.
func ParseNow(s string) (time.Time, error) {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return time.Time{}, fmt.Errorf("-now %q: not an RFC 3339 time such as 2026-01-02T15:04:05Z or 2026-01-02T16:04:05+01:00", s)
	}
	return t, nil
}

// Scorer is the ageing policy as the encoders' Scorer when it scores
// (-decay), else nil.
func (c *Config) Scorer() encode.Scorer { return Scorer(c.Age) }

// Scorer is p as the encoders' Scorer when it scores, else nil (an
// interface holding a nil *age.Policy would not be nil).
func Scorer(p *age.Policy) encode.Scorer {
	if p == nil || !p.Scoring() {
		return nil
	}
	return p
}

// Transform is the ageing policy as a live.Options.Transform: report,
// when not nil, is called with the age.Report of every batch (a build has
// several: a host sums them).
func (c *Config) Transform(report func(*age.Report)) func([]indicator.Indicator, time.Time) ([]indicator.Indicator, error) {
	p := c.Age
	return func(inds []indicator.Indicator, _ time.Time) ([]indicator.Indicator, error) {
		kept, rep := p.Apply(inds)
		if report != nil {
			report(&rep)
		}
		return kept, nil
	}
}

// LiveOptions are the options of a live.Matcher over the flags' feeds:
// Paths, the TAXII source (resolved now, with ctx: an error is returned),
// Loader, Allow (the -warninglist files read now, their problems written
// to w), Transform (the ageing, without a report: set another with
// c.Transform to count), Compile, Now and, with -reload, WatchInterval
// and Interval (a TAXII collection is polled that often). The host sets
// OnReload, and runs Run when c.Flags.Reload > 0.
func (c *Config) LiveOptions(ctx context.Context, w io.Writer) (live.Options, error) {
	f := c.Flags
	aopts, err := f.Allow.Options(w, nil, nil)
	if err != nil {
		return live.Options{}, err
	}
	opts := live.Options{
		Paths:     f.Feeds,
		Loader:    c.Loader,
		Allow:     &aopts,
		Transform: c.Transform(nil),
		Compile:   c.Match,
		Now:       c.Match.Now,
	}
	if f.Reload > 0 {
		opts.WatchInterval = f.Reload
	}
	if f.TAXII.URL != "" {
		src, err := f.TAXII.Source(ctx)
		if err != nil {
			return live.Options{}, err
		}
		opts.TAXII = []live.TAXIISource{src}
	}
	if opts.Feeds, err = f.Platforms.Feeds(); err != nil {
		return live.Options{}, err
	}
	if f.Reload > 0 && (len(opts.TAXII) > 0 || len(opts.Feeds) > 0) {
		opts.Interval = f.Reload // a collection or an API feed has no change to watch
	}
	return opts, nil
}
