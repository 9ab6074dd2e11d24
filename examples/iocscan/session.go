package main

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/iocmatch/iocmatch/encode"
	"github.com/iocmatch/iocmatch/indicator"
	"github.com/iocmatch/iocmatch/internal/follow"
	"github.com/iocmatch/iocmatch/match"
	"github.com/iocmatch/iocmatch/retro"
)

// session is one scan: the matcher, the output, the counts, and what a
// -follow run and a retro-hunt need.
type session struct {
	m      *match.Matcher
	mopts  match.Options // the options m was compiled with: a retro-hunt compiles with them
	scorer encode.Scorer // -decay: the scores in the output; nil: none
	format string
	out    *output
	logf   func(string, ...any) // errors and summaries
	warnf  func(string, ...any) // notes on lines and files followed (nothing with -q)
	stop   *stopper
	poll   time.Duration
	retro  *retro.Buffer // -retro; nil: off
	// reload, with -reload, holds the current set: the scanners take
	// its matcher per line (m is then the first set's)
	reload *reloading
	fb     *feedback // hit statistics

	mu           sync.Mutex
	st           stats // the counts of every input, added when it ends
	interrupted  bool  // a scan (not -follow) was stopped before its end
	retroMatches atomic.Int64
}

// newScanner returns a scanner writing to s's output, with its own
// writer (an encode.Encoder is for one goroutine) and counts st.
func (s *session) newScanner(st *stats, stop *stopper) *scanner {
	sc := &scanner{m: s.m, w: newWriter(s.m, s.out, s.format, s.mopts.Now, s.scorer), st: st, logf: s.warnf, retro: s.retro, stop: stop}
	if s.fb != nil {
		sc.hits, sc.clock = s.fb.st, s.fb.clock
	}
	if s.reload != nil {
		sc.current = s.reload.current
		sc.newWriter = func(m *match.Matcher) *writer { return newWriter(m, s.out, s.format, s.mopts.Now, s.scorer) }
	}
	return sc
}

// report logs err, an input's error, and reports whether it ends the
// whole scan (an error writing the output).
func (s *session) report(err error) (fatal bool) {
	if errors.Is(err, errInterrupted) {
		return false
	}
	s.logf("%v", err)
	return errors.As(err, new(*outputError))
}

// scanAll scans the files one after the other, each to its end, until
// SIGINT or SIGTERM stops the scan after its current line. failed: an
// input could not be read; fatal: the output could not be written.
func (s *session) scanAll(files []string, stdin io.Reader) (failed, fatal bool) {
	sc := s.newScanner(&s.st, s.stop)
	for i, name := range files {
		err := sc.scanFile(name, stdin)
		if err == nil {
			err = s.out.Flush() // the matches of a file are out before the next is opened
			if err != nil {
				err = &outputError{err}
			}
		}
		if s.stop.stopped() && (errors.Is(err, errInterrupted) || err == nil && i < len(files)-1) {
			s.interrupted = true
			s.logf("%s: stopping: the scan of %s ended after its line %d; %d files after it not scanned", signalName(s.stop.signal()), name, sc.done, len(files)-i-1)
			return failed, false
		}
		if err == nil {
			continue
		}
		if s.report(err) {
			return failed, true
		}
		failed = true
	}
	return failed, false
}

// followAll scans the files at once, one goroutine each, and follows
// them (followFile) until SIGINT or SIGTERM; then what was read is
// matched and written. An error writing the output stops them all.
func (s *session) followAll(files []string, stdin io.Reader) (failed, fatal bool) {
	var wg sync.WaitGroup
	var mu sync.Mutex
	for _, name := range files {
		wg.Go(func() {
			st := stats{maxHits: s.st.maxHits}
			err := s.followFile(name, stdin, &st)
			if err == nil {
				if err = s.out.Flush(); err != nil {
					err = &outputError{err}
				}
			}
			s.mu.Lock()
			s.st.add(&st)
			s.mu.Unlock()
			if err == nil || errors.Is(err, errInterrupted) {
				return
			}
			f := s.report(err)
			mu.Lock()
			failed = true
			fatal = fatal || f
			mu.Unlock()
			if f {
				s.stop.stopNow(nil) // the others stop too
			}
		})
	}
	wg.Wait()
	return failed, fatal
}

// followFile scans input name and, when it is a regular file (or does
// not exist yet), follows it with a follow.Reader until the scan is
// stopped. Standard input, a FIFO or a device, and a gzip-compressed file
// are read to their end, once.
func (s *session) followFile(name string, stdin io.Reader, st *stats) error {
	if name != "-" {
		f, err := os.Open(name)
		switch {
		case errors.Is(err, os.ErrNotExist):
			// waited for
		case err != nil:
			return err
		default:
			fi, err := f.Stat()
			var head [2]byte
			n, _ := io.ReadFull(f, head[:])
			f.Close()
			if err != nil {
				return err
			}
			if fi.IsDir() {
				return &os.PathError{Op: "scan", Path: name, Err: errors.New("is a directory")}
			}
			if !fi.Mode().IsRegular() {
				return s.newScanner(st, s.stop).scanFile(name, stdin)
			}
			if bytes.Equal(head[:n], gzipMagic) {
				s.warnf("%s: gzip-compressed: read once, not followed", name)
				return s.newScanner(st, s.stop).scanFile(name, stdin)
			}
		}
	} else {
		return s.newScanner(st, s.stop).scanFile(name, stdin)
	}
	fr, err := follow.Open(s.stop.ctx, name, follow.Options{
		Poll: s.poll,
		BeforeWait: func() error {
			if err := s.out.Flush(); err != nil {
				return &outputError{err}
			}
			return nil
		},
		Logf: s.warnf,
	})
	if err != nil {
		return err
	}
	defer fr.Close()
	st.files++
	sc := s.newScanner(st, s.stop)
	sc.tailing = fr.Tailing
	err = sc.scan(name, bufio.NewReaderSize(fr, readSize))
	if errors.Is(err, errInterrupted) {
		s.warnf("%s: %s: stopped after its line %d, before its end (it was read from its start)", name, signalName(s.stop.signal()), sc.done)
	}
	return err
}

// retroHunt matches inds, the indicators a reload added (after the
// allowlists: the caller gives what the new set matches and the old did
// not), against the lines the -retro buffer keeps, and writes their matches, marked as a
// retro-hunt's (writer.mark), with each line's original file, line
// number and offset. It compiles inds with the scan's match options. It
// may be called from any goroutine while the scan goes on (the scan's
// goroutines keep adding lines: see package retro), and returns the
// number of matches written; they count for the exit status. Without
// -retro, or without indicators, it does nothing.
func (s *session) retroHunt(inds []indicator.Indicator) (int, error) {
	if s.retro == nil || len(inds) == 0 {
		return 0, nil
	}
	m, err := match.Compile(inds, s.mopts)
	if err != nil {
		return 0, fmt.Errorf("retro-hunt: %w", err)
	}
	return s.retroHuntMatcher(m, len(inds))
}

// retroHuntMatcher is retroHunt with the new indicators compiled into m
// (n of them, for the summary line): a reload's live.Event.CompileAdded.
func (s *session) retroHuntMatcher(m *match.Matcher, n int) (int, error) {
	if s.retro == nil || m.Len() == 0 {
		return 0, nil
	}
	t0 := time.Now()
	w := newWriter(m, s.out, s.format, s.mopts.Now, s.scorer)
	w.retro = true
	matches, lines := 0, 0
	err := s.retro.Hunt(m, func(l retro.Line, xs []match.Match) error {
		w.line(l.File, int(l.Number), l.Offset, l.Text, xs)
		if s.fb != nil {
			s.fb.st.Record(m, xs, s.fb.clock()) // by key: m is not the bound set
		}
		matches += len(xs)
		lines++
		return nil
	})
	if err == nil {
		if err = s.out.Flush(); err != nil {
			err = &outputError{err}
		}
	}
	s.retroMatches.Add(int64(matches))
	rs := s.retro.Stats()
	s.warnf("retro-hunt: %d new indicators over %d kept lines (%d bytes): %d matches on %d lines in %v",
		n, rs.Lines, rs.Bytes, matches, lines, time.Since(t0).Round(time.Millisecond))
	return matches, err
}

// The marks of a retro-hunt's records, first in the object: "retro":true
// in native JSON (the encoder writes no such field), and in ECS the ECS
// field tags (the encoder writes none at the top level).
var (
	retroJSON = []byte(`"retro":true,`)
	retroECS  = []byte(`"tags":["iocmatch-retro"],`)
)

// mark inserts, for a retro-hunt's writer, its mark after the '{' at
// b[start] (the record just appended), and returns b.
func (w *writer) mark(b []byte, start int) []byte {
	if !w.retro {
		return b
	}
	mk := retroJSON
	if w.ecs {
		mk = retroECS
	}
	return slices.Insert(b, start+1, mk...)
}
