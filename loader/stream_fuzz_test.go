package loader

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/iocmatch/iocmatch/indicator"
	"github.com/iocmatch/iocmatch/internal/metakey"
)

// FuzzStreamAll: whatever a file holds, StreamAll gives the indicators
// LoadAll returns, in order, once the repeats LoadAll merges are merged,
// with the same counts of problems, unsupported records and allowlists;
// LoadAllowlists gives the same allowlists; StreamAllMerged gives
// exactly LoadAll's indicators and counts.
func FuzzStreamAll(f *testing.F) {
	for _, pat := range []string{"../testdata/feeds/*/*.*", "../testdata/feeds/misp/*/*.json", "../testdata/feeds/zeek/*"} {
		addSeeds(f, pat)
	}
	addSeeds(f, filepath.Join(listsDir, "*"), "a.example\na.example\nb.example\n")
	f.Fuzz(func(t *testing.T, data []byte) {
		path := filepath.Join(t.TempDir(), "feed")
		if err := os.WriteFile(path, data, 0o644); err != nil {
			t.Fatal(err)
		}
		want, werr := LoadAll([]string{path}, Options{})
		var got []indicator.Indicator
		res, err := StreamAll([]string{path}, Options{}, func(b []indicator.Indicator) error {
			got = append(got, b...)
			return nil
		})
		if (err == nil) != (werr == nil) {
			t.Fatalf("StreamAll error %v, LoadAll %v", err, werr)
		}
		if len(res.Indicators) != 0 {
			t.Fatalf("StreamAll kept %d indicators", len(res.Indicators))
		}
		h := metakey.NewHasher()
		seen := map[uint64][]int{}
		var dedup []indicator.Indicator
	next:
		for _, ind := range got {
			k := h.Indicator(&ind)
			for _, j := range seen[k] {
				if metakey.Equal(&dedup[j], &ind) {
					continue next
				}
			}
			seen[k] = append(seen[k], len(dedup))
			dedup = append(dedup, ind)
		}
		if len(dedup) != len(want.Indicators) {
			t.Fatalf("streamed %d distinct of %d, LoadAll %d", len(dedup), len(got), len(want.Indicators))
		}
		for i := range dedup {
			if !metakey.Equal(&dedup[i], &want.Indicators[i]) {
				t.Fatalf("indicator %d: %v, LoadAll %v", i, dedup[i], want.Indicators[i])
			}
		}
		if res.SkippedTotal() != want.SkippedTotal() || res.UnsupportedTotal() != want.UnsupportedTotal() ||
			len(res.Warninglists) != len(want.Warninglists) || len(res.Allowlist) != len(want.Allowlist) {
			t.Fatalf("counts: streamed %d skipped %d unsupported %d lists %d rows, LoadAll %d %d %d %d",
				res.SkippedTotal(), res.UnsupportedTotal(), len(res.Warninglists), len(res.Allowlist),
				want.SkippedTotal(), want.UnsupportedTotal(), len(want.Warninglists), len(want.Allowlist))
		}
		// StreamAllMerged: exactly LoadAll's indicators and counts
		got = got[:0]
		mres, merr := StreamAllMerged([]string{path}, Options{}, func(b []indicator.Indicator) error {
			got = append(got, b...)
			return nil
		})
		if (merr == nil) != (werr == nil) || len(got) != len(want.Indicators) {
			t.Fatalf("StreamAllMerged: %v, %d indicators; LoadAll %v, %d", merr, len(got), werr, len(want.Indicators))
		}
		for i := range got {
			if !metakey.Equal(&got[i], &want.Indicators[i]) {
				t.Fatalf("StreamAllMerged: indicator %d: %v, LoadAll %v", i, got[i], want.Indicators[i])
			}
		}
		sameCounts(t, &mres, &want)
		al, err := LoadAllowlists([]string{path}, Options{})
		if (err == nil) != (werr == nil) || len(al.Warninglists) != len(want.Warninglists) || len(al.Allowlist) != len(want.Allowlist) || len(al.Indicators) != 0 {
			t.Fatalf("LoadAllowlists: %v, %d lists %d rows, LoadAll %d %d", err, len(al.Warninglists), len(al.Allowlist), len(want.Warninglists), len(want.Allowlist))
		}
	})
}
