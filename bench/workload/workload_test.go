package workload_test

import (
	"bytes"
	"math"
	"slices"
	"strings"
	"testing"

	"github.com/iocmatch/iocmatch/bench/workload"
	"github.com/iocmatch/iocmatch/indicator"
	"github.com/iocmatch/iocmatch/match"
)

func compile(t *testing.T, inds []indicator.Indicator) *match.Matcher {
	t.Helper()
	m, err := match.Compile(inds, match.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if m.Len() != len(inds) {
		t.Fatalf("matcher has %d entries for %d generated indicators: values are not distinct", m.Len(), len(inds))
	}
	return m
}

// checkLog runs the matcher on every line: hit lines match, miss lines do
// not.
func checkLog(t *testing.T, m *match.Matcher, name string, log workload.Log) {
	t.Helper()
	var dst []match.Match
	bad := 0
	for i, l := range log.Lines {
		dst = m.AppendMatches(dst[:0], l)
		if log.Hit[i] != (len(dst) > 0) {
			bad++
			if bad <= 5 {
				t.Errorf("%s line %d (hit=%v) has %d matches: %s %v", name, i, log.Hit[i], len(dst), l, dst)
			}
		}
	}
	if bad > 5 {
		t.Errorf("%s: %d bad lines in all", name, bad)
	}
}

func TestLinesMatchAsGenerated(t *testing.T) {
	inds := workload.Indicators(20_000, 1)
	m := compile(t, inds)
	formats := append(workload.Formats(), workload.Mixed)
	for _, f := range formats {
		for _, rate := range []float64{0, 0.005, 0.01, 1} {
			n := 4000
			log := workload.Generate(f, n, rate, inds, 7)
			if want := int(math.Round(float64(n) * rate)); log.Hits != want {
				t.Errorf("%v rate %v: %d hits, want %d", f, rate, log.Hits, want)
			}
			hits := 0
			for _, h := range log.Hit {
				if h {
					hits++
				}
			}
			if hits != log.Hits || len(log.Lines) != n {
				t.Errorf("%v: Hit says %d hits, Hits %d, %d lines", f, hits, log.Hits, len(log.Lines))
			}
			checkLog(t, m, f.String(), log)
		}
	}
}

func TestKindSets(t *testing.T) {
	doms := workload.Domains(5000, 3)
	m := compile(t, doms)
	for _, f := range []workload.Format{workload.Web, workload.DNS, workload.Proxy, workload.JSON, workload.Mixed} {
		checkLog(t, m, "domains/"+f.String(), workload.Generate(f, 2000, 0.5, doms, 4))
	}
	strs := workload.Strings(5000, 3)
	m = compile(t, strs)
	checkLog(t, m, "strings/json", workload.Generate(workload.JSON, 3000, 0.5, strs, 4))
	for _, typ := range []indicator.Type{indicator.IPv4, indicator.CIDR, indicator.URL, indicator.SHA1, indicator.SHA512, indicator.MD5} {
		set := workload.Kind(typ, 2000, 5)
		m = compile(t, set)
		checkLog(t, m, typ.String()+"/mixed", workload.Generate(workload.Mixed, 2000, 0.5, set, 6))
	}
}

func TestDeterministic(t *testing.T) {
	a := workload.Indicators(3000, 9)
	b := workload.Indicators(3000, 9)
	if !slices.EqualFunc(a, b, func(x, y indicator.Indicator) bool { return x.Type == y.Type && x.Value == y.Value }) {
		t.Fatal("Indicators is not deterministic")
	}
	c := workload.Indicators(1000, 9)
	if !slices.EqualFunc(c, a[:1000], func(x, y indicator.Indicator) bool { return x.Type == y.Type && x.Value == y.Value }) {
		t.Fatal("a smaller set is not a prefix of a larger one")
	}
	if d := workload.Indicators(1000, 10); d[0].Value == c[0].Value && d[1].Value == c[1].Value {
		t.Fatal("seed is ignored")
	}
	l1 := workload.Lines(workload.Mixed, 500, 0.01, a, 3)
	l2 := workload.Lines(workload.Mixed, 500, 0.01, a, 3)
	if !slices.EqualFunc(l1, l2, bytes.Equal) {
		t.Fatal("Lines is not deterministic")
	}
	var w1, w2 bytes.Buffer
	s1, err := workload.Write(&w1, workload.Mixed, 200_000, 0.01, a, 3)
	if err != nil {
		t.Fatal(err)
	}
	workload.Write(&w2, workload.Mixed, 200_000, 0.01, a, 3)
	if !bytes.Equal(w1.Bytes(), w2.Bytes()) || s1.Bytes != int64(w1.Len()) || s1.Bytes < 200_000 {
		t.Fatalf("Write: not deterministic or wrong size (%+v, %d bytes)", s1, w1.Len())
	}
	if got := bytes.Count(w1.Bytes(), []byte("\n")); got != s1.Lines {
		t.Fatalf("Write: %d newlines, stats say %d lines", got, s1.Lines)
	}
}

func TestMix(t *testing.T) {
	const n = 50_000
	inds := workload.Indicators(n, 1)
	count := map[indicator.Type]int{}
	for _, ind := range inds {
		if ind.Type.IsString() {
			count[indicator.String]++
		} else {
			count[ind.Type]++
		}
	}
	for _, m := range workload.Mix {
		got := float64(count[m.Type]) * 100 / n
		if math.Abs(got-float64(m.Percent)) > 0.6 {
			t.Errorf("%v: %.2f%%, want about %d%%", m.Type, got, m.Percent)
		}
	}
}

func TestWriteFeedReadsBack(t *testing.T) {
	inds := workload.Indicators(2000, 1)
	var b bytes.Buffer
	if err := workload.WriteFeed(&b, inds); err != nil {
		t.Fatal(err)
	}
	lines := strings.Count(b.String(), "\n")
	if lines < len(inds) {
		t.Fatalf("feed has %d lines for %d indicators", lines, len(inds))
	}
	for _, ty := range []string{"# type: domain", "# type: ipv4", "# type: sha256", "# type: filename"} {
		if !strings.Contains(b.String(), ty) {
			t.Errorf("feed lacks %q", ty)
		}
	}
}

func TestParseFormat(t *testing.T) {
	for _, f := range append(workload.Formats(), workload.Mixed) {
		g, err := workload.ParseFormat(f.String())
		if err != nil || g != f {
			t.Errorf("ParseFormat(%q) = %v, %v", f.String(), g, err)
		}
	}
	if _, err := workload.ParseFormat("nope"); err == nil {
		t.Error("ParseFormat accepted nope")
	}
}

func TestLookupKeys(t *testing.T) {
	inds := workload.Indicators(20_000, 1)
	m := compile(t, inds)
	for _, kind := range workload.LookupKinds {
		for _, hit := range []bool{true, false} {
			keys := workload.LookupKeys(kind, inds, hit, 1024)
			if len(keys) != 1024 {
				t.Fatalf("%s hit=%v: %d keys", kind, hit, len(keys))
			}
			for _, k := range keys {
				var typ indicator.Type
				switch kind {
				case "addr":
					typ = indicator.IPv4
				case "domain":
					typ = indicator.Domain
				case "hash":
					typ = indicator.SHA256
					if len(k) == 32 {
						typ = indicator.MD5
					}
				case "url":
					typ = indicator.URL
				}
				if got := len(m.Lookup(typ, k)) > 0; got != hit {
					t.Errorf("%s %q: found=%v, want %v", kind, k, got, hit)
				}
			}
		}
	}
}
