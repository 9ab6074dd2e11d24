package taxii

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/url"
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

// Load reads the objects of the collection at collectionURL matching q
// (see Objects) into indicators with loader.ReadSTIX, under the name
// Path(collectionURL), with lopts. The objects of all pages are streamed
// to ReadSTIX as one STIX bundle, page after page, as they arrive, so that
// an identity or a marking definition on one page applies to the
// indicators of any other; no more than one page is held in memory.
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
	go func() {
		err := c.writeBundle(fctx, pw, collectionURL, q, &stats)
		fetched <- err
		pw.CloseWithError(err) // nil: EOF
	}()
	res, rerr := c.readSTIX(pr, Path(collectionURL), lopts)
	// If the reader stopped early (a Strict problem), stop the writer,
	// blocked on the pipe or waiting for the server.
	pr.CloseWithError(errReaderDone)
	cancel(errReaderDone)
	ferr := <-fetched
	if ferr != nil && !errors.Is(ferr, errReaderDone) {
		return res, stats, ferr
	}
	return res, stats, rerr
}

// writeBundle GETs the objects pages and writes them to w as one bundle.
func (c *Client) writeBundle(ctx context.Context, w io.Writer, collectionURL string, q Query, stats *LoadStats) error {
	bw := bufio.NewWriterSize(w, 64<<10)
	if _, err := bw.WriteString(bundleHead); err != nil {
		return err
	}
	err := c.Objects(ctx, collectionURL, q, func(p Page) error {
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
	if err != nil {
		return err
	}
	if _, err := bw.WriteString(bundleTail); err != nil {
		return err
	}
	return bw.Flush()
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
