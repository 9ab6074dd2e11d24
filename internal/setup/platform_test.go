package setup

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/iocmatch/iocmatch/loader"
	"github.com/iocmatch/iocmatch/loader/fetch"
	"github.com/iocmatch/iocmatch/loader/platform"
)

// The OTX and AbuseIPDB flags (the Recorded Future and ThreatConnect ones
// are tested in platform2_test.go).

func TestOTXFlags(t *testing.T) {
	f, fs, err := parse(t, "-otx")
	require.NoError(t, err)
	for _, name := range []string{"otx", "otx-url", "otx-key", "otx-since", "otx-limit", "otx-full-interval"} {
		assert.NotNil(t, fs.Lookup(name), name)
	}
	assert.Contains(t, fs.Lookup("otx-key").Usage, "$IOCTEST_OTX_KEY")
	assert.Contains(t, fs.Lookup("otx").Usage, "$IOCTEST_OTX_KEY")
	assert.True(t, f.Platforms.Any())
	_, err = f.Config()
	require.NoError(t, err, "-otx alone is a feed")

	t.Setenv("IOCTEST_OTX_KEY", "")
	_, err = f.Platforms.Feeds()
	require.Error(t, err)
	assert.Equal(t, "-otx: no OTX API key: set $IOCTEST_OTX_KEY (or -otx-key)", err.Error())

	t.Setenv("IOCTEST_OTX_KEY", "env-key-123")
	o, err := f.Platforms.OTX.Options()
	require.NoError(t, err)
	assert.Equal(t, "env-key-123", o.Key)
	assert.Equal(t, platform.DefaultOTXBaseURL, o.BaseURL)
	assert.Equal(t, platform.DefaultOTXLimit, o.Limit)
	assert.Equal(t, platform.DefaultOTXFullInterval, o.FullInterval)
	assert.True(t, o.Since.IsZero())
	assert.Contains(t, o.HTTP.Hints[http.StatusForbidden], "check -otx-key or $IOCTEST_OTX_KEY")
	assert.Contains(t, o.HTTP.Hints[http.StatusUnauthorized], "check -otx-key or $IOCTEST_OTX_KEY")

	f, _, err = parse(t, "-otx", "-otx-key", "flag-key", "-otx-url", "https://otx.example/proxy", "-otx-since", "2024-03-01", "-otx-limit", "20", "-otx-full-interval", "0")
	require.NoError(t, err)
	o, err = f.Platforms.OTX.Options()
	require.NoError(t, err)
	assert.Equal(t, "flag-key", o.Key, "the flag wins")
	assert.Equal(t, "https://otx.example/proxy", o.BaseURL)
	assert.Equal(t, time.Date(2024, 3, 1, 0, 0, 0, 0, time.UTC), o.Since)
	assert.Equal(t, 20, o.Limit)
	assert.Equal(t, time.Duration(-1), o.FullInterval, "0: never")
	feeds, err := f.Platforms.Feeds()
	require.NoError(t, err)
	require.Len(t, feeds, 1)
	assert.Equal(t, "otx:https://otx.example/proxy/api/v1/pulses/subscribed", feeds[0].Name())

	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"-otx", "-otx-key", "k", "-otx-since", "last week"}, `-otx-since "last week": not an RFC 3339 time`},
		{[]string{"-otx", "-otx-key", "k", "-otx-limit", "0"}, "-otx-limit 0: must be 1 or more"},
		{[]string{"-otx", "-otx-key", "k", "-otx-full-interval", "-1h"}, "-otx-full-interval -1h0m0s"},
		{[]string{"-otx", "-otx-key", "k", "-otx-url", "otx.alienvault.com"}, "-otx-url: otx: base URL"},
		{[]string{"-feed", "x", "-otx-key", "k"}, "given without -otx"},
	} {
		f, _, err := parse(t, tc.args...)
		require.NoError(t, err)
		_, err = f.Platforms.Feeds()
		if assert.Error(t, err, "%v", tc.args) {
			assert.Contains(t, err.Error(), tc.want)
			assert.NotContains(t, err.Error(), "flag-key")
		}
	}
}

func TestAbuseIPDBFlags(t *testing.T) {
	f, fs, err := parse(t, "-abuseipdb")
	require.NoError(t, err)
	for _, name := range []string{"abuseipdb", "abuseipdb-url", "abuseipdb-key", "abuseipdb-confidence-minimum", "abuseipdb-limit", "abuseipdb-min-interval"} {
		assert.NotNil(t, fs.Lookup(name), name)
	}
	assert.Contains(t, fs.Lookup("abuseipdb-key").Usage, "$IOCTEST_ABUSEIPDB_KEY")
	t.Setenv("IOCTEST_ABUSEIPDB_KEY", "")
	_, err = f.Platforms.Feeds()
	require.Error(t, err)
	assert.Equal(t, "-abuseipdb: no AbuseIPDB API key: set $IOCTEST_ABUSEIPDB_KEY (or -abuseipdb-key)", err.Error())

	t.Setenv("IOCTEST_ABUSEIPDB_KEY", "env-abuse-key")
	o, err := f.Platforms.AbuseIPDB.Options()
	require.NoError(t, err)
	assert.Equal(t, platform.AbuseIPDBOptions{
		Key: "env-abuse-key", BaseURL: platform.DefaultAbuseIPDBBaseURL,
		ConfidenceMinimum: 100, Limit: 10000, MinInterval: 6 * time.Hour,
		HTTP: fetch.Options{Hints: o.HTTP.Hints},
	}, o)
	assert.Contains(t, o.HTTP.Hints[http.StatusUnauthorized], "check -abuseipdb-key or $IOCTEST_ABUSEIPDB_KEY")

	f, _, err = parse(t, "-abuseipdb", "-abuseipdb-key", "k", "-abuseipdb-confidence-minimum", "90", "-abuseipdb-limit", "500", "-abuseipdb-min-interval", "0")
	require.NoError(t, err)
	o, err = f.Platforms.AbuseIPDB.Options()
	require.NoError(t, err)
	assert.Equal(t, "k", o.Key)
	assert.Equal(t, 90, o.ConfidenceMinimum)
	assert.Equal(t, 500, o.Limit)
	assert.Equal(t, time.Duration(-1), o.MinInterval, "0: at every reload")

	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"-abuseipdb", "-abuseipdb-key", "k", "-abuseipdb-confidence-minimum", "10"}, "-abuseipdb-confidence-minimum 10: must be 25 to 100"},
		{[]string{"-abuseipdb", "-abuseipdb-key", "k", "-abuseipdb-limit", "-1"}, "-abuseipdb-limit -1"},
		{[]string{"-abuseipdb", "-abuseipdb-key", "k", "-abuseipdb-min-interval", "-1s"}, "-abuseipdb-min-interval -1s"},
		{[]string{"-abuseipdb", "-abuseipdb-key", "k", "-abuseipdb-url", "ftp://x"}, "-abuseipdb-url: abuseipdb: base URL"},
		{[]string{"-feed", "x", "-abuseipdb-key", "k"}, "given without -abuseipdb"},
	} {
		f, _, err := parse(t, tc.args...)
		require.NoError(t, err)
		_, err = f.Platforms.Feeds()
		if assert.Error(t, err, "%v", tc.args) {
			assert.Contains(t, err.Error(), tc.want)
		}
	}
}

// TestPlatformFeedsRequests: the feeds of the flags send what the flags
// say, the key from the environment, to the -…-url server.
func TestPlatformFeedsRequests(t *testing.T) {
	var mu sync.Mutex
	var reqs []*http.Request
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		reqs = append(reqs, r.Clone(context.Background()))
		mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		switch r.URL.Path {
		case platform.OTXSubscribedPath:
			if r.Header.Get("X-OTX-API-KEY") != "otx-env" {
				w.WriteHeader(http.StatusForbidden)
				_, _ = w.Write([]byte(`{"detail": "Authentication required"}`))
				return
			}
			_, _ = w.Write([]byte(`{"count": 0, "next": null, "previous": null, "results": []}`))
		default:
			w.WriteHeader(http.StatusUnauthorized)
			_, _ = w.Write([]byte(`{"errors":[{"detail":"Authentication failed.","status":401}]}`))
		}
	}))
	defer srv.Close()
	t.Setenv("IOCTEST_OTX_KEY", "otx-env")
	t.Setenv("IOCTEST_ABUSEIPDB_KEY", "abuse-env")
	f, _, err := parse(t, "-otx", "-otx-url", srv.URL, "-otx-since", "2024-03-01T10:00:00Z", "-abuseipdb", "-abuseipdb-url", srv.URL)
	require.NoError(t, err)
	feeds, err := f.Platforms.Feeds()
	require.NoError(t, err)
	require.Len(t, feeds, 2)
	res, err := feeds[0].Poll(context.Background(), loader.Options{})
	require.NoError(t, err)
	assert.Empty(t, res.Indicators)
	_, err = feeds[1].Poll(context.Background(), loader.Options{})
	require.Error(t, err)
	assert.ErrorIs(t, err, fetch.ErrUnauthorized)
	assert.Contains(t, err.Error(), "check -abuseipdb-key or $IOCTEST_ABUSEIPDB_KEY", "the error says which credential to check")
	assert.NotContains(t, err.Error(), "abuse-env")
	require.Len(t, reqs, 2)
	assert.Equal(t, "2024-03-01T10:00:00.000000", reqs[0].URL.Query().Get("modified_since"))
	assert.Equal(t, "otx-env", reqs[0].Header.Get("X-OTX-API-KEY"))
	assert.Equal(t, "/api/v2/blacklist", reqs[1].URL.Path)
	assert.Equal(t, "confidenceMinimum=100&limit=10000", reqs[1].URL.RawQuery)
	assert.Equal(t, "abuse-env", reqs[1].Header.Get("Key"))

	// with -reload, they are the live feeds
	f, _, err = parse(t, "-otx", "-otx-url", srv.URL, "-reload", "1m")
	require.NoError(t, err)
	c, err := f.Config()
	require.NoError(t, err)
	opts, err := c.LiveOptions(context.Background(), io.Discard)
	require.NoError(t, err)
	require.Len(t, opts.Feeds, 1)
	assert.Equal(t, "otx:"+srv.URL+platform.OTXSubscribedPath, opts.Feeds[0].Name())
	assert.Equal(t, time.Minute, opts.Interval)
}
