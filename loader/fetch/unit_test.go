package fetch

import (
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestRetryBackoffCapAndJitter(t *testing.T) {
	jit := 0.5
	c, err := New(Options{RetryWait: time.Second, MaxRetryWait: 5 * time.Second, Jitter: func() float64 { return jit }})
	require.NoError(t, err)
	herr := &HTTPError{StatusCode: 503}
	for attempt, want := range []time.Duration{750 * time.Millisecond, 1500 * time.Millisecond, 3 * time.Second, 3750 * time.Millisecond, 3750 * time.Millisecond} {
		d, ok := c.retryWait(herr, attempt)
		assert.True(t, ok)
		assert.Equal(t, want, d, "attempt %d", attempt)
	}
	jit = 0
	d, _ := c.retryWait(herr, 0)
	assert.Equal(t, 500*time.Millisecond, d)
	jit = 0.999999
	d, _ = c.retryWait(herr, 60)
	assert.LessOrEqual(t, d, 5*time.Second)
	assert.Greater(t, d, 4900*time.Millisecond)
}

func TestCredentialHostsOption(t *testing.T) {
	for _, tc := range []struct {
		hosts []string
		url   string
		want  bool
	}{
		{nil, "https://taxii.example/x", true}, // the first host
		{[]string{"other.example"}, "https://taxii.example/x", true},
		{nil, "https://TAXII.example:443/y", true},
		{nil, "http://taxii.example/y", false}, // port 80
		{nil, "https://taxii.example:8443/y", false},
		{nil, "https://evil.taxii.example/y", false},
		{[]string{"other.example"}, "https://other.example/", true},
		{[]string{"other.example"}, "http://other.example/", true},
		{[]string{"other.example"}, "https://other.example:8443/", false},
		{[]string{"other.example:8443"}, "https://other.example:8443/", true},
		{[]string{"[::1]:8443"}, "https://[::1]:8443/", true},
		{[]string{"*"}, "https://anything.example:1/", true},
	} {
		c, err := New(Options{Header: http.Header{"Key": {"t"}}, CredentialHosts: tc.hosts})
		require.NoError(t, err)
		first, _ := url.Parse("https://taxii.example/taxii2/")
		u, _ := url.Parse(tc.url)
		c.bindCredentials(first)
		assert.Equal(t, tc.want, c.SendsCredentials(u), "%v %s", tc.hosts, tc.url)
	}
	_, err := New(Options{Header: http.Header{"Key": {"t"}}, CredentialHosts: []string{"https://x.example/"}})
	assert.ErrorContains(t, err, `CredentialHosts: "https://x.example/" is not a host or host:port`)
}

func TestRedact(t *testing.T) {
	for in, want := range map[string]string{
		"https://u:p@h.example/x":      "https://u:xxxxx@h.example/x",
		"https://h.example/x?a=b":      "https://h.example/x?a=b",
		"https://u:p@h.example/%zz":    "https://xxxxx@h.example/%zz",
		"https://u:p@h.exa mple:x/a@b": "https://xxxxx@h.exa mple:x/a@b",
		"not a url %zz":                "not a url %zz",
	} {
		assert.Equal(t, want, Redact(in), in)
	}
}

func TestRetryAfterHeader(t *testing.T) {
	now := time.Date(2024, 5, 1, 12, 0, 0, 0, time.UTC)
	for in, want := range map[string]time.Duration{
		"":                              0,
		"0":                             0,
		"-5":                            0,
		"12":                            12 * time.Second,
		" 3 ":                           3 * time.Second,
		"99999999999999999":             365 * 24 * time.Hour,
		"soon":                          0,
		"Wed, 01 May 2024 12:01:30 GMT": 90 * time.Second,
		"Wed, 01 May 2024 11:00:00 GMT": 0,
	} {
		assert.Equal(t, want, RetryAfter(in, now), in)
	}
}
