package loader

import (
	"encoding/json"
	"strings"
)

// A reader of the members of a JSON object already checked by a decoder
// (a Raw value of jsonStream), for the objects read by the million (STIX
// indicators): it walks the object once, hands each member's key and
// value bytes to the caller, and decodes strings, arrays of strings and
// booleans itself. Whatever it does not read exactly as json.Unmarshal
// would (a key that is not a plain exact field name but folds to one, a
// value of an unexpected shape), it reports, and the caller decodes the
// object with json.Unmarshal instead: the fast path never changes a
// result, it only skips reflection.

// jsonSpace reports whether c is JSON white space.
func jsonSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }

// skipSpace returns the index of the first byte at or after i that is not
// JSON white space.
func skipSpace(b []byte, i int) int {
	for i < len(b) && jsonSpace(b[i]) {
		i++
	}
	return i
}

// stringEnd returns the index just past the JSON string starting at b[i]
// (a '"'), or -1.
func stringEnd(b []byte, i int) int {
	for j := i + 1; j < len(b); j++ {
		switch b[j] {
		case '\\':
			j++
		case '"':
			return j + 1
		}
	}
	return -1
}

// valueEnd returns the index just past the JSON value starting at b[i],
// or -1. b is valid JSON: brackets balance, strings end.
func valueEnd(b []byte, i int) int {
	if i >= len(b) {
		return -1
	}
	switch b[i] {
	case '"':
		return stringEnd(b, i)
	case '{', '[':
		depth := 0
		for j := i; j < len(b); j++ {
			switch b[j] {
			case '"':
				e := stringEnd(b, j)
				if e < 0 {
					return -1
				}
				j = e - 1
			case '{', '[':
				depth++
			case '}', ']':
				if depth--; depth == 0 {
					return j + 1
				}
			}
		}
		return -1
	}
	j := i
	for j < len(b) && !jsonSpace(b[j]) && b[j] != ',' && b[j] != '}' && b[j] != ']' {
		j++
	}
	return j
}

// eachMember calls fn with the key (its bytes between the quotes, escapes
// undecoded) and the value bytes of every member of the JSON object b, in
// order, until fn returns false. It reports whether b was walked to its
// end (false: fn stopped, or b is not an object).
func eachMember(b []byte, fn func(key, val []byte) bool) bool {
	i := skipSpace(b, 0)
	if i >= len(b) || b[i] != '{' {
		return false
	}
	i = skipSpace(b, i+1)
	if i < len(b) && b[i] == '}' {
		return true
	}
	for i < len(b) {
		if b[i] != '"' {
			return false
		}
		ke := stringEnd(b, i)
		if ke < 0 {
			return false
		}
		key := b[i+1 : ke-1]
		i = skipSpace(b, ke)
		if i >= len(b) || b[i] != ':' {
			return false
		}
		i = skipSpace(b, i+1)
		ve := valueEnd(b, i)
		if ve < 0 {
			return false
		}
		if !fn(key, b[i:ve]) {
			return false
		}
		var end, ok bool
		if i, end, ok = nextElem(b, ve, '}'); !ok || end {
			return ok
		}
	}
	return false
}

// nextElem steps past the separator after an element of an array or
// object ending at b[i]: it returns the start of the next element, or
// end when close ends the array or object there; ok is false for any
// other byte.
func nextElem(b []byte, i int, close byte) (next int, end, ok bool) {
	i = skipSpace(b, i)
	switch {
	case i >= len(b):
		return i, false, false
	case b[i] == close:
		return i, true, true
	case b[i] == ',':
		return skipSpace(b, i+1), false, true
	}
	return i, false, false
}

// jsonStringInto sets *dst to the JSON string v, or leaves it for null (as
// json.Unmarshal does); false for any other value.
func jsonStringInto(dst *string, v []byte) bool {
	if len(v) == 0 {
		return false
	}
	switch v[0] {
	case 'n':
		return string(v) == "null"
	case '"':
		if s, ok := plainJSONString(v); ok {
			*dst = s
			return true
		}
		return json.Unmarshal(v, dst) == nil
	}
	return false
}

// jsonStringsInto sets *dst to the JSON array of strings v (a null element
// is ""), or nil for null, as json.Unmarshal does into a []string; false
// for any other value.
func jsonStringsInto(dst *[]string, v []byte) bool {
	if string(v) == "null" {
		*dst = nil
		return true
	}
	if len(v) < 2 || v[0] != '[' {
		return false
	}
	out := (*dst)[:0]
	if out == nil {
		out = []string{}
	}
	i := skipSpace(v, 1)
	if v[i] == ']' {
		*dst = out
		return true
	}
	for i < len(v) {
		e := valueEnd(v, i)
		if e < 0 {
			return false
		}
		var s string
		if v[i] != '"' || !jsonStringInto(&s, v[i:e]) {
			return false // a null element is left to json.Unmarshal (it keeps what a reused slice held there)
		}
		out = append(out, s)
		var end, ok bool
		if i, end, ok = nextElem(v, e, ']'); !ok {
			return false
		}
		if end {
			*dst = out
			return true
		}
	}
	return false
}

// jsonBoolInto sets *dst to the JSON boolean v, or leaves it for null;
// false for any other value.
func jsonBoolInto(dst *bool, v []byte) bool {
	switch string(v) {
	case "true":
		*dst = true
	case "false":
		*dst = false
	case "null":
	default:
		return false
	}
	return true
}

// plainKey reports whether the member key k (undecoded) is one that the
// fast path may compare byte for byte: printable ASCII without escapes.
// Any other may fold (json.Unmarshal matches keys without regard to case,
// "ſ" and "K" included) to a field name.
func plainKey(k []byte) bool {
	for _, c := range k {
		if c < 0x20 || c >= 0x80 || c == '\\' {
			return false
		}
	}
	return true
}

// foldsTo reports whether the plain key k equals one of names in any case
// but not exactly: a key json.Unmarshal would give to that field, which
// the fast path leaves to it.
func foldsTo(k []byte, names []string) bool {
	for _, n := range names {
		if len(n) == len(k) && n != string(k) && strings.EqualFold(n, string(k)) {
			return true
		}
	}
	return false
}
