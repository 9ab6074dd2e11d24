package loader

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/iocmatch/iocmatch/indicator"
	"github.com/iocmatch/iocmatch/internal/metakey"
)

// TestStreamAllSame: StreamAll gives the indicators LoadAll returns, in
// the same order, besides the duplicates LoadAll merges, and the same
// counts otherwise.
func TestStreamAllSame(t *testing.T) {
	paths := []string{"../testdata/feeds", "../testdata/lists"}
	want, err := LoadAll(paths, Options{})
	if err != nil {
		t.Fatal(err)
	}
	var got []indicator.Indicator
	batches := 0
	res, err := StreamAll(paths, Options{}, func(b []indicator.Indicator) error {
		batches++
		got = append(got, b...)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Indicators) != 0 || res.Duplicates != 0 {
		t.Errorf("StreamAll kept %d indicators, %d duplicates", len(res.Indicators), res.Duplicates)
	}
	// LoadAll's indicators are StreamAll's without the repeats.
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
	if len(dedup) != len(want.Indicators) || len(got)-len(dedup) != want.Duplicates {
		t.Fatalf("streamed %d (%d distinct), LoadAll %d + %d duplicates", len(got), len(dedup), len(want.Indicators), want.Duplicates)
	}
	for i := range dedup {
		if !metakey.Equal(&dedup[i], &want.Indicators[i]) {
			t.Fatalf("indicator %d: %v, LoadAll %v", i, dedup[i], want.Indicators[i])
		}
	}
	if res.Files != want.Files || res.SkippedTotal() != want.SkippedTotal() || res.UnsupportedTotal() != want.UnsupportedTotal() ||
		len(res.Warninglists) != len(want.Warninglists) || len(res.Allowlist) != len(want.Allowlist) || len(res.PerFile) != len(want.PerFile) {
		t.Errorf("counts differ: %+v", res)
	}
	for i, fs := range res.PerFile {
		if w := want.PerFile[i]; fs.Path != w.Path || fs.Indicators != w.Indicators+w.Duplicates {
			t.Errorf("file %s: %d indicators, LoadAll %d + %d", fs.Path, fs.Indicators, w.Indicators, w.Duplicates)
		}
	}
	t.Logf("%d indicators in %d batches", len(got), batches)
}

// TestStreamAllBatches: a large list comes in batches of StreamBatch;
// the caps count the streamed indicators; an error of the sink ends the
// load with the file's path.
func TestStreamAllBatches(t *testing.T) {
	dir := t.TempDir()
	var b strings.Builder
	for i := range 3*StreamBatch + 5 {
		b.WriteString("h" + strings.Repeat("x", i%7) + strconv.Itoa(i) + ".example\n")
	}
	feed := filepath.Join(dir, "big.txt")
	os.WriteFile(feed, []byte(b.String()), 0o644)
	var sizes []int
	_, err := StreamAll([]string{feed}, Options{}, func(b []indicator.Indicator) error {
		sizes = append(sizes, len(b))
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(sizes, []int{StreamBatch, StreamBatch, StreamBatch, 5}) {
		t.Errorf("batches %v", sizes)
	}
	n := 0
	res, err := StreamAll([]string{feed}, Options{MaxIndicatorsPerFile: StreamBatch + 10}, func(b []indicator.Indicator) error {
		n += len(b)
		return nil
	})
	if err != nil || n != StreamBatch+10 || res.Skipped[ReasonTooMany] != 1 {
		t.Errorf("cap: %v, %d streamed, %v", err, n, res.Skipped)
	}
	boom := errors.New("boom")
	_, err = StreamAll([]string{feed}, Options{}, func(b []indicator.Indicator) error { return boom })
	if !errors.Is(err, boom) || !strings.Contains(err.Error(), "big.txt") {
		t.Errorf("sink error: %v", err)
	}
}

// TestLoadAllowlists: the allowlists of a directory of feeds, and only
// those files read.
func TestLoadAllowlists(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "c2.txt"), []byte("a.example\n"), 0o644)
	os.WriteFile(filepath.Join(dir, "wl.json"), []byte(`{"name":"test list","version":1,"description":"x","type":"hostname","list":["a.example"]}`), 0o644)
	os.WriteFile(filepath.Join(dir, "intel.dat"), []byte("#fields\tindicator\tindicator_type\tmeta.source\tmeta.whitelist\nb.example\tIntel::DOMAIN\tz\tT\nc.example\tIntel::DOMAIN\tz\tF\n"), 0o644)
	all, err := LoadAll([]string{dir}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	res, err := LoadAllowlists([]string{dir}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Warninglists) != 1 || len(all.Warninglists) != 1 || res.Warninglists[0].Name != "test list" ||
		len(res.Allowlist) != 1 || res.Allowlist[0].Value != "b.example" || len(res.Indicators) != 0 || res.Files != 2 {
		t.Errorf("LoadAllowlists: %+v", res)
	}
}

// TestStreamAllMergedSame: StreamAllMerged gives the sink exactly
// LoadAll's indicators, in order, and its Result has LoadAll's counts,
// duplicates and per-file counts included; the testdata feeds, given
// twice (every record of the second pass a duplicate), have duplicates
// in plain, CSV, MISP (held events) and STIX files.
func TestStreamAllMergedSame(t *testing.T) {
	paths := []string{"../testdata/feeds", "../testdata/lists", "../testdata/feeds/misp"}
	want, err := LoadAll(paths, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if want.Duplicates == 0 {
		t.Fatal("no duplicates in the test feeds: the test proves nothing")
	}
	var got []indicator.Indicator
	res, err := StreamAllMerged(paths, Options{}, func(b []indicator.Indicator) error {
		got = append(got, b...)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != len(want.Indicators) {
		t.Fatalf("streamed %d indicators, LoadAll %d", len(got), len(want.Indicators))
	}
	for i := range got {
		if !metakey.Equal(&got[i], &want.Indicators[i]) {
			t.Fatalf("indicator %d: %v, LoadAll %v", i, got[i], want.Indicators[i])
		}
	}
	if len(res.Indicators) != 0 {
		t.Errorf("StreamAllMerged kept %d indicators", len(res.Indicators))
	}
	sameCounts(t, &res, &want)
}

// sameCounts fails t unless got has want's counts, problems, lists and
// per-file counts.
func sameCounts(t testing.TB, got, want *Result) {
	t.Helper()
	if got.Duplicates != want.Duplicates || got.Files != want.Files ||
		!reflect.DeepEqual(got.Skipped, want.Skipped) || !reflect.DeepEqual(got.Unsupported, want.Unsupported) ||
		!reflect.DeepEqual(got.PerFile, want.PerFile) || !reflect.DeepEqual(got.SkippedFiles, want.SkippedFiles) ||
		!reflect.DeepEqual(got.Problems, want.Problems) || len(got.Warninglists) != len(want.Warninglists) ||
		len(got.Allowlist) != len(want.Allowlist) {
		t.Fatalf("Result differs:\n got %d duplicates, %d files, skipped %v, unsupported %v, %d lists, %d rows\n%v\nwant %d duplicates, %d files, skipped %v, unsupported %v, %d lists, %d rows\n%v",
			got.Duplicates, got.Files, got.Skipped, got.Unsupported, len(got.Warninglists), len(got.Allowlist), got.PerFile,
			want.Duplicates, want.Files, want.Skipped, want.Unsupported, len(want.Warninglists), len(want.Allowlist), want.PerFile)
	}
}

// TestStreamAllMergedCaps: the caps count the merged indicators, as
// LoadAll's: a file of repeats under MaxIndicatorsPerFile loads whole.
func TestStreamAllMergedCaps(t *testing.T) {
	path := filepath.Join(t.TempDir(), "rep.txt")
	var b strings.Builder
	for i := range 50 {
		b.WriteString("h" + strconv.Itoa(i%10) + ".example\n")
	}
	if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	opts := Options{MaxIndicatorsPerFile: 10}
	want, err := Load(path, opts)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	res, err := StreamAllMerged([]string{path}, opts, func(b []indicator.Indicator) error { n += len(b); return nil })
	if err != nil {
		t.Fatal(err)
	}
	if n != 10 || len(want.Indicators) != 10 || res.Duplicates != 40 || want.Duplicates != 40 || res.SkippedTotal() != 0 {
		t.Errorf("streamed %d, %d duplicates, %d skipped; LoadAll %d, %d duplicates", n, res.Duplicates, res.SkippedTotal(), len(want.Indicators), want.Duplicates)
	}
	// one more distinct value passes the cap in both
	b.WriteString("other.example\n")
	if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	want, _ = Load(path, opts)
	res, _ = StreamAllMerged([]string{path}, opts, func([]indicator.Indicator) error { return nil })
	if res.Skipped[ReasonTooMany] != 1 || want.Skipped[ReasonTooMany] != 1 {
		t.Errorf("cap: streamed %v, LoadAll %v", res.Skipped, want.Skipped)
	}
}

// TestStreamAllMergedCapsSame: under caps small enough to be reached,
// StreamAllMerged stops where LoadAll stops, with its indicators and
// counts, in every format of the test feeds (MISP events and STIX
// documents held while read) and in a list of repeats.
func TestStreamAllMergedCapsSame(t *testing.T) {
	rep := filepath.Join(t.TempDir(), "rep.txt")
	var b strings.Builder
	for i := range 3 * StreamBatch {
		b.WriteString("h" + strconv.Itoa(i%(StreamBatch+7)) + ".example\n")
	}
	if err := os.WriteFile(rep, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	paths := []string{"../testdata/feeds", "../testdata/lists", "../testdata/feeds/misp", rep, rep}
	for _, opts := range []Options{
		{MaxIndicatorsPerFile: 1}, {MaxIndicatorsPerFile: 3}, {MaxIndicatorsPerFile: 10}, {MaxIndicators: 50}, {MaxIndicators: 200},
		{MaxIndicatorsPerFile: StreamBatch}, {MaxIndicators: StreamBatch + 100}, {MaxIndicatorsPerFile: StreamBatch + 6},
	} {
		want, err := LoadAll(paths, opts)
		if err != nil {
			t.Fatal(err)
		}
		var got []indicator.Indicator
		res, err := StreamAllMerged(paths, opts, func(b []indicator.Indicator) error {
			got = append(got, b...)
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		if want.Skipped[ReasonTooMany] == 0 {
			t.Errorf("%+v: no cap reached", opts)
		}
		if len(got) != len(want.Indicators) {
			t.Fatalf("%+v: streamed %d indicators, LoadAll %d", opts, len(got), len(want.Indicators))
		}
		for i := range got {
			if !metakey.Equal(&got[i], &want.Indicators[i]) {
				t.Fatalf("%+v: indicator %d: %v, LoadAll %v", opts, i, got[i], want.Indicators[i])
			}
		}
		sameCounts(t, &res, &want)
	}
}

// TestStreamMISPWrapper: the events of a MISP search export
// ({"response": [events]}) are settled each at its end: StreamAllMerged
// gives them in one batch each, not all at the end of the wrapper, with
// LoadAll's indicators (an event's metadata on its own attributes only).
func TestStreamMISPWrapper(t *testing.T) {
	const per = 1500 // attributes of an event
	ev := func(i int, org string) string {
		var b strings.Builder
		for j := range per - 1 {
			b.WriteString(`{"type":"domain","value":"e` + strconv.Itoa(i) + `-` + strconv.Itoa(j) + `.example","to_ids":true},`)
		}
		return `{"Event":{"info":"event ` + strconv.Itoa(i) + `","Orgc":{"name":"` + org + `"},"Tag":[{"name":"tlp:amber"}],"Attribute":[` +
			b.String() + `{"type":"domain","value":"same.example","to_ids":true}]}}`
	}
	doc := `{"response":[` + ev(1, "A") + `,` + ev(2, "B") + `,` + ev(3, "A") + `,` + ev(4, "A") + `]}`
	path := filepath.Join(t.TempDir(), "export.json")
	if err := os.WriteFile(path, []byte(doc), 0o644); err != nil {
		t.Fatal(err)
	}
	want, err := Load(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	var got []indicator.Indicator
	var batches []int
	res, err := StreamAllMerged([]string{path}, Options{}, func(b []indicator.Indicator) error {
		batches = append(batches, len(b))
		got = append(got, b...)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	// events 1 to 3 (4500 ≥ StreamBatch) go before event 4 is read
	if len(want.Indicators) != 4*per || !slices.Equal(batches, []int{3 * per, per}) {
		t.Fatalf("LoadAll %d indicators; streamed in batches of %v", len(want.Indicators), batches)
	}
	for i := range got {
		if !metakey.Equal(&got[i], &want.Indicators[i]) {
			t.Fatalf("indicator %d: %v, LoadAll %v", i, got[i], want.Indicators[i])
		}
	}
	sameCounts(t, &res, &want)
	if s := want.Indicators[per]; s.Source != "B" || s.Description != "event 2" || s.TLP != indicator.TLPAmber {
		t.Errorf("event 2's first indicator: %+v", s.Meta)
	}
}
