package platform

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/iocmatch/iocmatch/loader"
	"github.com/iocmatch/iocmatch/loader/fetch"
)

// roundTrip is an http.RoundTripper of a function.
type roundTrip func(*http.Request) (*http.Response, error)

func (f roundTrip) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

// pageClient answers every request with body as JSON.
func pageClient(body []byte) *http.Client {
	return &http.Client{Transport: roundTrip(func(r *http.Request) (*http.Response, error) {
		return &http.Response{StatusCode: http.StatusOK, Header: http.Header{"Content-Type": {"application/json"}},
			Body: io.NopCloser(bytes.NewReader(body)), Request: r}, nil
	})}
}

// FuzzOTXPage: any body served as the pages of /api/v1/pulses/subscribed
// is read or refused with an error, never a panic; a failed poll applies
// nothing, a successful one holds what its pulses gave.
func FuzzOTXPage(f *testing.F) {
	for _, name := range []string{"pulse-octoseek.json", "pulse-export.json"} {
		b, err := os.ReadFile(filepath.Join("testdata", "otx", name))
		if err != nil {
			f.Fatal(err)
		}
		f.Add([]byte(`{"count": 1, "next": null, "previous": null, "results": [` + string(b) + `]}`))
		f.Add([]byte(`{"results": [` + string(b) + `], "next": "https://otx.alienvault.com/api/v1/pulses/subscribed?page=2"}`))
	}
	f.Add([]byte(`{"results": [{"id": "a", "more_indicators": true, "indicators": []}], "next": null}`))
	f.Add([]byte(`{"results": [], "next": "https://evil.example/x"}`))
	f.Add([]byte(`{"results": [{"id": 5, "modified": "2024-13-01"}]}`))
	f.Add([]byte(`{"results": {"id": "x"}}`))
	f.Add([]byte(`{"count": 1, "results": [{"id": "x", "indicators": [`))
	f.Fuzz(func(t *testing.T, body []byte) {
		c, err := NewOTX(OTXOptions{Key: "k", MaxPages: 3, HTTP: fetch.Options{
			HTTPClient: pageClient(body), MaxRetries: -1,
			Sleep: func(ctx context.Context, d time.Duration) error { return ctx.Err() },
		}})
		if err != nil {
			t.Fatal(err)
		}
		p := NewOTXPoller(c)
		res, err := p.Poll(context.Background(), loader.Options{})
		if err != nil {
			if p.Pulses() != 0 || len(res.Indicators) != 0 || !p.Since().IsZero() {
				t.Fatalf("a failed poll applied something: %d pulses, %d indicators", p.Pulses(), len(res.Indicators))
			}
			if strings.Contains(err.Error(), "X-OTX-API-KEY: k") {
				t.Fatalf("key in the error: %v", err)
			}
			return
		}
		if len(res.PerFile) != 1 || res.PerFile[0].Indicators != len(res.Indicators) {
			t.Fatalf("PerFile %+v for %d indicators", res.PerFile, len(res.Indicators))
		}
	})
}
