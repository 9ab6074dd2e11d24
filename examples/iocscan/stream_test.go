package main

import (
	"bytes"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"strconv"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/iocmatch/iocmatch/allow"
	"github.com/iocmatch/iocmatch/indicator"
	"github.com/iocmatch/iocmatch/internal/setup"
	"github.com/iocmatch/iocmatch/loader"
	"github.com/iocmatch/iocmatch/match"
	"github.com/iocmatch/iocmatch/roi"
)

// testLoadConfig is the loadConfig of run for the flags args.
func testLoadConfig(t *testing.T, args ...string) loadConfig {
	t.Helper()
	fs := flag.NewFlagSet("iocscan", flag.ContinueOnError)
	sf := setup.NewFlags(envPrefix)
	sf.Register(fs)
	var ff feedbackFlags
	ff.register(fs)
	quiet := fs.Bool("q", false, "")
	verbose := fs.Bool("v", false, "")
	require.NoError(t, fs.Parse(args))
	cfg, err := sf.Config()
	require.NoError(t, err)
	fb, err := newFeedback(ff, cfg.Clock, t.Logf)
	require.NoError(t, err)
	return loadConfig{feeds: sf.Feeds, tx: &sf.TAXII, platforms: &sf.Platforms, af: &allowFlags{Allow: &sf.Allow}, age: cfg.Age,
		lopts: cfg.Loader, mopts: cfg.Match, fb: fb, quiet: *quiet, verbose: *verbose}
}

// materializedLoad is the one-shot load as it was before it streamed:
// every feed loaded whole (loader.Load) and reported, then the
// allowlists and the ageing applied to all the indicators at once, then
// match.Compile. It is the reference of TestStreamedLoadSame.
func materializedLoad(t *testing.T, c loadConfig, w io.Writer) (*match.Matcher, []roi.FeedInput) {
	t.Helper()
	var inds []indicator.Indicator
	for _, path := range c.feeds {
		res, err := loader.Load(path, c.lopts)
		require.NoError(t, err)
		feedReport(w, path, &res, len(res.Indicators), c.quiet, c.verbose)
		c.af.in.add(&res)
		require.NoError(t, noIndicator(w, path, &res, len(res.Indicators), c.lopts.Strict))
		inds = append(inds, res.Indicators...)
	}
	opts, err := c.af.options(w)
	require.NoError(t, err)
	p, err := allow.New(opts)
	require.NoError(t, err)
	kept, arep := p.Apply(inds)
	kept, grep := c.age.Apply(kept)
	if !c.quiet {
		allowReport(w, &arep, c.verbose)
		ageReport(w, &grep, c.verbose)
	}
	m, err := match.Compile(kept, c.mopts)
	require.NoError(t, err)
	if !c.quiet {
		fmt.Fprintf(w, "iocscan: loaded %d indicators in T; compiled %s in T\n", len(kept), m)
	}
	feeds := roi.FeedsFrom(&arep, kept)
	roi.AddAges(feeds, &grep)
	return m, feeds
}

var mergedRe = regexp.MustCompile(`; ([0-9]+) duplicates merged`)

// TestStreamedLoadSame: loadOnce, which streams the feeds through the
// allowlists and the ageing into a Builder, gives the Matcher (every
// entry, its records and duplicates) and the reports on stderr (per feed
// and per file, allowlists with examples, ageing, the ROI inputs) of the
// materialized load, on the repository's feeds under allowlist and
// ageing flags that suppress, annotate, expire and decay.
func TestStreamedLoadSame(t *testing.T) {
	times := regexp.MustCompile(`in [0-9.]+(µs|ms|s|m[0-9.]+s)`)
	// an allowlist of some of the domains and addresses of the lists
	al := filepath.Join(t.TempDir(), "allow.txt")
	require.NoError(t, os.WriteFile(al, []byte("evil.example\n203.0.113.0/24\n198.51.100.7\n"), 0o644))
	// a feed that repeats records, which the loader merges
	dup := filepath.Join(t.TempDir(), "dup.txt")
	require.NoError(t, os.WriteFile(dup, []byte("a.example\n1.2.3.4\na.example\n# type: md5\nd41d8cd98f00b204e9800998ecf8427e\n1.2.3.4\nd41d8cd98f00b204e9800998ecf8427e\n"), 0o644))
	mergedDups := 0
	for _, args := range [][]string{
		{"-now", "2026-06-01T00:00:00Z", "-feed", feeds, "-feed", lists},
		{"-now", "2026-06-01T00:00:00Z", "-v", "-roi", "x.json", "-feed", feeds, "-feed", lists, "-feed", feeds + "/misp"},
		{"-now", "2026-06-01T00:00:00Z", "-v", "-documentation", "-warninglist-action", "example-top-sites=suppress", "-feed", feeds},
		{"-now", "2026-06-01T00:00:00Z", "-v", "-suppress-all-warninglists", "-allowlist", al, "-feed", feeds, "-feed", lists},
		{"-max-age", "off", "-v", "-feed", dup, "-feed", feeds + "/misp", "-feed", feeds + "/misp", "-feed", dup},
		{"-now", "2030-06-01T00:00:00Z", "-v", "-roi", "x.md", "-feed", feeds, "-feed", lists},
		{"-now", "2024-06-01T00:00:00Z", "-v", "-decay", "NIDS Simple", "-feed", feeds, "-feed", lists},
		{"-now", "2026-06-01T00:00:00Z", "-q", "-min-confidence", "60", "-feed", lists, "-feed", feeds},
	} {
		t.Run(fmt.Sprint(args), func(t *testing.T) {
			var want, got bytes.Buffer
			wm, wfeeds := materializedLoad(t, testLoadConfig(t, args...), &want)
			c := testLoadConfig(t, args...)
			m, ok := loadOnce(c, &got)
			require.True(t, ok, got.String())
			require.Equal(t, want.String(), times.ReplaceAllString(got.String(), "in T"))
			require.Equal(t, wm.Len(), m.Len())
			dups := 0
			for id := range m.Len() {
				g, w := m.Entry(match.ID(id)), wm.Entry(match.ID(id))
				require.True(t, reflect.DeepEqual(g, w), "entry %d: %+v, want %+v", id, g, w)
				dups += g.Duplicates
			}
			if c.fb.roi() {
				require.Equal(t, wfeeds, c.fb.feeds)
			}
			for _, x := range mergedRe.FindAllStringSubmatch(got.String(), -1) {
				n, _ := strconv.Atoi(x[1])
				mergedDups += n
			}
			t.Logf("%d entries, %d duplicate records, %d bytes of reports", m.Len(), dups, got.Len())
		})
	}
	if mergedDups == 0 {
		t.Error("no feed had duplicates merged: the test proves less than it says")
	}
}
