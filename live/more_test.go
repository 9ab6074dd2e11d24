package live

import (
	"context"
	"path/filepath"
	"runtime/debug"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/iocmatch/iocmatch/allow"
	"github.com/iocmatch/iocmatch/indicator"
	"github.com/iocmatch/iocmatch/match"
)

// TestCoalesce: reloads asked for during a build are served together by
// one more build.
func TestCoalesce(t *testing.T) {
	feed := filepath.Join(t.TempDir(), "c2.txt")
	write(t, feed, "a.example\n")
	block := make(chan struct{})
	entered := make(chan struct{}, 16)
	var mu sync.Mutex
	builds := 0
	m := newLive(t, Options{Paths: []string{feed}, WatchInterval: -1,
		Transform: func(inds []indicator.Indicator, now time.Time) ([]indicator.Indicator, error) {
			mu.Lock()
			builds++
			n := builds
			mu.Unlock()
			if n > 1 {
				entered <- struct{}{}
				<-block
			}
			return inds, nil
		}})
	first := make(chan Event)
	go func() { ev, _ := m.Reload(context.Background()); first <- ev }()
	<-entered // build 2 runs and waits
	var wg sync.WaitGroup
	evs := make([]Event, 5)
	for i := range evs {
		wg.Add(1)
		go func() { defer wg.Done(); evs[i], _ = m.Reload(context.Background()) }()
	}
	m.trigger(context.Background(), "change", feed)
	// wait until the five are queued
	for {
		m.mu.Lock()
		n := len(m.waiters)
		m.mu.Unlock()
		if n == 5 {
			break
		}
		time.Sleep(time.Millisecond)
	}
	close(block)
	if ev := <-first; ev.Set.Generation != 2 {
		t.Errorf("first reload: generation %d", ev.Set.Generation)
	}
	wg.Wait()
	for i, ev := range evs {
		if ev.Set.Generation != 3 || ev.Err != nil {
			t.Errorf("reload %d: generation %d, %v", i, ev.Set.Generation, ev.Err)
		}
	}
	mu.Lock()
	defer mu.Unlock()
	if builds != 3 {
		t.Errorf("%d builds, want 3 (the first, the one blocked, one for the six requests during it)", builds)
	}
	if evs[0].Trigger != "change" {
		t.Errorf("trigger %q, want the change's", evs[0].Trigger)
	}
}

// TestClock: validity windows move on with the Matcher's clock between
// reloads: an indicator the Transform gives a day of validity stops
// matching a day later without a reload.
func TestClock(t *testing.T) {
	feed := filepath.Join(t.TempDir(), "c2.txt")
	write(t, feed, "a.example\n")
	clk := newClock(t0)
	m := newLive(t, Options{Paths: []string{feed}, WatchInterval: -1, Now: clk.Now,
		Transform: func(inds []indicator.Indicator, now time.Time) ([]indicator.Indicator, error) {
			for i := range inds {
				inds[i].ValidUntil = now.Add(24 * time.Hour)
			}
			return inds, nil
		}})
	if got := values(m.Current(), "a.example"); len(got) != 1 {
		t.Fatalf("%v", got)
	}
	clk.Add(25 * time.Hour)
	if got := values(m.Current(), "a.example"); len(got) != 0 {
		t.Fatalf("expired indicator matched: %v", got)
	}
	if _, err := m.Reload(context.Background()); err != nil {
		t.Fatal(err)
	}
	if got := values(m.Current(), "a.example"); len(got) != 1 {
		t.Fatalf("after the reload (valid a day from now): %v", got)
	}
}

// TestAllow: the allowlist policy runs at every build, with the
// warninglists read with the feeds of that build.
func TestAllow(t *testing.T) {
	dir := t.TempDir()
	write(t, filepath.Join(dir, "c2.txt"), "a.example\nb.example\n10.0.0.1\n198.51.100.7\n")
	wl := filepath.Join(dir, "wl", "list.json")
	write(t, wl, `{"name":"test list","version":1,"description":"x","type":"hostname","list":["a.example"],"category":"false-positive"}`)
	m := newLive(t, Options{Paths: []string{dir}, WatchInterval: -1, Allow: &allow.Options{}})
	line := "a.example b.example 10.0.0.1 198.51.100.7"
	if got := values(m.Current(), line); !slices.Equal(got, []string{"domain:b.example", "ipv4:198.51.100.7"}) {
		t.Fatalf("set 1: %v", got)
	}
	rep := m.Current().Allow
	if rep == nil || rep.Suppressed != 2 {
		t.Fatalf("allow report %+v", rep)
	}
	write(t, wl, `{"name":"test list","version":2,"description":"x","type":"hostname","list":["b.example"],"category":"false-positive"}`)
	if _, err := m.Reload(context.Background()); err != nil {
		t.Fatal(err)
	}
	if got := values(m.Current(), line); !slices.Equal(got, []string{"domain:a.example", "ipv4:198.51.100.7"}) {
		t.Fatalf("set 2, the warninglist edited: %v", got)
	}
}

// TestCurrentAllocs: the read path allocates nothing on a line without a
// match.
func TestCurrentAllocs(t *testing.T) {
	feed := filepath.Join(t.TempDir(), "c2.txt")
	write(t, feed, "a.example\n198.51.100.7\n")
	m := newLive(t, Options{Paths: []string{feed}, WatchInterval: -1})
	line := []byte("GET http://www.other.example/index.html from 203.0.113.5")
	dst := make([]match.Match, 0, 8)
	if n := testing.AllocsPerRun(100, func() {
		s := m.Current()
		dst = s.Matcher.AppendMatches(dst[:0], line)
	}); n != 0 {
		t.Errorf("%v allocations per line", n)
	}
	if len(dst) != 0 {
		t.Fatal("matched")
	}
}

// TestNoCheckDuringBuild: the watch does not check while a build runs
// (the build's own start state is the next baseline), and sees, after
// it, a change made during it.
func TestNoCheckDuringBuild(t *testing.T) {
	feed := filepath.Join(t.TempDir(), "c2.txt")
	write(t, feed, "a.example\n")
	block := make(chan struct{})
	entered := make(chan struct{}, 1)
	first := true
	m := newLive(t, Options{Paths: []string{feed}, WatchInterval: -1,
		Transform: func(inds []indicator.Indicator, now time.Time) ([]indicator.Indicator, error) {
			if first {
				first = false
				return inds, nil
			}
			entered <- struct{}{}
			<-block
			return inds, nil
		}})
	write(t, feed, "a.example\nb.example\n")
	done := make(chan Event)
	go func() { ev, _ := m.Reload(context.Background()); done <- ev }()
	<-entered
	write(t, feed, "a.example\nb.example\nc.example\n") // during the build
	m.watchTick(context.Background())
	m.mu.Lock()
	pending := m.pending
	m.mu.Unlock()
	if pending != "" {
		t.Errorf("checked during the build: pending %q", pending)
	}
	close(block)
	<-done
	if p, ok := m.Changed(); !ok || p != feed {
		t.Errorf("the change made during the build not seen after it: %q %v", p, ok)
	}
}

// TestMemoryLimitRestored: the runtime's memory limit is lowered during
// a reload only, and restored after, also when two Matchers build at
// once.
func TestMemoryLimitRestored(t *testing.T) {
	feed := filepath.Join(t.TempDir(), "c2.txt")
	write(t, feed, "a.example\n")
	before := debug.SetMemoryLimit(-1)
	var during []int64
	var mu sync.Mutex
	tr := func(inds []indicator.Indicator, now time.Time) ([]indicator.Indicator, error) {
		mu.Lock()
		during = append(during, debug.SetMemoryLimit(-1))
		mu.Unlock()
		return inds, nil
	}
	m1 := newLive(t, Options{Paths: []string{feed}, WatchInterval: -1, Transform: tr})
	m2 := newLive(t, Options{Paths: []string{feed}, WatchInterval: -1, Transform: tr, BuildMemoryRatio: 3})
	m3 := newLive(t, Options{Paths: []string{feed}, WatchInterval: -1, Transform: tr, BuildMemoryRatio: -1})
	var wg sync.WaitGroup
	for _, m := range []*Matcher{m1, m2, m3} {
		wg.Add(1)
		go func() { defer wg.Done(); m.Reload(context.Background()) }()
	}
	wg.Wait()
	if after := debug.SetMemoryLimit(-1); after != before {
		t.Errorf("limit %d after the reloads, %d before", after, before)
	}
	// the first builds (New) are not limited; the reloads of m1 and m2 are
	// (and m3's, unlimited, sees their limit when it runs beside one of
	// them: the limit is the process's)
	lowered := 0
	for _, l := range during {
		if l < before {
			lowered++
		}
	}
	if len(during) != 6 || lowered < 2 || lowered > 3 {
		t.Errorf("limits seen during the builds: %v (before %d)", during, before)
	}
}
