package loader

import (
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
//   - *limitError: a limit was passed; the stream cannot go on.
//   - anything else: a read error of the input, or a JSON syntax error
//     (*json.SyntaxError); the stream cannot go on.
//
// fail turns the last two kinds into the problem that ends a file.
type jsonStream struct {
	c        *collector
	cr       *capReader
	dec      *json.Decoder
	depth    int // nesting depth of the next token
	maxDepth int
}

func newJSONStream(c *collector, r io.Reader) *jsonStream {
	cr := &capReader{r: r, max: c.opts.maxRecordSize()}
	j := &jsonStream{c: c, cr: cr, dec: json.NewDecoder(cr), maxDepth: c.opts.maxJSONDepth()}
	cr.dec = j.dec
	j.dec.UseNumber()
	return j
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

// capReader reads for a json.Decoder and fails when the decoder holds more
// than max bytes it has not consumed yet: a value larger than max.
type capReader struct {
	r    io.Reader
	dec  *json.Decoder
	max  int64
	read int64 // bytes read so far
}

// capSlack is the room over the maximum record size for the decoder's read
// buffer.
const capSlack = 64 << 10

func (cr *capReader) Read(p []byte) (int, error) {
	if cr.read-cr.dec.InputOffset() > cr.max+capSlack {
		return 0, &limitError{ReasonTooLarge, fmt.Sprintf("JSON value larger than %d bytes (at byte %d)", cr.max, cr.dec.InputOffset())}
	}
	n, err := cr.r.Read(p)
	cr.read += int64(n)
	return n, err
}

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
			j.depth++
			if j.depth > j.maxDepth {
				return nil, &limitError{ReasonTooDeep, fmt.Sprintf("JSON nested deeper than %d (at byte %d)", j.maxDepth, j.dec.InputOffset())}
			}
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
func (j *jsonStream) Offset() int64 { return j.dec.InputOffset() }

// Raw returns the next JSON value whole, after checking its size and
// depth. It is valid until the next call.
func (j *jsonStream) Raw() (json.RawMessage, error) {
	var raw json.RawMessage
	if err := j.dec.Decode(&raw); err != nil {
		return nil, j.eof(err)
	}
	if d := j.depth + jsonDepth(raw); d > j.maxDepth {
		return nil, &limitError{ReasonTooDeep, fmt.Sprintf("JSON nested deeper than %d (at byte %d)", j.maxDepth, j.dec.InputOffset())}
	}
	return raw, nil
}

// Decode reads the next JSON value into v (see Raw). A value that does not
// fit v is a *recordError, after which the stream goes on.
func (j *jsonStream) Decode(v any) error {
	raw, err := j.Raw()
	if err != nil {
		return err
	}
	if err := json.Unmarshal(raw, v); err != nil {
		return &recordError{err}
	}
	return nil
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

// jsonDepth returns the deepest nesting of arrays and objects in the valid
// JSON text b.
func jsonDepth(b []byte) int {
	depth, deepest := 0, 0
	inString := false
	for i := 0; i < len(b); i++ {
		c := b[i]
		if inString {
			switch c {
			case '\\':
				i++
			case '"':
				inString = false
			}
			continue
		}
		switch c {
		case '"':
			inString = true
		case '{', '[':
			depth++
			deepest = max(deepest, depth)
		case '}', ']':
			depth--
		}
	}
	return deepest
}
