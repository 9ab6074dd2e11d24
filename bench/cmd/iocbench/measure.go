package main

import (
	"crypto/sha256"
	"runtime"
	"runtime/debug"
	"sync"
	"time"
)

func mallocs() uint64 {
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return ms.Mallocs
}

// measure calls run(reps) for three rounds of at least minDur/3 each,
// after a calibration call, and returns the fastest round's time and
// allocation count divided by reps.
func measure(minDur time.Duration, run func(reps int)) (perRep time.Duration, allocsPerRep float64) {
	t0 := time.Now()
	run(1)
	one := max(time.Since(t0), time.Microsecond)
	reps := int(min(int64(minDur/3/one)+1, 1<<30))
	best := time.Duration(-1)
	var bestAllocs uint64
	for i := 0; i < 3; i++ {
		m0 := mallocs()
		t0 := time.Now()
		run(reps)
		el := time.Since(t0)
		m := mallocs() - m0
		if best < 0 || el < best {
			best, bestAllocs = el, m
		}
	}
	return best / time.Duration(reps), float64(bestAllocs) / float64(reps)
}

// scanRate scans lines (of nbytes bytes in all) with g goroutines, each
// scanning all of them, and returns the aggregate MB/s and allocations
// per line. scanFor returns the scan function of one goroutine.
func scanRate(minDur time.Duration, lines [][]byte, nbytes int, g int, scanFor func() func([]byte)) (mbps, allocsPerLine float64) {
	fns := make([]func([]byte), g)
	for i := range fns {
		fns[i] = scanFor()
	}
	per, allocs := measure(minDur, func(reps int) {
		if g == 1 {
			f := fns[0]
			for r := 0; r < reps; r++ {
				for _, l := range lines {
					f(l)
				}
			}
			return
		}
		var wg sync.WaitGroup
		for i := 0; i < g; i++ {
			f := fns[i]
			wg.Go(func() {
				for r := 0; r < reps; r++ {
					for _, l := range lines {
						f(l)
					}
				}
			})
		}
		wg.Wait()
	})
	mbps = float64(nbytes) * float64(g) / 1e6 / per.Seconds()
	return mbps, allocs / float64(len(lines)*g)
}

// opNs returns the time and allocations of one call of op(i), i cycling
// through [0, n).
func opNs(minDur time.Duration, n int, op func(i int)) (ns, allocs float64) {
	per, a := measure(minDur, func(reps int) {
		for r := 0; r < reps; r++ {
			for i := 0; i < n; i++ {
				op(i)
			}
		}
	})
	return float64(per.Nanoseconds()) / float64(n), a / float64(n)
}

func gc() {
	runtime.GC()
	runtime.GC()
}

func heapAlloc() int64 {
	gc()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return int64(ms.HeapAlloc)
}

// built measures build: its wall time and the live heap it leaves (heap
// after GC, after minus before). The caller must keep the object build
// returns alive, and the inputs of build too (runtime.KeepAlive), or
// their collection is subtracted.
func built[T any](build func() (T, error)) (obj T, dur time.Duration, live int64, err error) {
	before := heapAlloc()
	t0 := time.Now()
	obj, err = build()
	dur = time.Since(t0)
	live = heapAlloc() - before
	return obj, dur, live, err
}

// release returns freed memory to the OS, so that a large set measured
// before does not inflate the next one's figures.
func release() { debug.FreeOSMemory() }

// cpuScaling measures how g goroutines of pure CPU work (SHA-256 of 4 KiB
// blocks, no shared memory) scale against one on this machine right now:
// the ceiling of any parallel speed-up measured beside it.
func cpuScaling(minDur time.Duration, g int) float64 {
	buf := make([]byte, 4096)
	work := func() func([]byte) {
		return func(b []byte) { sha256.Sum256(b) }
	}
	lines := make([][]byte, 64)
	for i := range lines {
		lines[i] = buf
	}
	one, _ := scanRate(minDur, lines, 64*4096, 1, work)
	many, _ := scanRate(minDur, lines, 64*4096, g, work)
	return many / one
}
