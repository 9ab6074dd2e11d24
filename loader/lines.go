package loader

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
)

// lineReaderBufSize is the size of the bufio.Reader under a lineReader;
// longer lines are assembled in lineReader.buf, up to the maximum length.
const lineReaderBufSize = 64 << 10

var utf8BOM = []byte("\xef\xbb\xbf")

// lineReader reads lines of at most max bytes, for the line-based formats.
// Lines end at "\n"; a "\r" before it, or at the end of the input, is part
// of the line ending. A UTF-8 BOM at the start of the input is dropped. A
// longer line is reported as too long and skipped without being held in
// memory.
type lineReader struct {
	br   *bufio.Reader
	max  int
	buf  []byte
	line int // number of the line last returned, 1-based

	// skipped, when set, is given the bytes of each line that is too
	// long, in order, as it is skipped (without a BOM, with or without
	// its line ending), for a reader that must follow what the line
	// holds (CSV quoting).
	skipped func([]byte)
}

// eachLine calls fn with the number and bytes of each line of r (valid
// until fn returns), reading them with a lineReader of c's MaxLineLen: a
// longer line is a problem of c (ReasonLineTooLong), not given to fn. It
// returns nil at the end of the input, the read error (with c's path), or
// the first error of fn or of c's problems.
func eachLine(c *collector, r io.Reader, fn func(n int, b []byte) error) error {
	maxLineLen := c.opts.maxLineLen()
	lr := newLineReader(r, maxLineLen)
	for {
		b, tooLong, err := lr.next()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return readError(c.path, err)
		}
		if tooLong {
			if err := c.problem(lr.line, ReasonLineTooLong, fmt.Sprintf("line longer than %d bytes", maxLineLen)); err != nil {
				return err
			}
			continue
		}
		if err := fn(lr.line, b); err != nil {
			return err
		}
	}
}

func newLineReader(r io.Reader, maxLen int) *lineReader {
	size := lineReaderBufSize
	if maxLen+2 < size {
		size = max(maxLen+2, 16) // bufio's minimum is 16
	}
	return &lineReader{br: bufio.NewReaderSize(r, size), max: maxLen}
}

// next returns the next line without its line ending, valid until the
// following call, or tooLong (and no line) if it is longer than the
// maximum. At the end of the input it returns io.EOF; other errors are the
// reader's.
func (lr *lineReader) next() (line []byte, tooLong bool, err error) {
	first := lr.line == 0
	// Keep up to max bytes plus a line ending (and a BOM on the first
	// line); more is too long whatever the ending turns out to be.
	limit := lr.max + 2
	if first {
		limit += len(utf8BOM)
	}
	lr.buf = lr.buf[:0]
	read := false // whether any byte of this line was read
	for {
		frag, rerr := lr.br.ReadSlice('\n')
		if len(frag) > 0 {
			read = true
		}
		switch {
		case tooLong:
			lr.skip(frag, false)
		case len(lr.buf)+len(frag) > limit:
			tooLong = true
			lr.skip(lr.buf, first)
			lr.skip(frag, first && len(lr.buf) == 0)
			lr.buf = lr.buf[:0]
		default:
			lr.buf = append(lr.buf, frag...)
		}
		switch {
		case rerr == nil: // frag ends with '\n'
		case errors.Is(rerr, bufio.ErrBufferFull):
			continue
		case rerr == io.EOF:
			if !read {
				return nil, false, io.EOF
			}
		default:
			return nil, false, rerr
		}
		break
	}
	lr.line++
	if tooLong {
		return nil, true, nil
	}
	b := lr.buf
	if first {
		b = bytes.TrimPrefix(b, utf8BOM)
	}
	b = bytes.TrimSuffix(b, []byte{'\n'})
	b = bytes.TrimSuffix(b, []byte{'\r'})
	if len(b) > lr.max {
		lr.skip(b, false)
		return nil, true, nil
	}
	return b, false, nil
}

// skip gives b, the bytes of a line too long (the start of the input if
// first), to lr.skipped.
func (lr *lineReader) skip(b []byte, first bool) {
	if lr.skipped == nil || len(b) == 0 {
		return
	}
	if first {
		b = bytes.TrimPrefix(b, utf8BOM)
	}
	lr.skipped(b)
}
