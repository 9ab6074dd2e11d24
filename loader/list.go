package loader

import (
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode"
	"unicode/utf8"
	"unsafe"

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
	typ := indicator.Invalid // Invalid: infer the type of each value
	badHeader := 0           // line of the bad "# type:" header in force, or 0
	return eachLine(c, r, func(n int, b []byte) error {
		// the line's bytes, valid until fn returns, seen as a string
		// without a copy: nothing keeps a part of it (the values kept
		// are copied by the collector, the messages are new strings)
		line := unsafe.String(unsafe.SliceData(b), len(b))
		text := trimLeftSpace(line)
		if text == "" {
			return nil // blank
		}
		if text[0] == '#' {
			name, ok := typeHeader(text[1:])
			if !ok {
				return nil // comment
			}
			t, err := indicator.ParseType(name)
			if err != nil {
				typ, badHeader = indicator.Invalid, n
				if err := c.problem(n, ReasonBadHeader, "type header: "+err.Error()); err != nil {
					return err
				}
				return nil
			}
			typ, badHeader = t, 0
			return nil
		}
		if badHeader != 0 {
			msg := fmt.Sprintf("value skipped: the type header at line %d names no known type", badHeader)
			if err := c.problem(n, ReasonBadHeader, msg); err != nil {
				return err
			}
			return nil
		}
		if !typ.IsString() {
			if names, ok := hostsLine(text); ok {
				if err := readHostsNames(c, n, typ, names); err != nil {
					return err
				}
				return nil
			}
		}
		var ind indicator.Indicator
		var err error
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
			return nil
		}
		return c.add(ind)
	})
}

// sinkAddrs are the addresses hosts files map blocked names to.
var sinkAddrs = map[string]bool{
	"0.0.0.0": true, "127.0.0.1": true, "::": true, "::1": true, "0:0:0:0:0:0:0:0": true,
}

// hostsLine reports whether text (a line that does not start with white
// space) is a hosts-file line "0.0.0.0 name …": a sink address and at
// least one more field before any inline comment; it returns those fields.
func hostsLine(text string) (names []string, ok bool) {
	first := firstField(text)
	if !sinkAddrs[first] || len(first) == len(text) {
		return nil, false
	}
	names = strings.Fields(cutInlineComment(text[len(first):]))
	return names, len(names) > 0
}

// readHostsNames reads the names of a hosts-file line: each is a domain
// (or, under a type header, a value of that type); a name without a dot
// ("localhost") is unsupported, not a problem.
func readHostsNames(c *collector, line int, typ indicator.Type, names []string) error {
	for _, name := range names {
		var ind indicator.Indicator
		var err error
		switch {
		case typ != indicator.Invalid:
			ind, err = indicator.ParseAs(typ, name)
		case !strings.Contains(name, "."):
			c.unsupported("list: hosts entry without a dot")
			continue
		default:
			ind, err = indicator.Parse(name)
		}
		if err != nil {
			if err := c.problem(line, valueReason(err), err.Error()); err != nil {
				return err
			}
			continue
		}
		if err := c.add(ind); err != nil {
			return err
		}
	}
	return nil
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
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c >= utf8.RuneSelf:
			if j := strings.IndexFunc(s[i:], unicode.IsSpace); j >= 0 {
				return s[:i+j]
			}
			return s
		case asciiSpace[c]:
			return s[:i]
		}
	}
	return s
}

// asciiSpace are the ASCII bytes unicode.IsSpace says are white space.
var asciiSpace = [utf8.RuneSelf]bool{'\t': true, '\n': true, '\v': true, '\f': true, '\r': true, ' ': true}

// trimLeftSpace is strings.TrimLeftFunc(s, unicode.IsSpace), quicker
// on ASCII.
func trimLeftSpace(s string) string {
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c >= utf8.RuneSelf:
			return strings.TrimLeftFunc(s[i:], unicode.IsSpace)
		case !asciiSpace[c]:
			return s[i:]
		}
	}
	return ""
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
