package live

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"
)

// TestSameSecondRewrite: a file rewritten with the same size and the same
// modification time (a file system of 1-2 s granularity) is still seen
// changed, by its content's hash while its modification time is recent.
func TestSameSecondRewrite(t *testing.T) {
	feed := filepath.Join(t.TempDir(), "c2.txt")
	write(t, feed, "aa.example\n")
	fi, err := os.Stat(feed)
	if err != nil {
		t.Fatal(err)
	}
	mtime := fi.ModTime()
	clk := newClock(mtime.Add(time.Second)) // the check, a second after the write
	m := newLive(t, Options{Paths: []string{feed}, Now: clk.Now, WatchInterval: -1})
	if p, ok := m.Changed(); ok {
		t.Fatalf("unchanged file seen changed: %s", p)
	}
	write(t, feed, "bb.example\n") // same size
	if err := os.Chtimes(feed, mtime, mtime); err != nil {
		t.Fatal(err)
	}
	p, ok := m.Changed()
	if !ok || p != feed {
		t.Fatalf("same-second rewrite not seen: %q %v", p, ok)
	}
	ev, err := m.Reload(context.Background())
	if err != nil || ev.Diff.Added != 1 || ev.Diff.Removed != 1 {
		t.Fatalf("%v %+v", err, ev.Diff)
	}
	if got := values(m.Current(), "aa.example bb.example"); !slices.Equal(got, []string{"domain:bb.example"}) {
		t.Errorf("after the rewrite: %v", got)
	}
	if _, ok := m.Changed(); ok {
		t.Error("changed again after the reload")
	}
	// Once the modification time is old, the file is hashed once more
	// (a write in the last tick), then compared by its metadata only.
	clk.Add(time.Hour)
	if _, ok := m.Changed(); ok {
		t.Error("changed with the clock")
	}
	if s := m.watchSig.files[feed]; s.recent || !s.hashed {
		t.Errorf("old file: %+v, want hashed once more and not recent", s)
	}
	if _, ok := m.Changed(); ok {
		t.Error("changed with the clock")
	}
	if s := m.watchSig.files[feed]; s.hashed {
		t.Errorf("old file hashed again: %+v", s)
	}
	// A new modification time is a change whatever the content.
	later := mtime.Add(time.Minute)
	if err := os.Chtimes(feed, later, later); err != nil {
		t.Fatal(err)
	}
	if _, ok := m.Changed(); !ok {
		t.Error("touched file not seen")
	}
}

// TestReplacedFile: a file replaced by a rename (a new inode) with the
// same size and modification time is a change.
func TestReplacedFile(t *testing.T) {
	dir := t.TempDir()
	feed := filepath.Join(dir, "c2.txt")
	write(t, feed, "aa.example\n")
	fi, _ := os.Stat(feed)
	clk := newClock(fi.ModTime().Add(time.Hour)) // old: no hashing
	m := newLive(t, Options{Paths: []string{feed}, Now: clk.Now, WatchInterval: -1})
	tmp := filepath.Join(dir, ".c2.tmp")
	write(t, tmp, "bb.example\n")
	os.Chtimes(tmp, fi.ModTime(), fi.ModTime())
	if err := os.Rename(tmp, feed); err != nil {
		t.Fatal(err)
	}
	if _, ok := m.Changed(); !ok {
		t.Fatal("replaced file not seen")
	}
}

// TestDirectory: files added to and removed from a directory are seen,
// and a reload adds and removes their indicators; hidden files (editors'
// temporaries) are not watched.
func TestDirectory(t *testing.T) {
	dir := t.TempDir()
	write(t, filepath.Join(dir, "a.txt"), "a.example\n")
	write(t, filepath.Join(dir, "sub", "b.txt"), "b.example\n")
	m := newLive(t, Options{Paths: []string{dir}, WatchInterval: -1})
	line := "a.example b.example c.example"
	if got := values(m.Current(), line); len(got) != 2 {
		t.Fatalf("%v", got)
	}
	write(t, filepath.Join(dir, ".swp"), "x")
	if p, ok := m.Changed(); ok {
		t.Errorf("hidden file seen: %s", p)
	}
	c := filepath.Join(dir, "sub", "c.txt")
	write(t, c, "c.example\n")
	if p, ok := m.Changed(); !ok || p != c {
		t.Fatalf("added file: %q %v", p, ok)
	}
	if ev, err := m.Reload(context.Background()); err != nil || ev.Diff.Added != 1 {
		t.Fatalf("%v %+v", err, ev.Diff)
	}
	os.Remove(filepath.Join(dir, "a.txt"))
	if _, ok := m.Changed(); !ok {
		t.Fatal("removed file not seen")
	}
	ev, err := m.Reload(context.Background())
	if err != nil || ev.Diff.Removed != 1 {
		t.Fatalf("%v %+v", err, ev.Diff)
	}
	if got := values(m.Current(), line); !slices.Equal(got, []string{"domain:b.example", "domain:c.example"}) {
		t.Errorf("%v", got)
	}
	if n := len(ev.Set.Sources[0].Files); n != 2 {
		t.Errorf("%d files in the source report", n)
	}
}

// TestRun: Run rebuilds when a file changes and on its period.
func TestRun(t *testing.T) {
	feed := filepath.Join(t.TempDir(), "c2.txt")
	write(t, feed, "a.example\n")
	events := make(chan Event, 16)
	m := newLive(t, Options{Paths: []string{feed}, WatchInterval: 5 * time.Millisecond,
		OnReload: func(ev Event) { events <- ev }})
	if ev := wait(t, events); ev.Trigger != "initial" || ev.Set.Generation != 1 {
		t.Errorf("first event %+v", ev)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error)
	go func() { done <- m.Run(ctx) }()
	write(t, feed, "a.example\nb.example\n")
	ev := wait(t, events)
	if ev.Trigger != "change" || ev.Changed != feed || ev.Err != nil || ev.Diff.Added != 1 {
		t.Errorf("event %+v", ev)
	}
	cancel()
	if err := <-done; err != context.Canceled {
		t.Errorf("Run: %v", err)
	}

	m.opts.WatchInterval, m.opts.Interval = -1, 5*time.Millisecond
	ctx, cancel = context.WithCancel(context.Background())
	defer cancel()
	go m.Run(ctx)
	if ev := wait(t, events); ev.Trigger != "interval" || ev.Err != nil {
		t.Errorf("event %+v", ev)
	}
}

// wait returns the next event, failing after a generous bound (this is
// not a timing test: the bound only stops a broken test).
func wait(t *testing.T, events chan Event) Event {
	t.Helper()
	select {
	case ev := <-events:
		return ev
	case <-time.After(20 * time.Second):
		t.Fatal("no reload")
		return Event{}
	}
}
