package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/iocmatch/iocmatch/indicator"
	"github.com/iocmatch/iocmatch/loader"
	"github.com/iocmatch/iocmatch/loader/taxii"
)

// taxiiFlags are the flags of a TAXII 2.1 feed.
type taxiiFlags struct {
	url, collection, user, password, token, addedAfter string
	credentialHosts                                    string
}

// Environment variables that hold TAXII secrets, so that they need not be
// on the command line.
const (
	envTAXIIPassword = "IOCSCAN_TAXII_PASSWORD"
	envTAXIIToken    = "IOCSCAN_TAXII_TOKEN"
)

func (t *taxiiFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&t.url, "taxii", "", "TAXII 2.1 discovery, API root or collection URL to load indicators from")
	fs.StringVar(&t.collection, "taxii-collection", "", "TAXII collection id, alias or title (when -taxii is not a collection URL)")
	fs.StringVar(&t.user, "taxii-user", "", "TAXII basic auth user name (password: -taxii-password or $"+envTAXIIPassword+")")
	fs.StringVar(&t.password, "taxii-password", "", "TAXII basic auth password (prefer $"+envTAXIIPassword+")")
	fs.StringVar(&t.token, "taxii-token", "", "TAXII bearer token (prefer $"+envTAXIIToken+")")
	fs.StringVar(&t.addedAfter, "taxii-added-after", "", "load only TAXII objects added after this RFC 3339 time")
	fs.StringVar(&t.credentialHosts, "taxii-credential-hosts", "", "comma-separated hosts (name or name:port, * for any) besides the -taxii URL's that get the TAXII credentials (an API root on another host)")
}

// options returns the TAXII client options of the flags.
func (t *taxiiFlags) options() taxii.Options {
	opts := taxii.Options{Username: t.user, Password: t.password, Token: t.token}
	if opts.Password == "" {
		opts.Password = os.Getenv(envTAXIIPassword)
	}
	if opts.Token == "" {
		opts.Token = os.Getenv(envTAXIIToken)
	}
	for _, h := range strings.Split(t.credentialHosts, ",") {
		if h = strings.TrimSpace(h); h != "" {
			opts.CredentialHosts = append(opts.CredentialHosts, h)
		}
	}
	return opts
}

// load reads the TAXII collection named by the flags and reports it like
// a feed; the error is fatal.
func (t *taxiiFlags) load(ctx context.Context, w io.Writer, lopts loader.Options, quiet, verbose bool) ([]indicator.Indicator, error) {
	opts := t.options()
	var q taxii.Query
	if t.addedAfter != "" {
		var err error
		if q.AddedAfter, err = taxii.ParseTime(t.addedAfter); err != nil {
			return nil, fmt.Errorf("-taxii-added-after: %v", err)
		}
	}
	c, err := taxii.New(opts)
	if err != nil {
		return nil, err
	}
	col, err := c.ResolveCollection(ctx, t.url, t.collection)
	if err != nil {
		return nil, err
	}
	res, st, err := c.Load(ctx, col.URL, q, lopts)
	if err != nil {
		return nil, err
	}
	name := fmt.Sprintf("%s (%q, %d objects in %d pages)", taxii.Path(col.URL), col.Title, st.Objects, st.Pages)
	feedReport(w, name, &res, quiet, verbose)
	if err := noIndicator(w, taxii.Path(col.URL), &res, lopts.Strict); err != nil {
		return nil, err
	}
	return res.Indicators, nil
}
