package loader

import (
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/iocmatch/iocmatch/indicator"
)

func FuzzReadList(f *testing.F) {
	addSeeds(f, filepath.Join(listsDir, "*"),
		"",
		"\ufeffevil.example\r\n# type: mutex\r\nGlobal\\A \r\n",
		"# type: nope\nx\n# type: regkey\nHKEY_USERS\\S-1-5\n",
		"hxxp[://]evil[.]example/a?b#c\n198.51.100.7\t3\n2001:db8::/32 # x\n",
		"a\x00b\n\xff\xfe\n# type: string\n\xff\x00\n",
	)
	f.Fuzz(func(t *testing.T, data []byte) {
		lines := fuzzLines(data)
		for _, opts := range []Options{{}, {MaxLineLen: 24}} {
			res, err := ReadList(bytes.NewReader(data), "fuzz.txt", opts)
			if err != nil {
				t.Fatalf("%+v: unexpected error %v", opts, err)
			}
			checkResult(t, res, lines)

			checkStrict(t, ReadList, data, "fuzz.txt", opts, res)
		}
	})
}

// fuzzLines returns the number of lines of fuzz data, or -1 when it is
// gzip-compressed (its lines are not those of the bytes given).
func fuzzLines(data []byte) int {
	if bytes.HasPrefix(data, gzipMagic) {
		return -1
	}
	return bytes.Count(data, []byte{'\n'}) + 1
}

// gzipProblem reports whether p is the problem of a corrupt or truncated
// gzip stream: a problem of the whole file (line 0) that ends its reading.
func gzipProblem(p Problem) bool {
	return p.Line == 0 && p.Reason == ReasonMalformed && strings.HasPrefix(p.Msg, "gzip: ")
}

// checkResult checks a lenient result of fuzz data of the given number of
// lines (-1: unknown, see fuzzLines).
func checkResult(t *testing.T, res Result, lines int) {
	t.Helper()
	for _, ind := range res.Indicators {
		if !ind.Type.Valid() {
			t.Fatalf("invalid type in %v", ind)
		}
		if ind.Source != "fuzz" {
			t.Fatalf("source %q", ind.Source)
		}
		again, err := indicator.New(ind.Type, ind.Value)
		if err != nil {
			t.Fatalf("%v does not re-canonicalise: %v", ind, err)
		}
		if again.Type != ind.Type || again.Value != ind.Value {
			t.Fatalf("%v re-canonicalises to %v", ind, again)
		}
	}
	skipped := res.SkippedTotal()
	if len(res.Problems) > MaxProblems || len(res.Problems) > skipped ||
		(skipped <= MaxProblems && len(res.Problems) != skipped) {
		t.Fatalf("%d problems, %d skipped", len(res.Problems), skipped)
	}
	if lines >= 0 && len(res.Indicators)+skipped > lines {
		t.Fatalf("%d indicators and %d skipped from %d lines", len(res.Indicators), skipped, lines)
	}
	last := 0
	for i, p := range res.Problems {
		if gzipProblem(p) && i == len(res.Problems)-1 && p.Path == "fuzz.txt" {
			continue
		}
		if p.Line <= last || lines >= 0 && p.Line > lines || p.Path != "fuzz.txt" || res.Skipped[p.Reason] == 0 {
			t.Fatalf("bad problem %+v after line %d", p, last)
		}
		last = p.Line
	}
}

// checkStrict reads data again with Strict and checks that reading stops
// at the first problem of the lenient result res, returning it, after a
// prefix of res's indicators; without problems, Strict reads the same.
func checkStrict(t *testing.T, read func(io.Reader, string, Options) (Result, error), data []byte, path string, opts Options, res Result) {
	t.Helper()
	opts.Strict = true
	sres, err := read(bytes.NewReader(data), path, opts)
	if len(res.Problems) == 0 {
		if err != nil {
			t.Fatalf("strict: error %v without problems", err)
		}
		if len(sres.Indicators) != len(res.Indicators) || len(sres.Warninglists) != len(res.Warninglists) {
			t.Fatalf("strict: %d indicators, not %d", len(sres.Indicators), len(res.Indicators))
		}
		return
	}
	var p *Problem
	if !errors.As(err, &p) {
		t.Fatalf("strict: error %v is not a *Problem", err)
	}
	if *p != res.Problems[0] || len(sres.Problems) != 1 || sres.Problems[0] != *p {
		t.Fatalf("strict: problem %v, not %v", p, res.Problems[0])
	}
	if len(sres.Indicators) > len(res.Indicators) {
		t.Fatalf("strict: %d indicators, more than %d", len(sres.Indicators), len(res.Indicators))
	}
	for i, ind := range sres.Indicators {
		if ind.Type != res.Indicators[i].Type || ind.Value != res.Indicators[i].Value || ind.ID != res.Indicators[i].ID {
			t.Fatalf("strict: indicator %d is %v, not %v", i, ind, res.Indicators[i])
		}
	}
}

// checkStrictProblem reads data again with Strict and checks that reading
// stops at the first problem of the lenient result res, returning it.
func checkStrictProblem(t *testing.T, read func(io.Reader, string, Options) (Result, error), data []byte, path string, opts Options, res Result) {
	t.Helper()
	opts.Strict = true
	_, err := read(bytes.NewReader(data), path, opts)
	if len(res.Problems) == 0 {
		if err != nil {
			t.Fatalf("strict: error %v without problems", err)
		}
		return
	}
	var p *Problem
	if !errors.As(err, &p) || *p != res.Problems[0] {
		t.Fatalf("strict: error %v, not the problem %v", err, res.Problems[0])
	}
}

// addSeeds adds the files matching the glob pattern and the strings to
// f's corpus.
func addSeeds(f *testing.F, pattern string, seeds ...string) {
	files, err := filepath.Glob(pattern)
	if err != nil {
		f.Fatal(err)
	}
	for _, name := range files {
		b, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	for _, s := range seeds {
		f.Add([]byte(s))
	}
}
