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

// maxPiece is the piece size of the match.LineStream that matches lines
// longer than the read buffer: they are matched a piece at a time (cut
// where no match but a string kind can span, with an overlap for those),
// so that memory stays bounded whatever the input. readSize is the size of
// the read buffer. Tests make both small.
var (
	maxPiece = match.DefaultPieceSize
	readSize = 1 << 20
)

// maxWarnings is how many lines of each kind (matched in pieces, cut
// inside a word, truncated) are named on standard error; the summary
// counts them all.
const maxWarnings = 10

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
	maxHits := fs.Int("max-matches-per-line", match.DefaultMaxMatchesPerLine, "report at most this many matches per line (0: no limit); the rest of a line is not matched")
	var af allowFlags
	af.register(fs)
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: iocscan [-feed PATH …] [-taxii URL [-taxii-collection NAME] …] [-q] [-v] [-strict] [-min-confidence N] [-max-matches-per-line N] [FILE …]")
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
		got, err := loadFeed(stderr, path, lopts, *quiet, *verbose, &af.in)
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
	if *maxHits < 0 {
		logf("-max-matches-per-line %d: must be 0 (no limit) or more", *maxHits)
		return 2
	}
	if *maxHits == 0 {
		*maxHits = -1 // no cap
	}
	inds, err := af.apply(stderr, inds, *quiet, *verbose)
	if err != nil {
		logf("%v", err)
		return 2
	}
	m, err := match.Compile(inds, match.Options{MinConfidence: *minConf, MaxMatchesPerLine: *maxHits})
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
	st := stats{maxHits: *maxHits}
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
		logf("scanned %d lines (%d bytes) in %d files in %v (%.1f MB/s): %d matches%s",
			st.lines, st.bytes, st.files, d.Round(time.Millisecond), float64(st.bytes)/1e6/max(d.Seconds(), 1e-9), st.matches, st.notes())
	}
	return status
}

type stats struct {
	files, lines, bytes, matches int
	maxHits                      int // cap on matches per line, < 0: none
	// lines matched in pieces, of those cut inside a word, lines truncated
	pieced, forced, truncated int
}

// notes describes the lines that were not matched in one go or in full.
func (st *stats) notes() string {
	var b strings.Builder
	if st.pieced > 0 {
		fmt.Fprintf(&b, "; %d long lines matched in pieces", st.pieced)
		if st.forced > 0 {
			fmt.Fprintf(&b, " (%d cut inside a word)", st.forced)
		}
	}
	if st.truncated > 0 {
		fmt.Fprintf(&b, "; %d lines truncated at %d matches", st.truncated, st.maxHits)
	}
	return b.String()
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
	br := bufio.NewReaderSize(r, readSize)
	var dst []match.Match
	var ls *match.LineStream
	for lineNo := 1; ; lineNo++ {
		line, err := br.ReadSlice('\n')
		if errors.Is(err, bufio.ErrBufferFull) {
			// A line longer than the buffer: match it a piece at a time. A
			// '\r' that ends a part is held back until the next part says
			// whether it is the line's "\r\n".
			if ls == nil {
				ls = m.NewLineStream(maxPiece)
			}
			cr := false
			for errors.Is(err, bufio.ErrBufferFull) {
				if cr {
					dst = w.stream(name, lineNo, ls, ls.Append(dst[:0], []byte{'\r'}), st)
				}
				cr = line[len(line)-1] == '\r'
				if cr {
					line = line[:len(line)-1]
				}
				dst = w.stream(name, lineNo, ls, ls.Append(dst[:0], line), st)
				line, err = br.ReadSlice('\n')
			}
			if err != nil && err != io.EOF {
				return fmt.Errorf("reading %s: %w", name, err)
			}
			if n := len(line); n > 0 && line[n-1] == '\n' {
				line = line[:n-1]
				if n := len(line); n > 0 && line[n-1] == '\r' {
					line = line[:n-1]
				} else if n == 0 {
					cr = false // the held-back '\r' was the line's "\r\n"
				}
			}
			if cr {
				dst = w.stream(name, lineNo, ls, ls.Append(dst[:0], []byte{'\r'}), st)
			}
			dst = w.stream(name, lineNo, ls, ls.Append(dst[:0], line), st)
			var truncated bool
			dst, truncated = ls.Finish(dst[:0])
			dst = w.stream(name, lineNo, ls, dst, st)
			st.lines++
			st.bytes += ls.Len()
			cuts, forced := ls.Cuts()
			if cuts > 0 {
				if st.pieced++; st.pieced <= maxWarnings {
					logf("%s:%d: line of %d bytes, longer than %d, matched in pieces", name, lineNo, ls.Len(), maxPiece)
				}
			}
			if forced > 0 {
				if st.forced++; st.forced <= maxWarnings {
					logf("%s:%d: %d cuts inside a word (no white space, quote, < or > in half a piece): a match across one may be missed", name, lineNo, forced)
				}
			}
			st.truncate(truncated, name, lineNo, logf)
		} else if len(line) > 0 || err == nil {
			n := len(line)
			if n > 0 && line[n-1] == '\n' {
				n--
				if n > 0 && line[n-1] == '\r' {
					n--
				}
			}
			text := line[:n]
			var truncated bool
			dst, truncated = m.AppendMatchesTruncated(dst[:0], text)
			for _, x := range dst {
				w.write(name, lineNo, x, text[x.Start:x.End])
			}
			st.matches += len(dst)
			st.lines++
			st.bytes += n
			st.truncate(truncated, name, lineNo, logf)
		}
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return fmt.Errorf("reading %s: %w", name, err)
		}
	}
}

// truncate counts a truncated line and names the first ones.
func (st *stats) truncate(truncated bool, name string, lineNo int, logf func(string, ...any)) {
	if !truncated {
		return
	}
	if st.truncated++; st.truncated <= maxWarnings {
		logf("%s:%d: more than %d matches: the rest of the line is not matched (-max-matches-per-line)", name, lineNo, st.maxHits)
	}
}

// stream writes the matches a LineStream just returned and returns dst.
func (w *writer) stream(name string, lineNo int, ls *match.LineStream, dst []match.Match, st *stats) []match.Match {
	for _, x := range dst {
		w.write(name, lineNo, x, ls.Text(x))
	}
	st.matches += len(dst)
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

// write writes match x of line lineNo, whose text is matched.
func (w *writer) write(name string, lineNo int, x match.Match, matched []byte) {
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
	b = strconv.AppendInt(b, int64(x.Start), 10)
	b = append(b, `,"end":`...)
	b = strconv.AppendInt(b, int64(x.End), 10)
	b = append(b, parts.mid...)
	b = appendJSONString(b, string(matched))
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
