package platform

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/iocmatch/iocmatch/loader"
	"github.com/iocmatch/iocmatch/loader/fetch"
)

// bodyTransport answers every request with body, as JSON (or CSV).
type bodyTransport struct {
	body []byte
	ct   string
}

func (t bodyTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	return &http.Response{StatusCode: 200, Header: http.Header{"Content-Type": {t.ct}}, Request: r,
		Body: io.NopCloser(bytes.NewReader(t.body)), ContentLength: int64(len(t.body))}, nil
}

func FuzzParseRiskList(f *testing.F) {
	for _, s := range []string{"ip", "domain:large", "url", "hash:recentPositiveMalwareVerdict", "fusion:/public/risklists/default_ip_risklist.csv", "fusion:url", "ip:", ":x"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		l, err := ParseRiskList(s)
		if err != nil {
			return
		}
		back, err := ParseRiskList(l.String())
		if err != nil || back.String() != l.String() {
			t.Fatalf("%q: %+v → %q → %+v, %v", s, l, l.String(), back, err)
		}
		if p := l.path(); !strings.HasPrefix(p, "/v2/") || strings.Contains(p, "#") {
			t.Fatalf("%q: path %q", s, p)
		}
	})
}

// FuzzThreatConnectPoll: any page body gives a Result or an error, never
// a panic, and a failed Poll changes nothing.
func FuzzThreatConnectPoll(f *testing.F) {
	f.Add(readTestdata(f, "threatconnect/indicators_v3.json"))
	f.Add([]byte(`{"data":[{"id":1,"type":"Address","summary":"192.0.2.1","active":false}],"count":1}`))
	f.Add([]byte(`{"data":[{"xid":"x:1","type":"File","summary":"922464B77FC10791F155AA683A248738 : EC86990C7190A2216F55D09999250D5B41E1C046"}]}`))
	f.Add([]byte(`{"status":"Failure","message":"x"}`))
	f.Add([]byte(`{"data":[1,"x",null,{"id":{}}]}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		c, err := NewThreatConnect(ThreatConnectOptions{BaseURL: "https://tc.example", Token: "t", PageSize: 10000, MaxPages: 3,
			HTTP: fetch.Options{HTTPClient: &http.Client{Transport: bodyTransport{body, "application/json"}}, MaxRetries: -1},
			Now:  func() time.Time { return tcNow }})
		if err != nil {
			t.Fatal(err)
		}
		res, err := c.Poll(context.Background(), loader.Options{})
		if err != nil {
			if len(c.current) != 0 || !c.lastFull.IsZero() {
				t.Fatalf("a failed Poll changed the state: %v", err)
			}
			return
		}
		if len(res.Indicators) > 0 && len(c.all()) != len(res.Indicators) {
			t.Fatalf("%d indicators returned, %d kept", len(res.Indicators), len(c.all()))
		}
	})
}

// FuzzRecordedFuturePoll: any download gives a Result or an error, never
// a panic.
func FuzzRecordedFuturePoll(f *testing.F) {
	for _, name := range []string{"url_risklist.csv", "hash_risklist.csv", "ip_risklist.csv"} {
		f.Add(readTestdata(f, "recordedfuture/"+name))
	}
	f.Add([]byte("\x1f\x8b\x08\x00"))
	f.Fuzz(func(t *testing.T, body []byte) {
		c, err := NewRecordedFuture(RecordedFutureOptions{Token: "t",
			HTTP: fetch.Options{HTTPClient: &http.Client{Transport: bodyTransport{body, "text/csv"}}, MaxRetries: -1}})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := c.Poll(context.Background(), loader.Options{}); err != nil && c.have {
			t.Fatalf("a failed Poll kept a snapshot: %v", err)
		}
	})
}
