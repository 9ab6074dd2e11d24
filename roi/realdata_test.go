package roi_test

import (
	"bufio"
	"bytes"
	"encoding/json"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/iocmatch/iocmatch/allow"
	"github.com/iocmatch/iocmatch/hits"
	"github.com/iocmatch/iocmatch/indicator"
	"github.com/iocmatch/iocmatch/loader"
	"github.com/iocmatch/iocmatch/match"
	"github.com/iocmatch/iocmatch/roi"
	"github.com/iocmatch/iocmatch/sightings"
)

const realdata = "../../shared/realdata"

// TestRealdata runs the feedback chain on real feeds (a few lists, a Zeek
// intel file and the acceptance feeds: STIX, MISP …, 120k indicators)
// and every real log (when present): the MISP warninglists of the real
// data applied as iocscan does, hits recorded for every line, then the
// stats file, the ROI report and both sightings exports, checked against
// an independent count of the matches.
func TestRealdata(t *testing.T) {
	if testing.Short() || raceEnabled {
		t.Skip("real data: not with -short or -race")
	}
	if _, err := os.Stat(realdata); err != nil {
		t.Skip("no real data")
	}
	now := time.Date(2026, 12, 1, 22, 0, 0, 0, time.UTC)
	var res loader.Result
	for _, feed := range []string{"feeds/lists/firehol", "feeds/lists/spamhaus", "feeds/lists/maltrail/mass_scanner_cidr.txt",
		"feeds/lists/blocklistproject/malware.ip", "feeds/zeek/criticalpathsecurity/cps-collected-iocs.intel", "acceptance/feeds"} {
		got, err := loader.Load(filepath.Join(realdata, feed), loader.Options{})
		if err != nil {
			t.Fatal(err)
		}
		res.Indicators = append(res.Indicators, got.Indicators...)
		res.Warninglists = append(res.Warninglists, got.Warninglists...)
		res.Allowlist = append(res.Allowlist, got.Allowlist...)
	}
	wl, err := loader.Load("../../shared/realdata/feeds/misp/warninglists", loader.Options{Format: loader.FormatWarninglist})
	if err != nil {
		t.Fatal(err)
	}
	loaded := append([]indicator.Indicator(nil), res.Indicators...)
	pol, err := allow.New(allow.Options{Warninglists: append(res.Warninglists, wl.Warninglists...), Allowlist: res.Allowlist})
	if err != nil {
		t.Fatal(err)
	}
	kept, rep := pol.Apply(res.Indicators)
	m, err := match.Compile(kept, match.Options{Now: func() time.Time { return now }})
	if err != nil {
		t.Fatal(err)
	}
	st := hits.New(hits.Options{Start: now})
	st.Rebind(m)
	want := map[hits.Key]int64{} // lines per entry, counted here
	var logs []string
	filepath.WalkDir(filepath.Join(realdata, "logs"), func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() && !strings.HasSuffix(p, ".md") && !strings.HasSuffix(p, ".gz") {
			logs = append(logs, p)
		}
		return nil
	})
	var dst []match.Match
	for i, path := range logs {
		f, err := os.Open(path)
		if err != nil {
			t.Fatal(err)
		}
		sc := bufio.NewScanner(f)
		sc.Buffer(nil, 16<<20)
		for sc.Scan() {
			if dst = m.AppendMatches(dst[:0], sc.Bytes()); len(dst) == 0 {
				continue
			}
			st.Record(m, dst, now.Add(time.Duration(i)*time.Minute))
			seen := map[match.ID]bool{}
			for _, x := range dst {
				if !seen[x.ID] {
					seen[x.ID] = true
					typ, v := m.Key(x.ID)
					want[hits.Key{Type: typ, Value: v}]++
				}
			}
		}
		f.Close()
	}
	if len(want) == 0 {
		t.Fatal("no match in the acceptance logs")
	}
	snap := st.Snapshot()
	if len(snap) != len(want) {
		t.Errorf("%d entries hit, counted %d", len(snap), len(want))
	}
	for _, e := range snap {
		if e.Count != want[e.Key()] || !e.Current {
			t.Errorf("%s: count %d, counted %d", e.Key(), e.Count, want[e.Key()])
		}
	}
	// the stats file reads back
	path := filepath.Join(t.TempDir(), "stats.json")
	if err := hits.WriteFile(path, snap, now); err != nil {
		t.Fatal(err)
	}
	if back, err := hits.ReadFile(path); err != nil || len(back.Entries) != len(snap) {
		t.Fatalf("read back: %d entries, %v", len(back.Entries), err)
	}
	// ROI: per feed, hits add up to the hits of its entries
	r := roi.Compute(roi.FeedsFrom(&rep, loaded), snap)
	bySource := map[string]int64{}
	for _, e := range snap {
		for _, s := range e.Sources {
			bySource[s] += e.Count
		}
	}
	var loadedSum int
	for _, f := range r.Feeds {
		loadedSum += f.Loaded
		if f.Hits != bySource[f.Source] || f.UniqueHits > f.Hits || f.AnnotatedHits > f.Hits || f.UniqueIndicators > f.HitIndicators {
			t.Errorf("feed %s: %+v (hits counted %d)", f.Source, f, bySource[f.Source])
		}
	}
	if loadedSum != len(loaded) {
		t.Errorf("feeds loaded %d in all, loader gave %d", loadedSum, len(loaded))
	}
	// sightings: one MISP record per entry (or per MISP attribute uuid),
	// STIX valid
	p := st.Cut(now.Add(time.Hour))
	if ms := sightings.MISP(p, sightings.Options{}); len(ms) < len(snap) {
		t.Errorf("%d MISP sightings for %d entries", len(ms), len(snap))
	}
	var buf bytes.Buffer
	if err := sightings.WriteSTIX(&buf, p, sightings.Options{Sensor: "acceptance"}); err != nil {
		t.Fatal(err)
	}
	var b struct{ Objects []map[string]any }
	if err := json.Unmarshal(buf.Bytes(), &b); err != nil {
		t.Fatal(err)
	}
	t.Logf("%d indicators loaded, %d entries, %d hit (%d hits); %d feeds; %d STIX objects", len(loaded), m.Len(), len(snap), r.Hits, len(r.Feeds), len(b.Objects))
	const validator = "/work/shared/schemas/validate.py"
	py, err := exec.LookPath("python3")
	if _, serr := os.Stat(validator); err != nil || serr != nil {
		return
	}
	stix := filepath.Join(t.TempDir(), "sightings.json")
	os.WriteFile(stix, buf.Bytes(), 0o644)
	if out, err := exec.Command(py, validator, "stix-sightings", stix).CombinedOutput(); err != nil {
		t.Errorf("validate.py: %v\n%s", err, out)
	}
}
