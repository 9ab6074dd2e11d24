package fetch

import (
	"crypto/sha256"
	"fmt"
)

// Defaults of a Pager, used when the corresponding field is zero.
const (
	DefaultMaxPages = 10000
	DefaultMaxBytes = 256 << 20
)

// Pager guards one paged load (the pages of a feed fetched one after the
// other): it stops a server that always says there is more (MaxPages), a
// load that would hold too much (MaxBytes over all pages) and a server
// that sends the reader back to a page it gave before (the same next URL
// or cursor twice). The zero Pager has the defaults. It is not safe for
// concurrent use: one Pager per load.
type Pager struct {
	// Client names the errors (its Options.Name); nil: "fetch".
	Client *Client
	// MaxPages is the most pages of the load; zero means DefaultMaxPages.
	MaxPages int
	// MaxBytes is the most bytes of page bodies of the load; zero means
	// DefaultMaxBytes (256 MiB).
	MaxBytes int64

	pages int
	bytes int64
	seen  map[[sha256.Size]byte]bool
	empty int
}

// Pages returns the number of pages taken (Page calls that succeeded),
// Bytes their size.
func (p *Pager) Pages() int   { return p.pages }
func (p *Pager) Bytes() int64 { return p.bytes }

func (p *Pager) errorf(url string, kind error, format string, args ...any) error {
	name := "fetch"
	if p.Client != nil {
		name = p.Client.opts.Name
	}
	return &Error{Name: name, URL: Redact(url), Kind: kind,
		Err: fmt.Errorf("%w: "+format, append([]any{kind}, args...)...)}
}

// Before is called before fetching the page at url (its cursor, a next
// token or the URL itself, identifies it): it fails with ErrTooManyPages
// after MaxPages pages and with ErrNoProgress when the same cursor was
// given before in this load.
func (p *Pager) Before(url, cursor string) error {
	maxPages := p.MaxPages
	if maxPages <= 0 {
		maxPages = DefaultMaxPages
	}
	if p.pages >= maxPages {
		return p.errorf(url, ErrTooManyPages, "the server still says there is more after %d pages (MaxPages)", maxPages)
	}
	if p.seen == nil {
		p.seen = map[[sha256.Size]byte]bool{}
	}
	h := sha256.Sum256([]byte(cursor))
	if p.seen[h] {
		return p.errorf(url, ErrNoProgress, "the server gave the next page %q again", Sanitize(cursor, 100))
	}
	p.seen[h] = true
	return nil
}

// Page counts a page of size bytes and records, fetched from url: it
// fails with ErrLoadTooLarge when it would take the load over MaxBytes
// (the page is then not to be read), and with ErrNoProgress at the second
// page in a row with no record that says there is more (more).
func (p *Pager) Page(url string, size int, records int, more bool) error {
	maxBytes := p.MaxBytes
	if maxBytes <= 0 {
		maxBytes = DefaultMaxBytes
	}
	if p.bytes+int64(size) > maxBytes {
		return p.errorf(url, ErrLoadTooLarge, "load stopped after %d pages (%d bytes): the next page would make more than MaxBytes (%d bytes)",
			p.pages, p.bytes, maxBytes)
	}
	p.pages++
	p.bytes += int64(size)
	if records == 0 && more {
		if p.empty++; p.empty == 2 {
			return p.errorf(url, ErrNoProgress, "two empty pages in a row say there is more")
		}
	} else {
		p.empty = 0
	}
	return nil
}
