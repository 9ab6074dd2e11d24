package main

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"errors"
	"io"
	"os"
	"strings"
)

// gzipMagic are the first bytes of a gzip stream (RFC 1952).
var gzipMagic = []byte{0x1f, 0x8b}

// input is one opened input of the scan.
type input struct {
	*bufio.Reader // the lines, decompressed
	close         func() error
	gzip          bool // the input is gzip-compressed
}

// openInput opens the input named name ("-": stdin) for scanning, with a
// read buffer of readSize bytes. A gzip stream, recognised by its magic
// bytes whatever the name (stdin too), is decompressed on a goroutine of
// its own, a chunk ahead of the scan; concatenated members are read one
// after the other, as gzip -d does. Before every read that may wait (from
// a pipe, terminal or socket, or for the next decompressed chunk), flush
// is called: the matches of the lines read so far are written out first.
// A regular file, whose reads never wait, is read without. The output
// must be flushed when openInput is called. When stop is closed (SIGINT,
// SIGTERM), a read of an input that is not a regular file ends with
// errInterrupted, even one that waits (interruptible).
func openInput(name string, stdin io.Reader, flush func() error, stop <-chan struct{}) (*input, error) {
	var src io.Reader = stdin
	closeFn := func() error { return nil }
	if name != "-" {
		f, err := os.Open(name)
		if err != nil {
			return nil, err
		}
		if fi, err := f.Stat(); err == nil && fi.IsDir() {
			f.Close()
			return nil, &os.PathError{Op: "scan", Path: name, Err: errors.New("is a directory")}
		}
		src, closeFn = f, f.Close
	}
	if stop != nil && !isRegular(src) {
		src, closeFn = interruptible(src, stop, closeFn)
	}
	fr := &flushReader{r: src}
	br := bufio.NewReaderSize(fr, readSize)
	// A line is at least two bytes long unless it is empty: waiting for
	// two never holds a match back.
	head, _ := br.Peek(len(gzipMagic))
	if !bytes.Equal(head, gzipMagic) {
		if !isRegular(src) {
			fr.flush = flush
		}
		return &input{Reader: br, close: closeFn}, nil
	}
	zr, err := gzip.NewReader(br)
	if err != nil {
		closeFn()
		if !isPathError(err) {
			err = &gzipError{err}
		}
		return nil, err
	}
	zp := newGzipPipe(gzipReader{zr}, flush, nil)
	return &input{Reader: bufio.NewReaderSize(zp, readSize), close: func() error { zp.close(); return closeFn() }, gzip: true}, nil
}

// flushReader calls flush, when set, before every read of r.
type flushReader struct {
	r     io.Reader
	flush func() error
}

func (f *flushReader) Read(p []byte) (int, error) {
	if f.flush != nil {
		if err := f.flush(); err != nil {
			return 0, &outputError{err}
		}
	}
	return f.r.Read(p)
}

// gzipChunkSize is the size of the chunks a gzipPipe hands over;
// gzipChunks of them are in flight.
const (
	gzipChunkSize = 256 << 10
	gzipChunks    = 3
)

// gzipPipe reads a decompressing reader on a goroutine of its own, so that
// decompression and matching run side by side: its Read returns the
// chunks the goroutine read, in order, then the goroutine's error. It
// also reads a terminal or another reader that may wait (interruptible),
// so that a read can end when stop is closed (errInterrupted: what was
// read before is scanned).
type gzipPipe struct {
	ch    chan gzipChunk // read chunks, from the goroutine
	free  chan []byte    // buffers back to the goroutine
	done  chan struct{}  // closed by close: the goroutine stops
	cur   []byte         // what is left of the chunk being read
	buf   []byte         // its buffer
	err   error          // the error after it
	flush func() error
	stop  <-chan struct{} // closed: a Read that would wait returns errInterrupted; nil: never
}

type gzipChunk struct {
	b   []byte
	err error
}

func newGzipPipe(r io.Reader, flush func() error, stop <-chan struct{}) *gzipPipe {
	p := &gzipPipe{ch: make(chan gzipChunk, gzipChunks-1), free: make(chan []byte, gzipChunks), done: make(chan struct{}), flush: flush, stop: stop}
	for range gzipChunks {
		p.free <- make([]byte, gzipChunkSize)
	}
	go p.run(r)
	return p
}

func (p *gzipPipe) run(r io.Reader) {
	for {
		var b []byte
		select {
		case b = <-p.free:
		case <-p.done:
			return
		}
		n, err := r.Read(b)
		select {
		case p.ch <- gzipChunk{b[:n], err}:
		case <-p.done:
			return
		}
		if err != nil {
			return
		}
	}
}

// Read copies from the current chunk; when it is used up it takes the
// next, after a flush if that one is not ready yet.
func (p *gzipPipe) Read(dst []byte) (int, error) {
	for len(p.cur) == 0 {
		if p.err != nil {
			return 0, p.err
		}
		if p.buf != nil {
			p.free <- p.buf[:cap(p.buf)] // never blocks: room for every buffer
			p.buf = nil
		}
		var c gzipChunk
		select {
		case c = <-p.ch:
		default:
			if err := p.flush(); err != nil {
				return 0, &outputError{err}
			}
			select {
			case c = <-p.ch:
			case <-p.stop:
				select {
				case c = <-p.ch: // read before the stop: scanned
				default:
					p.err = errInterrupted
					return 0, errInterrupted
				}
			}
		}
		p.cur, p.buf, p.err = c.b, c.b, c.err
	}
	n := copy(dst, p.cur)
	p.cur = p.cur[n:]
	return n, nil
}

// close stops the goroutine (at once, or when its read returns).
func (p *gzipPipe) close() { close(p.done) }

// outputError is an error writing the output, met while reading input: it
// ends the scan.
type outputError struct{ err error }

func (e *outputError) Error() string { return "writing output: " + e.err.Error() }
func (e *outputError) Unwrap() error { return e.err }

// gzipError is corrupt or truncated gzip data.
type gzipError struct{ err error }

func (e *gzipError) Error() string {
	if errors.Is(e.err, io.ErrUnexpectedEOF) {
		return "gzip: truncated data (unexpected end of file)"
	}
	if msg := e.err.Error(); strings.HasPrefix(msg, "gzip: ") {
		return msg
	}
	return "gzip: " + e.err.Error()
}
func (e *gzipError) Unwrap() error { return e.err }

// gzipReader tags the errors of a gzip.Reader, but those of reading the
// file itself, as *gzipError.
type gzipReader struct{ r *gzip.Reader }

func (g gzipReader) Read(p []byte) (int, error) {
	n, err := g.r.Read(p)
	if err != nil && err != io.EOF && !isPathError(err) {
		err = &gzipError{err}
	}
	return n, err
}

// isRegular reports whether r is a regular file.
func isRegular(r io.Reader) bool {
	f, ok := r.(*os.File)
	if !ok {
		return false
	}
	fi, err := f.Stat()
	return err == nil && fi.Mode().IsRegular()
}

// isPathError reports whether err is an error of the file system (an
// *os.PathError, such as reading a directory).
func isPathError(err error) bool {
	var pe *os.PathError
	return errors.As(err, &pe)
}

// interruptible returns a reader of src, an input that is not a regular
// file, whose reads end with errInterrupted once stop is closed, even a
// read that waits, and the function closing it (then closeFn). A pipe or
// socket is read through the runtime's poller (pollable), at no cost;
// anything else (a terminal) on a goroutine (a gzipPipe: a copy per
// read).
func interruptible(src io.Reader, stop <-chan struct{}, closeFn func() error) (io.Reader, func() error) {
	if f, ok := src.(*os.File); ok {
		if r, closeP, ok := pollable(f, stop); ok {
			return r, func() error { closeP(); return closeFn() }
		}
	}
	p := newGzipPipe(src, func() error { return nil }, stop) // the flushReader above it flushes
	return p, func() error { p.close(); return closeFn() }
}
