package taxii

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/iocmatch/iocmatch/indicator"
	"github.com/iocmatch/iocmatch/loader"
)

// LoadStats are the counts of a Load or Poll.
type LoadStats struct {
	Pages   int // pages read
	Objects int // STIX objects received

	// AddedLast is the latest X-TAXII-Date-Added-Last of the pages read
	// (the time the last object received was added to the collection), or
	// the zero time when no page had one: the Query.AddedAfter of the next
	// incremental load.
	AddedLast time.Time

	// Replaced and Revoked, counted by Poller.Poll only, are the STIX
	// indicator ids read by an earlier Poll that this Poll read a newer
	// version of, and a revoked version of (see Poller.Poll).
	Replaced, Revoked int
}

// Path returns the path under which Load reads the collection at
// collectionURL: "taxii:" and the collection's URL, without user info or
// query. It names the
// collection in loader problems ("taxii:https://…/collections/<id>/:
// indicator--…: …"), and gives the default source name of its indicators:
// the collection id (the last element of the path, see
// loader.SourceName).
func Path(collectionURL string) string {
	if u, err := url.Parse(collectionURL); err == nil {
		v := *u
		v.User = nil
		return "taxii:" + collectionOf(&v)
	}
	return "taxii:" + redact(collectionURL)
}

// bundleHead and bundleTail frame the objects of all pages as one STIX
// bundle for loader.ReadSTIX.
const (
	bundleHead = `{"type":"bundle","id":"bundle--taxii","objects":[`
	bundleTail = "\n]}\n"
)

// errReaderDone closes the pipe when the reader stops before its end.
var errReaderDone = errors.New("taxii: reader stopped")

// ReasonLoadLimit is the loader.Problem reason (a key of
// loader.Result.Skipped) of a Load or Poll cut short by one of its limits:
// Options.MaxLoadSize, LoadTimeout or MaxPages.
const ReasonLoadLimit = "taxii load limit"

// Load reads the objects of the collection at collectionURL matching q
// (see Objects) into indicators with loader.ReadSTIX, under the name
// Path(collectionURL), with lopts. The objects of all pages are streamed
// to ReadSTIX as one STIX bundle, page after page, as they arrive, so that
// an identity or a marking definition on one page applies to the
// indicators of any other, and only the latest version of an object
// counts (see loader.ReadSTIX); no more than one page is held in memory.
//
// A load stops when it passes one of its limits: more than
// Options.MaxLoadSize bytes of objects (ErrLoadTooLarge), longer than
// Options.LoadTimeout (ErrLoadTimeout), more than Options.MaxPages pages
// (ErrTooManyPages). What was read before is kept (the page that passes
// the limit is not read) and, as for a limit of any feed, the cut is a
// problem of the Result (reason ReasonLoadLimit, "taxii:…: load stopped
// after …") and no error; with lopts.Strict it is the error.
//
// The error is the first of: a TAXII error (an HTTP error, a malformed
// envelope, paging without progress …), and the error of ReadSTIX (with
// lopts.Strict, the first *loader.Problem, which stops the paging). The
// Result and the LoadStats then hold what was read before it.
func (c *Client) Load(ctx context.Context, collectionURL string, q Query, lopts loader.Options) (loader.Result, LoadStats, error) {
	return c.load(ctx, collectionURL, q, lopts, nil)
}

// load is Load, with the objects of each page passed through keep, when
// not nil, on the writer's goroutine: only those it keeps are read.
func (c *Client) load(ctx context.Context, collectionURL string, q Query, lopts loader.Options, keep func(json.RawMessage) bool) (loader.Result, LoadStats, error) {
	pr, pw := io.Pipe()
	var stats LoadStats
	fetched := make(chan error, 1)
	fctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	lctx := fctx
	if c.opts.LoadTimeout > 0 {
		var cancelT context.CancelFunc
		lctx, cancelT = context.WithTimeoutCause(fctx, c.opts.LoadTimeout, errLoadDeadline)
		defer cancelT()
	}
	go func() {
		err := c.writeBundle(lctx, pw, collectionURL, q, &stats, keep)
		fetched <- err
		var cut *cutError
		if errors.As(err, &cut) {
			err = nil // the bundle was ended: the reader reads it whole
		}
		pw.CloseWithError(err) // nil: EOF
	}()
	path := Path(collectionURL)
	res, rerr := c.readSTIX(pr, path, lopts)
	// If the reader stopped early (a Strict problem), stop the writer,
	// blocked on the pipe or waiting for the server.
	pr.CloseWithError(errReaderDone)
	cancel(errReaderDone)
	ferr := <-fetched
	var cut *cutError
	switch {
	case ferr == nil || errors.Is(ferr, errReaderDone):
	case errors.As(ferr, &cut):
		switch {
		case rerr != nil: // a problem of the objects read comes before the cut
		case lopts.Strict:
			return res, stats, cut.err
		default:
			addProblem(&res, loader.Problem{Path: path, Reason: ReasonLoadLimit, Msg: cut.msg})
		}
	default:
		return res, stats, ferr
	}
	return res, stats, rerr
}

// errLoadDeadline is the cause of the end of a load's context at
// Options.LoadTimeout.
var errLoadDeadline = errors.New("taxii: load deadline")

// cutError is a load stopped by one of its limits, after the bundle
// written to the reader was ended: err is the error (ErrLoadTooLarge …),
// msg the text of its problem.
type cutError struct {
	err error
	msg string
}

func (e *cutError) Error() string { return e.err.Error() }
func (e *cutError) Unwrap() error { return e.err }

// addProblem adds p to res as the reader of its feed would have.
func addProblem(res *loader.Result, p loader.Problem) {
	if res.Skipped == nil {
		res.Skipped = map[string]int{}
	}
	res.Skipped[p.Reason]++
	if len(res.Problems) < loader.MaxProblems {
		res.Problems = append(res.Problems, p)
	}
	if n := len(res.PerFile); n > 0 {
		res.PerFile[n-1].Skipped++
	}
}

// writeBundle GETs the objects pages and writes them to w as one bundle.
// When a limit of the load stops it, it ends the bundle and returns a
// *cutError.
func (c *Client) writeBundle(ctx context.Context, w io.Writer, collectionURL string, q Query, stats *LoadStats, keep func(json.RawMessage) bool) error {
	bw := bufio.NewWriterSize(w, 64<<10)
	if _, err := bw.WriteString(bundleHead); err != nil {
		return err
	}
	var size int64 // of the objects written
	var lastURL string
	written := 0
	err := c.Objects(ctx, collectionURL, q, func(p Page) error {
		lastURL = p.URL
		n := int64(0)
		for _, o := range p.Objects {
			n += int64(len(o)) + 2
		}
		if size+n > c.opts.MaxLoadSize {
			return &urlError{Name: "taxii", URL: p.URL, Kind: ErrLoadTooLarge, Err: fmt.Errorf(
				"load stopped after %d pages (%d bytes of objects): the next page would make more than MaxLoadSize (%d bytes)",
				stats.Pages, size, c.opts.MaxLoadSize)}
		}
		size += n
		stats.Pages++
		if p.DateAddedLast.After(stats.AddedLast) {
			stats.AddedLast = p.DateAddedLast
		}
		stats.Objects += len(p.Objects)
		objs := p.Objects
		if keep != nil {
			objs = slices.DeleteFunc(slices.Clone(objs), func(o json.RawMessage) bool { return !keep(o) })
		}
		if err := writeObjects(bw, objs, written); err != nil {
			return err
		}
		written += len(objs)
		return bw.Flush()
	})
	var ue *urlError
	switch {
	case err == nil:
	case errors.As(err, &ue) && (ue.Kind == ErrLoadTooLarge || ue.Kind == ErrTooManyPages):
		msg := ue.Err.Error()
		if ue.Kind == ErrTooManyPages {
			msg = fmt.Sprintf("load stopped after %d pages (%d bytes of objects): the server %s", stats.Pages, size,
				strings.TrimPrefix(msg, ErrTooManyPages.Error()+": the server "))
		}
		err = &cutError{err: err, msg: msg}
	case errors.Is(context.Cause(ctx), errLoadDeadline):
		url := lastURL
		if url == "" {
			url = redact(collectionURL)
		}
		msg := fmt.Sprintf("load stopped after %d pages (%d bytes of objects): it took longer than LoadTimeout (%v)",
			stats.Pages, size, c.opts.LoadTimeout)
		err = &cutError{err: &urlError{Name: "taxii", URL: url, Kind: ErrLoadTimeout, Err: fmt.Errorf("%s (%w)", msg, ErrLoadTimeout)}, msg: msg}
	default:
		return err
	}
	if _, err := bw.WriteString(bundleTail); err != nil {
		return err
	}
	if err := bw.Flush(); err != nil {
		return err
	}
	return err
}

// writeObjects writes objs, JSON values, as elements of the bundle's
// array, n elements having been written before them.
func writeObjects(w *bufio.Writer, objs []json.RawMessage, n int) error {
	for i, o := range objs {
		sep := ",\n"
		if n+i == 0 {
			sep = "\n"
		}
		if _, err := w.WriteString(sep); err != nil {
			return err
		}
		if _, err := w.Write(o); err != nil {
			return err
		}
	}
	return nil
}

// Poller reads a collection incrementally: each Poll asks only for the
// objects added to the collection since the previous successful Poll, and
// returns the current indicators of the collection, as read by all its
// Polls: the indicators of the latest version of each STIX indicator,
// revoked ones removed. Its methods may be called from any goroutine;
// Polls run one at a time.
type Poller struct {
	c   *Client
	url string
	q   Query

	pollMu sync.Mutex // one Poll at a time; guards the state below
	mu     sync.Mutex // guards cursor
	cursor time.Time

	versions map[string]version               // indicator id → latest version read
	current  map[string][]indicator.Indicator // indicator id → the indicators of that version
	order    []string                         // the ids of current, in the order first read
	noID     []indicator.Indicator            // indicators of objects without id
}

// version is a version of a STIX object: see loader.ReadSTIX.
type version struct {
	modified time.Time
	revoked  bool
}

// later reports whether v supersedes w, as loader.ReadSTIX decides: a
// revoked version supersedes one that is not, else the later "modified"
// does, and of the same "modified" the one read later.
func (v version) later(w version) bool {
	if v.revoked != w.revoked {
		return v.revoked
	}
	return !v.modified.Before(w.modified)
}

// objectVersion returns the id and version of raw, a STIX object, when it
// is an indicator with an id and a good (or no) "modified".
func objectVersion(raw json.RawMessage) (string, version, bool) {
	var h struct {
		Type     string `json:"type"`
		ID       string `json:"id"`
		Modified string `json:"modified"`
		Revoked  bool   `json:"revoked"`
	}
	if json.Unmarshal(raw, &h) != nil || h.Type != "indicator" || h.ID == "" {
		return "", version{}, false
	}
	v := version{revoked: h.Revoked}
	if h.Modified != "" {
		t, err := time.Parse(time.RFC3339Nano, h.Modified)
		if err != nil {
			if t, err = time.Parse("2006-01-02T15:04:05.999999999", h.Modified); err != nil {
				return "", version{}, false // a problem of the loader's
			}
		}
		v.modified = t
	}
	return h.ID, v, true
}

// NewPoller returns a Poller of the collection at collectionURL, for the
// objects matching q; its cursor starts at q.AddedAfter (the zero time:
// the first Poll reads the whole collection).
func NewPoller(c *Client, collectionURL string, q Query) *Poller {
	return &Poller{c: c, url: collectionURL, q: q, cursor: q.AddedAfter,
		versions: map[string]version{}, current: map[string][]indicator.Indicator{}}
}

// Poll loads (see Client.Load) the objects matching the Poller's query
// added after its cursor, and on success moves the cursor to the latest
// X-TAXII-Date-Added-Last received, if later: the next Poll asks only for
// what was added since. After an error, and after a successful Poll with
// no X-TAXII-Date-Added-Last (no new object, or a server that does not
// send it), the cursor stays where it was: the next Poll asks for the
// same objects again, and more. A Poll cut short by a limit (see
// Client.Load) without Strict is a success: the next Poll goes on after
// the last page read.
//
// On success, the Result's Indicators are the current indicators of the
// collection, for a matcher to be compiled from (match.Compile): those of
// this Poll and those of the earlier Polls, merged by STIX id, as Load
// does in one load: a new version of an indicator read by an earlier Poll
// replaces its indicators (none, when the new version gives none), a
// revoked one removes them, and an older version than one read before is
// ignored (counted in Unsupported as "stix superseded"). They are in the
// order their ids were first read. The rest of the Result (Problems,
// Skipped, Unsupported, PerFile) and the LoadStats are of this Poll
// alone; LoadStats.Replaced and Revoked count the ids of earlier Polls
// this Poll replaced or revoked. The indicators share their strings and
// slices with the Poller, which keeps them for the next Poll: do not
// modify them.
//
// After an error the Result holds what this Poll read before it, alone,
// and the Poller's indicators stay as they were. A Poller holds the
// indicators of the collection (and the latest "modified" of each
// indicator id) in memory; one whose cursor was restored with SetCursor
// knows only what it reads from then on.
//
// added_after is exclusive: an object added at the very instant of the
// cursor, after the previous Poll, is not returned.
func (p *Poller) Poll(ctx context.Context, lopts loader.Options) (loader.Result, LoadStats, error) {
	p.pollMu.Lock()
	defer p.pollMu.Unlock()
	q := p.q
	q.AddedAfter = p.Cursor()
	seen := map[string]version{} // of this Poll: the latest version of each id
	older := 0                   // objects older than a version of an earlier Poll
	keep := func(raw json.RawMessage) bool {
		id, v, ok := objectVersion(raw)
		if !ok {
			return true
		}
		if w, ok := p.versions[id]; ok && !v.later(w) {
			older++
			return false
		}
		if w, ok := seen[id]; !ok || v.later(w) {
			seen[id] = v
		}
		return true
	}
	res, stats, err := p.c.load(ctx, p.url, q, lopts, keep)
	if err != nil {
		return res, stats, err
	}
	if older > 0 {
		if res.Unsupported == nil {
			res.Unsupported = map[string]int{}
		}
		res.Unsupported["stix superseded"] += older
		if n := len(res.PerFile); n > 0 {
			res.PerFile[n-1].Unsupported += older
		}
	}
	p.merge(&res, &stats, seen)
	p.mu.Lock()
	// unless SetCursor moved it meanwhile
	if p.cursor.Equal(q.AddedAfter) && stats.AddedLast.After(p.cursor) {
		p.cursor = stats.AddedLast
	}
	p.mu.Unlock()
	return res, stats, nil
}

// merge merges the indicators of res, read from the versions seen, into
// the Poller's, and sets res.Indicators to all of them.
func (p *Poller) merge(res *loader.Result, stats *LoadStats, seen map[string]version) {
	byID := map[string][]indicator.Indicator{}
	var newIDs []string
	for _, ind := range res.Indicators {
		if ind.ID == "" {
			p.noID = append(p.noID, ind)
			continue
		}
		if _, ok := byID[ind.ID]; !ok {
			newIDs = append(newIDs, ind.ID)
		}
		byID[ind.ID] = append(byID[ind.ID], ind)
	}
	var added []string // ids now in current, in the order read, that were not before
	for _, id := range newIDs {
		if _, ok := p.current[id]; !ok {
			added = append(added, id)
		}
	}
	for id, inds := range byID {
		if _, ok := seen[id]; !ok { // not an indicator object of a version read: cannot be
			p.current[id] = inds
		}
	}
	for id, v := range seen {
		if _, ok := p.versions[id]; ok {
			if v.revoked {
				stats.Revoked++
			} else {
				stats.Replaced++
			}
		}
		p.versions[id] = v
		if inds := byID[id]; len(inds) > 0 {
			p.current[id] = inds
		} else {
			delete(p.current, id)
		}
	}
	order := make([]string, 0, len(p.current))
	for _, id := range p.order {
		if _, ok := p.current[id]; ok {
			order = append(order, id)
		}
	}
	order = append(order, added...)
	p.order = order
	n := len(p.noID)
	for _, id := range order {
		n += len(p.current[id])
	}
	all := make([]indicator.Indicator, 0, n)
	for _, id := range order {
		all = append(all, p.current[id]...)
	}
	res.Indicators = append(all, p.noID...)
}

// Cursor returns the time after which the next Poll asks for objects (the
// zero time: all), to be persisted with SetCursor across runs (FormatTime
// and ParseTime keep its precision).
func (p *Poller) Cursor() time.Time {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.cursor
}

// SetCursor sets the time after which the next Poll asks for objects. A
// Poll running meanwhile then leaves the cursor as set.
func (p *Poller) SetCursor(t time.Time) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.cursor = t
}
