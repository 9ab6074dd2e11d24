package fetch

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"testing"
)

// A 304 answers a conditional request as a Response without body; to a
// request that is not conditional it is an HTTPError.
func TestNotModified(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("ETag", `"v1"`)
		w.WriteHeader(http.StatusNotModified)
	}))
	defer srv.Close()
	c, err := New(Options{MaxRetries: -1})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	for _, h := range []string{"If-None-Match", "If-Modified-Since"} {
		resp, err := c.Get(ctx, Request{URL: srv.URL, Header: http.Header{h: {`"v1"`}}})
		if err != nil {
			t.Fatalf("%s: %v", h, err)
		}
		if resp.StatusCode != http.StatusNotModified || len(resp.Body) != 0 || resp.Header.Get("ETag") != `"v1"` {
			t.Errorf("%s: got %d %q %v", h, resp.StatusCode, resp.Body, resp.Header)
		}
	}
	_, err = c.Get(ctx, Request{URL: srv.URL})
	var he *HTTPError
	if !errors.As(err, &he) || he.StatusCode != http.StatusNotModified {
		t.Fatalf("unconditional 304: got %v", err)
	}
}
