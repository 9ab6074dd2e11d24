package main

import (
	"net/http"
	"net/http/httptest"
	"os"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// otxAPIServer serves the real pulse of loader/platform/testdata (the
// Elastic sample's OctoSeek pulse) as the one page of
// /api/v1/pulses/subscribed, to the key "otx-key" only.
func otxAPIServer(t *testing.T) (*httptest.Server, *atomic.Int32) {
	t.Helper()
	pulse, err := os.ReadFile("../../loader/platform/testdata/otx/pulse-octoseek.json")
	require.NoError(t, err)
	var hits atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		w.Header().Set("Content-Type", "application/json")
		if r.Header.Get("X-OTX-API-KEY") != "otx-key" {
			w.WriteHeader(http.StatusForbidden)
			_, _ = w.Write([]byte(`{"detail": "Authentication required"}`))
			return
		}
		if r.URL.Path != "/api/v1/pulses/subscribed" {
			http.NotFound(w, r)
			return
		}
		_, _ = w.Write([]byte(`{"count": 1, "next": null, "previous": null, "results": [` + string(pulse) + `]}`))
	}))
	t.Cleanup(srv.Close)
	return srv, &hits
}

func TestOTXFeed(t *testing.T) {
	srv, _ := otxAPIServer(t)
	t.Setenv(envPrefix+"_OTX_KEY", "otx-key")
	logs := "GET https://dolcuevita.com/ 200\nresolve m.cocktailreel.top\nnothing here\nconnect 192.168.113.98:443\n"
	// at a time when the pulse was fresh: the address is matched until its
	// expiration (it is a private address: -reserved=false keeps it)
	code, stdout, stderr := runIOCScan(t, logs, "-max-age", "off", "-reserved=false", "-now", "2023-08-10T00:00:00Z", "-otx", "-otx-url", srv.URL)
	require.Equal(t, 0, code, stderr)
	recs := decode(t, stdout)
	var got []string
	for _, r := range recs {
		got = append(got, r.Type+":"+r.Indicator)
		assert.Equal(t, []string{"OctoSeek"}, r.Sources, "the pulse's author is the source")
	}
	assert.ElementsMatch(t, []string{"url:https://dolcuevita.com/", "domain:m.cocktailreel.top", "ipv4:192.168.113.98"}, got)
	assert.Contains(t, stderr, "iocscan: feed otx:"+srv.URL+"/api/v1/pulses/subscribed: 6 indicators")
	assert.NotContains(t, stderr, "otx-key")

	// after the address's expiration (2023-09-07) it is no longer matched
	code, stdout, stderr = runIOCScan(t, logs, "-max-age", "off", "-reserved=false", "-now", "2023-09-08T00:00:00Z", "-otx", "-otx-url", srv.URL)
	require.Equal(t, 0, code, stderr)
	got = nil
	for _, r := range decode(t, stdout) {
		got = append(got, r.Type+":"+r.Indicator)
	}
	assert.ElementsMatch(t, []string{"url:https://dolcuevita.com/", "domain:m.cocktailreel.top"}, got)

	// by default the private address is allowlisted (-reserved)
	code, stdout, stderr = runIOCScan(t, logs, "-max-age", "off", "-now", "2023-08-10T00:00:00Z", "-otx", "-otx-url", srv.URL)
	require.Equal(t, 0, code, stderr)
	got = nil
	for _, r := range decode(t, stdout) {
		got = append(got, r.Type+":"+r.Indicator)
	}
	assert.ElementsMatch(t, []string{"url:https://dolcuevita.com/", "domain:m.cocktailreel.top"}, got)
}

func TestOTXFeedErrors(t *testing.T) {
	srv, hits := otxAPIServer(t)
	// no key: a usage error naming the flag and the variable, no request
	t.Setenv(envPrefix+"_OTX_KEY", "")
	code, _, stderr := runIOCScan(t, "", "-otx", "-otx-url", srv.URL)
	assert.Equal(t, 2, code)
	assert.Contains(t, stderr, "-otx: no OTX API key: set $IOCSCAN_OTX_KEY (or -otx-key)")
	assert.Zero(t, hits.Load())

	// a bad key: the server's 403, which says what to check, and not the key
	t.Setenv(envPrefix+"_OTX_KEY", "wrong-otx-key")
	code, _, stderr = runIOCScan(t, "", "-otx", "-otx-url", srv.URL)
	assert.Equal(t, 2, code)
	assert.Contains(t, stderr, "403 Forbidden: Authentication required")
	assert.Contains(t, stderr, "check -otx-key or $IOCSCAN_OTX_KEY")
	assert.NotContains(t, stderr, "wrong-otx-key")
}

func TestAbuseIPDBFeed(t *testing.T) {
	body, err := os.ReadFile("../../loader/platform/testdata/abuseipdb/blacklist.json")
	require.NoError(t, err)
	var query atomic.Value
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		query.Store(r.URL.RawQuery)
		w.Header().Set("Content-Type", "application/json")
		if r.Header.Get("Key") != "abuse-key" {
			w.WriteHeader(http.StatusUnauthorized)
			_, _ = w.Write([]byte(`{"errors":[{"detail":"Authentication failed.","status":401}]}`))
			return
		}
		_, _ = w.Write(body)
	}))
	defer srv.Close()
	t.Setenv(envPrefix+"_ABUSEIPDB_KEY", "abuse-key")
	logs := "sshd[1]: Failed password for root from 128.199.118.234 port 22\nsshd[2]: Accepted publickey from 198.51.100.1\nfrom 2602:fb54:c7b::\n"
	code, stdout, stderr := runIOCScan(t, logs, "-max-age", "off", "-abuseipdb", "-abuseipdb-url", srv.URL, "-abuseipdb-confidence-minimum", "90")
	require.Equal(t, 0, code, stderr)
	assert.Equal(t, "confidenceMinimum=90&limit=10000", query.Load())
	var got []string
	for _, r := range decode(t, stdout) {
		got = append(got, r.Type+":"+r.Indicator)
		assert.Equal(t, []string{"abuseipdb"}, r.Sources)
	}
	assert.Equal(t, []string{"ipv4:128.199.118.234", "ipv6:2602:fb54:c7b::"}, got)
	assert.Contains(t, stderr, "iocscan: feed abuseipdb:"+srv.URL+"/api/v2/blacklist?confidenceMinimum=90&limit=10000: 16 indicators")

	t.Setenv(envPrefix+"_ABUSEIPDB_KEY", "bad-abuse-key")
	code, _, stderr = runIOCScan(t, "", "-abuseipdb", "-abuseipdb-url", srv.URL)
	assert.Equal(t, 2, code)
	assert.Contains(t, stderr, "401 Unauthorized: Authentication failed.")
	assert.Contains(t, stderr, "check -abuseipdb-key or $IOCSCAN_ABUSEIPDB_KEY")
	assert.NotContains(t, stderr, "bad-abuse-key")
}
