package loader

import (
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode"

	"github.com/iocmatch/iocmatch/indicator"
)

// ReadList reads a plain list (see the package documentation) from r.
// path names the input in problems and errors, and gives the default
// source name (SourceName); it is not opened. Result.Files is 1.
//
// The error is a read error of r, or with opts.Strict the first *Problem;
// the Result then holds what was read before it.
func ReadList(r io.Reader, path string, opts Options) (Result, error) {
	return readAs(FormatList, r, path, opts)
}

// readList reads a plain list from r into c.
func readList(c *collector, r io.Reader) error {
	maxLineLen := c.opts.maxLineLen()
	lr := newLineReader(r, maxLineLen)
	typ := indicator.Invalid // Invalid: infer the type of each value
	badHeader := 0           // line of the bad "# type:" header in force, or 0
	for {
		b, tooLong, err := lr.next()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return readError(c.path, err)
		}
		n := lr.line
		if tooLong {
			if err := c.problem(n, ReasonLineTooLong, fmt.Sprintf("line longer than %d bytes", maxLineLen)); err != nil {
				return err
			}
			continue
		}
		line := string(b)
		text := strings.TrimLeftFunc(line, unicode.IsSpace)
		if text == "" {
			continue // blank
		}
		if text[0] == '#' {
			name, ok := typeHeader(text[1:])
			if !ok {
				continue // comment
			}
			t, err := indicator.ParseType(name)
			if err != nil {
				typ, badHeader = indicator.Invalid, n
				if err := c.problem(n, ReasonBadHeader, "type header: "+err.Error()); err != nil {
					return err
				}
				continue
			}
			typ, badHeader = t, 0
			continue
		}
		if badHeader != 0 {
			msg := fmt.Sprintf("value skipped: the type header at line %d names no known type", badHeader)
			if err := c.problem(n, ReasonBadHeader, msg); err != nil {
				return err
			}
			continue
		}
		var ind indicator.Indicator
		switch {
		case typ == indicator.Invalid:
			ind, err = indicator.Parse(firstField(text))
		case typ.IsString():
			ind, err = indicator.ParseAs(typ, line)
		default:
			ind, err = indicator.ParseAs(typ, firstField(text))
		}
		if err != nil {
			if err := c.problem(n, valueReason(err), err.Error()); err != nil {
				return err
			}
			continue
		}
		c.add(ind)
	}
}

// typeHeader reports whether the text of a comment, after its '#', is a
// type header "type: NAME", and returns NAME without a trailing inline
// comment.
func typeHeader(s string) (name string, ok bool) {
	s = strings.TrimLeftFunc(s, unicode.IsSpace)
	if len(s) < 4 || !strings.EqualFold(s[:4], "type") {
		return "", false
	}
	s = strings.TrimLeftFunc(s[4:], unicode.IsSpace)
	if !strings.HasPrefix(s, ":") {
		return "", false
	}
	return strings.TrimSpace(cutInlineComment(s[1:])), true
}

// cutInlineComment drops a comment introduced by " #" or "\t#".
func cutInlineComment(s string) string {
	for i := 1; i < len(s); i++ {
		if s[i] == '#' && (s[i-1] == ' ' || s[i-1] == '\t') {
			return s[:i]
		}
	}
	return s
}

// firstField returns the first white-space-separated field of s, which
// does not start with white space.
func firstField(s string) string {
	if i := strings.IndexFunc(s, unicode.IsSpace); i >= 0 {
		return s[:i]
	}
	return s
}

// valueReason is the reason for skipping a value the indicator package
// rejects.
func valueReason(err error) string {
	var ie *indicator.Error
	if errors.As(err, &ie) && !ie.Type.Valid() {
		return ReasonCannotInfer
	}
	return ReasonInvalidValue
}
