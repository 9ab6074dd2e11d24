package taxii

import (
	"bufio"
	"bytes"
	"encoding/json"
	"net/http"
	"testing"
	"time"

	"github.com/iocmatch/iocmatch/loader/fetch"
)

// FuzzParseEnvelope: parsing any response body does not panic, and the
// objects of an envelope accepted, written as a bundle for ReadSTIX, make
// valid JSON with the same objects.
func FuzzParseEnvelope(f *testing.F) {
	for _, o := range sampleObjects() {
		f.Add([]byte(`{"more":true,"next":"tok3","objects":[` + o.raw + `]}`))
	}
	for _, s := range []string{
		``, ` `, `{}`, `[]`, `null`, `{"more":false}`, `{"objects":[]}`, `{"objects":[1,"x",null,{}]}`,
		`{"more":"yes"}`, `{"objects":{}}`, `{"type":"bundle","id":"bundle--1","objects":[{"type":"x"}]}`,
		`{"more":false,"objects":[{"type":"indicator"`, "\xef\xbb\xbf{}", `{"objects":[{"a":"\u2028"}]}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		env, err := parseEnvelope(body)
		if err != nil {
			return
		}
		var buf bytes.Buffer
		w := bufio.NewWriter(&buf)
		w.WriteString(bundleHead)
		half := len(env.Objects) / 2
		if err := writeObjects(w, env.Objects[:half], 0); err != nil {
			t.Fatal(err)
		}
		if err := writeObjects(w, env.Objects[half:], half); err != nil {
			t.Fatal(err)
		}
		w.WriteString(bundleTail)
		w.Flush()
		var b struct {
			Type    string
			Objects []json.RawMessage
		}
		if err := json.Unmarshal(buf.Bytes(), &b); err != nil {
			t.Fatalf("bundle of %q is not JSON: %v\n%s", body, err, buf.Bytes())
		}
		if b.Type != "bundle" || len(b.Objects) != len(env.Objects) {
			t.Fatalf("bundle of %q: type %q, %d objects, want %d", body, b.Type, len(b.Objects), len(env.Objects))
		}
	})
}

// FuzzErrorResponse: an error response's body and headers never panic,
// and what is kept of them for error messages has no control characters.
func FuzzErrorResponse(f *testing.F) {
	f.Add([]byte(`{"title":"Unauthorized","description":"bad","error_code":42}`), "7", "2024-05-01T12:00:00Z")
	f.Add([]byte(`{"title":"x\u001b[31m","description":"\u2028"}`), "Wed, 01 May 2024 12:01:30 GMT", "")
	f.Add([]byte(`{"title":{"a":1}}`), "-1", "garbage")
	f.Add([]byte(`[]`), "99999999999999999999", "2024-13-45T99:00:00Z")
	now := time.Date(2024, 5, 1, 12, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, body []byte, ra, ts string) {
		if m := parseErrorMessage("application/json", body); m != nil {
			for _, s := range []string{m.Title, m.Description, m.ErrorID, m.ErrorCode, m.ExternalDetails} {
				for _, r := range s {
					if r < 0x20 || r == 0x7f || r == 0xfffd {
						t.Fatalf("control character %U kept in %q", r, s)
					}
				}
			}
			e := &HTTPError{HTTPError: &fetch.HTTPError{Name: "taxii", URL: "u", StatusCode: 500}, TAXII: m}
			_ = e.Error()
		}
		if d := retryAfter(ra, now); d < 0 || d > 366*24*time.Hour {
			t.Fatalf("retryAfter(%q) = %v", ra, d)
		}
		h := http.Header{}
		h.Set("X-TAXII-Date-Added-Last", ts)
		if tm := headerTime(h, "X-TAXII-Date-Added-Last"); !tm.IsZero() {
			back, err := ParseTime(FormatTime(tm))
			if err != nil || !back.Equal(tm) {
				t.Fatalf("%q: %v does not round-trip: %v %v", ts, tm, back, err)
			}
		}
	})
}
