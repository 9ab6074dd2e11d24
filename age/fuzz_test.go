package age_test

import (
	"os"
	"path/filepath"
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
