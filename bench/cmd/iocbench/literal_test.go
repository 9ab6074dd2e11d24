package main

import (
	"bytes"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/iocmatch/iocmatch/bench/peers"
)

// TestLiteralPeers runs -only-peers on a 2k domain set and a 4 MB log:
// every engine that ran matched exactly the log's hit lines (the domain
// log's hit lines carry one domain each, in lower case, and its miss
// lines none), with positive CPU figures; the ones that cannot run say
// why. With -short grep and rg are not run.
func TestLiteralPeers(t *testing.T) {
	dir := t.TempDir()
	args := []string{"-only-peers", "-hyperscan", "-tool-cpu", "-hs-sizes", "2000", "-tool-sizes", "2000",
		"-peer-log-mb", "4", "-peer-rounds", "2", "-realdata", "", "-o", dir}
	if testing.Short() {
		args = append(args, "-no-procs")
	}
	var log bytes.Buffer
	if code := run(args, &log); code != 0 {
		t.Fatalf("exit status %d:\n%s", code, log.String())
	}
	js, err := os.ReadFile(filepath.Join(dir, "results.json"))
	if err != nil {
		t.Fatal(err)
	}
	var res Results
	if err := json.Unmarshal(js, &res); err != nil {
		t.Fatal(err)
	}
	if len(res.Scan) != 0 || len(res.Engines) != 0 {
		t.Errorf("-only-peers measured more: %d scan rows, %d engine rows", len(res.Scan), len(res.Engines))
	}
	seen := map[string]bool{}
	for _, l := range res.Literal {
		seen[l.Engine] = true
		if l.N != 2000 || l.LogBytes < 4<<20 || l.HitLines == 0 {
			t.Errorf("%s: N %d, log %d bytes, %d hit lines", l.Engine, l.N, l.LogBytes, l.HitLines)
		}
		ran := l.Engine == "iocmatch" || l.Engine == "hyperscan" && peers.HyperscanBuilt || !testing.Short() && res.Tools[strings.TrimSuffix(l.Engine, " -F")] != "not installed"
		if !ran {
			if l.Status == "" || len(l.ScanCPUSec) != 0 {
				t.Errorf("%s did not run but says %q, with %d rounds", l.Engine, l.Status, len(l.ScanCPUSec))
			}
			continue
		}
		if l.Matched != l.HitLines {
			t.Errorf("%s matched %d lines, want the %d hit lines (%s)", l.Engine, l.Matched, l.HitLines, l.Status)
		}
		if l.MBpsCPU <= 0 && strings.Contains(l.Status, "scan not measurable") {
			continue // a process's scan of 4 MB lost in the noise of its start: said so
		}
		if len(l.ScanCPUSec) != 2 || len(l.ScanWallSec) != 2 || l.MBpsCPU <= 0 || l.MBpsCPUMin > l.MBpsCPU || l.BuildSec <= 0 {
			t.Errorf("%s: rounds %v / %v, MB/CPU-s %v (slowest %v), build %v", l.Engine, l.ScanCPUSec, l.ScanWallSec, l.MBpsCPU, l.MBpsCPUMin, l.BuildSec)
		}
	}
	for _, e := range []string{"iocmatch", "hyperscan", "grep -F", "rg -F"} {
		if !seen[e] {
			t.Errorf("no %s row", e)
		}
	}
	md, err := os.ReadFile(filepath.Join(dir, "report.md"))
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"## Literal peers on a large domain log, by CPU time", "| Engine | Set | N | build wall / CPU | scan CPU best (slowest) |", "| iocmatch | domains | 2k |", "| hyperscan | domains | 2k |"}
	if !peers.HyperscanBuilt {
		want = append(want, "hyperscan: not built (go build -tags hyperscan, needs Debian's libhyperscan-dev)")
	}
	for _, w := range want {
		if !bytes.Contains(md, []byte(w)) {
			t.Errorf("report.md lacks %q", w)
		}
	}
}

func TestLiteralFlags(t *testing.T) {
	cfg, err := parseFlags([]string{"-o", t.TempDir()}, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if cfg.hyperscan || cfg.toolCPU || cfg.onlyPeers || len(cfg.hsSizes) != 3 || cfg.peerLogMB != 512 || cfg.peerRounds != 3 {
		t.Errorf("defaults: %+v", cfg)
	}
	if (&runner{cfg: cfg}).literalSizes() != nil {
		t.Error("a plain run would run the literal peers")
	}
	cfg.hyperscan, cfg.toolCPU, cfg.toolSizes = true, true, []int{5, 10_000}
	if got := (&runner{cfg: cfg}).literalSizes(); len(got) != 4 || got[0] != 5 || got[3] != 1_000_000 {
		t.Errorf("literalSizes = %v", got)
	}
	if _, err := parseFlags([]string{"-only-peers", "-o", t.TempDir()}, io.Discard); err == nil {
		t.Error("-only-peers without a peer: no error")
	}
}

func TestLiteralFinish(t *testing.T) {
	// 100 MB; rounds of 1 s and 2 s CPU, and one whose difference is
	// negative (the empty-file run was slower): left out, and said so.
	row := LiteralRow{LogBytes: 100e6, BuildCPUSec: 1, ScanCPUSec: []float64{2, -0.5, 1}, ScanWallSec: []float64{2.5, 0.1, 1.5}}
	row.finish(true)
	if row.MBpsCPU != 100 || row.MBpsCPUMin != 50 || row.ScanCPUBest != 1 || row.ScanCPUWorst != 2 || row.MBpsWall != 100e6/1.5/1e6 {
		t.Errorf("rates: %+v", row)
	}
	if !strings.Contains(row.Status, "1 of 3 rounds left out") || strings.Contains(row.Status, "below half") {
		t.Errorf("status %q", row.Status)
	}
	// Every round negative: no rate at all.
	row = LiteralRow{LogBytes: 100e6, BuildCPUSec: 30, ScanCPUSec: []float64{-1, -2}, ScanWallSec: []float64{-1, 1}}
	row.finish(true)
	if row.MBpsCPU != 0 || row.MBpsWall != 0 || !strings.Contains(row.Status, "scan not measurable") {
		t.Errorf("all rounds negative: %+v", row)
	}
	// A scan well below the build's CPU time is flagged for the process
	// runs only.
	for _, diff := range []bool{true, false} {
		row = LiteralRow{LogBytes: 100e6, BuildCPUSec: 30, ScanCPUSec: []float64{2}, ScanWallSec: []float64{2}}
		row.finish(diff)
		if strings.Contains(row.Status, "below half the build's") != diff {
			t.Errorf("diff %v: status %q", diff, row.Status)
		}
	}
}

// TestLiteralMixed runs -hs-set mixed: iocmatch matches exactly the hit
// lines of the mixed log; Hyperscan, a literal matcher of the same values
// but CIDRs, at least the hit lines that carry no CIDR (fewer than all of
// them would be a miss: every other value is in its line as a literal).
func TestLiteralMixed(t *testing.T) {
	dir := t.TempDir()
	var log bytes.Buffer
	if code := run([]string{"-only-peers", "-hyperscan", "-hs-set", "mixed", "-hs-sizes", "2000", "-peer-log-mb", "1", "-peer-rounds", "1", "-realdata", "", "-o", dir}, &log); code != 0 {
		t.Fatalf("exit status %d:\n%s", code, log.String())
	}
	js, err := os.ReadFile(filepath.Join(dir, "results.json"))
	if err != nil {
		t.Fatal(err)
	}
	var res Results
	if err := json.Unmarshal(js, &res); err != nil {
		t.Fatal(err)
	}
	if len(res.Literal) != 2 {
		t.Fatalf("%d rows, want hyperscan and iocmatch: %+v", len(res.Literal), res.Literal)
	}
	for _, l := range res.Literal {
		switch {
		case l.Set != "mixed" || l.HitLines == 0:
			t.Errorf("%s: set %q, %d hit lines", l.Engine, l.Set, l.HitLines)
		case l.Engine == "iocmatch" && l.Matched != l.HitLines:
			t.Errorf("iocmatch matched %d lines, want the %d hit lines", l.Matched, l.HitLines)
		case l.Engine == "hyperscan" && peers.HyperscanBuilt && l.Matched < l.HitLines*9/10:
			t.Errorf("hyperscan matched %d lines of %d hit lines", l.Matched, l.HitLines)
		case l.Engine == "hyperscan" && !peers.HyperscanBuilt && l.Status != peers.ErrHyperscanNotBuilt.Error():
			t.Errorf("hyperscan not built, status %q", l.Status)
		}
	}
	if _, err := parseFlags([]string{"-hs-set", "urls", "-o", t.TempDir()}, io.Discard); err == nil {
		t.Error("-hs-set urls: no error")
	}
}
