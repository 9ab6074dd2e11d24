package main

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/iocmatch/iocmatch/internal/setup"
	"github.com/iocmatch/iocmatch/live"
	"github.com/iocmatch/iocmatch/match"
	"github.com/stretchr/testify/require"
)

// The load test's size: go test -run TestLoad -v -args -indicators 1000000
// for the report's figures (the default keeps go test ./... fast).
var (
	loadIndicators = flag.Int("indicators", 10000, "TestLoad and BenchmarkServe: indicators in the generated feed")
	loadRequests   = flag.Int("requests", 2000, "TestLoad: requests of 1 line (and a tenth as many of 1000 lines)")
	loadLimit      = flag.Duration("load-limit", 15*time.Second, "TestLoad: the time limit of each phase")
)

// genIndicator is the i-th generated indicator: 40% domains, 40% public
// IPv4 addresses, 20% SHA-256 hashes.
func genIndicator(i int) string {
	switch i % 5 {
	case 0, 1:
		return fmt.Sprintf("c2-%07d.badcdn%d.com", i, i%97)
	case 2, 3:
		n := uint32(i) * 2654435761 // spread over 44.0.0.0-59.255.255.255 (no reserved range)
		return fmt.Sprintf("%d.%d.%d.%d", 44+(n>>28), (n>>16)&0xff, (n>>8)&0xff, n&0xff|1)
	default:
		h := sha256.Sum256([]byte(fmt.Sprint(i)))
		return hex.EncodeToString(h[:])
	}
}

// genFeed writes a plain-list feed of n generated indicators.
func genFeed(t testing.TB, n int) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "generated.txt")
	f, err := os.Create(p)
	require.NoError(t, err)
	w := bufio.NewWriterSize(f, 1<<20)
	for i := range n {
		w.WriteString(genIndicator(i))
		w.WriteByte('\n')
	}
	require.NoError(t, w.Flush())
	require.NoError(t, f.Close())
	return p
}

// genLines are n proxy log lines of about 190 bytes, 1 in 100 with an
// indicator of the generated feed of size feedSize.
func genLines(n, feedSize int) [][]byte {
	lines := make([][]byte, n)
	for i := range lines {
		host := fmt.Sprintf("www.site%d.org", i%5000)
		dst := fmt.Sprintf("93.184.%d.%d", i%200, i%250+1)
		if i%100 == 7 {
			j := (i * 7919) % feedSize
			switch j % 5 {
			case 0, 1:
				host = genIndicator(j)
			case 2, 3:
				dst = genIndicator(j)
			default:
				host += "/" + genIndicator(j)
			}
		}
		lines[i] = fmt.Appendf(nil, `2026-12-01T10:%02d:%02d.%03dZ 10.1.%d.%d GET http://%s/index.html?q=%d 200 1234 "Mozilla/5.0 (Windows NT 10.0; Win64; x64)" dst=%s`,
			i/60%60, i%60, i%1000, i/256%256, i%256, host, i, dst)
	}
	return lines
}

// cpuTime is the process's user and system CPU time so far.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// phase sends requests of batch lines each, from workers goroutines,
// and reports the latencies, lines/s and CPU time (client and server:
// one process).
type phaseResult struct {
	requests, lines, matched int
	wall, cpu                time.Duration
	p50, p99, max            time.Duration
}

func (r phaseResult) String() string {
	return fmt.Sprintf("%d requests, %d lines, %d lines matched in %v (CPU %v, %.2f cores): p50 %v, p99 %v, max %v; %.0f lines/s, %.0f requests/s",
		r.requests, r.lines, r.matched, r.wall.Round(time.Millisecond), r.cpu.Round(time.Millisecond), r.cpu.Seconds()/r.wall.Seconds(),
		r.p50.Round(time.Microsecond), r.p99.Round(time.Microsecond), r.max.Round(time.Microsecond),
		float64(r.lines)/r.wall.Seconds(), float64(r.requests)/r.wall.Seconds())
}

func loadPhase(t testing.TB, url string, lines [][]byte, requests, batch, workers int, limit time.Duration) phaseResult {
	t.Helper()
	bodies := make([][]byte, 0, 64)
	for i := 0; len(bodies) < cap(bodies); i++ {
		var b bytes.Buffer
		for j := range batch {
			b.Write(lines[(i*batch+j)%len(lines)])
			b.WriteByte('\n')
		}
		bodies = append(bodies, b.Bytes())
	}
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: workers}, Timeout: 30 * time.Second}
	lat := make([]time.Duration, requests)
	var next, matched, failed atomic.Int64
	deadline := time.Now().Add(limit)
	cpu0, t0 := cpuTime(), time.Now()
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for {
				i := int(next.Add(1)) - 1
				if i >= requests || time.Now().After(deadline) {
					return
				}
				s := time.Now()
				resp, err := client.Post(url+"/v1/match", "text/plain", bytes.NewReader(bodies[i%len(bodies)]))
				if err != nil {
					failed.Add(1)
					continue
				}
				var v struct {
					Matched int `json:"matched"`
				}
				err = json.NewDecoder(resp.Body).Decode(&v)
				io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				lat[i] = time.Since(s)
				if err != nil || resp.StatusCode != 200 {
					failed.Add(1)
					continue
				}
				matched.Add(int64(v.Matched))
			}
		})
	}
	wg.Wait()
	wall, cpu := time.Since(t0), cpuTime()-cpu0
	n := min(int(next.Load()), requests)
	require.Zero(t, failed.Load(), "failed requests")
	lat = lat[:n]
	slices.Sort(lat)
	r := phaseResult{requests: n, lines: n * batch, matched: int(matched.Load()), wall: wall, cpu: cpu}
	if n > 0 {
		r.p50, r.p99, r.max = lat[n/2], lat[min(n-1, n*99/100)], lat[n-1]
	}
	return r
}

// matchOnly is iocmatch's own cost on the same lines: AppendMatches per
// line, on one core.
func matchOnly(m *match.Matcher, lines [][]byte, rounds int) (perLine time.Duration, matched int) {
	var dst []match.Match
	t0 := time.Now()
	for range rounds {
		for _, l := range lines {
			dst = m.AppendMatches(dst[:0], l)
			if len(dst) > 0 {
				matched++
			}
		}
	}
	return time.Since(t0) / time.Duration(rounds*len(lines)), matched / rounds
}

func compileFeed(t testing.TB, feed string) *live.Matcher {
	t.Helper()
	f := setup.NewFlags("IOCSERVE")
	f.Feeds = setup.Multi{feed}
	f.Allow.Reserved = true
	f.MaxMatchesPerLine = match.DefaultMaxMatchesPerLine
	cfg, err := f.Config()
	require.NoError(t, err)
	opts, err := cfg.LiveOptions(context.Background(), io.Discard)
	require.NoError(t, err)
	lm, err := live.New(context.Background(), opts)
	require.NoError(t, err)
	return lm
}

// TestLoad runs iocserve on a generated feed and sends it -requests
// requests of 1 line and a tenth as many of 1000 lines from 4 clients,
// each phase bounded to -load-limit (15 s), and logs p50/p99 latency, lines/s and CPU
// time beside the cost of matching alone.
func TestLoad(t *testing.T) {
	n := *loadIndicators
	feed := genFeed(t, n)
	t0 := time.Now()
	in := start(t, "-feed", feed, "-max-concurrent", "64")
	t.Logf("%d indicators generated, served after %v", n, time.Since(t0).Round(time.Millisecond))
	lines := genLines(10000, n)
	const workers = 4
	r1 := loadPhase(t, in.url, lines, *loadRequests, 1, workers, *loadLimit)
	t.Logf("batch 1, %d clients: %v", workers, r1)
	r1000 := loadPhase(t, in.url, lines, max(*loadRequests/10, 1), 1000, workers, *loadLimit)
	t.Logf("batch 1000, %d clients: %v", workers, r1000)
	if r1.requests < *loadRequests || r1000.requests < *loadRequests/10 {
		t.Logf("stopped at the time limit of %v per phase (a loaded machine): the figures are of the requests sent", *loadLimit)
	}
	require.Positive(t, r1.requests)
	require.Positive(t, r1000.matched, "the generated lines hold indicators")
	require.Equal(t, r1000.requests*10, r1000.matched, "1 line in 100 has an indicator")

	lm := compileFeed(t, feed)
	defer lm.Close()
	per, matched := matchOnly(lm.Current().Matcher, lines, 3)
	t.Logf("iocmatch alone (AppendMatches, one core): %v per line, %.0f lines/s; %d of %d lines matched", per, 1/per.Seconds(), matched, len(lines))
	t.Logf("service cost per line at batch 1000: %v of CPU (client and server in this process), beside matching alone at %v per line",
		(r1000.cpu / time.Duration(r1000.lines)).Round(time.Nanosecond), per)
}

// BenchmarkServe is a request to /v1/match of 1 and of 1000 lines over
// loopback HTTP on a generated feed of -indicators, beside matching the
// same lines alone.
func BenchmarkServe(b *testing.B) {
	feed := genFeed(b, *loadIndicators)
	lm := compileFeed(b, feed)
	defer lm.Close()
	s := newServer(limits{maxBody: defaultMaxBody, maxLine: defaultMaxLine, maxConcurrent: 64}, "", time.Now, nil, b.Logf)
	s.setMatcher(lm)
	ts := httptest.NewServer(s.handler())
	defer ts.Close()
	lines := genLines(10000, *loadIndicators)
	for _, batch := range []int{1, 1000} {
		var body bytes.Buffer
		for _, l := range lines[:batch] {
			body.Write(l)
			body.WriteByte('\n')
		}
		if batch == 1 {
			body.Reset()
			body.Write(lines[7]) // one with a match
			body.WriteByte('\n')
		}
		b.Run(fmt.Sprintf("batch=%d", batch), func(b *testing.B) {
			b.SetBytes(int64(body.Len()))
			b.ReportAllocs()
			for b.Loop() {
				resp, err := http.Post(ts.URL+"/v1/match", "text/plain", bytes.NewReader(body.Bytes()))
				if err != nil {
					b.Fatal(err)
				}
				io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				if resp.StatusCode != 200 {
					b.Fatal(resp.Status)
				}
			}
			b.ReportMetric(float64(batch)*float64(b.N)/b.Elapsed().Seconds(), "lines/s")
		})
		b.Run(fmt.Sprintf("match-only/batch=%d", batch), func(b *testing.B) {
			m := lm.Current().Matcher
			ls := bytes.Split(bytes.TrimSuffix(body.Bytes(), []byte("\n")), []byte("\n"))
			var dst []match.Match
			b.SetBytes(int64(body.Len()))
			for b.Loop() {
				for _, l := range ls {
					dst = m.AppendMatches(dst[:0], l)
				}
			}
			b.ReportMetric(float64(batch)*float64(b.N)/b.Elapsed().Seconds(), "lines/s")
		})
	}
}
