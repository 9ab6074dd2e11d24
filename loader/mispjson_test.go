package loader

import (
	"bytes"
	"encoding/json"
	"testing"
)

// flexStringSeeds are JSON values of every shape flexString reads, and
// strings with escapes, non-ASCII and invalid UTF-8.
var flexStringSeeds = []string{
	`"plain"`, `""`, `"a\"b"`, `"tab\there"`, `"\u00e9t\u00e9"`, `"été"`, "\"\xff\xfe\"", "\"a\x01b\"",
	`"a"b"`, `"`, `"\\"`, `"C:\\Windows"`, `123`, `-1.5e3`, `true`, `null`, ` "x" `, `{}`, `[1]`, ``,
}

// checkFlexString compares flexString's reading of b with json.Unmarshal
// into a string (after the trimming of spaces UnmarshalJSON does) for
// every string literal: the same text, or an error
// from both.
func checkFlexString(t *testing.T, b []byte) {
	var got flexString
	gotErr := got.UnmarshalJSON(b)
	tb := bytes.TrimSpace(b) // as UnmarshalJSON does first
	if len(tb) == 0 || tb[0] != '"' {
		return // not a string: not what the fast path reads
	}
	var want string
	wantErr := json.Unmarshal(tb, &want)
	if (gotErr != nil) != (wantErr != nil) || gotErr == nil && string(got) != want {
		t.Fatalf("flexString(%q) = %q, %v; json.Unmarshal: %q, %v", b, got, gotErr, want, wantErr)
	}
}

func TestFlexStringLikeUnmarshal(t *testing.T) {
	for _, s := range flexStringSeeds {
		checkFlexString(t, []byte(s))
	}
	var s flexString
	if err := s.UnmarshalJSON([]byte(`"1.2.3.4"`)); err != nil || s != "1.2.3.4" {
		t.Fatalf(`flexString("1.2.3.4") = %q, %v`, s, err)
	}
	if err := s.UnmarshalJSON([]byte(`"caf\u00e9"`)); err != nil || s != "café" {
		t.Fatalf(`flexString("caf\u00e9") = %q, %v`, s, err)
	}
	if v, ok := plainJSONString([]byte(`"a\nb"`)); ok {
		t.Fatalf("plainJSONString took an escape as plain: %q", v)
	}
}

func FuzzFlexString(f *testing.F) {
	for _, s := range flexStringSeeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) { checkFlexString(t, b) })
}
