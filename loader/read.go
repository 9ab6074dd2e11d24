package loader

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"errors"
	"fmt"
	"io"
)

var gzipMagic = []byte{0x1f, 0x8b}

// BinarySniffLen is how many bytes at the start of a file (after gzip
// decompression) Read and Load look at for a NUL byte: input whose format
// is to be detected and that has one there is a binary file (an
// executable, an archive, UTF-16 text …), not a feed. It is a problem
// (ReasonBinary) of the file, which is not read. With Options.Format set
// (and in ReadList and the other per-format readers) the input is read as
// that format, NULs and all.
const BinarySniffLen = 8 << 10

// Read reads one feed from r, of the format detected from its content and
// path (see Detect), or of Options.Format when set; gzip-compressed input
// is decompressed first, whatever its name. Input to detect with a NUL
// byte in its first BinarySniffLen bytes is a binary file: a problem
// (ReasonBinary), not read. path names the input in
// problems and errors, and gives the default source name; it is not
// opened. Result.Files is 1.
//
// The error is a read error of r, or with opts.Strict the first *Problem;
// the Result then holds what was read before it. Input of no known format
// (JSON of no known kind) is a problem (ReasonFormat), not an error.
func Read(r io.Reader, path string, opts Options) (Result, error) {
	var res Result
	err := readFile(&res, newLoadState(), r, path, &opts)
	return res, err
}

// readAs reads r as format f into a new Result: the body of ReadList,
// ReadCSV and the other per-format readers. gzip input is decompressed.
func readAs(f Format, r io.Reader, path string, opts Options) (Result, error) {
	opts.Format = f
	return Read(r, path, opts)
}

// readFile reads one file from r into res, merging its indicators with
// those of st.
func readFile(res *Result, st *loadState, r io.Reader, path string, opts *Options) error {
	br := bufio.NewReaderSize(r, SniffLen)
	head, err := br.Peek(len(gzipMagic))
	if err != nil && err != io.EOF && !errors.Is(err, bufio.ErrBufferFull) {
		return readError(path, err)
	}
	c := newCollector(res, st, path, opts)
	f := opts.Format
	if bytes.Equal(head, gzipMagic) {
		zr, err := gzip.NewReader(br)
		if err != nil {
			return c.badGzip(f, &gzipError{err})
		}
		defer zr.Close()
		br = bufio.NewReaderSize(gzipReader{zr}, SniffLen)
	}
	if f == "" {
		head, err := br.Peek(SniffLen)
		if err != nil && err != io.EOF && !errors.Is(err, bufio.ErrBufferFull) {
			var ge *gzipError
			if errors.As(err, &ge) {
				return c.badGzip(f, ge)
			}
			return readError(path, err)
		}
		if i := bytes.IndexByte(head[:min(len(head), BinarySniffLen)], 0); i >= 0 {
			err := c.problem(0, ReasonBinary, fmt.Sprintf("binary file (a NUL byte at offset %d): not a feed, not read (UTF-16 text must be converted to UTF-8)", i))
			c.done(FormatUnknown)
			return err
		}
		f = Detect(head, path)
	}
	if st.allowOnly && f != FormatWarninglist && f != FormatZeek {
		return nil // LoadAllowlists: not a format that holds allowlists
	}
	read := f.reader()
	if read == nil {
		msg := fmt.Sprintf("format %q: not a feed format iocmatch reads", string(f))
		if f == FormatUnknown {
			msg = "JSON of no known kind (not STIX 2, a MISP event, manifest or warninglist)"
		}
		err := c.problem(0, ReasonFormat, msg)
		c.done(f)
		return err
	}
	err = read(c, br)
	var p *Problem
	var ge *gzipError
	switch {
	case err == nil || errors.As(err, &p):
	case errors.Is(err, errFull):
		err = nil // reported already
	case errors.As(err, &ge):
		return c.badGzip(f, ge) // what was read before it is kept
	default:
		err = readError(path, err)
	}
	c.done(f)
	return err
}

// badGzip reports a corrupt or truncated gzip stream as a problem of the
// file, which ends its reading (what was read before it is kept), and
// returns what readFile returns.
func (c *collector) badGzip(f Format, ge *gzipError) error {
	err := c.problem(0, ReasonMalformed, ge.Error())
	c.done(f)
	return err
}

// gzipError is an error of a gzip stream: corrupt or truncated data.
type gzipError struct{ err error }

func (e *gzipError) Error() string { return "gzip: " + e.err.Error() }
func (e *gzipError) Unwrap() error { return e.err }

// gzipReader tags the errors of a gzip.Reader as *gzipError.
type gzipReader struct{ r *gzip.Reader }

func (g gzipReader) Read(p []byte) (int, error) {
	n, err := g.r.Read(p)
	if err != nil && err != io.EOF {
		err = &gzipError{err}
	}
	return n, err
}
