package setup

import (
	"errors"
	"flag"
	"fmt"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/iocmatch/iocmatch/live"
	"github.com/iocmatch/iocmatch/loader/platform"
)

// AbuseIPDB are the flags of the AbuseIPDB blacklist feed: -abuseipdb,
// -abuseipdb-url, -abuseipdb-key (better: the environment variable
// EnvKey), -abuseipdb-confidence-minimum, -abuseipdb-limit and
// -abuseipdb-min-interval.
type AbuseIPDB struct {
	On                bool          // -abuseipdb
	URL               string        // -abuseipdb-url
	Key               string        // -abuseipdb-key
	ConfidenceMinimum int           // -abuseipdb-confidence-minimum
	Limit             int           // -abuseipdb-limit
	MinInterval       time.Duration // -abuseipdb-min-interval

	// EnvKey names the environment variable that holds the key when
	// -abuseipdb-key does not (envPrefix+"_ABUSEIPDB_KEY").
	EnvKey string
}

func (p *AbuseIPDB) register(fs *flag.FlagSet, envPrefix string) {
	p.EnvKey = envPrefix + "_ABUSEIPDB_KEY"
	fs.BoolVar(&p.On, "abuseipdb", false, "load the AbuseIPDB blacklist (key: $"+p.EnvKey+" or -abuseipdb-key); a free account may download it 5 times a day: each run without -reload is one download")
	fs.StringVar(&p.URL, "abuseipdb-url", platform.DefaultAbuseIPDBBaseURL, "AbuseIPDB API base `URL`")
	fs.StringVar(&p.Key, "abuseipdb-key", "", "AbuseIPDB API `key` (prefer $"+p.EnvKey+": a flag shows in the process list)")
	fs.IntVar(&p.ConfidenceMinimum, "abuseipdb-confidence-minimum", platform.DefaultAbuseIPDBConfidenceMinimum, "list the addresses of AbuseIPDB confidence `N` or more (25-100; below 100 needs a subscription)")
	fs.IntVar(&p.Limit, "abuseipdb-limit", platform.DefaultAbuseIPDBLimit, "list at most `N` AbuseIPDB addresses (10,000 on a free account)")
	fs.DurationVar(&p.MinInterval, "abuseipdb-min-interval", platform.DefaultAbuseIPDBMinInterval, "with -reload, download the AbuseIPDB blacklist at most once every `DURATION` (the reloads in between keep the last download); 0: at every reload")
}

// set reports whether the flags ask for the feed.
func (p *AbuseIPDB) set() bool { return p.On }

// Options returns the AbuseIPDB client options of the flags, the key from
// the environment when -abuseipdb-key gives none. The error names the
// flag.
func (p *AbuseIPDB) Options() (platform.AbuseIPDBOptions, error) {
	var opts platform.AbuseIPDBOptions
	if !p.On {
		if p.Key != "" || p.URL != "" && p.URL != platform.DefaultAbuseIPDBBaseURL {
			return opts, errors.New("-abuseipdb-url or -abuseipdb-key given without -abuseipdb")
		}
		return opts, nil
	}
	opts.Key = p.Key
	if opts.Key == "" && p.EnvKey != "" {
		opts.Key = os.Getenv(p.EnvKey)
	}
	if strings.TrimSpace(opts.Key) == "" {
		return opts, fmt.Errorf("-abuseipdb: no AbuseIPDB API key: set $%s (or -abuseipdb-key)", p.EnvKey)
	}
	opts.BaseURL = p.URL
	if p.ConfidenceMinimum < 25 || p.ConfidenceMinimum > 100 {
		return opts, fmt.Errorf("-abuseipdb-confidence-minimum %d: must be 25 to 100", p.ConfidenceMinimum)
	}
	opts.ConfidenceMinimum = p.ConfidenceMinimum
	if p.Limit <= 0 {
		return opts, fmt.Errorf("-abuseipdb-limit %d: must be 1 or more", p.Limit)
	}
	opts.Limit = p.Limit
	switch {
	case p.MinInterval < 0:
		return opts, fmt.Errorf("-abuseipdb-min-interval %v: must be 0 or more", p.MinInterval)
	case p.MinInterval == 0:
		opts.MinInterval = -1
	default:
		opts.MinInterval = p.MinInterval
	}
	check := "check -abuseipdb-key or $" + p.EnvKey
	opts.HTTP.Hints = map[int]string{
		http.StatusUnauthorized: "missing or bad AbuseIPDB API key: " + check,
		http.StatusForbidden:    "the AbuseIPDB API key was refused (" + check + "), or its plan does not allow -abuseipdb-confidence-minimum below 100 or this -abuseipdb-limit",
	}
	return opts, nil
}

// feed returns the feed the flags ask for, or nil.
func (p *AbuseIPDB) feed() (live.Feed, error) {
	opts, err := p.Options()
	if err != nil || !p.On {
		return nil, err
	}
	c, err := platform.NewAbuseIPDB(opts)
	if err != nil {
		return nil, fmt.Errorf("-abuseipdb-url: %w", err)
	}
	return platform.NewAbuseIPDBPoller(c), nil
}
