package setup

import (
	"flag"
	"fmt"
	"os"

	"github.com/iocmatch/iocmatch/live"
	"github.com/iocmatch/iocmatch/loader/platform"
)

// RecordedFuture are the flags of the Recorded Future risk list feed:
// -recordedfuture LIST (repeatable), -recordedfuture-url and
// -recordedfuture-token (or $PREFIX_RF_TOKEN).
type RecordedFuture struct {
	Lists Multi  // -recordedfuture: ip, domain, url, hash, ENTITY:LIST, fusion:PATH
	URL   string // -recordedfuture-url: the API's base URL
	Token string // -recordedfuture-token

	// EnvToken names the environment variable that holds the token when
	// -recordedfuture-token does not (PREFIX_RF_TOKEN).
	EnvToken string
}

func (p *RecordedFuture) register(fs *flag.FlagSet, envPrefix string) {
	p.EnvToken = envPrefix + "_RF_TOKEN"
	fs.Var(&p.Lists, "recordedfuture", "download the Recorded Future risk `LIST`: ip, domain, url or hash (the default list of the type), TYPE:NAME (a named list: ip:large) or fusion:PATH (a Fusion file; fusion:ip … the type's default one); repeatable; each a whole snapshot, downloaded at most hourly with -reload; token in $"+p.EnvToken)
	fs.StringVar(&p.URL, "recordedfuture-url", platform.DefaultRecordedFutureURL, "Recorded Future API base `URL`")
	fs.StringVar(&p.Token, "recordedfuture-token", "", "Recorded Future API token (prefer $"+p.EnvToken+")")
}

// set reports whether the flags ask for the feed.
func (p *RecordedFuture) set() bool { return len(p.Lists) > 0 }

// Options returns the client options of the flags, the token from the
// environment when the flag gives none; an error names the flag.
func (p *RecordedFuture) Options() (platform.RecordedFutureOptions, error) {
	opts := platform.RecordedFutureOptions{Token: p.Token, BaseURL: p.URL,
		CredentialHint: "-recordedfuture-token or $" + p.EnvToken}
	if opts.Token == "" && p.EnvToken != "" {
		opts.Token = os.Getenv(p.EnvToken)
	}
	if opts.Token == "" {
		return opts, fmt.Errorf("-recordedfuture: no API token: set $%s (or -recordedfuture-token)", p.EnvToken)
	}
	for _, s := range p.Lists {
		l, err := platform.ParseRiskList(s)
		if err != nil {
			return opts, fmt.Errorf("-recordedfuture %s: %v", s, err)
		}
		opts.Lists = append(opts.Lists, l)
	}
	return opts, nil
}

// feed returns the feed the flags ask for, or nil.
func (p *RecordedFuture) feed() (live.Feed, error) {
	if !p.set() {
		if p.Token != "" {
			return nil, fmt.Errorf("-recordedfuture-token without -recordedfuture: name a risk list (ip, domain, url, hash)")
		}
		return nil, nil
	}
	opts, err := p.Options()
	if err != nil {
		return nil, err
	}
	c, err := platform.NewRecordedFuture(opts)
	if err != nil {
		return nil, fmt.Errorf("-recordedfuture: %v", err)
	}
	return c, nil
}
