package loader

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// The small JSON types of MISP documents, which write numbers and booleans
// as strings as often as not.

// flexString is a JSON string, number or boolean as text; null is "".
type flexString string

func (s *flexString) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	switch {
	case len(b) == 0:
		return fmt.Errorf("empty JSON value")
	case b[0] == '"':
		if v, ok := plainJSONString(b); ok {
			*s = flexString(v)
			return nil
		}
		var v string
		if err := json.Unmarshal(b, &v); err != nil {
			return err
		}
		*s = flexString(v)
	case string(b) == "null":
		*s = ""
	case b[0] == '{' || b[0] == '[':
		return fmt.Errorf("%.40s: want a string", b)
	default: // number, true, false
		*s = flexString(b)
	}
	return nil
}

// plainJSONString returns the string of the JSON string literal b when
// it has no escape sequence: its bytes between the quotes, if they hold
// no quote, backslash or control character and are valid UTF-8. That is
// what json.Unmarshal gives for such a literal, without its scans (a
// third of the time of reading a MISP attribute was spent there).
func plainJSONString(b []byte) (string, bool) {
	if len(b) < 2 || b[0] != '"' || b[len(b)-1] != '"' {
		return "", false
	}
	in := b[1 : len(b)-1]
	high := false
	for _, c := range in {
		if c < 0x20 || c == '"' || c == '\\' {
			return "", false
		}
		high = high || c >= utf8.RuneSelf
	}
	if high && !utf8.Valid(in) {
		return "", false
	}
	return string(in), true
}

// flexBool is a JSON boolean, or "1"/"0", "true"/"false" (in any case), 1/0
// as a string or number; null and "" are false.
type flexBool bool

func (f *flexBool) UnmarshalJSON(b []byte) error {
	var s flexString
	if err := s.UnmarshalJSON(b); err != nil {
		return fmt.Errorf("%.40s: want a boolean", bytes.TrimSpace(b))
	}
	switch strings.ToLower(strings.TrimSpace(string(s))) {
	case "true", "1":
		*f = true
	case "false", "0", "":
		*f = false
	default:
		return fmt.Errorf("%q: want a boolean", string(s))
	}
	return nil
}

// flexInt is a JSON integer, or one written as a string; null and "" are 0.
type flexInt int64

func (f *flexInt) UnmarshalJSON(b []byte) error {
	var s flexString
	if err := s.UnmarshalJSON(b); err != nil {
		return fmt.Errorf("%.40s: want an integer", bytes.TrimSpace(b))
	}
	v := strings.TrimSpace(string(s))
	if v == "" {
		*f = 0
		return nil
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil {
		return fmt.Errorf("%q: want an integer", v)
	}
	*f = flexInt(n)
	return nil
}

// flexTime is a MISP time: Unix seconds (a number or a string of digits,
// possibly with a fraction), an RFC 3339 date and time ("first_seen":
// "2019-06-25T12:34:56.000000+00:00"), "2006-01-02 15:04:05" (UTC) or a date
// "2006-01-02" (midnight UTC). null and "" are the zero time.
type flexTime time.Time

func (f *flexTime) UnmarshalJSON(b []byte) error {
	var s flexString
	if err := s.UnmarshalJSON(b); err != nil {
		return fmt.Errorf("%.40s: want a time", bytes.TrimSpace(b))
	}
	t, err := parseMISPTime(string(s))
	if err != nil {
		return err
	}
	*f = flexTime(t)
	return nil
}

func parseMISPTime(s string) (time.Time, error) {
	v := strings.TrimSpace(s)
	if v == "" {
		return time.Time{}, nil
	}
	if sec, frac, _ := strings.Cut(v, "."); mispDigits(sec) && (frac == "" || mispDigits(frac)) && len(sec) <= 12 {
		n, _ := strconv.ParseInt(sec, 10, 64)
		return time.Unix(n, 0).UTC(), nil
	}
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02 15:04:05", time.DateOnly} {
		if t, err := time.Parse(layout, v); err == nil {
			return t.UTC(), nil
		}
	}
	return time.Time{}, fmt.Errorf("%q: not a MISP time (Unix seconds, RFC 3339 or a date)", s)
}

func mispDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// flexStrings is a JSON array of strings, or one string; elements that
// are not strings, and any other value, are ignored. It is for optional
// metadata (a galaxy cluster's external ids) that is not worth a problem.
type flexStrings []string

func (f *flexStrings) UnmarshalJSON(b []byte) error {
	var one string
	if json.Unmarshal(b, &one) == nil {
		*f = flexStrings{one}
		return nil
	}
	var many []json.RawMessage
	if json.Unmarshal(b, &many) != nil {
		*f = nil
		return nil
	}
	out := make(flexStrings, 0, len(many))
	for _, m := range many {
		if json.Unmarshal(m, &one) == nil {
			out = append(out, one)
		}
	}
	*f = out
	return nil
}
