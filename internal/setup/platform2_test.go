package setup

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"flag"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/iocmatch/iocmatch/live"
	"github.com/iocmatch/iocmatch/loader/platform"
)

func TestRecordedFutureFlags(t *testing.T) {
	t.Setenv("IOCTEST_RF_TOKEN", "env-token")
	f, _, err := parse(t, "-recordedfuture", "ip", "-recordedfuture", "url:large", "-recordedfuture", "fusion:domain")
	require.NoError(t, err)
	_, err = f.Config()
	require.NoError(t, err, "a platform feed alone is a feed")
	opts, err := f.Platforms.RecordedFuture.Options()
	require.NoError(t, err)
	assert.Equal(t, "env-token", opts.Token)
	assert.Equal(t, platform.DefaultRecordedFutureURL, opts.BaseURL)
	assert.Equal(t, []platform.RiskList{{Entity: "ip"}, {Entity: "url", List: "large"}, {FusionPath: "/public/risklists/default_domain_risklist.csv"}}, opts.Lists)
	feeds, err := f.Platforms.Feeds()
	require.NoError(t, err)
	require.Len(t, feeds, 1)
	assert.Equal(t, "recordedfuture:ip,url:large,fusion:/public/risklists/default_domain_risklist.csv", feeds[0].Name())

	// the flag wins over the environment
	f, _, err = parse(t, "-recordedfuture", "hash", "-recordedfuture-token", "flag-token", "-recordedfuture-url", "https://rf.example/")
	require.NoError(t, err)
	opts, err = f.Platforms.RecordedFuture.Options()
	require.NoError(t, err)
	assert.Equal(t, "flag-token", opts.Token)
	assert.Equal(t, "https://rf.example/", opts.BaseURL)

	for _, tc := range []struct {
		args []string
		env  string
		want string
	}{
		{[]string{"-recordedfuture", "ip"}, "", "-recordedfuture: no API token: set $IOCTEST_RF_TOKEN (or -recordedfuture-token)"},
		{[]string{"-recordedfuture", "cve"}, "t", "-recordedfuture cve: recordedfuture: risk list \"cve\": not ip, domain, url or hash"},
		{[]string{"-recordedfuture-token", "secret-1"}, "", "-recordedfuture-token without -recordedfuture"},
		{[]string{"-recordedfuture", "ip", "-recordedfuture-url", "ftp://x"}, "t", "-recordedfuture: recordedfuture: base URL"},
	} {
		t.Setenv("IOCTEST_RF_TOKEN", tc.env)
		f, _, err := parse(t, tc.args...)
		require.NoError(t, err)
		_, err = f.Platforms.Feeds()
		assert.ErrorContains(t, err, tc.want, tc.args)
		assert.NotContains(t, err.Error(), "secret-1")
	}
}

func TestThreatConnectFlags(t *testing.T) {
	t.Setenv("IOCTEST_TC_SECRET_KEY", "env-secret")
	t.Setenv("IOCTEST_TC_TOKEN", "")
	f, _, err := parse(t, "-threatconnect", "https://app.threatconnect.com", "-threatconnect-access-id", "id1",
		"-threatconnect-tql", "confidence > 50", "-threatconnect-owner", "Acme", "-threatconnect-page-size", "500")
	require.NoError(t, err)
	_, err = f.Config()
	require.NoError(t, err)
	opts, err := f.Platforms.ThreatConnect.Options()
	require.NoError(t, err)
	assert.Equal(t, platform.ThreatConnectOptions{BaseURL: "https://app.threatconnect.com", AccessID: "id1", SecretKey: "env-secret",
		TQL: "confidence > 50", Owner: "Acme", PageSize: 500,
		CredentialHint: "-threatconnect-access-id, and $IOCTEST_TC_SECRET_KEY or -threatconnect-secret-key"}, opts)
	feeds, err := f.Platforms.Feeds()
	require.NoError(t, err)
	require.Len(t, feeds, 1)
	assert.Equal(t, "threatconnect:app.threatconnect.com/Acme", feeds[0].Name())

	// a token from the environment
	t.Setenv("IOCTEST_TC_TOKEN", "env-token")
	f, _, err = parse(t, "-threatconnect", "https://tc.example/api")
	require.NoError(t, err)
	opts, err = f.Platforms.ThreatConnect.Options()
	require.NoError(t, err)
	assert.Equal(t, "env-token", opts.Token)
	assert.Empty(t, opts.AccessID)
	assert.Equal(t, platform.DefaultThreatConnectPageSize, opts.PageSize)

	for _, tc := range []struct {
		args        []string
		secret, tok string
		want        string
	}{
		{[]string{"-threatconnect", "https://tc.example"}, "", "", "-threatconnect: no credentials: give -threatconnect-access-id with the secret key in $IOCTEST_TC_SECRET_KEY, or an API token in $IOCTEST_TC_TOKEN (or -threatconnect-token)"},
		{[]string{"-threatconnect", "https://tc.example", "-threatconnect-access-id", "id1"}, "", "", "-threatconnect-access-id: no secret key: set $IOCTEST_TC_SECRET_KEY (or -threatconnect-secret-key)"},
		{[]string{"-threatconnect", "https://tc.example", "-threatconnect-access-id", "id1", "-threatconnect-token", "secret-2"}, "k", "", "both -threatconnect-access-id and an API token"},
		{[]string{"-threatconnect", "https://tc.example", "-threatconnect-secret-key", "secret-2"}, "", "", "-threatconnect-secret-key without -threatconnect-access-id"},
		{[]string{"-threatconnect", "https://tc.example", "-threatconnect-page-size", "0"}, "", "t", "-threatconnect-page-size 0: 1 to 10000"},
		{[]string{"-threatconnect", "tc.example"}, "", "t", "-threatconnect: threatconnect: base URL \"tc.example\""},
		{[]string{"-threatconnect-tql", "x"}, "", "", "-threatconnect-tql without -threatconnect URL"},
		{[]string{"-threatconnect-access-id", "id1"}, "k", "", "-threatconnect-access-id without -threatconnect URL"},
	} {
		t.Setenv("IOCTEST_TC_SECRET_KEY", tc.secret)
		t.Setenv("IOCTEST_TC_TOKEN", tc.tok)
		f, _, err := parse(t, tc.args...)
		require.NoError(t, err)
		_, err = f.Platforms.Feeds()
		assert.ErrorContains(t, err, tc.want, tc.args)
		assert.NotContains(t, err.Error(), "secret-2")
	}
}

// The flags' usage names the environment variables of the secrets.
func TestPlatform2Usage(t *testing.T) {
	fs := flag.NewFlagSet("t", flag.ContinueOnError)
	var out bytes.Buffer
	fs.SetOutput(&out)
	NewFlags("IOCTEST").Register(fs)
	fs.PrintDefaults()
	for _, s := range []string{"$IOCTEST_RF_TOKEN", "$IOCTEST_TC_SECRET_KEY", "$IOCTEST_TC_TOKEN", "-recordedfuture LIST", "-threatconnect URL"} {
		assert.Contains(t, out.String(), s)
	}
}

// -threatconnect with -reload makes a live.Feed that signs its requests
// (checked by the server) and is polled at every build.
func TestThreatConnectLiveOptions(t *testing.T) {
	const id, key = "id1", "key1"
	var requests atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		requests.Add(1)
		m := hmac.New(sha256.New, []byte(key))
		m.Write([]byte(r.URL.RequestURI() + ":GET:" + r.Header.Get("Timestamp")))
		if r.Header.Get("Authorization") != "TC "+id+":"+base64.StdEncoding.EncodeToString(m.Sum(nil)) {
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		w.Write([]byte(`{"data":[{"id":24348506,"type":"Host","summary":"win7smartupdate.com","rating":5.0,"confidence":100,"active":true,"lastModified":"2017-02-09T17:11:10Z"}],"status":"Success"}`))
	}))
	defer srv.Close()
	t.Setenv("IOCTEST_TC_SECRET_KEY", key)
	f, _, err := parse(t, "-threatconnect", srv.URL, "-threatconnect-access-id", id, "-reload", "1m", "-max-age", "off")
	require.NoError(t, err)
	c, err := f.Config()
	require.NoError(t, err)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	opts, err := c.LiveOptions(ctx, nil)
	require.NoError(t, err)
	require.Len(t, opts.Feeds, 1)
	assert.Equal(t, time.Minute, opts.Interval)
	res, err := opts.Feeds[0].Poll(ctx, opts.Loader)
	require.NoError(t, err)
	require.Len(t, res.Indicators, 1)
	assert.Equal(t, "win7smartupdate.com", res.Indicators[0].Value)
	assert.Equal(t, 100, res.Indicators[0].Confidence.Value())
	assert.Equal(t, int32(1), requests.Load())
	lm, err := live.New(ctx, opts)
	require.NoError(t, err)
	defer lm.Close()
	assert.NotEmpty(t, lm.Current().Matcher.LookupDomain("win7smartupdate.com"))
}
