package main

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/iocmatch/iocmatch/age"
	"github.com/iocmatch/iocmatch/encode"
	"github.com/iocmatch/iocmatch/hits"
	"github.com/iocmatch/iocmatch/indicator"
	"github.com/iocmatch/iocmatch/internal/follow"
	"github.com/iocmatch/iocmatch/internal/pipeline"
	"github.com/iocmatch/iocmatch/internal/setup"
	"github.com/iocmatch/iocmatch/loader"
	"github.com/iocmatch/iocmatch/loader/taxii"
	"github.com/iocmatch/iocmatch/match"
	"github.com/iocmatch/iocmatch/retro"
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

// Exit statuses, as grep's.
const (
	exitMatch   = 0 // something matched
	exitNoMatch = 1 // the scan ran and nothing matched
	exitError   = 2 // a usage error, an unreadable feed or input, no indicator, an output error
)

// run is the whole program, with its environment passed in for tests.
func run(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("iocscan", flag.ContinueOnError)
	var usage bytes.Buffer // -h: to stdout; a usage error: to stderr
	fs.SetOutput(&usage)
	sf := setup.NewFlags(envPrefix) // the feed, TAXII, allowlist, ageing and match flags, shared with iocserve
	sf.Register(fs)
	quiet := fs.Bool("q", false, "quiet: no summaries, no per-problem lines, no progress line; only errors, and one line counting the problems of each feed and of the scan (overrides -v)")
	verbose := fs.Bool("v", false, "also print the counts of every feed file read")
	format := fs.String("format", "json", "output `FORMAT`: json (one object per match, with what its sources say) or ecs (one Elastic Common Schema event per line with matches)")
	var ff feedbackFlags
	ff.register(fs)
	followFlag := fs.Bool("follow", false, "after the files' content, keep reading what is appended to them, like tail -F (rotation and truncation followed; a missing file waited for; gzip files read once), until SIGINT or SIGTERM")
	poll := fs.Duration("poll", follow.DefaultPoll, "with -follow, check the files for new lines, rotation and truncation every `DURATION`")
	var retroSize int64
	fs.Func("retro", "keep the most recent lines read, up to `SIZE` bytes (256MiB, 1GiB, 64MB …; 0: off), to retro-hunt them for the indicators a reload adds", func(v string) error {
		n, err := parseSize(v)
		retroSize = n
		return err
	})
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), "usage: iocscan [-feed PATH …] [-taxii URL [-taxii-collection NAME] …] [-q] [-v] [-strict] [-now TIME] [-min-confidence N] [-max-matches-per-line N] [-format json|ecs] [-include GLOB] [-exclude GLOB] [allowlist flags] [-max-age TYPE=DURATION,…] [-decay MODEL] [-follow [-poll DURATION]] [-reload DURATION] [-retro SIZE] [-stats FILE] [-sightings FILE [-sightings-format misp|stix] [-sensor NAME]] [-roi FILE] [-stats-interval DURATION] [FILE …]")
		fmt.Fprintln(fs.Output(), "Scans FILEs (standard input when none, or for -; gzip-compressed or not) for the indicators of the feeds, printing one JSON line per match (-format ecs: one ECS event per line with matches).")
		fmt.Fprintln(fs.Output(), "Exit status: 0 something matched, 1 nothing matched, 2 an error (then after scanning the other files); SIGINT or SIGTERM end a -follow run with these, and stop any other scan after the current line with 130 or 143.")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			stdout.Write(usage.Bytes())
			return exitMatch
		}
		stderr.Write(usage.Bytes())
		return exitError
	}
	fs.SetOutput(stderr)
	errw := stderr
	logf := func(format string, a ...any) { fmt.Fprintf(errw, "iocscan: "+format+"\n", a...) }
	if *format != "json" && *format != "ecs" {
		logf("-format %q: must be json or ecs", *format)
		return exitError
	}
	if *poll <= 0 {
		logf("-poll %v: must be more than 0", *poll)
		return exitError
	}
	cfg, err := sf.Config()
	if err != nil {
		logf("%v", err)
		if errors.Is(err, setup.ErrNoFeed) {
			fs.Usage()
		}
		return exitError
	}
	mopts, agePolicy, clock, maxHits := cfg.Match, cfg.Age, cfg.Clock, &cfg.Match.MaxMatchesPerLine
	feeds, tx, reloadEvery := sf.Feeds, &sf.TAXII, &sf.Reload
	af := allowFlags{Allow: &sf.Allow}
	fb, err := newFeedback(ff, clock, logf)
	if err != nil {
		logf("%v", err)
		return exitError
	}

	lopts := cfg.Loader
	var m *match.Matcher
	var rl *reloading
	if *reloadEvery > 0 {
		signal.Ignore(syscall.SIGHUP) // until the scan handles it: not the default, which ends the process
		rl, err = startReloading(context.Background(), reloadConfig{setup: cfg, stderr: stderr, fb: fb, quiet: *quiet, verbose: *verbose}, logf)
		if err != nil {
			logf("%v", err)
			return exitError
		}
		defer rl.lm.Close()
		m = rl.current()
	} else {
		var ok bool
		if m, ok = loadOnce(loadConfig{feeds: feeds, tx: tx, platforms: &sf.Platforms, af: &af, age: agePolicy, lopts: lopts, mopts: mopts, fb: fb, quiet: *quiet, verbose: *verbose}, stderr); !ok {
			return exitError
		}
	}
	if !*quiet {
		if line := exactOnlySummary(m); line != "" {
			logf("%s", line)
		}
	}
	if err := fb.bind(m, true); err != nil {
		logf("%v", err)
		return exitError
	}

	t2 := time.Now()
	errw = &lockedWriter{w: stderr} // logf: the goroutines of -follow and a retro-hunt too
	files := fs.Args()
	if len(files) == 0 {
		files = []string{"-"}
	}
	warnf := logf // the lines not matched in one go or in full, the files followed
	if *quiet {
		warnf = func(string, ...any) {}
	}
	stop := newStopper()
	s := &session{m: m, mopts: mopts, scorer: setup.Scorer(agePolicy), fb: fb, format: *format, out: newOutput(stdout), logf: logf, warnf: warnf,
		stop: stop, poll: *poll, st: stats{maxHits: *maxHits}}
	if retroSize > 0 {
		s.retro = retro.New(retroSize)
	}
	sigs := newSignals(stop) // SIGINT, SIGTERM: stop the scan cleanly
	defer sigs.close()
	var exports sync.WaitGroup // SIGUSR1 and -stats-interval writes
	defer exports.Wait()
	sigs.on(syscall.SIGUSR1, func() { exports.Go(func() { fb.write(false) }) })
	if *followFlag && ff.every > 0 && (ff.stats != "" || ff.sightings != "" || ff.roi != "") {
		exports.Go(func() {
			t := time.NewTicker(ff.every)
			defer t.Stop()
			for {
				select {
				case <-stop.doneChan():
					return
				case <-t.C:
					fb.write(false)
				}
			}
		})
	}
	if rl != nil {
		s.reload = rl
		rl.sess.Store(s)
		var runs sync.WaitGroup
		defer runs.Wait()
		sigs.on(syscall.SIGHUP, func() {
			runs.Go(func() { rl.lm.Reload(stop.ctx) }) // reported by onReload
		})
		runs.Go(func() { rl.lm.Run(stop.ctx) })
		defer stop.cancel() // ends Run (after the scan, when no signal did)
	}
	// (SIGHUP, a reload, and SIGUSR1, statistics, are given here with
	// sigs.on; a reload calls s.retroHunt with the indicators it added.)
	if onScan != nil {
		onScan(s)
	}
	var failed, fatal bool
	if *followFlag {
		failed, fatal = s.followAll(files, stdin)
	} else {
		failed, fatal = s.scanAll(files, stdin)
	}
	if fatal {
		return exitError
	}
	if afterScan != nil {
		afterScan(s)
	}
	if err := s.out.Flush(); err != nil {
		logf("writing output: %v", err)
		return exitError
	}
	stop.cancel() // the periodic exports end
	exports.Wait()
	if err := fb.write(true); err != nil {
		failed = true
	}
	st := &s.st
	st.matches += int(s.retroMatches.Load())
	sig := stop.signal()
	if !*quiet {
		d := time.Since(t2)
		end := ""
		if sig != nil && (*followFlag || s.interrupted) {
			end = "; stopped by " + signalName(sig)
		}
		if *followFlag { // the time is mostly waiting: no rate
			logf("scanned %d lines (%d bytes) in %d files, followed for %v: %d matches%s%s",
				st.lines, st.bytes, st.files, d.Round(time.Millisecond), st.matches, st.notes(), end)
		} else {
			logf("scanned %d lines (%d bytes) in %d files in %v (%.1f MB/s): %d matches%s%s",
				st.lines, st.bytes, st.files, d.Round(time.Millisecond), float64(st.bytes)/1e6/max(d.Seconds(), 1e-9), st.matches, st.notes(), end)
		}
		if rl != nil {
			logf("reloads: %d (%d failed); the last set is generation %d", rl.reloads.Load()+rl.failures.Load(), rl.failures.Load(), rl.lm.Current().Generation)
		}
		if s.retro != nil {
			rs := s.retro.Stats()
			logf("retro buffer: %d lines (%d bytes) kept for a retro-hunt, %d evicted (oldest first), %d not kept (too long: more than %d bytes)",
				rs.Lines, rs.Bytes, rs.EvictedLines, rs.TooLong+int64(st.retroSkipped), min(rs.BlockSize-40, readSize))
		}
	} else if notes := st.notes(); notes != "" {
		logf("scan: %s (not named: -q)", strings.TrimPrefix(notes, "; "))
	}
	switch {
	case sig != nil && !*followFlag && s.interrupted:
		return interruptedStatus(sig)
	case failed:
		return exitError
	case st.matches > 0:
		return exitMatch
	default:
		return exitNoMatch
	}
}

// onScan and afterScan, when set (by tests), are called with the session
// before the inputs are scanned and once they are, before the summary.
var onScan, afterScan func(*session)

// signalName names sig as a shell does: SIGINT, SIGTERM.
func signalName(sig os.Signal) string {
	switch sig {
	case os.Interrupt:
		return "SIGINT"
	case syscall.SIGTERM:
		return "SIGTERM"
	}
	return sig.String()
}

type stats struct {
	files, lines, bytes, matches int
	maxHits                      int // cap on matches per line, < 0: none
	// lines matched in pieces, of those cut inside a word, lines truncated
	pieced, forced, truncated int
	retroSkipped              int // lines not kept for -retro: longer than the read buffer
}

// add adds the counts of o to st.
func (st *stats) add(o *stats) {
	st.files += o.files
	st.lines += o.lines
	st.bytes += o.bytes
	st.matches += o.matches
	st.pieced += o.pieced
	st.forced += o.forced
	st.truncated += o.truncated
	st.retroSkipped += o.retroSkipped
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

// scanner scans inputs: one per goroutine (a -follow run has one per
// file), all writing to one output.
type scanner struct {
	m    *match.Matcher
	w    *writer
	st   *stats
	logf func(string, ...any) // the notes on lines not matched in one go or in full
	// retro, when set, keeps every line read (those matched in pieces,
	// longer than the read buffer, are counted in st.retroSkipped).
	retro *retro.Buffer
	// stop, when set, ends the scan of an input that is not followed
	// (after the current line, with errInterrupted) and the reads of a
	// pipe or terminal that would wait (the input ends there).
	stop *stopper
	// tailing, when set (a followed file), reports whether the input is
	// read at its end: then a stop does not end the scan at the current
	// line but lets the input end (follow.Reader reads what was written
	// before the signal); before that (a backlog) it stops at once.
	tailing func() bool
	done    int // the lines of the current input scanned (its last line number)
	// current, when set (-reload), gives the matcher of the current set,
	// taken before each line: after a reload the next line is matched
	// with the new set, by a writer of its own from newWriter (an
	// encoder caches by entry ID, which a new set renumbers).
	current   func() *match.Matcher
	newWriter func(*match.Matcher) *writer
	// hits, when set, counts the hits of every line with matches, at
	// clock; pieces are the matches of a line matched in pieces so far
	// (counted once, at its end)
	hits   *hits.Stats
	clock  func() time.Time
	pieces []match.Match
}

// piece writes the matches of a piece of a long line (writer.stream) and
// keeps them for the line's hit count.
func (s *scanner) piece(w *writer, name string, lineNo int, ls *match.LineStream, dst []match.Match, st *stats) []match.Match {
	dst = w.stream(name, lineNo, ls, dst, st)
	if s.hits != nil {
		s.pieces = append(s.pieces, dst...)
	}
	return dst
}

// recordPieces counts the hits of the line matched in pieces, once.
func (s *scanner) recordPieces(m *match.Matcher) {
	if s.hits != nil && len(s.pieces) > 0 {
		s.hits.Record(m, s.pieces, s.clock())
		s.pieces = s.pieces[:0]
	}
}

// swap takes the current set's matcher, and a writer for it, when a
// reload has changed it since the last line.
func (s *scanner) swap() {
	if s.current == nil {
		return
	}
	if m := s.current(); m != s.m {
		s.m, s.w = m, s.newWriter(m)
	}
}

// errInterrupted ends the scan of an input on SIGINT or SIGTERM.
var errInterrupted = errors.New("interrupted")

// scanFile scans input name ("-": stdin) to its end.
func (s *scanner) scanFile(name string, stdin io.Reader) error {
	in, err := openInput(name, stdin, s.w.out.Flush, s.stop.doneChan())
	if err != nil {
		if errors.As(err, new(*outputError)) || errors.As(err, new(*os.PathError)) {
			return err
		}
		return fmt.Errorf("reading %s: %w", name, err)
	}
	defer in.close()
	s.st.files++
	return s.scan(name, in.Reader)
}

// scan scans the lines of br, the input name. A follow.ErrRotated or
// follow.ErrTruncated from br ends a partial line there and starts the
// line numbers and offsets again.
func (s *scanner) scan(name string, br *bufio.Reader) error {
	m, w, st, logf := s.m, s.w, s.st, s.logf
	var dst []match.Match
	var ls *match.LineStream
	var off int64 // the offset in the file of the next line
	for lineNo := 1; ; lineNo++ {
		if s.stop.stopped() && (s.tailing == nil || !s.tailing()) {
			return errInterrupted
		}
		s.done = lineNo - 1
		lineOff := off
		line, err := br.ReadSlice('\n')
		off += int64(len(line))
		if s.current != nil { // after the read, which may wait for the line a long time
			if s.swap(); s.m != m {
				m, w, ls = s.m, s.w, nil // a LineStream is of one matcher
			}
		}
		if errors.Is(err, bufio.ErrBufferFull) {
			// A line longer than the buffer: match it a piece at a time. A
			// '\r' that ends a part is held back until the next part says
			// whether it is the line's "\r\n".
			if ls == nil {
				ls = m.NewLineStream(maxPiece)
			}
			w.off = lineOff
			cr := false
			for errors.Is(err, bufio.ErrBufferFull) {
				if cr {
					dst = s.piece(w, name, lineNo, ls, ls.Append(dst[:0], []byte{'\r'}), st)
				}
				cr = line[len(line)-1] == '\r'
				if cr {
					line = line[:len(line)-1]
				}
				dst = s.piece(w, name, lineNo, ls, ls.Append(dst[:0], line), st)
				line, err = br.ReadSlice('\n')
				off += int64(len(line))
			}
			if err != nil && err != io.EOF && !follow.IsRestart(err) {
				return readError(name, lineNo, err)
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
				dst = s.piece(w, name, lineNo, ls, ls.Append(dst[:0], []byte{'\r'}), st)
			}
			dst = s.piece(w, name, lineNo, ls, ls.Append(dst[:0], line), st)
			var truncated bool
			dst, truncated = ls.Finish(dst[:0])
			dst = s.piece(w, name, lineNo, ls, dst, st)
			w.endStream(name, lineNo)
			s.recordPieces(m)
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
			if s.retro != nil {
				st.retroSkipped++
			}
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
			if len(dst) > 0 && s.hits != nil {
				s.hits.Record(m, dst, s.clock())
			}
			w.line(name, lineNo, lineOff, text, dst)
			st.matches += len(dst)
			st.lines++
			st.bytes += n
			st.truncate(truncated, name, lineNo, logf)
			if s.retro != nil {
				s.retro.Add(name, int64(lineNo), lineOff, text)
			}
		}
		if err == io.EOF {
			return nil
		}
		if follow.IsRestart(err) {
			lineNo, off = 0, 0 // a new file, or the same from its start
			continue
		}
		if err != nil {
			return readError(name, lineNo, err)
		}
	}
}

// readError is the error of reading input name at line lineNo: what was
// read before it was scanned.
func readError(name string, lineNo int, err error) error {
	if errors.As(err, new(*outputError)) {
		return err
	}
	return fmt.Errorf("reading %s: %w (at line %d: the lines before it were scanned)", name, err, lineNo)
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
		w.streamed(name, lineNo, x, ls.Text(x))
	}
	st.matches += len(dst)
	return dst
}

// writer writes matches in the -format chosen: native JSON lines, one per
// match, or ECS events, one per line with matches. Its encode.Encoder
// caches the parts of the output that depend on the entry only, so that a
// repeated hit costs little.
type writer struct {
	enc   *encode.Encoder
	out   *output
	ecs   bool
	retro bool // the matches of a retro-hunt: marked (see mark)
	buf   []byte
	off   int64 // the offset of the line being matched in pieces

	// ECS, a line matched in pieces: its matches and their texts so far
	// (the line itself is not kept: its event has no event.original)
	xs    []match.Match
	texts [][]byte
	arena []byte
}

func newWriter(m *match.Matcher, out *output, format string, now func() time.Time, sc encode.Scorer) *writer {
	return &writer{enc: encode.NewEncoder(m, encode.Options{Now: now, Scorer: sc}), out: out, ecs: format == "ecs"}
}

// line writes the matches xs of line lineNo of file name, whose first
// byte is at offset off in the file.
func (w *writer) line(name string, lineNo int, off int64, text []byte, xs []match.Match) {
	if len(xs) == 0 {
		return
	}
	ln := encode.Line{File: name, Number: lineNo, Offset: off, Text: text}
	b := w.buf[:0]
	if w.ecs {
		b = append(w.mark(w.enc.AppendECS(b, ln, xs), 0), '\n')
	} else {
		for _, x := range xs {
			n := len(b)
			b = append(w.mark(w.enc.AppendJSON(b, ln, x), n), '\n')
		}
	}
	w.buf = b
	w.out.Write(b)
}

// streamed writes (JSON) or keeps (ECS) match x of a line matched in
// pieces, whose text is matched.
func (w *writer) streamed(name string, lineNo int, x match.Match, matched []byte) {
	if w.ecs {
		w.xs = append(w.xs, x)
		n := len(w.arena)
		w.arena = append(w.arena, matched...)
		w.texts = append(w.texts, w.arena[n:len(w.arena):len(w.arena)])
		return
	}
	b := append(w.enc.AppendJSONText(w.buf[:0], encode.Line{File: name, Number: lineNo, Offset: w.off}, x, matched), '\n')
	w.buf = b
	w.out.Write(b)
}

// endStream writes the ECS event of a line matched in pieces.
func (w *writer) endStream(name string, lineNo int) {
	if !w.ecs || len(w.xs) == 0 {
		return
	}
	// (texts point into earlier arrays of arena as it grew: those are
	// never written again, so they still hold the texts)
	b := append(w.enc.AppendECSText(w.buf[:0], encode.Line{File: name, Number: lineNo, Offset: w.off}, w.xs, w.texts), '\n')
	w.buf = b
	w.out.Write(b)
	w.xs, w.texts, w.arena = w.xs[:0], w.texts[:0], w.arena[:0]
}

// exactOnlySummary is the summary line of the domain entries of m that
// match their exact name only, being public suffixes, with a few examples;
// "" when there are none.
func exactOnlySummary(m *match.Matcher) string {
	const maxExamples = 5
	n := 0
	var ex []string
	for id := range m.Len() {
		if !m.ExactOnly(match.ID(id)) {
			continue
		}
		if n++; len(ex) < maxExamples {
			ex = append(ex, m.Entry(match.ID(id)).Value)
		}
	}
	if n == 0 {
		return ""
	}
	more := ""
	if n > len(ex) {
		more = ", …"
	}
	return fmt.Sprintf("%d domain indicators are public suffixes and match their exact name only, not their subdomains (%s%s; -public-suffix-subdomains to match those too)", n, strings.Join(ex, ", "), more)
}

// loadConfig is what a one-shot load (without -reload) is made of.
type loadConfig struct {
	feeds          []string
	tx             *setup.TAXII
	platforms      *setup.Platforms
	af             *allowFlags
	age            *age.Policy
	lopts          loader.Options
	mopts          match.Options
	fb             *feedback
	quiet, verbose bool
}

// loadOnce loads the feeds, applies the allowlists and the ageing, and
// compiles them, reporting on stderr; false: an error was reported. The
// indicators are streamed (loader.StreamAllMerged, then the remote
// loads) through the allowlists and the ageing into a match.Builder a
// batch at a time (package internal/pipeline, as package live builds):
// the load never holds the whole []indicator.Indicator of its feeds.
// The allowlists are read first: the warninglists and Zeek whitelist rows
// of the feeds (loader.LoadAllowlists), then those of the flags. The
// reports are those of loading every indicator and then applying the
// allowlists and ageing to all of them, in the same order.
func loadOnce(c loadConfig, stderr io.Writer) (*match.Matcher, bool) {
	errw := stderr // the progress line while loading, on a terminal
	logf := func(format string, a ...any) { fmt.Fprintf(errw, "iocscan: "+format+"\n", a...) }
	feeds, tx, af, agePolicy, lopts, mopts := c.feeds, c.tx, c.af, c.age, c.lopts, c.mopts
	quiet, verbose := &c.quiet, &c.verbose
	var prog *progress // on a terminal, a progress line while loading
	if !*quiet && isTerminal(stderr) {
		prog = newProgress(stderr)
		errw = prog
		lopts.Progress = prog.update
	}
	t0 := time.Now()
	// The allowlists, before the first indicator. Their errors are
	// reported where a load of every indicator first would report them:
	// a feed's when its load reaches it (preErr, at feed preAt), the
	// flags' once every feed is read (polErr, with what reading the
	// -warninglist files wrote, held in polOut).
	preAt, preErr := len(feeds), error(nil)
	for i, path := range feeds {
		popts := lopts
		popts.Progress = nil
		al, err := loader.LoadAllowlists([]string{path}, popts)
		af.in.add(&al)
		if err != nil {
			preAt, preErr = i, err
			break
		}
	}
	var polOut bytes.Buffer
	policy, maxEx, polErr := af.policy(&polOut)
	if preErr != nil {
		policy = nil // the load fails at feed preAt: nothing is compiled
	}
	b, bErr := match.NewBuilder(mopts)
	if polErr != nil || bErr != nil {
		b = nil // the feeds are read and reported, then the error
	}
	var ages age.Report
	var ff feedFiles // with -roi: the files of each source
	pl := &pipeline.Pipeline{Builder: b, Policy: policy, MaxExamples: maxEx,
		Transform: func(batch []indicator.Indicator) ([]indicator.Indicator, error) {
			kept, rep := agePolicy.Apply(batch)
			ages.Add(&rep, 0)
			if c.fb.roi() {
				ff.add(kept)
			}
			return kept, nil
		}}
	total := 0 // the indicators read, before the allowlists and ageing
	for i, path := range feeds {
		prog.beginFeed(path)
		_, n, err := streamFeed(errw, path, lopts, *quiet, *verbose, pl.Add)
		if err == nil && i == preAt {
			err = preErr
		}
		if err != nil {
			prog.end()
			logf("%v", err)
			return nil, false
		}
		total += n
	}
	// the remote feeds: each load cancelled by an interrupt
	remote := func(load func(ctx context.Context) ([]indicator.Indicator, error)) bool {
		ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
		got, err := load(ctx)
		stop()
		if err == nil {
			total += len(got)
			err = pl.Add(got) // the load's own slice: changed in place
		}
		if err != nil {
			prog.end()
			logf("%v", err)
			return false
		}
		return true
	}
	if tx.URL != "" {
		prog.beginFeed(taxii.Path(tx.URL)) // no user info on screen
		if !remote(func(ctx context.Context) ([]indicator.Indicator, error) {
			return taxiiLoad(ctx, tx, errw, lopts, *quiet, *verbose)
		}) {
			return nil, false
		}
	}
	if c.platforms != nil && c.platforms.Any() {
		if !remote(func(ctx context.Context) ([]indicator.Indicator, error) {
			return platformLoad(ctx, c.platforms, prog, errw, lopts, *quiet, *verbose)
		}) {
			return nil, false
		}
	}
	prog.end()
	errw = stderr
	loaded := time.Since(t0)
	if total == 0 {
		logf("no feed gave a valid indicator: nothing to match")
		return nil, false
	}
	stderr.Write(polOut.Bytes())
	if polErr != nil {
		logf("%v", polErr)
		return nil, false
	}
	arep := pl.Allow()
	if !*quiet {
		allowReport(errw, arep, *verbose)
		ageReport(errw, &ages, *verbose)
	}
	c.fb.setFeeds(arep, ff.inds, &ages)
	if pl.Indicators == 0 && !*quiet {
		logf("warning: no indicator left to match after the allowlists and ageing (see -max-age, -decay, -now): nothing can match")
	}
	t1 := time.Now()
	if bErr != nil {
		logf("%v", bErr)
		return nil, false
	}
	m, err := b.Finish()
	if err != nil {
		logf("%v", err)
		return nil, false
	}
	if !*quiet {
		logf("loaded %d indicators in %v; compiled %s in %v", pl.Indicators, loaded.Round(time.Millisecond), m, time.Since(t1).Round(time.Millisecond))
	}
	return m, true
}
