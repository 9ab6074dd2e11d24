package setup

import (
	"context"
	"flag"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/iocmatch/iocmatch/live"
	"github.com/iocmatch/iocmatch/loader"
	"github.com/iocmatch/iocmatch/match"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func parse(t *testing.T, args ...string) (*Flags, *flag.FlagSet, error) {
	t.Helper()
	fs := flag.NewFlagSet("t", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	f := NewFlags("IOCTEST")
	f.Register(fs)
	return f, fs, fs.Parse(args)
}

func TestDefaults(t *testing.T) {
	f, fs, err := parse(t, "-feed", "a", "-feed", "b")
	require.NoError(t, err)
	assert.Equal(t, Multi{"a", "b"}, f.Feeds)
	assert.True(t, f.Allow.Reserved)
	assert.Equal(t, match.DefaultMaxMatchesPerLine, f.MaxMatchesPerLine)
	for _, name := range []string{"feed", "taxii", "taxii-collection", "taxii-user", "taxii-password", "taxii-token", "taxii-added-after", "taxii-credential-hosts",
		"strict", "min-confidence", "max-matches-per-line", "now", "reserved", "documentation", "internal-source", "allowlist", "warninglist",
		"warninglist-action", "suppress-all-warninglists", "max-age", "decay", "include", "exclude", "reload", "public-suffix-subdomains"} {
		assert.NotNil(t, fs.Lookup(name), name)
	}
	assert.Contains(t, fs.Lookup("taxii-token").Usage, "$IOCTEST_TAXII_TOKEN")
	c, err := f.Config()
	require.NoError(t, err)
	assert.Equal(t, match.DefaultMaxMatchesPerLine, c.Match.MaxMatchesPerLine)
	assert.Nil(t, c.Match.Now)
	assert.NotNil(t, c.Clock)
	assert.Nil(t, c.Scorer(), "no -decay: no scores")
}

func TestConfigErrors(t *testing.T) {
	for _, c := range []struct {
		args []string
		want string
	}{
		{nil, "at least one -feed, -taxii, -otx"},
		{[]string{"-feed", "x", "-reload", "-1s"}, "-reload -1s: must be 0 (off) or more"},
		{[]string{"-feed", "x", "-max-matches-per-line", "-2"}, "-max-matches-per-line -2"},
		{[]string{"-feed", "x", "-now", "yesterday"}, `-now "yesterday": not an RFC 3339 time`},
		{[]string{"-feed", "x", "-max-age", "ip=forever"}, "-max-age"},
		{[]string{"-feed", "x", "-decay", "No Such Model"}, "-decay"},
		{[]string{"-feed", "x", "-feed-format", "stix1"}, `-feed-format: loader: unknown format "stix1"`},
	} {
		f, _, err := parse(t, c.args...)
		require.NoError(t, err)
		_, err = f.Config()
		if assert.Error(t, err, c.args) {
			assert.Contains(t, err.Error(), c.want)
		}
	}
}

// TestFeedFormat: -feed-format sets the format of every -feed file, so
// that AbuseIPDB's plain text (no sign of its platform) reads as
// AbuseIPDB's, with its source.
func TestFeedFormat(t *testing.T) {
	f, _, err := parse(t, "-feed", "x", "-feed-format", "AbuseIPDB")
	require.NoError(t, err)
	c, err := f.Config()
	require.NoError(t, err)
	assert.Equal(t, loader.FormatAbuseIPDB, c.Loader.Format)
	res, err := loader.Read(strings.NewReader("# AbuseIPDB blacklist\n203.0.113.7\n"), "blacklist.txt", c.Loader)
	require.NoError(t, err)
	require.Len(t, res.Indicators, 1)
	assert.Equal(t, loader.AbuseIPDBSource, res.Indicators[0].Source)

	f, _, err = parse(t, "-feed", "x")
	require.NoError(t, err)
	c, err = f.Config()
	require.NoError(t, err)
	assert.Equal(t, loader.FormatUnknown, c.Loader.Format, "detected by default")
}

func TestConfigOptions(t *testing.T) {
	f, _, err := parse(t, "-feed", "x", "-now", "2026-01-02T03:04:05Z", "-max-matches-per-line", "0", "-min-confidence", "50",
		"-strict", "-include", "*.csv", "-exclude", "old", "-public-suffix-subdomains", "-decay", "NIDS Simple")
	require.NoError(t, err)
	c, err := f.Config()
	require.NoError(t, err)
	assert.Equal(t, -1, c.Match.MaxMatchesPerLine, "0: no limit")
	assert.Equal(t, 50, c.Match.MinConfidence)
	assert.True(t, c.Match.SubdomainsOfPublicSuffixes)
	assert.True(t, c.Loader.Strict)
	assert.Equal(t, []string{"*.csv"}, c.Loader.Include)
	assert.Equal(t, []string{"old"}, c.Loader.Exclude)
	assert.Equal(t, time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC), c.Clock())
	assert.NotNil(t, c.Scorer())
}

func TestTAXIIOptions(t *testing.T) {
	t.Setenv("IOCTEST_TAXII_TOKEN", "from-env")
	f, _, err := parse(t, "-taxii-credential-hosts", " a.example, b.example:8443,,")
	require.NoError(t, err)
	o := f.TAXII.Options()
	assert.Equal(t, []string{"a.example", "b.example:8443"}, o.CredentialHosts)
	assert.Equal(t, "from-env", o.Token)
	assert.Empty(t, (&TAXII{}).Options().CredentialHosts)
	f.TAXII.Token = "flag"
	assert.Equal(t, "flag", f.TAXII.Options().Token, "the flag wins")
	f.TAXII.AddedAfter = "yesterday"
	_, err = f.TAXII.Query()
	assert.ErrorContains(t, err, "-taxii-added-after")
}

func TestAllowOptions(t *testing.T) {
	f, _, err := parse(t, "-feed", "x", "-reserved=false", "-warninglist-action", "x=bogus")
	require.NoError(t, err)
	_, err = f.Allow.Options(io.Discard, nil, nil)
	assert.ErrorContains(t, err, `-warninglist-action "x=bogus"`)
	f.Allow.Actions = Multi{"noequals"}
	_, err = f.Allow.Options(io.Discard, nil, nil)
	assert.ErrorContains(t, err, "not NAME=suppress|annotate|off")
	f.Allow.Actions = Multi{"lists/x=suppress"}
	o, err := f.Allow.Options(io.Discard, nil, nil)
	require.NoError(t, err)
	assert.True(t, o.NoReserved)
	assert.Len(t, o.Actions, 1)
	f.Allow.Warninglists = Multi{filepath.Join(t.TempDir(), "missing")}
	_, err = f.Allow.Options(io.Discard, nil, nil)
	assert.ErrorContains(t, err, "-warninglist ")
}

// TestLiveOptions builds a live.Matcher from the flags: the feed's
// indicators match, the private address is suppressed by the default
// -reserved.
func TestLiveOptions(t *testing.T) {
	feed := filepath.Join(t.TempDir(), "feed.txt")
	require.NoError(t, os.WriteFile(feed, []byte("evil.example\n203.0.113.7\n10.1.2.3\n"), 0o644))
	f, _, err := parse(t, "-feed", feed, "-reload", "1m")
	require.NoError(t, err)
	c, err := f.Config()
	require.NoError(t, err)
	opts, err := c.LiveOptions(context.Background(), io.Discard)
	require.NoError(t, err)
	assert.Equal(t, time.Minute, opts.WatchInterval)
	lm, err := live.New(context.Background(), opts)
	require.NoError(t, err)
	defer lm.Close()
	m := lm.Current().Matcher
	got := m.AppendMatches(nil, []byte("to evil.example from 203.0.113.7 and 10.1.2.3"))
	var vals []string
	for _, x := range got {
		vals = append(vals, m.Entry(x.ID).Value)
	}
	assert.Equal(t, "evil.example,203.0.113.7", strings.Join(vals, ","))
}

// TestFlagsWithoutRegister: a host that fills Flags itself, without
// Register (and so without the flags' defaults), asks for no platform
// feed and gets none.
func TestFlagsWithoutRegister(t *testing.T) {
	dir := t.TempDir()
	feed := filepath.Join(dir, "feed.txt")
	require.NoError(t, os.WriteFile(feed, []byte("evil.example\n"), 0o644))
	f := NewFlags("IOCTEST")
	f.Feeds = Multi{feed}
	c, err := f.Config()
	require.NoError(t, err)
	opts, err := c.LiveOptions(context.Background(), io.Discard)
	require.NoError(t, err)
	assert.Empty(t, opts.Feeds)
	assert.Equal(t, []string{feed}, opts.Paths)
}
