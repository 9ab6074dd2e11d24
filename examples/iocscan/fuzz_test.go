package main

import (
	"bytes"
	"compress/gzip"
	"errors"
	"io"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

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
		st := stats{maxHits: -1}
		o := newOutput(&out)
		sc := &scanner{m: m, w: newWriter(m, o, "json", nil, nil), st: &st, logf: func(string, ...any) {}}
		err := sc.scanFile("-", bytes.NewReader(in))
		o.Flush()
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

// errAfter returns its data a few bytes at a time, then err.
type errAfter struct {
	data []byte
	err  error
}

func (e *errAfter) Read(p []byte) (int, error) {
	if len(e.data) == 0 {
		return 0, e.err
	}
	n := copy(p[:min(len(p), 7)], e.data)
	e.data = e.data[n:]
	return n, nil
}

// TestGzipPipe: a gzipPipe gives what its reader gives, in order, then
// its error; it flushes the output only before waiting.
func TestGzipPipe(t *testing.T) {
	data := bytes.Repeat([]byte("line evil.example 1.1.1.1\n"), 50000) // 1.3 MB: several chunks
	for _, want := range []error{io.EOF, io.ErrUnexpectedEOF} {
		flushes := 0
		p := newGzipPipe(&errAfter{data: data, err: want}, func() error { flushes++; return nil }, nil)
		var got bytes.Buffer
		_, err := io.Copy(&got, p)
		if want == io.EOF {
			require.NoError(t, err)
		} else {
			require.ErrorIs(t, err, want)
		}
		assert.Equal(t, data, got.Bytes())
		assert.LessOrEqual(t, flushes, len(data)/7+2)
		p.close()
	}
	// waiting for a chunk, the output is flushed first; an output error
	// ends the reading
	release := make(chan struct{})
	p := newGzipPipe(blockingReader(release), func() error { return errors.New("disk full") }, nil)
	_, err := p.Read(make([]byte, 10))
	var oe *outputError
	require.ErrorAs(t, err, &oe)
	assert.EqualError(t, err, "writing output: disk full")
	close(release)
	p.close()
}

// blockingReader blocks until release is closed, then returns EOF.
type blockingReader chan struct{}

func (b blockingReader) Read([]byte) (int, error) {
	<-b
	return 0, io.EOF
}
