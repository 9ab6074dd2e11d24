package iocmatchproc

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestAppendJSONString(t *testing.T) {
	for _, s := range []string{"", "plain", `q"uote\back`, "tab\tnl\ncr\r", "\x00\x01\x1f\x7f", "é ü 日本", "bad\xffutf8\xc3", "</script>&"} {
		b := appendJSONString([]byte("x"), []byte(s))
		require.Equal(t, byte('x'), b[0])
		var got string
		require.NoError(t, json.Unmarshal(b[1:], &got), "%q -> %s", s, b[1:])
		assert.Equal(t, strings.ToValidUTF8(s, "\ufffd"), got, "%q", s)
	}
}

func FuzzAppendJSONString(f *testing.F) {
	f.Add([]byte("a\"b\\c\x00\xff"))
	f.Fuzz(func(t *testing.T, s []byte) {
		b := appendJSONString(nil, s)
		var got string
		if err := json.Unmarshal(b, &got); err != nil {
			t.Fatalf("%q -> %s: %v", s, b, err)
		}
		want := string([]rune(string(s))) // each invalid byte one U+FFFD
		if got != want {
			t.Fatalf("%q: got %q want %q", s, got, want)
		}
	})
}
