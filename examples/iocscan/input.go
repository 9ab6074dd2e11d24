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
// bytes whatever the name (stdin too), is decompressed; concatenated
// members are read one after the other, as gzip -d does. Before every read
// from a pipe, terminal or socket, flush is called: a read that may wait
// has the matches of the lines read so far written out first (a regular
// file, whose reads never wait, is read without).
func openInput(name string, stdin io.Reader, flush func() error) (*input, error) {
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
	if !isRegular(src) { // a read from a file never waits
		src = flushReader{src, flush}
	}
	br := bufio.NewReaderSize(src, readSize)
	// A line is at least two bytes long unless it is empty: waiting for
	// two never holds a match back.
	head, _ := br.Peek(len(gzipMagic))
	if !bytes.Equal(head, gzipMagic) {
		return &input{Reader: br, close: closeFn}, nil
	}
	zr, err := gzip.NewReader(br)
	if err != nil {
		closeFn()
		var oe *outputError
		if !errors.As(err, &oe) && !isPathError(err) {
			err = &gzipError{err}
		}
		return nil, err
	}
	return &input{Reader: bufio.NewReaderSize(gzipReader{zr}, readSize), close: closeFn, gzip: true}, nil
}

// flushReader calls flush before every read of r.
type flushReader struct {
	r     io.Reader
	flush func() error
}

func (f flushReader) Read(p []byte) (int, error) {
	if err := f.flush(); err != nil {
		return 0, &outputError{err}
	}
	return f.r.Read(p)
}

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
// file itself and of writing the output, as *gzipError.
type gzipReader struct{ r *gzip.Reader }

func (g gzipReader) Read(p []byte) (int, error) {
	n, err := g.r.Read(p)
	var oe *outputError
	if err != nil && err != io.EOF && !errors.As(err, &oe) && !isPathError(err) {
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
