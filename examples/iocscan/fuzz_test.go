package main

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"testing"

	"github.com/iocmatch/iocmatch/loader"
	"github.com/iocmatch/iocmatch/match"
)

// FuzzScanInput scans arbitrary input, plain and gzip-compressed, with a
// small read buffer (so that long lines go through match.LineStream): no
// panic; plain input is read without error, every line counted; its gzip
// form gives the same output and counts. Input that starts with the gzip
// magic is itself decompressed: it must only not panic.
func FuzzScanInput(f *testing.F) {
	for _, s := range []string{
		"",
		"GET http://a.evil.example/gate.php from 1.1.1.1\n",
		"no newline at the end evil.example",
		"\r\n\n\x00\xff evil.example\r\n",
		`{"msg":"cmd.exe /c whoami","host":"evil.example"}` + "\n",
		"\x1f\x8b\x08\x00 not really gzip\n",
	} {
		f.Add([]byte(s))
	}
	res, err := loader.Load(longFeed(f), loader.Options{})
	if err != nil {
		f.Fatal(err)
	}
	m, err := match.Compile(res.Indicators, match.Options{})
	if err != nil {
		f.Fatal(err)
	}
	oldPiece, oldRead := maxPiece, readSize
	f.Cleanup(func() { maxPiece, readSize = oldPiece, oldRead })
	maxPiece, readSize = 64, 16
	scan := func(in []byte) (string, stats, error) {
		var out bytes.Buffer
		bw := bufio.NewWriter(&out)
		st := stats{maxHits: -1}
		err := scanFile("-", bytes.NewReader(in), m, newWriter(m, bw), &st, func(string, ...any) {})
		bw.Flush()
		return out.String(), st, err
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		out, st, err := scan(data)
		if bytes.HasPrefix(data, gzipMagic) {
			return
		}
		if err != nil {
			t.Fatalf("plain input: %v", err)
		}
		lines := bytes.Count(data, []byte{'\n'})
		if len(data) > 0 && data[len(data)-1] != '\n' {
			lines++
		}
		if st.lines != lines || st.files != 1 {
			t.Fatalf("%d lines in %d files counted, want %d in 1", st.lines, st.files, lines)
		}
		var z bytes.Buffer
		zw := gzip.NewWriter(&z)
		zw.Write(data)
		zw.Close()
		zout, zst, err := scan(z.Bytes())
		if err != nil {
			t.Fatalf("gzip input: %v", err)
		}
		if zout != out || zst != st {
			t.Fatalf("gzip input gives\n%s%+v\nplain gives\n%s%+v", zout, zst, out, st)
		}
	})
}
