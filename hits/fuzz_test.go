package hits_test

import (
	"bytes"
	"os"
	"path/filepath"
	"reflect"
	"testing"
	"time"

	"github.com/iocmatch/iocmatch/hits"
)

// FuzzReadJSON: ReadJSON never panics, and what it accepts writes back to
// a file it reads the same.
func FuzzReadJSON(f *testing.F) {
	seeds, _ := filepath.Glob("testdata/*.json")
	for _, s := range seeds {
		b, err := os.ReadFile(s)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add([]byte(`{"version":1,"entries":[{"type":"domain","value":"a.example","count":1}]}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		file, err := hits.ReadJSON(bytes.NewReader(b), "fuzz.json")
		if err != nil {
			return
		}
		var buf bytes.Buffer
		if err := hits.WriteJSON(&buf, file.Entries, time.Unix(0, 0)); err != nil {
			t.Fatal(err)
		}
		again, err := hits.ReadJSON(&buf, "again.json")
		if err != nil {
			t.Fatalf("written back does not read: %v\n%s", err, buf.Bytes())
		}
		if len(again.Entries) != len(file.Entries) {
			t.Fatalf("%d entries, then %d", len(file.Entries), len(again.Entries))
		}
		for i := range again.Entries {
			a, e := again.Entries[i], file.Entries[i]
			if a.Key() != e.Key() || a.Count != e.Count || !a.FirstHit.Equal(e.FirstHit) || !a.LastHit.Equal(e.LastHit) || !reflect.DeepEqual(a.Sources, e.Sources) {
				t.Fatalf("entry %d: %+v, then %+v", i, e, a)
			}
		}
	})
}
