package main

import (
	"bytes"
	"encoding/xml"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/iocmatch/iocmatch/bench/peers"
)

func TestMain(m *testing.M) {
	peers.EnableRusageHelper()
	os.Exit(m.Run())
}

// TestQuickRun runs a smoke run into a temporary directory and checks the
// report's files. It uses 2k sets rather than -quick's 10k to stay fast;
// with -short it skips the external processes.
func TestQuickRun(t *testing.T) {
	dir := t.TempDir()
	args := []string{"-quick", "-sizes", "2000", "-ac-sizes", "2000", "-string-sizes", "2000", "-benchtime", "20ms",
		"-lines", "500", "-iocscan-mb", "1", "-proc-log-mb", "1", "-retro-mb", "1", "-o", dir}
	if testing.Short() {
		args = append(args, "-no-procs")
	}
	var log bytes.Buffer
	if code := run(args, &log); code != 0 {
		t.Fatalf("exit status %d:\n%s", code, log.String())
	}
	md, err := os.ReadFile(filepath.Join(dir, "report.md"))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"# iocmatch benchmark report", "| CPU |", "| Go | go1.", "| Command | `iocbench -quick",
		"## Targets", "| Target | Goal | Measured | Met |",
		"## Free-text matching per log format", "| Format | N | log MB/s | miss MB/s |",
		"## Engines side by side", "| Engine | Set | N | MB/s | build | memory |",
		"| iocmatch | mixed | 2k |", "| naive-regexp | mixed | 2k |", "| cloudflare-ac | domains | 2k |", "| cidranger | addresses | 2k |",
		"## Field lookups", "| Engine | Lookup | N | hit ns | miss ns |",
		"## String kinds", "## Concurrent matching", "## iocscan end to end",
		"## Intelligence lifecycle", "| output | native JSON, Encoder, entries cached |",
		"## Hit statistics", "| N | hit lines | MB/s | MB/s with Record |", "| 2k |",
		"![throughput](throughput.svg)",
		"| retro-hunt | retro.Buffer.Add: fill a 1.0 MiB buffer from empty", "| retro-hunt | retro.Buffer.Hunt: the whole buffer for 1000 new indicators",
		"| retro-hunt | retro.Buffer.Add: one line into the full buffer",
	} {
		if !bytes.Contains(md, []byte(want)) {
			t.Errorf("report.md lacks %q", want)
		}
	}
	if !testing.Short() {
		if !bytes.Contains(md, []byte("| grep -F | domains | 2k |")) {
			t.Errorf("report.md has no grep row:\n%s", md)
		}
		if bytes.Contains(md, []byte("summary not found")) {
			t.Errorf("iocscan summary not parsed:\n%s", md)
		}
		for _, want := range []string{"| reload | live.New: first build", "| reload | live.Matcher.Reload, unchanged feeds |", "| reload | live.Matcher.Reload, -churn",
			"| reload peak RSS, 2k indicators |", "| reload peak RSS, 2k indicators (-churn) |"} {
			if !bytes.Contains(md, []byte(want)) {
				t.Errorf("report.md lacks %q", want)
			}
		}
		for _, want := range []string{"## Detection service (examples/iocserve)", "| 2k | 1 | 1000 |", "| 2k | 1000 | 100 |",
			"| iocserve, 1-line requests, 2k indicators | report | p50 ", "| iocserve, 1000-line requests, 2k indicators | report | p50 "} {
			if !bytes.Contains(md, []byte(want)) {
				t.Errorf("report.md lacks %q", want)
			}
		}
		// Every request answered 200 with its line count, and every hit
		// line sent matched (a status would say otherwise).
		if bytes.Contains(md, []byte("requests failed")) || bytes.Contains(md, []byte("hit lines sent")) {
			t.Errorf("an iocserve phase failed:\n%s", md)
		}
		if bytes.Contains(md, []byte("not measured: ")) || bytes.Contains(md, []byte("| x0.00 (")) {
			t.Errorf("a reload run failed:\n%s", md)
		}
	} else if !bytes.Contains(md, []byte("Reload figures not measured (-no-procs)")) {
		t.Errorf("report.md does not say why the reload figures are missing")
	} else if !bytes.Contains(md, []byte("## Detection service (examples/iocserve)\n\nNot measured (-no-procs)")) {
		t.Errorf("report.md does not say why the iocserve figures are missing")
	}
	if repo, err := findRepo(); err == nil && isDir(repo+"/../shared/realdata/logs") &&
		!bytes.Contains(md, []byte("| retro-hunt | retro.Buffer.Hunt: the real logs (")) {
		t.Errorf("report.md has no retro-hunt row of the real logs")
	}
	for _, f := range []string{"throughput.svg", "memory.svg", "build.svg"} {
		b, err := os.ReadFile(filepath.Join(dir, f))
		if err != nil {
			t.Fatal(err)
		}
		d := xml.NewDecoder(bytes.NewReader(b))
		root := ""
		for {
			tok, err := d.Token()
			if err == io.EOF {
				break
			}
			if err != nil {
				t.Fatalf("%s: %v", f, err)
			}
			if se, ok := tok.(xml.StartElement); ok && root == "" {
				root = se.Name.Local
			}
		}
		if root != "svg" || !bytes.Contains(b, []byte("<polyline")) && !bytes.Contains(b, []byte("<circle")) {
			t.Errorf("%s: root %q, no data drawn", f, root)
		}
	}
	if js, err := os.ReadFile(filepath.Join(dir, "results.json")); err != nil || !strings.Contains(string(js), `"Engines"`) {
		t.Errorf("results.json: %v", err)
	}
}

func TestParseSizes(t *testing.T) {
	got, err := parseSizes("1M, 10k,100000,10k")
	if err != nil || len(got) != 3 || got[0] != 10_000 || got[1] != 100_000 || got[2] != 1_000_000 {
		t.Fatalf("got %v, %v", got, err)
	}
	if _, err := parseSizes("ten"); err == nil {
		t.Fatal("accepted ten")
	}
}

func TestCommandLine(t *testing.T) {
	if got := commandLine([]string{"iocbench", "-o", "a b", "it's"}); got != `iocbench -o 'a b' 'it'\''s'` {
		t.Fatalf("got %s", got)
	}
}
