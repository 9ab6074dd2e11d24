package setup

import (
	"context"
	"flag"
	"fmt"
	"os"
	"strings"

	"github.com/iocmatch/iocmatch/live"
	"github.com/iocmatch/iocmatch/loader/taxii"
)

// TAXII are the flags of a TAXII 2.1 feed.
type TAXII struct {
	URL, Collection, User, Password, Token, AddedAfter string
	CredentialHosts                                    string
	// EnvPassword and EnvToken name the environment variables that hold
	// the secrets when the flags do not (NewFlags sets them).
	EnvPassword, EnvToken string
}

func (t *TAXII) register(fs *flag.FlagSet) {
	fs.StringVar(&t.URL, "taxii", "", "TAXII 2.1 discovery, API root or collection URL to load indicators from")
	fs.StringVar(&t.Collection, "taxii-collection", "", "TAXII collection id, alias or title (when -taxii is not a collection URL)")
	fs.StringVar(&t.User, "taxii-user", "", "TAXII basic auth user name (password: -taxii-password or $"+t.EnvPassword+")")
	fs.StringVar(&t.Password, "taxii-password", "", "TAXII basic auth password (prefer $"+t.EnvPassword+")")
	fs.StringVar(&t.Token, "taxii-token", "", "TAXII bearer token (prefer $"+t.EnvToken+")")
	fs.StringVar(&t.AddedAfter, "taxii-added-after", "", "load only TAXII objects added after this RFC 3339 time")
	fs.StringVar(&t.CredentialHosts, "taxii-credential-hosts", "", "comma-separated hosts (name or name:port, * for any) besides the -taxii URL's that get the TAXII credentials (an API root on another host)")
}

// Options returns the TAXII client options of the flags, the secrets
// from the environment when the flags give none.
func (t *TAXII) Options() taxii.Options {
	opts := taxii.Options{Username: t.User, Password: t.Password, Token: t.Token}
	if opts.Password == "" && t.EnvPassword != "" {
		opts.Password = os.Getenv(t.EnvPassword)
	}
	if opts.Token == "" && t.EnvToken != "" {
		opts.Token = os.Getenv(t.EnvToken)
	}
	for _, h := range strings.Split(t.CredentialHosts, ",") {
		if h = strings.TrimSpace(h); h != "" {
			opts.CredentialHosts = append(opts.CredentialHosts, h)
		}
	}
	return opts
}

// Query is the query of -taxii-added-after.
func (t *TAXII) Query() (taxii.Query, error) {
	var q taxii.Query
	if t.AddedAfter != "" {
		var err error
		if q.AddedAfter, err = taxii.ParseTime(t.AddedAfter); err != nil {
			return q, fmt.Errorf("-taxii-added-after: %v", err)
		}
	}
	return q, nil
}

// Resolve makes the client and resolves the collection of the flags.
func (t *TAXII) Resolve(ctx context.Context) (*taxii.Client, *taxii.Collection, taxii.Query, error) {
	q, err := t.Query()
	if err != nil {
		return nil, nil, q, err
	}
	c, err := taxii.New(t.Options())
	if err != nil {
		return nil, nil, q, err
	}
	col, err := c.ResolveCollection(ctx, t.URL, t.Collection)
	if err != nil {
		return nil, nil, q, err
	}
	return c, col, q, nil
}

// Source resolves the TAXII collection of the flags into a live source:
// a Poller that reads it incrementally at every build.
func (t *TAXII) Source(ctx context.Context) (live.TAXIISource, error) {
	c, col, q, err := t.Resolve(ctx)
	if err != nil {
		return live.TAXIISource{}, err
	}
	return live.TAXIISource{Name: taxii.Path(col.URL), Poller: taxii.NewPoller(c, col.URL, q)}, nil
}
