package main

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestParseSize(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want int64
		err  string
	}{
		{in: "0", want: 0},
		{in: "1048576", want: 1 << 20},
		{in: "256MiB", want: 256 << 20},
		{in: "256mib", want: 256 << 20},
		{in: "1GiB", want: 1 << 30},
		{in: "1.5GiB", want: 3 << 29},
		{in: "64MB", want: 64e6},
		{in: "64M", want: 64e6},
		{in: "10 KiB", want: 10240},
		{in: "2k", want: 2000},
		{in: "1TiB", want: 1 << 40},
		{in: "512B", want: 512},
		{in: "", err: `size "": want a number`},
		{in: "MiB", err: `size "MiB": want a number`},
		{in: "-1MiB", err: `size "-1MiB": want a number`},
		{in: "12 parsecs", err: `size "12 parsecs": want a number`},
		{in: "1.2.3MB", err: `bad number "1.2.3"`},
		{in: "2PiB", err: `size "2PiB": want a number`},
		{in: "2000TiB", err: "more than 1 PiB"},
	} {
		got, err := parseSize(tc.in)
		if tc.err != "" {
			assert.ErrorContains(t, err, tc.err, tc.in)
			continue
		}
		assert.NoError(t, err, tc.in)
		assert.Equal(t, tc.want, got, tc.in)
	}
}

// FuzzParseSize: no panic; a size parsed is between 0 and 1 PiB.
func FuzzParseSize(f *testing.F) {
	for _, s := range []string{"256MiB", "1.5GiB", "64MB", "0", "1e3", "9999999999999999999TiB", ".", " 1 kib "} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		n, err := parseSize(s)
		if err == nil && (n < 0 || n > 1<<50) {
			t.Fatalf("parseSize(%q) = %d", s, n)
		}
	})
}
