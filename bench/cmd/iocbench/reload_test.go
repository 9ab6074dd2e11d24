package main

import (
	"bytes"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/iocmatch/iocmatch/bench/peers"
)

// A reloadmem -json line as the command prints it (its Result).
const reloadmemOut = `{"n":1000,"feed_bytes":74000,"churn":true,"before_rss":9000000,` +
	`"first":{"wall_s":0.2,"cpu_s":0.25,"peak_rss":30000000,"entries":990,"added":0,"removed":0,"changed":0},` +
	`"steady_rss":20000000,"heap_inuse":8000000,"reloads":[` +
	`{"wall_s":0.1,"cpu_s":0.12,"peak_rss":36000000,"ratio":1.8,"peak_heap":15000000,"rss_after":20000000,"entries":991,"added":500,"removed":499,"changed":3},` +
	`{"wall_s":0.11,"cpu_s":0.13,"peak_rss":42000000,"ratio":2.1,"peak_heap":15000000,"rss_after":20000000,"entries":990,"added":498,"removed":499,"changed":2},` +
	`{"wall_s":0.09,"cpu_s":0.1,"peak_rss":38000000,"ratio":1.9,"peak_heap":15000000,"rss_after":20000000,"entries":990,"added":501,"removed":501,"changed":1}]}`

func TestParseReloadmem(t *testing.T) {
	run, status := parseReloadmem(peers.Run{Output: reloadmemOut}, nil)
	if status != "" {
		t.Fatalf("status %q", status)
	}
	if run.SteadyRSS != 20_000_000 || run.First.Entries != 990 || len(run.Reloads) != 3 || run.Reloads[0].Added != 500 || run.Reloads[1].CPU != 0.13 {
		t.Fatalf("parsed %+v", run)
	}
	if got := run.maxRatio(); got != 2.1 {
		t.Errorf("maxRatio %v, want 2.1", got)
	}

	for _, c := range []struct {
		name string
		p    peers.Run
		err  error
		want string
	}{
		// log.Fatal exits with status 1, which RunProcess does not count
		// as an error: the output tells.
		{"fatal", peers.Run{Stderr: "2026/12/01 22:00:00 feeds: permission denied"}, nil, "reloadmem: 2026/12/01 22:00:00 feeds: permission denied"},
		{"fatal, last line", peers.Run{Stderr: "feeds: 10 indicators\nlive: no source gave indicators"}, nil, "reloadmem: live: no source gave indicators"},
		{"silent", peers.Run{}, nil, "reloadmem: no output"},
		{"timeout", peers.Run{TimedOut: true, Wall: 300 * time.Second, Output: reloadmemOut}, nil, "timeout after 300 s"},
		{"start", peers.Run{}, errors.New("fork/exec: no such file"), "fork/exec: no such file"},
		{"short", peers.Run{Output: strings.Replace(reloadmemOut, `"reloads":[`, `"reloads":[],"x":[`, 1), Stderr: "killed"}, nil, "reloadmem: 0 of 3 reloads measured: killed"},
	} {
		if _, got := parseReloadmem(c.p, c.err); got != c.want {
			t.Errorf("%s: status %q, want %q", c.name, got, c.want)
		}
	}
}

func TestReloadRows(t *testing.T) {
	run, _ := parseReloadmem(peers.Run{Output: reloadmemOut}, nil)
	rows := reloadRows(run)
	if len(rows) != 1 { // a -churn run: its first build is the unchanged run's
		t.Fatalf("%d rows", len(rows))
	}
	r := rows[0]
	if len(r.Wall) != 3 || r.Wall[2] != 0.09 || r.CPU[0] != 0.12 || r.N != 1000 {
		t.Fatalf("row %+v", r)
	}
	for _, want := range []string{"steady RSS 19.1 MiB", "at most 2.10× steady", "+500 -499 ~3, +498 -499 ~2, +501 -501 ~1"} {
		if !strings.Contains(r.Note, want) {
			t.Errorf("note %q lacks %q", r.Note, want)
		}
	}
	run.Churn = false
	if rows := reloadRows(run); len(rows) != 2 || !strings.Contains(rows[0].Note, "peak RSS 28.6 MiB") || rows[0].Wall[0] != 0.2 {
		t.Errorf("unchanged run's rows: %+v", rows)
	}

	// A run that failed is one row saying why, printed without figures.
	failed := reloadRows(ReloadRun{N: 1000, Status: "timeout after 300 s"})
	var b bytes.Buffer
	writeLife(newTable(&b, "Part", "What", "over", "wall", "CPU", "wall/unit", "CPU/unit", "bytes/unit", "allocs/unit", "note"), failed)
	if want := "| reload | live.Matcher.Reload, unchanged feeds | 1k indicators | - | - | - | - | - | - | not measured: timeout after 300 s |"; !strings.Contains(b.String(), want) {
		t.Errorf("table:\n%s\nwant the row %s", b.String(), want)
	}
	var tb bytes.Buffer
	reloadTargets(func(name, goal, measured string, ok, known bool) {
		tb.WriteString(name + "|" + measured + "|" + map[bool]string{true: "known", false: "n/a"}[known] + "\n")
	}, &Results{Reload: []ReloadRun{{N: 1_000_000, Status: "timeout after 300 s"}, func() ReloadRun { r := run; r.N = 1_000_000; return r }()}})
	if want := "reload peak RSS, 1M indicators|not measured: timeout after 300 s|n/a\nreload peak RSS, 1M indicators|x2.10 (40.1 MiB peak, 19.1 MiB steady)|known\n"; tb.String() != want {
		t.Errorf("targets:\n%s\nwant\n%s", tb.String(), want)
	}
}

// FuzzParseReloadmem: whatever reloadmem prints, parseReloadmem does not
// panic, and a run it accepts has every reload and a steady RSS (what the
// report divides by).
func FuzzParseReloadmem(f *testing.F) {
	f.Add(reloadmemOut, "")
	f.Add("", "2026/12/01 22:00:00 feeds: permission denied")
	f.Add(`{"reloads":[{},{},{}],"steady_rss":-1}`, "")
	f.Fuzz(func(t *testing.T, out, stderr string) {
		run, status := parseReloadmem(peers.Run{Output: out, Stderr: stderr}, nil)
		if status == "" && (len(run.Reloads) != reloadRounds || run.SteadyRSS <= 0) {
			t.Fatalf("accepted %q: %+v", out, run)
		}
		if status == "" {
			reloadRows(run) // formats without panicking
		}
	})
}
