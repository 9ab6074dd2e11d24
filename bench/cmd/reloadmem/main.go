// Command reloadmem measures the memory and time of a live.Matcher's
// reloads: it writes a feed directory of -n generated indicators (a plain
// list by type, a CSV with metadata, a STIX bundle), builds a
// live.Matcher over it, then reloads it -reloads times, reading the
// resident size from /proc/self/status (VmRSS, and VmHWM after resetting
// it through /proc/self/clear_refs) before and during each reload.
//
//	go run ./cmd/reloadmem -n 1000000 -reloads 3
//	go run ./cmd/reloadmem -n 1000000 -reloads 3 -churn -json
//
// With -json it prints one JSON object (type Result) on standard output
// instead of the text: iocbench runs it so, in a fresh process (its own
// heap would hide the figures), for the report's reload rows.
//
// Linux only (the figures come from /proc). It is not part of go test.
package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"log"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"runtime/pprof"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/iocmatch/iocmatch/allow"
	"github.com/iocmatch/iocmatch/bench/workload"
	"github.com/iocmatch/iocmatch/indicator"
	"github.com/iocmatch/iocmatch/live"
)

// Result is what a run measured; -json prints it (the field names are
// part of the output: iocbench parses them). Times are in seconds, sizes
// in bytes.
type Result struct {
	N         int   `json:"n"`
	FeedBytes int64 `json:"feed_bytes"`
	Churn     bool  `json:"churn"`
	// BeforeRSS is the resident size before the first build.
	BeforeRSS int64 `json:"before_rss"`
	First     Build `json:"first"`
	// SteadyRSS is the resident size after the first build (and a
	// debug.FreeOSMemory); HeapInuse the heap in use then.
	SteadyRSS int64   `json:"steady_rss"`
	HeapInuse int64   `json:"heap_inuse"`
	Reloads   []Build `json:"reloads"`
}

// Build is one build, the first one (live.New) or a reload.
type Build struct {
	Wall    float64 `json:"wall_s"`
	CPU     float64 `json:"cpu_s"` // user+system CPU of the process
	PeakRSS int64   `json:"peak_rss"`
	// Ratio is PeakRSS / Result.SteadyRSS (reloads only).
	Ratio float64 `json:"ratio,omitempty"`
	// PeakHeap is the largest live heap after a GC seen during a reload.
	PeakHeap int64 `json:"peak_heap,omitempty"`
	RSSAfter int64 `json:"rss_after,omitempty"`
	Entries  int   `json:"entries"`
	Added    int   `json:"added"`
	Removed  int   `json:"removed"`
	Changed  int   `json:"changed"`
}

func main() {
	n := flag.Int("n", 1_000_000, "indicators in the feeds")
	reloads := flag.Int("reloads", 3, "reloads to measure")
	ratio := flag.Float64("ratio", 0, "live.Options.BuildMemoryRatio")
	keep := flag.Bool("keep-memory", false, "live.Options.KeepMemory")
	churn := flag.Bool("churn", false, "before each reload, rewrite the plain list (half the indicators) with new values")
	only := flag.String("only", "", "keep only this feed file (list.txt, feed.csv, bundle.json)")
	dir := flag.String("dir", "", "feed directory to write (default: a temporary one, removed)")
	memprofile := flag.String("memprofile", "", "write the heap profile (pprof) as of the largest live heap seen during the last reload to this file")
	asJSON := flag.Bool("json", false, "print the figures as one JSON object (Result) on standard output instead of text")
	flag.Parse()
	if *n < 1 || *reloads < 0 {
		log.Fatal("-n must be positive, -reloads not negative")
	}
	say := func(format string, a ...any) {
		if !*asJSON {
			fmt.Printf(format, a...)
		}
	}
	if *dir == "" {
		d, err := os.MkdirTemp("", "reloadmem")
		if err != nil {
			log.Fatal(err)
		}
		defer os.RemoveAll(d)
		*dir = d
	}
	res := Result{N: *n, Churn: *churn}
	res.FeedBytes = writeFeeds(*dir, *n, 1, false)
	if *only != "" {
		for _, f := range []string{"list.txt", "feed.csv", "bundle.json"} {
			if f != *only {
				os.Remove(filepath.Join(*dir, f))
			}
		}
	}
	say("feeds: %d indicators, %.1f MB in %s\n", *n, float64(res.FeedBytes)/1e6, *dir)
	debug.FreeOSMemory()
	res.BeforeRSS = vm("VmRSS")
	say("before the first build: RSS %s\n", mb(res.BeforeRSS))

	ctx := context.Background()
	resetPeak()
	c0, t0 := cpu(), time.Now()
	lm, err := live.New(ctx, live.Options{Paths: []string{*dir}, WatchInterval: -1, Allow: &allow.Options{}, KeepMemory: *keep, BuildMemoryRatio: *ratio})
	if err != nil {
		log.Fatal(err)
	}
	res.First = Build{Wall: time.Since(t0).Seconds(), CPU: (cpu() - c0).Seconds(), PeakRSS: vm("VmHWM"), Entries: lm.Current().Matcher.Len()}
	say("first build: %v wall, %v CPU, peak RSS %s, %d entries\n", secs(res.First.Wall), secs(res.First.CPU), mb(res.First.PeakRSS), res.First.Entries)
	debug.FreeOSMemory()
	res.SteadyRSS = vm("VmRSS")
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	res.HeapInuse = int64(ms.HeapInuse)
	say("steady: RSS %s, heap in use %s (%.0f B per entry)\n", mb(res.SteadyRSS), mb(res.HeapInuse), float64(ms.HeapInuse)/float64(res.First.Entries))
	for i := range *reloads {
		if *churn {
			writeFeeds(*dir, *n, uint64(i+2), true)
			debug.FreeOSMemory()
		}
		resetPeak()
		c0, t0 := cpu(), time.Now()
		var prof *bytes.Buffer
		if *memprofile != "" && i == *reloads-1 {
			prof = new(bytes.Buffer)
		}
		stop := sampleHeap(prof)
		ev, err := lm.Reload(ctx)
		maxHeap := stop()
		if prof != nil {
			if err := os.WriteFile(*memprofile, prof.Bytes(), 0o644); err != nil {
				log.Fatal(err)
			}
		}
		if err != nil {
			log.Fatal(err)
		}
		wall, cp := time.Since(t0), cpu()-c0
		peak := vm("VmHWM")
		b := Build{Wall: wall.Seconds(), CPU: cp.Seconds(), PeakRSS: peak, Ratio: float64(peak) / float64(res.SteadyRSS), PeakHeap: maxHeap, RSSAfter: vm("VmRSS"),
			Entries: lm.Current().Matcher.Len(), Added: ev.Diff.Added, Removed: ev.Diff.Removed, Changed: ev.Diff.Changed}
		res.Reloads = append(res.Reloads, b)
		say("reload %d: %v wall, %v CPU, peak RSS %s = %.2f× steady, peak heap after a GC %s, RSS after %s (diff +%d -%d ~%d)\n",
			i+1, secs(b.Wall), secs(b.CPU), mb(peak), b.Ratio, mb(maxHeap), mb(b.RSSAfter), b.Added, b.Removed, b.Changed)
	}
	runtime.KeepAlive(lm)
	if *asJSON {
		out, err := json.Marshal(res)
		if err != nil {
			log.Fatal(err)
		}
		fmt.Printf("%s\n", out)
	}
}

// secs rounds seconds to a millisecond Duration, for the text output.
func secs(s float64) time.Duration {
	return time.Duration(s * float64(time.Second)).Round(time.Millisecond)
}

// writeFeeds writes the feeds of n indicators into dir and returns their
// size (with listOnly, only the plain list): 50% a plain list (by type, under "# type:" headers), 40% a CSV
// with first/last seen, confidence, tags and a malware family, 10% a
// STIX 2.1 bundle.
func writeFeeds(dir string, n int, seed uint64, listOnly bool) int64 {
	inds := workload.Indicators(n, seed)
	nList, nCSV := n/2, n*4/10
	var total int64
	create := func(name string) (*os.File, *bufio.Writer) {
		f, err := os.Create(filepath.Join(dir, name))
		if err != nil {
			log.Fatal(err)
		}
		return f, bufio.NewWriterSize(f, 1<<20)
	}
	done := func(f *os.File, w *bufio.Writer) {
		if err := w.Flush(); err != nil {
			log.Fatal(err)
		}
		fi, _ := f.Stat()
		total += fi.Size()
		f.Close()
	}
	f, w := create("list.txt")
	byType := map[indicator.Type][]string{}
	for _, ind := range inds[:nList] {
		byType[ind.Type] = append(byType[ind.Type], ind.Value)
	}
	for t, vs := range byType {
		fmt.Fprintf(w, "# type: %s\n", t)
		for _, v := range vs {
			w.WriteString(v)
			w.WriteByte('\n')
		}
	}
	done(f, w)
	if listOnly {
		return total
	}
	f, w = create("feed.csv")
	w.WriteString("ioc_value,ioc_type,first_seen,last_seen,confidence,tags,malware\n")
	families := []string{"emotet", "qakbot", "cobaltstrike", "asyncrat", "remcos"}
	for i, ind := range inds[nList : nList+nCSV] {
		if ind.Type.IsString() || ind.Type == indicator.Email {
			continue // CSV values with commas and quotes: not worth it here
		}
		day := time.Date(2026, 1, 1+i%60, 0, 0, 0, 0, time.UTC)
		fmt.Fprintf(w, "%s,%s,%s,%s,%d,\"botnet,c2\",%s\n", ind.Value, ind.Type, day.Format(time.DateOnly), day.AddDate(0, 0, 3).Format(time.DateOnly), 50+i%50, families[i%len(families)])
	}
	done(f, w)
	f, w = create("bundle.json")
	w.WriteString(`{"type":"bundle","id":"bundle--00000000-0000-4000-8000-000000000000","objects":[`)
	k := 0
	for _, ind := range inds[nList+nCSV:] {
		var pat string
		switch {
		case ind.Type == indicator.Domain:
			pat = "[domain-name:value = '" + ind.Value + "']"
		case ind.Type == indicator.IPv4:
			pat = "[ipv4-addr:value = '" + ind.Value + "']"
		case ind.Type == indicator.SHA256:
			pat = "[file:hashes.'SHA-256' = '" + ind.Value + "']"
		case ind.Type == indicator.URL:
			pat = "[url:value = '" + strings.ReplaceAll(ind.Value, "'", "\\'") + "']"
		default:
			continue
		}
		if k > 0 {
			w.WriteByte(',')
		}
		k++
		fmt.Fprintf(w, `{"type":"indicator","spec_version":"2.1","id":"indicator--00000000-0000-4000-8000-%012d","created":"2026-01-01T00:00:00Z","modified":"2026-01-01T00:00:00Z","name":"C2 %d","pattern":%s,"pattern_type":"stix","valid_from":"2026-01-01T00:00:00Z","confidence":80,"labels":["malicious-activity"]}`,
			k, k, strconv.Quote(pat))
	}
	w.WriteString("]}\n")
	done(f, w)
	return total
}

// sampleHeap samples the live heap as of the last GC
// (/gc/heap/live:bytes) every millisecond until the function it returns
// is called, which returns the largest. With prof not nil, it holds the
// heap profile (pprof.WriteHeapProfile) of the cycle with the largest.
func sampleHeap(prof *bytes.Buffer) func() int64 {
	done := make(chan int64)
	stop := make(chan struct{})
	go func() {
		s := []metrics.Sample{{Name: "/gc/heap/live:bytes"}}
		var maxv int64
		t := time.NewTicker(time.Millisecond)
		defer t.Stop()
		for {
			metrics.Read(s)
			if v := int64(s[0].Value.Uint64()); v > maxv {
				maxv = v
				if prof != nil {
					prof.Reset()
					if err := pprof.WriteHeapProfile(prof); err != nil {
						log.Fatal(err)
					}
				}
			}
			select {
			case <-stop:
				done <- maxv
				return
			case <-t.C:
			}
		}
	}()
	return func() int64 { close(stop); return <-done }
}

// vm returns a "Vm…" line of /proc/self/status, in bytes.
func vm(key string) int64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		log.Fatal(err)
	}
	for _, l := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(l, key+":") {
			f := strings.Fields(l)
			v, _ := strconv.ParseInt(f[1], 10, 64)
			return v << 10
		}
	}
	log.Fatalf("no %s in /proc/self/status", key)
	return 0
}

// resetPeak resets VmHWM to the current RSS.
func resetPeak() {
	if err := os.WriteFile("/proc/self/clear_refs", []byte("5"), 0); err != nil {
		log.Fatal(err)
	}
}

func cpu() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func mb(b int64) string { return fmt.Sprintf("%.0f MB", float64(b)/1e6) }
