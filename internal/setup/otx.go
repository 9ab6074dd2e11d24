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

// OTX are the flags of the AlienVault OTX API feed: -otx (the pulses the
// key's account subscribes to), -otx-url, -otx-key (better: the
// environment variable EnvKey), -otx-since, -otx-limit and
// -otx-full-interval.
type OTX struct {
	On           bool          // -otx
	URL          string        // -otx-url
	Key          string        // -otx-key
	Since        string        // -otx-since
	Limit        int           // -otx-limit
	FullInterval time.Duration // -otx-full-interval

	// EnvKey names the environment variable that holds the key when
	// -otx-key does not (envPrefix+"_OTX_KEY").
	EnvKey string
}

func (p *OTX) register(fs *flag.FlagSet, envPrefix string) {
	p.EnvKey = envPrefix + "_OTX_KEY"
	fs.BoolVar(&p.On, "otx", false, "load the AlienVault OTX pulses the API key's account subscribes to (its own, and those of the users and groups it follows); key: $"+p.EnvKey+" or -otx-key; with -reload, polled incrementally (only the pulses modified since the last poll)")
	fs.StringVar(&p.URL, "otx-url", platform.DefaultOTXBaseURL, "OTX API base `URL`")
	fs.StringVar(&p.Key, "otx-key", "", "OTX API `key` (prefer $"+p.EnvKey+": a flag shows in the process list)")
	fs.StringVar(&p.Since, "otx-since", "", "load only the OTX pulses modified since `TIME` (RFC 3339, or a date 2006-01-02); default: all")
	fs.IntVar(&p.Limit, "otx-limit", platform.DefaultOTXLimit, "ask OTX for `N` pulses per page (each with all its indicators)")
	fs.DurationVar(&p.FullInterval, "otx-full-interval", platform.DefaultOTXFullInterval, "with -reload, read all the subscribed OTX pulses again every `DURATION` (drops deleted and unsubscribed pulses); 0: never")
}

// set reports whether the flags ask for the feed.
func (p *OTX) set() bool { return p.On }

// Options returns the OTX client options of the flags, the key from the
// environment when -otx-key gives none. The error names the flag: no key,
// a bad -otx-since or -otx-limit, an -otx-… flag without -otx.
func (p *OTX) Options() (platform.OTXOptions, error) {
	var opts platform.OTXOptions
	if !p.On {
		if p.Key != "" || p.Since != "" || p.URL != "" && p.URL != platform.DefaultOTXBaseURL {
			return opts, errors.New("-otx-url, -otx-key or -otx-since given without -otx")
		}
		return opts, nil
	}
	opts.Key = p.Key
	if opts.Key == "" && p.EnvKey != "" {
		opts.Key = os.Getenv(p.EnvKey)
	}
	if strings.TrimSpace(opts.Key) == "" {
		return opts, fmt.Errorf("-otx: no OTX API key: set $%s (or -otx-key)", p.EnvKey)
	}
	opts.BaseURL = p.URL
	if p.Since != "" {
		t, err := parseSince(p.Since)
		if err != nil {
			return opts, fmt.Errorf("-otx-since %q: %v", p.Since, err)
		}
		opts.Since = t
	}
	if p.Limit <= 0 {
		return opts, fmt.Errorf("-otx-limit %d: must be 1 or more", p.Limit)
	}
	opts.Limit = p.Limit
	switch {
	case p.FullInterval < 0:
		return opts, fmt.Errorf("-otx-full-interval %v: must be 0 (never) or more", p.FullInterval)
	case p.FullInterval == 0:
		opts.FullInterval = -1
	default:
		opts.FullInterval = p.FullInterval
	}
	check := "check -otx-key or $" + p.EnvKey
	opts.HTTP.Hints = map[int]string{
		http.StatusUnauthorized: "missing or bad OTX API key: " + check,
		http.StatusForbidden:    "the OTX API key was refused: " + check,
	}
	return opts, nil
}

// parseSince parses an RFC 3339 time or a date (midnight UTC).
func parseSince(s string) (time.Time, error) {
	if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
		return t, nil
	}
	if t, err := time.Parse(time.DateOnly, s); err == nil {
		return t, nil
	}
	return time.Time{}, errors.New("not an RFC 3339 time (2006-01-02T15:04:05Z) or a date (2006-01-02)")
}

// feed returns the feed the flags ask for, or nil.
func (p *OTX) feed() (live.Feed, error) {
	opts, err := p.Options()
	if err != nil || !p.On {
		return nil, err
	}
	c, err := platform.NewOTX(opts)
	if err != nil {
		return nil, fmt.Errorf("-otx-url: %w", err)
	}
	return platform.NewOTXPoller(c), nil
}
