package main

import (
	"fmt"
	"io"
	"os"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/iocmatch/iocmatch/loader"
)

// progressEvery is how often the progress line is rewritten; tests make
// it short.
var progressEvery = time.Second

// isTerminal reports whether w is a terminal (a character device).
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}

// progress shows, on a terminal, one line rewritten every second while the
// feeds load: the feed being read, the files read and the indicators kept
// so far, the time since the start. Everything else written to standard
// error meanwhile goes through it (Write), which clears the line first.
// A nil *progress writes through and shows nothing.
type progress struct {
	mu    sync.Mutex
	w     io.Writer
	start time.Time
	// feed is the feed being read; files and inds count the feeds read
	// before it, curFiles and curInds what of it was read so far.
	feed                           string
	files, inds, curFiles, curInds int
	shown                          int // length of the line on screen, 0: none
	stop, done                     chan struct{}
}

// newProgress starts the progress line on w.
func newProgress(w io.Writer) *progress {
	p := &progress{w: w, start: time.Now(), stop: make(chan struct{}), done: make(chan struct{})}
	go p.loop()
	return p
}

func (p *progress) loop() {
	defer close(p.done)
	t := time.NewTicker(progressEvery)
	defer t.Stop()
	for {
		select {
		case <-p.stop:
			return
		case <-t.C:
			p.mu.Lock()
			line := progressLine(p.feed, p.files+p.curFiles, p.inds+p.curInds, time.Since(p.start))
			n := utf8.RuneCountInString(line)
			fmt.Fprintf(p.w, "\r%s%s", line, strings.Repeat(" ", max(p.shown-n, 0)))
			p.shown = n
			p.mu.Unlock()
		}
	}
}

// progressWidth is the widest progress line: a line wider than the
// terminal would wrap, and "\r" would rewrite only its last row.
const progressWidth = 79

// progressLine is the progress line: the feed being loaded, the files and
// indicators read so far, the time since the start. A feed name that
// would make it wider than progressWidth loses its beginning.
func progressLine(feed string, files, inds int, d time.Duration) string {
	counts := fmt.Sprintf(": %d files, %s indicators so far (%v)", files, thousands(inds), d.Round(time.Second))
	const head = "iocscan: loading "
	if room := progressWidth - len(head) - len(counts); utf8.RuneCountInString(feed) > room {
		r := []rune(feed)
		feed = "…" + string(r[len(r)-max(room-1, 0):])
	}
	return head + feed + counts
}

// thousands writes n with a comma every three digits.
func thousands(n int) string {
	if n < 0 {
		return "-" + thousands(-n)
	}
	s := fmt.Sprint(n)
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	return b.String()
}

// Write clears the progress line and writes b.
func (p *progress) Write(b []byte) (int, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.clear()
	return p.w.Write(b)
}

// clear erases the progress line; p.mu is held.
func (p *progress) clear() {
	if p.shown > 0 {
		fmt.Fprintf(p.w, "\r%s\r", strings.Repeat(" ", p.shown))
		p.shown = 0
	}
}

// beginFeed says that the feed named name is read next.
func (p *progress) beginFeed(name string) {
	if p == nil {
		return
	}
	p.mu.Lock()
	p.files += p.curFiles
	p.inds += p.curInds
	p.curFiles, p.curInds = 0, 0
	p.feed = name
	p.mu.Unlock()
}

// update is the loader.Options.Progress of the feed being read.
func (p *progress) update(lp loader.Progress) {
	p.mu.Lock()
	p.curFiles, p.curInds = lp.Files, lp.Indicators
	p.mu.Unlock()
}

// end stops the progress line and erases it.
func (p *progress) end() {
	if p == nil {
		return
	}
	close(p.stop)
	<-p.done
	p.mu.Lock()
	p.clear()
	p.mu.Unlock()
}
