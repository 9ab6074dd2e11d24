package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/iocmatch/iocmatch/indicator"
	"github.com/iocmatch/iocmatch/loader"
	"github.com/iocmatch/iocmatch/match"
)

// maxPiece is the longest piece of a line matched at once: longer lines
// are matched in consecutive pieces of this size (a warning says so),
// so that memory stays bounded whatever the input.
var maxPiece = 64 << 20

type multiFlag []string

func (f *multiFlag) String() string     { return strings.Join(*f, ",") }
func (f *multiFlag) Set(v string) error { *f = append(*f, v); return nil }

// run is the whole program, with its environment passed in for tests.
func run(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("iocscan", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var feeds multiFlag
	fs.Var(&feeds, "feed", "feed file or directory (repeatable, at least one)")
	quiet := fs.Bool("q", false, "print no summary (feed problems are still printed)")
	strict := fs.Bool("strict", false, "fail on the first bad feed record instead of skipping it")
	var tx taxiiFlags
	tx.register(fs)
	verbose := fs.Bool("v", false, "also print the counts of every feed file read")
	minConf := fs.Int("min-confidence", 0, "drop indicators whose known confidence is below this (0-100)")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: iocscan [-feed PATH …] [-taxii URL [-taxii-collection NAME] …] [-q] [-v] [-strict] [-min-confidence N] [FILE …]")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if len(feeds) == 0 && tx.url == "" {
		fmt.Fprintln(stderr, "iocscan: at least one -feed or -taxii is required")
		fs.Usage()
		return 2
	}
	logf := func(format string, a ...any) { fmt.Fprintf(stderr, "iocscan: "+format+"\n", a...) }

	t0 := time.Now()
	var inds []indicator.Indicator
	lopts := loader.Options{Strict: *strict}
	for _, path := range feeds {
		got, err := loadFeed(stderr, path, lopts, *quiet, *verbose)
		if err != nil {
			logf("%v", err)
			return 2
		}
		inds = append(inds, got...)
	}
	if tx.url != "" {
		ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
		got, err := tx.load(ctx, stderr, lopts, *quiet, *verbose)
		stop()
		if err != nil {
			logf("%v", err)
			return 2
		}
		inds = append(inds, got...)
	}
	m, err := match.Compile(inds, match.Options{MinConfidence: *minConf})
	if err != nil {
		logf("%v", err)
		return 2
	}
	if !*quiet {
		logf("compiled %s in %v", m, time.Since(t0).Round(time.Millisecond))
	}

	t1 := time.Now()
	out := bufio.NewWriterSize(stdout, 64<<10)
	w := newWriter(m, out)
	files := fs.Args()
	if len(files) == 0 {
		files = []string{"-"}
	}
	var st stats
	status := 0
	for _, name := range files {
		if err := scanFile(name, stdin, m, w, &st, logf); err != nil {
			logf("%v", err)
			status = 2
			break
		}
	}
	if err := out.Flush(); err != nil {
		logf("writing output: %v", err)
		return 2
	}
	if !*quiet {
		d := time.Since(t1)
		logf("scanned %d lines (%d bytes) in %d files in %v (%.1f MB/s): %d matches",
			st.lines, st.bytes, st.files, d.Round(time.Millisecond), float64(st.bytes)/1e6/max(d.Seconds(), 1e-9), st.matches)
	}
	return status
}

type stats struct {
	files, lines, bytes, matches int
}

func scanFile(name string, stdin io.Reader, m *match.Matcher, w *writer, st *stats, logf func(string, ...any)) error {
	var r io.Reader = stdin
	if name != "-" {
		f, err := os.Open(name)
		if err != nil {
			return err
		}
		defer f.Close()
		r = f
	}
	st.files++
	br := bufio.NewReaderSize(r, 1<<20)
	var dst []match.Match
	var long []byte
	for lineNo := 1; ; lineNo++ {
		line, err := br.ReadSlice('\n')
		if errors.Is(err, bufio.ErrBufferFull) {
			// a line longer than the buffer: gather it, in pieces of
			// at most maxPiece bytes
			long = append(long[:0], line...)
			off := 0
			for errors.Is(err, bufio.ErrBufferFull) {
				line, err = br.ReadSlice('\n')
				long = append(long, line...)
				if len(long) >= maxPiece && errors.Is(err, bufio.ErrBufferFull) {
					if off == 0 {
						logf("%s:%d: line longer than %d bytes, matched in pieces", name, lineNo, maxPiece)
					}
					dst = w.matches(name, lineNo, off, long, dst, st)
					off += len(long)
					long = long[:0]
				}
			}
			line = long
			st.bytes += off
			if err == nil || err == io.EOF {
				dst = w.piece(name, lineNo, off, line, dst, st)
			}
		} else if len(line) > 0 || err == nil {
			dst = w.piece(name, lineNo, 0, line, dst, st)
		}
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return fmt.Errorf("reading %s: %w", name, err)
		}
	}
}

// piece matches the last (or only) piece of a line, trimming its line
// ending, and counts the line.
func (w *writer) piece(name string, lineNo, off int, line []byte, dst []match.Match, st *stats) []match.Match {
	st.lines++
	n := len(line)
	if n > 0 && line[n-1] == '\n' {
		n--
		if n > 0 && line[n-1] == '\r' {
			n--
		}
	}
	return w.matches(name, lineNo, off, line[:n], dst, st)
}

func (w *writer) matches(name string, lineNo, off int, text []byte, dst []match.Match, st *stats) []match.Match {
	st.bytes += len(text)
	dst = w.m.AppendMatches(dst[:0], text)
	for _, x := range dst {
		w.write(name, lineNo, off, text, x)
		st.matches++
	}
	return dst
}

// writer writes matches as JSON lines, caching the part of each object
// that depends on the entry only.
type writer struct {
	m     *match.Matcher
	out   *bufio.Writer
	buf   []byte
	cache map[match.ID]entryJSON
}

// entryJSON are the parts of a match's JSON object that depend on the
// entry only: from "type" to "matched":, and from "sources" to the end.
type entryJSON struct{ mid, tail []byte }

func newWriter(m *match.Matcher, out *bufio.Writer) *writer {
	return &writer{m: m, out: out, cache: make(map[match.ID]entryJSON)}
}

func (w *writer) write(name string, lineNo, off int, text []byte, x match.Match) {
	parts, ok := w.cache[x.ID]
	if !ok {
		e := w.m.Entry(x.ID)
		parts.mid = append(parts.mid, `,"type":`...)
		parts.mid = appendJSONString(parts.mid, e.Type.String())
		parts.mid = append(parts.mid, `,"indicator":`...)
		parts.mid = appendJSONString(parts.mid, e.Value)
		parts.mid = append(parts.mid, `,"matched":`...)
		parts.tail = append(parts.tail, `,"sources":[`...)
		for i, s := range e.Sources() {
			if i > 0 {
				parts.tail = append(parts.tail, ',')
			}
			parts.tail = appendJSONString(parts.tail, s)
		}
		parts.tail = append(parts.tail, "]}\n"...)
		w.cache[x.ID] = parts
	}
	b := append(w.buf[:0], `{"file":`...)
	b = appendJSONString(b, name)
	b = append(b, `,"line":`...)
	b = strconv.AppendInt(b, int64(lineNo), 10)
	b = append(b, `,"start":`...)
	b = strconv.AppendInt(b, int64(off+x.Start), 10)
	b = append(b, `,"end":`...)
	b = strconv.AppendInt(b, int64(off+x.End), 10)
	b = append(b, parts.mid...)
	b = appendJSONString(b, string(text[x.Start:x.End]))
	b = append(b, parts.tail...)
	w.buf = b
	w.out.Write(b)
}

// appendJSONString appends s as a JSON string. Invalid UTF-8 becomes
// U+FFFD, as encoding/json does.
func appendJSONString(b []byte, s string) []byte {
	const hex = "0123456789abcdef"
	b = append(b, '"')
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			switch {
			case c == '"' || c == '\\':
				b = append(b, '\\', c)
			case c >= 0x20 && c != 0x7f:
				b = append(b, c)
			case c == '\n':
				b = append(b, '\\', 'n')
			case c == '\r':
				b = append(b, '\\', 'r')
			case c == '\t':
				b = append(b, '\\', 't')
			default:
				b = append(b, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xf])
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b = append(b, `\ufffd`...)
		} else if r == '\u2028' || r == '\u2029' {
			b = fmt.Appendf(b, `\u%04x`, r)
		} else {
			b = append(b, s[i:i+size]...)
		}
		i += size
	}
	return append(b, '"')
}
