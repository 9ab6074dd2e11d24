package main

import (
	"context"
	"fmt"
	"io"

	"github.com/iocmatch/iocmatch/indicator"
	"github.com/iocmatch/iocmatch/internal/setup"
	"github.com/iocmatch/iocmatch/loader"
	"github.com/iocmatch/iocmatch/loader/taxii"
)

// taxiiLoad reads the TAXII collection named by the flags and reports it like
// a feed; the error is fatal.
func taxiiLoad(ctx context.Context, t *setup.TAXII, w io.Writer, lopts loader.Options, quiet, verbose bool) ([]indicator.Indicator, error) {
	c, col, q, err := t.Resolve(ctx)
	if err != nil {
		return nil, err
	}
	res, st, err := c.Load(ctx, col.URL, q, lopts)
	if err != nil {
		return nil, err
	}
	name := fmt.Sprintf("%s (%q, %d objects in %d pages)", taxii.Path(col.URL), col.Title, st.Objects, st.Pages)
	feedReport(w, name, &res, len(res.Indicators), quiet, verbose)
	if err := noIndicator(w, taxii.Path(col.URL), &res, len(res.Indicators), lopts.Strict); err != nil {
		return nil, err
	}
	return res.Indicators, nil
}

// platformLoad polls each platform feed the flags ask for (-otx …) once
// and reports it like a feed; the error is fatal.
func platformLoad(ctx context.Context, p *setup.Platforms, prog *progress, w io.Writer, lopts loader.Options, quiet, verbose bool) ([]indicator.Indicator, error) {
	feeds, err := p.Feeds()
	if err != nil {
		return nil, err
	}
	var inds []indicator.Indicator
	for _, f := range feeds {
		prog.beginFeed(f.Name())
		res, err := f.Poll(ctx, lopts)
		if err != nil {
			return nil, err
		}
		feedReport(w, f.Name(), &res, len(res.Indicators), quiet, verbose)
		if err := noIndicator(w, f.Name(), &res, len(res.Indicators), lopts.Strict); err != nil {
			return nil, err
		}
		inds = append(inds, res.Indicators...)
	}
	return inds, nil
}

// Environment variables that hold TAXII secrets, so that they need not be
// on the command line (setup.NewFlags(envPrefix)).
const (
	envPrefix        = "IOCSCAN"
	envTAXIIPassword = envPrefix + "_TAXII_PASSWORD"
	envTAXIIToken    = envPrefix + "_TAXII_TOKEN"
)
