package taxii

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/iocmatch/iocmatch/loader"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// otherHost is a second TAXII server, on another port of the loopback
// address (another host:port): it serves an API root with the fake
// server's collections, and records the credentials it is sent.
type otherHost struct {
	*httptest.Server
	mu   sync.Mutex
	auth []string // the Authorization and X-Api-Key headers of each request
}

func newOtherHost(t *testing.T, s *fakeServer) *otherHost {
	o := &otherHost{}
	o.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		o.mu.Lock()
		o.auth = append(o.auth, r.Header.Get("Authorization")+"|"+r.Header.Get("X-Api-Key"))
		o.mu.Unlock()
		// Serve what the fake server serves under /api1/, as /root/.
		r2 := r.Clone(r.Context())
		r2.URL.Path = strings.Replace(r.URL.Path, "/root/", "/api1/", 1)
		s.serve(w, r2)
	}))
	t.Cleanup(o.Close)
	return o
}

func (o *otherHost) sent() []string {
	o.mu.Lock()
	defer o.mu.Unlock()
	return append([]string(nil), o.auth...)
}

func hostOf(t *testing.T, u string) string {
	p, err := url.Parse(u)
	require.NoError(t, err)
	return p.Host
}

// TestCredentialsOtherHost: a discovery resource listing an API root on
// another host does not get the credentials sent there, unless that host
// is allowed.
func TestCredentialsOtherHost(t *testing.T) {
	s := newFakeServer(t)
	other := newOtherHost(t, s)
	s.hook = func(w http.ResponseWriter, r *http.Request, n int) bool {
		if r.URL.Path != "/taxii2/" {
			return false
		}
		writeJSON(w, 200, map[string]any{"title": "T", "api_roots": []string{other.URL + "/root/"}})
		return true
	}
	for _, tc := range []struct {
		name  string
		opts  Options
		other string // what the other host gets
	}{
		{"basic", Options{Username: "alice", Password: "s3cret", Header: http.Header{"X-Api-Key": {"k"}}}, "|"},
		{"bearer", Options{Token: "tok"}, "|"},
		{"allowed", Options{Token: "tok", CredentialHosts: []string{hostOf(t, other.URL)}}, "Bearer tok|"},
		{"any host", Options{Token: "tok", CredentialHosts: []string{"*"}}, "Bearer tok|"},
		{"allowed, another port", Options{Token: "tok", CredentialHosts: []string{"127.0.0.1:1"}}, "|"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			other.mu.Lock()
			other.auth = nil
			other.mu.Unlock()
			n := len(s.reqs())
			c, _ := testClient(t, tc.opts)
			col, err := c.ResolveCollection(context.Background(), s.URL+"/taxii2/", "Indicators")
			require.NoError(t, err)
			require.True(t, strings.HasPrefix(col.URL, other.URL), col.URL)
			res, _, err := c.Load(context.Background(), col.URL, Query{}, loader.Options{})
			require.NoError(t, err)
			assert.Len(t, res.Indicators, 5)
			got := other.sent()
			require.NotEmpty(t, got)
			for _, a := range got {
				assert.Equal(t, tc.other, a)
			}
			// The configured host (of the discovery URL) got them.
			first := s.reqs()[n]
			assert.NotEmpty(t, first.Header.Get("Authorization"))
		})
	}
}

// TestCredentialsRedirect: a redirect to another host (here the same
// address on another port, which net/http treats as the same host) does
// not carry the credentials nor Options.Header; one to the same host does.
func TestCredentialsRedirect(t *testing.T) {
	s := newFakeServer(t)
	other := newOtherHost(t, s)
	s.hook = func(w http.ResponseWriter, r *http.Request, n int) bool {
		switch r.URL.Path {
		case "/moved/":
			http.Redirect(w, r, "/api1/collections/"+colID+"/", http.StatusFound)
			return true
		case "/away/":
			http.Redirect(w, r, other.URL+"/root/collections/"+colID+"/", http.StatusFound)
			return true
		}
		return false
	}
	c, _ := testClient(t, Options{Username: "alice", Password: "s3cret", Header: http.Header{"X-Api-Key": {"k"}}})
	ctx := context.Background()

	n := len(s.reqs())
	_, err := c.Collection(ctx, s.URL+"/moved/")
	require.NoError(t, err)
	for _, r := range s.reqs()[n:] {
		u, p, ok := r.BasicAuth()
		assert.True(t, ok && u == "alice" && p == "s3cret", "same host: %s", r.URL)
		assert.Equal(t, "k", r.Header.Get("X-Api-Key"))
	}

	_, err = c.Collection(ctx, s.URL+"/away/")
	require.NoError(t, err)
	assert.Equal(t, []string{"|"}, other.sent(), "nothing of the credentials for the other host")
}

// TestCredentialsWithheldError: a 401 from a host the credentials were
// not sent to says so.
func TestCredentialsWithheldError(t *testing.T) {
	s := newFakeServer(t)
	s.token = "tok"
	other := newOtherHost(t, s)
	c, _ := testClient(t, Options{Token: "tok"})
	_, err := c.Discovery(context.Background(), s.URL+"/taxii2/")
	require.NoError(t, err)
	_, err = c.Collections(context.Background(), other.URL+"/root/")
	assert.ErrorIs(t, err, ErrUnauthorized)
	assert.ErrorContains(t, err, "the credentials were not sent to this host: not a credential host, see Options.CredentialHosts")
}
