package loader

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
)

// jsonStream reads a JSON document token by token and value by value, for
// the JSON formats, within the limits of the Options: no value larger than
// Options.MaxRecordSize is ever held in memory, and nesting deeper than
// Options.MaxJSONDepth is refused. Errors from it are of three kinds:
//
//   - *recordError: the value just read is valid JSON that does not fit the
//     Go value given to Decode; the stream goes on with the next value.
//   - *limitError: a limit was passed; the stream cannot go on, but after
//     nesting too deep it can resume with the next top-level value (resume).
//   - anything else: a read error of the input, or a JSON syntax error
//     (*json.SyntaxError); the stream cannot go on.
//
// fail turns the last two kinds into the problem that ends a file.
type jsonStream struct {
	c     *collector
	cr    *capReader
	dec   *json.Decoder
	depth int // nesting depth of the next token
}

// maxJSONDepth is the deepest nesting encoding/json reads: a deeper
// Options.MaxJSONDepth is this one.
const maxJSONDepth = 10000

func newJSONStream(c *collector, r io.Reader) *jsonStream {
	cr := &capReader{r: r, max: c.opts.maxRecordSize()}
	cr.nest.max = min(c.opts.maxJSONDepth(), maxJSONDepth)
	j := &jsonStream{c: c, cr: cr}
	j.newDecoder()
	return j
}

// newDecoder starts a decoder at the reader's position.
func (j *jsonStream) newDecoder() {
	j.dec = json.NewDecoder(j.cr)
	j.dec.UseNumber()
	j.cr.dec = j.dec
	j.cr.base += j.cr.read
	j.cr.read = 0
	j.depth = 0
}

// limitError is a JSON limit passed.
type limitError struct {
	reason string // ReasonTooLarge or ReasonTooDeep
	msg    string
}

func (e *limitError) Error() string { return e.msg }

// recordError is a JSON value that does not fit the Go value it is decoded
// into.
type recordError struct{ err error }

func (e *recordError) Error() string { return e.err.Error() }
func (e *recordError) Unwrap() error { return e.err }

// capReader reads for a json.Decoder. It fails when the decoder holds
// more than max bytes it has not consumed yet (a value larger than max),
// and it follows the nesting of the JSON text it gives: the byte that
// opens an array or object deeper than nest.max is not given, and the
// decoder gets a *limitError when it reads it. So no depth, however great,
// gets to the decoder (whose own limit is maxJSONDepth), and no value is
// read whole before its depth is known.
type capReader struct {
	r    io.Reader
	dec  *json.Decoder
	max  int64
	read int64 // bytes given to dec
	base int64 // offset in the input of dec's first byte

	nest    jsonNesting
	err     error  // after nesting too deep: returned to every read
	rest    []byte // the bytes read after the one too deep
	restErr error  // and the error of r that came with them
	buf     []byte // for resume
	lastErr error  // the last error Read returned
}

// capSlack is the room over the maximum record size for the decoder's read
// buffer.
const capSlack = 64 << 10

func (cr *capReader) Read(p []byte) (int, error) {
	n, err := cr.read1(p)
	if err != nil {
		cr.lastErr = err
	}
	return n, err
}

// read1 is Read, but for lastErr.
func (cr *capReader) read1(p []byte) (int, error) {
	if cr.err != nil {
		return 0, cr.err
	}
	if cr.read-cr.dec.InputOffset() > cr.max+capSlack {
		return 0, &limitError{ReasonTooLarge, fmt.Sprintf("JSON value larger than %d bytes (at byte %d)", cr.max, cr.base+cr.dec.InputOffset())}
	}
	n, err := cr.r.Read(p)
	if i := cr.nest.scan(p[:n], false); i >= 0 {
		cr.rest, cr.restErr = append(cr.rest[:0], p[i+1:n]...), err
		cr.err = &limitError{ReasonTooDeep, fmt.Sprintf("JSON nested deeper than %d (at byte %d)", cr.nest.max, cr.base+cr.read+int64(i)+1)}
		n = i
		if n == 0 {
			return 0, cr.err
		}
		err = nil // cr.err, at the next read
	}
	cr.read += int64(n)
	return n, err
}

// jsonNesting follows the nesting of arrays and objects in JSON text, byte
// by byte.
type jsonNesting struct {
	max      int // the deepest nesting allowed
	depth    int
	inString bool
	escaped  bool // after a backslash in a string
}

// scan follows b. It stops at the byte that opens an array or object
// deeper than max and returns its index, or with toEnd, at the end of the
// top-level value it is in and returns the index just past it; -1 if there
// is no such byte in b. In text that is not JSON it counts brackets all
// the same (a decoder fails on such text before the byte scan stops at).
// It is linear in len(b).
func (n *jsonNesting) scan(b []byte, toEnd bool) int {
	for i := 0; i < len(b); i++ {
		if n.inString {
			end := n.stringEnd(b[i:])
			if end < 0 {
				return -1
			}
			i += end
			continue
		}
		switch b[i] {
		case '"':
			n.inString = true
		case '{', '[':
			if !toEnd && n.depth >= n.max {
				return i
			}
			n.depth++
		case '}', ']':
			n.depth--
			if toEnd && n.depth <= 0 {
				n.depth = 0
				return i + 1
			}
		}
	}
	return -1
}

// stringEnd follows b, in a string, to the quote that ends it, and returns
// its index, or -1 if the string goes on after b. It finds each quote with
// bytes.IndexByte, and whether a backslash escapes it from the run of
// backslashes before it.
func (n *jsonNesting) stringEnd(b []byte) int {
	for p := 0; ; {
		q := bytes.IndexByte(b[p:], '"')
		seg := b[p:]
		if q >= 0 {
			seg = seg[:q]
		}
		// the backslashes that count at the end of seg: its trailing run,
		// less one already escaped if the run is all of seg
		run := len(seg) - len(bytes.TrimRight(seg, `\`))
		if run == len(seg) && n.escaped {
			run--
		}
		odd := run&1 != 0
		if q < 0 {
			n.escaped = odd
			return -1
		}
		n.escaped = false
		if !odd {
			n.inString = false
			return p + q
		}
		p += q + 1 // an escaped quote
	}
}

// resume goes on after nesting too deep (a *limitError of ReasonTooDeep,
// reported), with the top-level value after the one too deep, which is
// skipped, whatever its depth, in bounded memory. It reports whether the
// stream stopped for that; if not, it does nothing. A read error while
// skipping is the error of the next read.
func (j *jsonStream) resume() bool {
	cr := j.cr
	var le *limitError
	if !errors.As(cr.err, &le) || le.reason != ReasonTooDeep {
		return false
	}
	// what is left of the input: the bytes read after the one too deep,
	// then the rest of r
	cr.nest.depth++ // the byte too deep opened one more
	skipped := int64(0)
	rest, err := cr.rest, cr.restErr
	if cr.buf == nil {
		cr.buf = make([]byte, 32<<10)
	}
	for {
		if i := cr.nest.scan(rest, true); i >= 0 {
			skipped += int64(i)
			rest = rest[i:]
			break
		}
		skipped += int64(len(rest))
		if err != nil {
			rest = nil
			break
		}
		var n int
		n, err = cr.r.Read(cr.buf)
		rest = cr.buf[:n]
	}
	cr.nest.inString, cr.nest.escaped = false, false
	cr.base += skipped + 1 // the byte too deep and those skipped
	cr.r = io.MultiReader(bytes.NewReader(bytes.Clone(rest)), readerOf(cr.r, err))
	cr.err, cr.rest, cr.restErr = nil, nil, nil
	j.newDecoder()
	return true
}

// readerOf is r, or after the error err of r, a reader returning err
// (io.EOF for none).
func readerOf(r io.Reader, err error) io.Reader {
	if err == nil {
		return r
	}
	return errReader{err}
}

type errReader struct{ err error }

func (e errReader) Read([]byte) (int, error) { return 0, e.err }

// Token returns the next JSON token (see json.Decoder.Token), keeping
// track of the nesting depth.
func (j *jsonStream) Token() (json.Token, error) {
	t, err := j.dec.Token()
	if err != nil {
		return nil, j.eof(err)
	}
	if d, ok := t.(json.Delim); ok {
		switch d {
		case '{', '[':
			j.depth++ // at most cr.nest.max: capReader holds deeper text back
		default:
			j.depth--
		}
	}
	return t, nil
}

// eof turns an io.EOF in the middle of a document into
// io.ErrUnexpectedEOF, reported as malformed JSON.
func (j *jsonStream) eof(err error) error {
	if err == io.EOF && j.depth > 0 {
		return io.ErrUnexpectedEOF
	}
	return err
}

// More reports whether there is another element in the current array or
// object.
func (j *jsonStream) More() bool { return j.dec.More() }

// Offset is the byte offset in the input just past the last token or value
// read.
func (j *jsonStream) Offset() int64 { return j.cr.base + j.dec.InputOffset() }

// Raw returns the next JSON value whole, within the size and depth
// limits. It is valid until the next call.
func (j *jsonStream) Raw() (json.RawMessage, error) {
	var raw json.RawMessage
	if err := j.dec.Decode(&raw); err != nil {
		return nil, j.eof(err)
	}
	return raw, nil
}

// Decode reads the next JSON value into v (see Raw). A value that does not
// fit v is a *recordError, after which the stream goes on.
func (j *jsonStream) Decode(v any) error {
	// The decoder reads the whole value before it decodes it: its errors
	// of reading are the stream's (a syntax error, the end of the input,
	// an error of the reader), any other is the value's, after which the
	// stream goes on. (Decoding from the stream, not from a Raw copy,
	// spares json.Unmarshal's copy and second scan of every value.)
	err := j.dec.Decode(v)
	if err == nil {
		return nil
	}
	var syntax *json.SyntaxError
	if errors.As(err, &syntax) || err == io.EOF || err == io.ErrUnexpectedEOF || j.cr.lastErr != nil && err == j.cr.lastErr {
		return j.eof(err)
	}
	return &recordError{err}
}

// Skip reads past the next JSON value, token by token: only one string or
// number of it at a time is held in memory.
func (j *jsonStream) Skip() error {
	start := j.depth
	for {
		t, err := j.Token()
		if err != nil {
			return err
		}
		if _, ok := t.(json.Delim); !ok && j.depth == start {
			return nil // a scalar value, or a key: keys are skipped with their value by the caller
		}
		if j.depth == start {
			return nil // closed the array or object it opened
		}
	}
}

// fail reports the stream error err, which ends the file, as a problem
// about record ("" for the document) and returns what the reader must
// return: nil, or with Strict the *Problem; a read error of the input is
// returned as is. io.EOF, where a value is expected, is malformed JSON.
func (j *jsonStream) fail(record string, err error) error {
	var le *limitError
	var se *json.SyntaxError
	var re *recordError
	switch {
	case errors.As(err, &le):
		return j.problem(record, le.reason, le.msg)
	case errors.As(err, &se):
		return j.problem(record, ReasonMalformed, fmt.Sprintf("malformed JSON at byte %d: %v", se.Offset, se))
	case errors.As(err, &re):
		return j.problem(record, ReasonMalformed, re.Error())
	case errors.Is(err, io.ErrUnexpectedEOF), err == io.EOF:
		return j.problem(record, ReasonMalformed, "malformed JSON: unexpected end of input")
	}
	return err
}

func (j *jsonStream) problem(record, reason, msg string) error {
	if record == "" {
		return j.c.problem(0, reason, msg)
	}
	return j.c.problemRec(record, reason, msg)
}
