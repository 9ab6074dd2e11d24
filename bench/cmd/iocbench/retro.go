package main

import (
	"bytes"
	"fmt"
	"io/fs"
	"path/filepath"
	"runtime"
	"time"

	"github.com/iocmatch/iocmatch/allow"
	"github.com/iocmatch/iocmatch/bench/workload"
	"github.com/iocmatch/iocmatch/loader"
	"github.com/iocmatch/iocmatch/match"
	"github.com/iocmatch/iocmatch/retro"
)

// Retro-hunt workload: retroNew new indicators (a mixed set of their own
// seed, as a reload would bring), retroHitRate of the kept lines carrying
// one of them, generated in chunks of retroChunk lines.
const (
	retroNew     = 1000
	retroHitRate = 0.001
	retroChunk   = 10_000
	retroFile    = "/var/log/mixed.log"
)

// retroHunt measures package retro: a Buffer of budget bytes filled (until
// it evicts) with generated mixed-format lines, retroHitRate of them
// carrying one of retroNew new indicators, hunted with a Matcher of only
// those; then Add on the full buffer. The hunt must find exactly the
// planted lines that are still kept, or the figures are wrong.
func (r *runner) retroHunt(budget int64) error {
	cfg := r.cfg
	newInds := workload.Indicators(retroNew, cfg.seed+1000)
	m, err := match.Compile(newInds, match.Options{})
	if err != nil {
		return err
	}
	r.logf("retro-hunt: filling a %s buffer", fmtBytes(float64(budget)))
	pool := workload.Generate(workload.Mixed, retroChunk, retroHitRate, newInds, cfg.seed+1999).Lines // for the Add figure
	heap0 := heapAlloc()
	rb := retro.New(budget)
	var planted []bool // planted[lineNo-1]: the line carries a new indicator
	var offset int64
	var addWall, addCPU time.Duration
	added := 0
	for k := uint64(0); rb.Stats().EvictedLines == 0; k++ {
		log := workload.Generate(workload.Mixed, retroChunk, retroHitRate, newInds, cfg.seed+2000+k)
		c0, t0 := cpuNow(), time.Now()
		for _, l := range log.Lines {
			added++
			rb.Add(retroFile, int64(added), offset, l)
			offset += int64(len(l)) + 1
		}
		addWall, addCPU = addWall+time.Since(t0), addCPU+cpuNow()-c0
		planted = append(planted, log.Hit...)
	}
	st := rb.Stats()
	heap := heapAlloc() - heap0 - int64(cap(planted)) // the buffer's: the planted flags are the benchmark's
	runtime.KeepAlive(newInds)                        // alive at heap0: not the buffer's
	if st.TooLong > 0 {
		return fmt.Errorf("retro-hunt: %d generated lines longer than a block", st.TooLong)
	}
	keptHits := 0
	rb.Each(func(l retro.Line) bool {
		if planted[l.Number-1] {
			keptHits++
		}
		return true
	})
	if keptHits == 0 {
		return fmt.Errorf("retro-hunt: no planted line among the %d kept: the budget is too small", st.Lines)
	}
	r.logf("retro-hunt: %d lines kept (%s), %d evicted, %d planted lines kept; memory %s, heap +%s",
		st.Lines, fmtBytes(float64(st.Bytes)), st.EvictedLines, keptHits, fmtBytes(float64(st.Memory)), fmtBytes(float64(heap)))
	fill := LifeRow{Part: "retro-hunt", What: fmt.Sprintf("retro.Buffer.Add: fill a %s buffer from empty (until it evicts)", fmtBytes(float64(budget))),
		N: added, Units: "lines", Reps: 1, Wall: []float64{addWall.Seconds()}, CPU: []float64{addCPU.Seconds()}, Allocs: -1,
		Note: fmt.Sprintf("kept %d lines, %s of text (%d evicted); Stats().Memory %s for a budget of %s (%+.1f%%), live heap +%s (the buffer's)",
			st.Lines, fmtBytes(float64(st.Bytes)), st.EvictedLines, fmtBytes(float64(st.Memory)), fmtBytes(float64(budget)),
			100*(float64(st.Memory)/float64(budget)-1), fmtBytes(float64(heap)))}

	lines, matches := 0, 0
	hunt := LifeRow{Part: "retro-hunt", What: fmt.Sprintf("retro.Buffer.Hunt: the whole buffer for %d new indicators (mixed set)", retroNew), N: int(st.Lines), Units: "lines"}
	rounds(&hunt, nil, func() {
		lines, matches = 0, 0
		err = rb.Hunt(m, func(_ retro.Line, xs []match.Match) error {
			lines++
			matches += len(xs)
			return nil
		})
	})
	if err != nil {
		return err
	}
	if lines != keptHits {
		return fmt.Errorf("retro-hunt: %d lines with matches, %d planted lines kept", lines, keptHits)
	}
	i := hunt.bestIdx()
	hunt.Note = fmt.Sprintf("%.0f MB/s wall, %.0f MB/s CPU over %s of kept lines; %d lines with matches (all %d planted lines kept), %d matches",
		float64(st.Bytes)/1e6/hunt.Wall[i], float64(st.Bytes)/1e6/hunt.CPU[i], fmtBytes(float64(st.Bytes)), lines, keptHits, matches)

	poolBytes := 0
	for _, l := range pool {
		poolBytes += len(l)
	}
	add := LifeRow{Part: "retro-hunt", What: "retro.Buffer.Add: one line into the full buffer (evicting the oldest)", N: len(pool), Units: "lines"}
	rounds(&add, nil, func() {
		for _, l := range pool {
			added++
			rb.Add(retroFile, int64(added), offset, l)
			offset += int64(len(l)) + 1
		}
	})
	i = add.bestIdx()
	add.Note = fmt.Sprintf("%.0f B per line on average, %.0f MB/s", float64(poolBytes)/float64(len(pool)), float64(poolBytes)/1e6/add.Wall[i])
	r.res.Life = append(r.res.Life, fill, hunt, add)
	runtime.KeepAlive(rb)
	release()
	return nil
}

// retroReal retro-hunts the real logs of -realdata (the first
// -realdata-max-mb of each file, kept in a Buffer of budget bytes) for
// every indicator of the real feeds that iocscan's defaults keep (the
// feeds' warninglists applied), at the run's start time: what a first
// load's retro-hunt would find on this data.
func (r *runner) retroReal(budget int64) error {
	cfg := r.cfg
	if cfg.realdata == "" {
		return nil // warninglists() says there is no real data
	}
	res, err := loader.Load(filepath.Join(cfg.realdata, "feeds"), loader.Options{})
	if err != nil {
		return err
	}
	p, err := allow.New(allow.Options{Warninglists: res.Warninglists})
	if err != nil {
		return err
	}
	kept, _ := p.Apply(res.Indicators)
	now := r.t0
	m, err := match.Compile(kept, match.Options{Now: func() time.Time { return now }})
	if err != nil {
		return err
	}
	res, kept = loader.Result{}, nil
	rb := retro.New(budget)
	files := 0
	filepath.WalkDir(filepath.Join(cfg.realdata, "logs"), func(path string, d fs.DirEntry, err error) error {
		if err != nil || !d.Type().IsRegular() || filepath.Ext(path) == ".md" || filepath.Base(path) == "LICENSE-loghub.txt" {
			return nil
		}
		data, err := readHead(path, cfg.realMaxMB<<20)
		if err != nil || len(data) == 0 || bytes.IndexByte(data[:min(len(data), 8192)], 0) >= 0 {
			return nil // unreadable, empty or binary
		}
		rel, _ := filepath.Rel(cfg.realdata, path)
		files++
		var off int64
		for i, l := range bytes.Split(bytes.TrimSuffix(data, []byte("\n")), []byte("\n")) {
			rb.Add(rel, int64(i+1), off, bytes.TrimSuffix(l, []byte("\r")))
			off += int64(len(l)) + 1
		}
		return nil
	})
	st := rb.Stats()
	if st.Lines == 0 {
		return nil
	}
	lines, matches := 0, 0
	hitFiles := map[string]bool{}
	row := LifeRow{Part: "retro-hunt", What: fmt.Sprintf("retro.Buffer.Hunt: the real logs (%d files, first %d MB of each) for the %d real indicators kept after the warninglists", files, cfg.realMaxMB, m.Len()),
		N: int(st.Lines), Units: "lines"}
	rounds(&row, nil, func() {
		lines, matches = 0, 0
		err = rb.Hunt(m, func(l retro.Line, xs []match.Match) error {
			lines++
			matches += len(xs)
			hitFiles[l.File] = true
			return nil
		})
	})
	if err != nil {
		return err
	}
	i := row.bestIdx()
	row.Note = fmt.Sprintf("%.0f MB/s wall, %.0f MB/s CPU over %s of kept lines (%d evicted, %d too long); %d lines with matches in %d files, %d matches",
		float64(st.Bytes)/1e6/row.Wall[i], float64(st.Bytes)/1e6/row.CPU[i], fmtBytes(float64(st.Bytes)), st.EvictedLines, st.TooLong, lines, len(hitFiles), matches)
	r.logf("retro-hunt, real logs: %s", row.Note)
	r.res.Life = append(r.res.Life, row)
	runtime.KeepAlive(m)
	release()
	return nil
}
