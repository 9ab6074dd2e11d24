package taxii

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/url"
	"strings"
	"sync"
	"time"

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
		err := c.writeBundle(lctx, pw, collectionURL, q, &stats)
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
	case errors.As(ferr, &cut) && rerr == nil:
		if lopts.Strict {
			return res, stats, cut.err
		}
		addProblem(&res, loader.Problem{Path: path, Reason: ReasonLoadLimit, Msg: cut.msg})
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
func (c *Client) writeBundle(ctx context.Context, w io.Writer, collectionURL string, q Query, stats *LoadStats) error {
	bw := bufio.NewWriterSize(w, 64<<10)
	if _, err := bw.WriteString(bundleHead); err != nil {
		return err
	}
	var size int64 // of the objects written
	var lastURL string
	err := c.Objects(ctx, collectionURL, q, func(p Page) error {
		lastURL = p.URL
		n := int64(0)
		for _, o := range p.Objects {
			n += int64(len(o)) + 2
		}
		if size+n > c.opts.MaxLoadSize {
			return &urlError{url: p.URL, kind: ErrLoadTooLarge, err: fmt.Errorf(
				"load stopped after %d pages (%d bytes of objects): the next page would make more than MaxLoadSize (%d bytes)",
				stats.Pages, size, c.opts.MaxLoadSize)}
		}
		size += n
		stats.Pages++
		if p.DateAddedLast.After(stats.AddedLast) {
			stats.AddedLast = p.DateAddedLast
		}
		if err := writeObjects(bw, p.Objects, stats.Objects); err != nil {
			return err
		}
		stats.Objects += len(p.Objects)
		return bw.Flush()
	})
	var ue *urlError
	switch {
	case err == nil:
	case errors.As(err, &ue) && (ue.kind == ErrLoadTooLarge || ue.kind == ErrTooManyPages):
		msg := ue.err.Error()
		if ue.kind == ErrTooManyPages {
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
		err = &cutError{err: &urlError{url: url, kind: ErrLoadTimeout, err: fmt.Errorf("%s (%w)", msg, ErrLoadTimeout)}, msg: msg}
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

// Poller reads a collection incrementally: each Poll returns the
// indicators of the objects added to the collection since the previous
// successful Poll. Its methods may be called from any goroutine; Polls
// run one at a time.
type Poller struct {
	c   *Client
	url string
	q   Query

	pollMu sync.Mutex // one Poll at a time
	mu     sync.Mutex // guards cursor
	cursor time.Time
}

// NewPoller returns a Poller of the collection at collectionURL, for the
// objects matching q; its cursor starts at q.AddedAfter (the zero time:
// the first Poll reads the whole collection).
func NewPoller(c *Client, collectionURL string, q Query) *Poller {
	return &Poller{c: c, url: collectionURL, q: q, cursor: q.AddedAfter}
}

// Poll loads (see Client.Load) the objects matching the Poller's query
// added after its cursor, and on success moves the cursor to the latest
// X-TAXII-Date-Added-Last received, if later: the next Poll returns only
// what was added since. After an error (the Result then holds what was
// read before it), and after a successful Poll with no
// X-TAXII-Date-Added-Last (no new object, or a server that does not send
// it), the cursor stays where it was: the next Poll asks for the same
// objects again, and more.
//
// added_after is exclusive: an object added at the very instant of the
// cursor, after the previous Poll, is not returned.
func (p *Poller) Poll(ctx context.Context, lopts loader.Options) (loader.Result, LoadStats, error) {
	p.pollMu.Lock()
	defer p.pollMu.Unlock()
	q := p.q
	q.AddedAfter = p.Cursor()
	res, stats, err := p.c.Load(ctx, p.url, q, lopts)
	if err == nil {
		p.mu.Lock()
		// unless SetCursor moved it meanwhile
		if p.cursor.Equal(q.AddedAfter) && stats.AddedLast.After(p.cursor) {
			p.cursor = stats.AddedLast
		}
		p.mu.Unlock()
	}
	return res, stats, err
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
