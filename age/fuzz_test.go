package age_test

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/iocmatch/iocmatch/age"
)

// FuzzParseModel checks that ParseModel never panics, and that a model it
// returns is valid and scores within [0, 100].
func FuzzParseModel(f *testing.F) {
	files, _ := filepath.Glob("testdata/*.json")
	for _, p := range files {
		if b, err := os.ReadFile(p); err == nil {
			f.Add(b)
		}
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		m, err := age.ParseModel(data)
		if err != nil {
			if m.Name != "" || m.Lifetime != 0 {
				t.Fatalf("error %v with a model %+v", err, m)
			}
			return
		}
		if err := m.Validate(); err != nil {
			t.Fatalf("returned an invalid model: %v", err)
		}
		for _, d := range []time.Duration{0, time.Hour, m.Lifetime / 2, m.Lifetime, 2 * m.Lifetime} {
			s := m.Score(m.DefaultBase, d)
			if !(s >= 0 && s <= 100) {
				t.Fatalf("score %v at %v", s, d)
			}
		}
		if d, ok := m.DecayAfter(m.DefaultBase); ok && (d < 0 || d > m.Lifetime) {
			t.Fatalf("decays after %v, lifetime %v", d, m.Lifetime)
		}
	})
}

// FuzzParseMaxAge checks that ParseMaxAge (and so ParseDuration) never
// panics, returns only valid types and non-negative durations, and that
// an error quotes the input.
func FuzzParseMaxAge(f *testing.F) {
	for _, s := range []string{"ip=30d,domain=180d", "off", "hash=2w3d, all=1.5d", "sha256=none,url=36h", "ipv9=1d", "ip=-3d", "x", "=", "ip=1e300d"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		m, err := age.ParseMaxAge(s)
		if err != nil {
			if m != nil || !strings.Contains(err.Error(), fmt.Sprintf("%q", s)) {
				t.Fatalf("error %v (map %v) for %q", err, m, s)
			}
			return
		}
		if len(m) == 0 {
			t.Fatalf("no error and no type for %q", s)
		}
		for typ, d := range m {
			if !typ.Valid() || d < 0 {
				t.Fatalf("%v=%v from %q", typ, d, s)
			}
		}
		if d, err := age.ParseDuration(s); err == nil && d < 0 {
			t.Fatalf("ParseDuration(%q) = %v", s, d)
		}
	})
}
