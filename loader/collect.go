package loader

import (
	"errors"
	"fmt"
	"strings"
	"unsafe"

	"github.com/iocmatch/iocmatch/indicator"
	"github.com/iocmatch/iocmatch/internal/metakey"
)

// loadState is what the files of one Load, Read or per-format read share
// besides the Result: the index that merges identical records.
type loadState struct {
	hash  *metakey.Hasher
	index map[uint64]int // hash of a settled indicator → its index in Result.Indicators

	// Streaming (StreamAll): sink takes the settled indicators in
	// batches, which then leave Result.Indicators; flushed counts them.
	// Identical records are not merged then (index is not used).
	sink    func([]indicator.Indicator) error
	flushed int
	// seen, when streaming with merging (StreamAllMerged), holds the
	// fingerprint of every indicator settled: two hashes of it under
	// independent seeds, hash and hash2, in place of the indicator the
	// index would need. The indicators of res.Indicators from pend on
	// are not merged yet: dedup merges them a batch at a time, whose
	// probes of seen overlap (see fpSet.touch). Nothing that counts them
	// looks before dedup: flush, hold, the end of a file, a cap reached.
	seen  *fpSet
	hash2 *metakey.Hasher
	pend  int
	fps   [][2]uint64 // scratch of dedup
	// arena holds the copies of the values when streaming (see append)
	arena arena
	// allowOnly: only the files of formats that hold allowlists
	// (LoadAllowlists) are read.
	allowOnly bool
}

// total is the number of indicators kept so far: those in res and those
// given to the sink.
func (c *collector) total() int {
	n := len(c.res.Indicators) + c.st.flushed
	if c.enc != nil {
		n += c.enc.len()
	}
	return n
}

// flush gives the settled indicators to the sink when streaming and
// nothing is held, once there are at least min of them.
func (c *collector) flush(min int) error {
	return c.st.flush(c.res, c.held, min)
}

func (st *loadState) flush(res *Result, held, min int) error {
	if st.sink == nil || held > 0 || len(res.Indicators) < min || len(res.Indicators) == 0 {
		return nil
	}
	if st.seen != nil {
		st.dedup(res)
		if len(res.Indicators) < min || len(res.Indicators) == 0 {
			return nil
		}
	}
	n := len(res.Indicators)
	err := st.sink(res.Indicators)
	st.flushed += n
	if cap(res.Indicators) > 4*StreamBatch {
		res.Indicators = nil // a held document's list: not kept for batches
	} else {
		clear(res.Indicators)
		res.Indicators = res.Indicators[:0]
	}
	st.pend = 0
	if err != nil {
		return &sinkError{err}
	}
	return nil
}

// sinkError is an error of the sink of StreamAll: it ends the load.
type sinkError struct{ err error }

func (e *sinkError) Error() string { return e.err.Error() }
func (e *sinkError) Unwrap() error { return e.err }

// dedup merges the indicators of res.Indicators from pend on (when
// streaming with merging; none may be held): one identical to an
// indicator settled before it is dropped and counted in Duplicates, as
// LoadAll's add and release do. Their fingerprints are hashed first,
// then their slots of seen touched together, then inserted.
func (st *loadState) dedup(res *Result) {
	if st.seen == nil || st.pend >= len(res.Indicators) {
		return
	}
	inds := res.Indicators
	fps := st.fps[:0]
	for i := st.pend; i < len(inds); i++ {
		fps = append(fps, st.fingerprint(&inds[i]))
	}
	st.fps = fps
	st.seen.touch(fps)
	w := st.pend
	for k, fp := range fps {
		if !st.seen.insert(fp) {
			res.Duplicates++
			continue
		}
		inds[w] = inds[st.pend+k]
		w++
	}
	clear(inds[w:])
	res.Indicators = inds[:w]
	st.pend = w
}

// fingerprint is the key of ind in seen: 128 bits, so that two different
// indicators share one with a probability of 2⁻¹²⁸ per pair (a 10-million
// indicator load: below 10⁻²⁴).
func (st *loadState) fingerprint(ind *indicator.Indicator) [2]uint64 {
	return [2]uint64{st.hash.Indicator(ind), st.hash2.Indicator(ind)}
}

func newLoadState() *loadState {
	return &loadState{hash: metakey.NewHasher(), index: make(map[uint64]int)}
}

// collector gathers what the readers of every format find in one file into
// a Result, applying the Options that are the same for all formats: the
// source name, the merging of identical records, the indicator caps, the
// problem cap and Strict.
type collector struct {
	res    *Result
	st     *loadState
	path   string
	opts   *Options
	source string // default source: Options.Source, or the file's name
	forced bool   // Options.Source was set: it overrides the format's

	// counts at the start of the file, for FileStats
	nInd, nSkip, nUnsup, nDup int

	// Held indicators (see hold): the depth of hold calls, the index in
	// res.Indicators of the first held indicator, and the index of the held
	// indicators by hash of indicator and scope.
	held     int
	heldFrom int
	heldIdx  map[uint64]heldRec

	// enc, when not nil, keeps the held indicators (those of addHeld)
	// instead of res.Indicators, compactly, until settle: a reader that
	// holds a whole document (STIX) sets it. The indexes of heldIdx are
	// in it then.
	enc *heldList

	// dropped is the number of indicators in res.Indicators that the
	// reader is to remove (those of superseded STIX versions): the
	// indicator caps do not count them.
	dropped int
}

// heldRec is a held indicator in collector.heldIdx: its index in
// res.Indicators and the scope it was added in.
type heldRec struct {
	i     int
	scope string
}

func newCollector(res *Result, st *loadState, path string, opts *Options) *collector {
	st.dedup(res) // counted exactly below
	src, forced := opts.Source, opts.Source != ""
	if !forced {
		src = SourceName(path)
	}
	return &collector{
		res: res, st: st, path: path, opts: opts, source: src, forced: forced,
		nInd: len(res.Indicators) + st.flushed, nSkip: res.SkippedTotal(), nUnsup: res.UnsupportedTotal(), nDup: res.Duplicates,
	}
}

// sourceFor returns the source name for an indicator whose feed names its
// source s (a MISP organisation, a STIX identity …): Options.Source if set,
// else s, else the file's name.
func (c *collector) sourceFor(s string) string {
	if c.forced || s == "" {
		return c.source
	}
	return s
}

// errFull ends the reading of a file in lenient mode when an indicator cap
// is reached; the problem is recorded already.
var errFull = errors.New("indicator cap reached")

// add records a good indicator, whose Source is set by sourceFor and File
// to the file's path, unless it
// is identical to one recorded before (same type, value and metadata: see
// metakey): then it only counts as a duplicate. A new indicator past
// Options.MaxIndicatorsPerFile or Options.MaxIndicators is a problem that
// ends the file: add returns the *Problem with Strict, else errFull; the
// reader returns it.
func (c *collector) add(ind indicator.Indicator) error {
	if c.held > 0 {
		return c.addHeld(ind, "")
	}
	ind.Source = c.sourceFor(ind.Source)
	ind.File = c.path
	if c.st.sink != nil {
		if c.st.seen != nil && c.capReached() != "" {
			// at a cap, counted exactly: the indicators not merged yet
			// are merged, and a repeat of one settled is a duplicate
			// (LoadAll's), not one too many
			c.st.dedup(c.res)
			if c.capReached() != "" && c.st.seen.has(c.st.fingerprint(&ind)) {
				c.res.Duplicates++
				return nil
			}
		}
		if err := c.room(); err != nil {
			return err
		}
		c.append(ind)
		return c.flush(StreamBatch)
	}
	h := c.st.hash.Indicator(&ind)
	if j, ok := c.st.index[h]; ok && metakey.Equal(&c.res.Indicators[j], &ind) {
		c.res.Duplicates++
		return nil
	}
	if err := c.room(); err != nil {
		return err
	}
	if _, ok := c.st.index[h]; !ok {
		c.st.index[h] = len(c.res.Indicators)
	}
	c.append(ind)
	return nil
}

// append appends ind to the indicators, its value copied: a value cut from
// a longer line or record must not keep it in memory.
//
// When streaming, the copies are cut from chunks of arenaSize bytes:
// the sink copies the values it keeps (match.Builder does), and a chunk
// dies with the last of its values, so one allocation serves thousands
// of them.
func (c *collector) append(ind indicator.Indicator) {
	ind.Value = c.ownValue(ind.Value)
	if s := c.res.Indicators; c.held > 0 && len(s) == cap(s) && len(s) >= heldDouble {
		// A part held whole (a MISP event or an OTX pulse of many
		// thousand indicators of some 300 bytes; a STIX document is held
		// in enc) grows by doubling, not by append's quarter: each
		// indicator is copied about once instead of four times (it was a
		// fifth of the time of reading a 1M-indicator STIX bundle).
		c.res.Indicators = append(make([]indicator.Indicator, 0, 2*len(s)), s...)
	}
	c.res.Indicators = append(c.res.Indicators, ind)
}

// ownValue returns a copy of v for a recorded indicator (see append).
func (c *collector) ownValue(v string) string {
	if c.st.sink != nil && len(v) <= arenaSize/16 {
		return c.st.arena.clone(v)
	}
	return strings.Clone(v)
}

// heldDouble is the number of held indicators from which their list grows
// by doubling.
const heldDouble = 4096

// arenaSize is the size of the chunks a streaming load copies values to.
const arenaSize = 64 << 10

// arena copies strings into chunks of arenaSize bytes.
type arena struct{ buf []byte }

// clone returns a copy of s, cut from the current chunk.
func (a *arena) clone(s string) string {
	if len(s) == 0 {
		return ""
	}
	if len(a.buf)+len(s) > cap(a.buf) {
		a.buf = make([]byte, 0, arenaSize)
	}
	n := len(a.buf)
	a.buf = append(a.buf, s...)
	return unsafe.String(&a.buf[n], len(s))
}

// room returns nil when one more indicator may be recorded, else reports
// the cap reached as a problem of the file and returns what add returns.
func (c *collector) room() error {
	msg := c.capReached()
	if msg == "" {
		return nil
	}
	if err := c.problem(0, ReasonTooMany, msg); err != nil {
		return err
	}
	return errFull
}

// capReached returns, when one more indicator would pass a cap, the
// problem's message; else "".
func (c *collector) capReached() string {
	n := c.total() - c.dropped
	perFile := n - c.nInd
	switch max := c.opts.maxIndicatorsPerFile(); {
	case perFile >= max:
		return fmt.Sprintf("more than %d indicators in the file (Options.MaxIndicatorsPerFile): the rest of it is not read", max)
	default:
		if max := c.opts.maxIndicators(); n >= max {
			return fmt.Sprintf("more than %d indicators in all (Options.MaxIndicators): the rest of the file is not read", max)
		}
	}
	return ""
}

// hold starts a part of the input whose indicators get more metadata once
// it is read (a MISP event, a STIX document): until the matching release,
// add and addHeld record indicators as they are, merging only those
// identical in the same scope (a scope string the reader chooses, which
// with the indicator decides its final metadata). Holds nest.
func (c *collector) hold() {
	if c.held == 0 {
		c.st.dedup(c.res) // those before are settled: the held ones merge with them at release
		c.heldFrom = len(c.res.Indicators)
	}
	c.held++
}

// addHeld is add for a held indicator: it is merged with an identical one
// added before in the same scope.
func (c *collector) addHeld(ind indicator.Indicator, scope string) error {
	ind.Source = c.sourceFor(ind.Source)
	ind.File = c.path
	key := c.st.hash.Indicator(&ind) ^ c.st.hash.String(scope)
	if r, ok := c.heldIdx[key]; ok && r.scope == scope && metakey.Equal(c.heldAt(r.i), &ind) {
		c.res.Duplicates++
		return nil
	}
	if err := c.room(); err != nil {
		return err
	}
	if c.heldIdx == nil {
		c.heldIdx = make(map[uint64]heldRec)
	}
	if _, ok := c.heldIdx[key]; !ok {
		i := len(c.res.Indicators)
		if c.enc != nil {
			i = len(c.enc.items) // heldAt's index (nothing has moved during a hold)
		}
		c.heldIdx[key] = heldRec{i, scope}
	}
	if c.enc != nil {
		ind.Value = c.ownValue(ind.Value)
		c.enc.add(&ind)
		return nil
	}
	c.append(ind)
	return nil
}

// heldAt returns the held indicator i of heldIdx.
func (c *collector) heldAt(i int) *indicator.Indicator {
	if c.enc != nil {
		ind := c.enc.get(i)
		return &ind
	}
	return &c.res.Indicators[i]
}

// settle records the indicators of enc, which the reader has completed,
// after the last release, and drops enc: they merge with those recorded
// before and with each other as release merges held indicators (or the
// sink does), and go to the sink in batches. They were counted against
// the caps when they were held.
func (c *collector) settle() error {
	h := c.enc
	if h == nil {
		return nil
	}
	defer func() { c.enc = nil }()
	for h.moved < len(h.items) {
		ind := h.get(h.moved)
		h.items[h.moved] = heldInd{} // its strings go with the batch
		h.moved++
		if c.st.sink != nil {
			c.res.Indicators = append(c.res.Indicators, ind)
			if err := c.flush(StreamBatch); err != nil {
				return err
			}
			continue
		}
		if !c.merge(&ind, len(c.res.Indicators)) {
			c.res.Indicators = append(c.res.Indicators, ind)
		}
	}
	return nil
}

// merge reports whether ind is identical to an indicator recorded in
// res before, counting it as a duplicate then; else it indexes ind as
// the indicator at position at (not streaming).
func (c *collector) merge(ind *indicator.Indicator, at int) bool {
	h := c.st.hash.Indicator(ind)
	j, ok := c.st.index[h]
	if ok && metakey.Equal(&c.res.Indicators[j], ind) {
		c.res.Duplicates++
		return true
	}
	if !ok {
		c.st.index[h] = at
	}
	return false
}

// release ends a hold. The last one merges the indicators held, now
// complete, with those recorded before and with each other, keeping the
// first of identical ones in place.
func (c *collector) release() {
	c.held--
	if c.held > 0 {
		return
	}
	c.heldIdx = nil
	if c.st.sink != nil {
		// the matcher merges identical records (StreamAll), or dedup
		// does, with the next batch (StreamAllMerged: the held
		// indicators, complete now, are the first not merged yet);
		// flushed by the next add or the end of the file
		return
	}
	inds := c.res.Indicators
	w := c.heldFrom
	for i := c.heldFrom; i < len(inds); i++ {
		if c.merge(&inds[i], w) {
			continue
		}
		inds[w] = inds[i]
		w++
	}
	clear(inds[w:])
	c.res.Indicators = inds[:w]
}

// problem records a skipped record at a line. With Strict it returns the
// *Problem, which the reader must return to stop; otherwise nil.
func (c *collector) problem(line int, reason, msg string) error {
	return c.report(Problem{Path: c.path, Line: line, Reason: reason, Msg: msg})
}

// problemRec records a skipped JSON record, named by record (its id, or
// its place: "objects[3]"), like problem.
func (c *collector) problemRec(record, reason, msg string) error {
	return c.report(Problem{Path: c.path, Record: record, Reason: reason, Msg: msg})
}

func (c *collector) report(p Problem) error {
	if c.res.Skipped == nil {
		c.res.Skipped = make(map[string]int)
	}
	c.res.Skipped[p.Reason]++
	if len(c.res.Problems) < MaxProblems {
		c.res.Problems = append(c.res.Problems, p)
	}
	if c.opts.Strict {
		return &p
	}
	return nil
}

// The bounds of Result.Unsupported, whose keys can come from the input (a
// MISP attribute type, a CSV type column …).
const (
	maxUnsupportedKinds = 256 // distinct keys; the records of others count under unsupportedOther
	maxUnsupportedLen   = 96  // bytes of a key; a longer one is cut, and ends with "…"
	unsupportedOther    = "(other kinds)"
)

// unsupported counts a valid record that is not read, by what it is.
func (c *collector) unsupported(what string) {
	if c.res.Unsupported == nil {
		c.res.Unsupported = make(map[string]int)
	}
	if len(what) > maxUnsupportedLen {
		what = strings.ToValidUTF8(what[:maxUnsupportedLen], "") + "…"
	}
	if _, ok := c.res.Unsupported[what]; !ok && len(c.res.Unsupported) >= maxUnsupportedKinds {
		what = unsupportedOther
	}
	c.res.Unsupported[what]++
}

// done appends the FileStats of the file, read as format f.
func (c *collector) done(f Format) {
	c.st.dedup(c.res)
	c.res.Files++
	c.res.PerFile = append(c.res.PerFile, FileStats{
		Path:        c.path,
		Format:      f,
		Indicators:  c.total() - c.nInd,
		Duplicates:  c.res.Duplicates - c.nDup,
		Skipped:     c.res.SkippedTotal() - c.nSkip,
		Unsupported: c.res.UnsupportedTotal() - c.nUnsup,
	})
}
