package setup

import (
	"flag"
	"fmt"
	"os"

	"github.com/iocmatch/iocmatch/live"
	"github.com/iocmatch/iocmatch/loader/platform"
)

// ThreatConnect are the flags of the ThreatConnect API v3 feed:
// -threatconnect URL (the instance's API URL), -threatconnect-tql,
// -threatconnect-owner, and the credentials: -threatconnect-access-id
// with the secret key in $PREFIX_TC_SECRET_KEY (or
// -threatconnect-secret-key), or an API token in $PREFIX_TC_TOKEN (or
// -threatconnect-token).
type ThreatConnect struct {
	URL, TQL, Owner            string
	AccessID, SecretKey, Token string
	PageSize                   int

	// EnvSecretKey and EnvToken name the environment variables that hold
	// the secrets when the flags do not (PREFIX_TC_SECRET_KEY,
	// PREFIX_TC_TOKEN).
	EnvSecretKey, EnvToken string
}

func (p *ThreatConnect) register(fs *flag.FlagSet, envPrefix string) {
	p.EnvSecretKey, p.EnvToken = envPrefix+"_TC_SECRET_KEY", envPrefix+"_TC_TOKEN"
	fs.StringVar(&p.URL, "threatconnect", "", "read the indicators of the ThreatConnect instance at API `URL` (https://app.threatconnect.com …), incrementally with -reload; credentials: -threatconnect-access-id and $"+p.EnvSecretKey+", or $"+p.EnvToken)
	fs.StringVar(&p.TQL, "threatconnect-tql", "", "ThreatConnect `TQL` filter of the indicators (e.g. 'confidence > 50 AND rating > 2')")
	fs.StringVar(&p.Owner, "threatconnect-owner", "", "ThreatConnect owner (organisation, community or source) `NAME` to read the indicators of")
	fs.StringVar(&p.AccessID, "threatconnect-access-id", "", "ThreatConnect API user's access `ID` (HMAC signature; the secret key in $"+p.EnvSecretKey+")")
	fs.StringVar(&p.SecretKey, "threatconnect-secret-key", "", "ThreatConnect API user's secret key (prefer $"+p.EnvSecretKey+")")
	fs.StringVar(&p.Token, "threatconnect-token", "", "ThreatConnect API token, instead of an access id (prefer $"+p.EnvToken+")")
	fs.IntVar(&p.PageSize, "threatconnect-page-size", platform.DefaultThreatConnectPageSize, "ThreatConnect indicators per page (`N`, at most 10000)")
}

// set reports whether the flags ask for the feed.
func (p *ThreatConnect) set() bool { return p.URL != "" }

// Options returns the client options of the flags, the secrets from the
// environment when the flags give none; an error names the flags and
// variables to set.
func (p *ThreatConnect) Options() (platform.ThreatConnectOptions, error) {
	opts := platform.ThreatConnectOptions{BaseURL: p.URL, TQL: p.TQL, Owner: p.Owner,
		AccessID: p.AccessID, SecretKey: p.SecretKey, Token: p.Token, PageSize: p.PageSize}
	if opts.AccessID != "" && opts.SecretKey == "" && p.EnvSecretKey != "" {
		opts.SecretKey = os.Getenv(p.EnvSecretKey)
	}
	if opts.AccessID == "" && opts.Token == "" && p.EnvToken != "" {
		opts.Token = os.Getenv(p.EnvToken)
	}
	if opts.AccessID != "" {
		opts.CredentialHint = "-threatconnect-access-id, and $" + p.EnvSecretKey + " or -threatconnect-secret-key"
	} else {
		opts.CredentialHint = "$" + p.EnvToken + " or -threatconnect-token"
	}
	switch {
	case opts.AccessID != "" && opts.Token != "":
		return opts, fmt.Errorf("-threatconnect: both -threatconnect-access-id and an API token (-threatconnect-token): give one")
	case opts.AccessID != "" && opts.SecretKey == "":
		return opts, fmt.Errorf("-threatconnect-access-id: no secret key: set $%s (or -threatconnect-secret-key)", p.EnvSecretKey)
	case opts.AccessID == "" && opts.SecretKey != "":
		return opts, fmt.Errorf("-threatconnect-secret-key without -threatconnect-access-id")
	case opts.AccessID == "" && opts.Token == "":
		return opts, fmt.Errorf("-threatconnect: no credentials: give -threatconnect-access-id with the secret key in $%s, or an API token in $%s (or -threatconnect-token)", p.EnvSecretKey, p.EnvToken)
	case p.PageSize < 1 || p.PageSize > 10000:
		return opts, fmt.Errorf("-threatconnect-page-size %d: 1 to 10000", p.PageSize)
	}
	return opts, nil
}

// feed returns the feed the flags ask for, or nil.
func (p *ThreatConnect) feed() (live.Feed, error) {
	if !p.set() {
		for _, f := range []struct{ name, v string }{{"-threatconnect-tql", p.TQL}, {"-threatconnect-owner", p.Owner},
			{"-threatconnect-access-id", p.AccessID}, {"-threatconnect-secret-key", p.SecretKey}, {"-threatconnect-token", p.Token}} {
			if f.v != "" {
				return nil, fmt.Errorf("%s without -threatconnect URL", f.name)
			}
		}
		return nil, nil
	}
	opts, err := p.Options()
	if err != nil {
		return nil, err
	}
	c, err := platform.NewThreatConnect(opts)
	if err != nil {
		return nil, fmt.Errorf("-threatconnect: %v", err)
	}
	return c, nil
}
