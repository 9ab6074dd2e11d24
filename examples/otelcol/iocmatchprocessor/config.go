package iocmatchprocessor

import (
	"errors"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/iocmatch/iocmatch/age"
	"github.com/iocmatch/iocmatch/allow"
	"github.com/iocmatch/iocmatch/loader"
)

// Defaults of the configuration (createDefaultConfig).
const (
	// DefaultReloadInterval is how often the feed files are checked for a
	// change (one stat per file).
	DefaultReloadInterval = 5 * time.Second
	// DefaultMaxMatches caps the matches of one log record: a record
	// cannot grow by more than this many enrichments.
	DefaultMaxMatches = 100
)

// Config is the configuration of the iocmatch processor.
type Config struct {
	// Feeds are the feed files and directories (every format package
	// loader reads: plain lists, CSV, MISP, STIX 2.1, Zeek intel,
	// Suricata …). Required.
	Feeds []string `mapstructure:"feeds"`

	// Allowlists configure the allowlists applied at every build.
	Allowlists AllowlistsConfig `mapstructure:"allowlists"`

	// MaxAge is the maximum age per indicator type since its last
	// sighting, over the defaults of package age (ip 30d, domain and
	// url 180d, hash 365d …): "TYPE=DURATION[,…]" (types ipv4, domain,
	// sha256 … or ip, hash, all; durations 30d, 2w, 12h), or "off" for
	// none. Empty: the defaults.
	MaxAge string `mapstructure:"max_age"`

	// Decay names a MISP decaying model ("NIDS Simple", "Phishing") or a
	// MISP model JSON file: an indicator whose score falls below the
	// model's threshold stops matching, and every enrichment carries
	// its score (iocmatch.score). Empty: no decay.
	Decay string `mapstructure:"decay"`

	// ReloadInterval is how often the feed files are checked for a
	// change; a change rebuilds the set in the background. 0 turns the
	// watching off (the feeds are read once, at Start).
	ReloadInterval time.Duration `mapstructure:"reload_interval"`

	// RebuildInterval, when > 0, rebuilds the set from every feed that
	// often even without a change (so that ageing moves on). 0: only on
	// change.
	RebuildInterval time.Duration `mapstructure:"rebuild_interval"`

	// MinConfidence drops indicators whose known confidence is below it
	// (0-100). 0 keeps all.
	MinConfidence int `mapstructure:"min_confidence"`

	// Attribute is the log record attribute whose value is matched.
	// Empty: the record's body (a string body as it is, a map or slice
	// body as its JSON).
	Attribute string `mapstructure:"attribute"`

	// DropUnmatched drops the log records without a match (and the
	// scopes and resources left empty).
	DropUnmatched bool `mapstructure:"drop_unmatched"`

	// MaxMatches caps the matches of one record (the scan of the record
	// stops there; the record gets iocmatch.truncated = true).
	MaxMatches int `mapstructure:"max_matches"`
}

// AllowlistsConfig configures the allowlists (package allow).
type AllowlistsConfig struct {
	// Reserved suppresses address and CIDR indicators in reserved,
	// non-globally-reachable ranges (10/8, 127/8, fc00::/7 …). Default
	// true.
	Reserved bool `mapstructure:"reserved"`
	// Documentation also suppresses the documentation ranges
	// (192.0.2.0/24, 2001:db8::/32 …). Default false.
	Documentation bool `mapstructure:"documentation"`
	// InternalSources are source names whose indicators the reserved
	// and documentation ranges keep.
	InternalSources []string `mapstructure:"internal_sources"`
	// Warninglists are MISP warninglist files or directories, applied
	// besides those found among the feeds.
	Warninglists []string `mapstructure:"warninglists"`
	// SuppressAllWarninglists makes every warninglist suppress, instead
	// of annotating those that are not false-positive lists.
	SuppressAllWarninglists bool `mapstructure:"suppress_all_warninglists"`
	// Files are plain-list files of values never to match: addresses
	// and CIDRs by containment, domains with their subdomains.
	Files []string `mapstructure:"files"`
}

func createDefaultConfig() *Config {
	return &Config{
		Allowlists:     AllowlistsConfig{Reserved: true},
		ReloadInterval: DefaultReloadInterval,
		MaxMatches:     DefaultMaxMatches,
	}
}

// Validate checks the configuration: the feeds are given and readable,
// the allowlist files readable, the durations not negative, max_age and
// decay parse, min_confidence is 0-100, max_matches at least 1.
func (c *Config) Validate() error {
	var errs []error
	if len(c.Feeds) == 0 {
		errs = append(errs, errors.New("feeds: at least one feed file or directory is required"))
	}
	for i, p := range c.Feeds {
		if err := readable(p); err != nil {
			errs = append(errs, fmt.Errorf("feeds[%d]: %w", i, err))
		}
	}
	for i, p := range c.Allowlists.Warninglists {
		if err := readable(p); err != nil {
			errs = append(errs, fmt.Errorf("allowlists.warninglists[%d]: %w", i, err))
		}
	}
	for i, p := range c.Allowlists.Files {
		if err := readable(p); err != nil {
			errs = append(errs, fmt.Errorf("allowlists.files[%d]: %w", i, err))
		} else if st, err := os.Stat(p); err == nil && st.IsDir() {
			errs = append(errs, fmt.Errorf("allowlists.files[%d]: %s is a directory, not a plain-list file", i, p))
		}
	}
	if c.ReloadInterval < 0 {
		errs = append(errs, fmt.Errorf("reload_interval: %v is negative (0 turns watching off)", c.ReloadInterval))
	}
	if c.RebuildInterval < 0 {
		errs = append(errs, fmt.Errorf("rebuild_interval: %v is negative (0 turns periodic rebuilds off)", c.RebuildInterval))
	}
	if c.MinConfidence < 0 || c.MinConfidence > 100 {
		errs = append(errs, fmt.Errorf("min_confidence: %d is not in 0-100", c.MinConfidence))
	}
	if c.MaxMatches < 1 {
		errs = append(errs, fmt.Errorf("max_matches: %d, must be at least 1 (default %d)", c.MaxMatches, DefaultMaxMatches))
	}
	if c.Attribute != strings.TrimSpace(c.Attribute) {
		errs = append(errs, fmt.Errorf("attribute: %q has leading or trailing spaces", c.Attribute))
	}
	if _, err := c.policy(); err != nil {
		errs = append(errs, err)
	}
	return errors.Join(errs...)
}

// readable reports whether path exists and can be opened.
func readable(path string) error {
	if path == "" {
		return errors.New("empty path")
	}
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	return f.Close()
}

// policy compiles max_age and decay into an ageing policy.
func (c *Config) policy() (*age.Policy, error) {
	var opts age.Options
	if err := opts.SetMaxAge(c.MaxAge); err != nil {
		return nil, fmt.Errorf("max_age: %w", err)
	}
	if err := opts.SetDecay(c.Decay); err != nil {
		return nil, fmt.Errorf("decay: %w", err)
	}
	p, err := age.New(opts)
	if err != nil {
		return nil, fmt.Errorf("max_age/decay: %w", err)
	}
	return p, nil
}

// allowOptions reads the explicit warninglists and returns the allow
// options (the feeds' own warninglists are added by package live at
// every build).
func (c *Config) allowOptions() (*allow.Options, error) {
	a := c.Allowlists
	opts := &allow.Options{
		NoReserved:      !a.Reserved,
		Documentation:   a.Documentation,
		InternalSources: a.InternalSources,
		Allowlists:      a.Files,
		SuppressAll:     a.SuppressAllWarninglists,
	}
	for i, path := range a.Warninglists {
		res, err := loader.Load(path, loader.Options{Format: loader.FormatWarninglist})
		if err != nil {
			return nil, fmt.Errorf("allowlists.warninglists[%d]: %w", i, err)
		}
		if len(res.Warninglists) == 0 {
			return nil, fmt.Errorf("allowlists.warninglists[%d]: %s: no warninglist read", i, path)
		}
		opts.Warninglists = append(opts.Warninglists, res.Warninglists...)
	}
	return opts, nil
}
