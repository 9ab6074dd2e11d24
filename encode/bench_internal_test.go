package encode

import (
	"strconv"
	"testing"
	"time"

	"github.com/iocmatch/iocmatch/age"
	"github.com/iocmatch/iocmatch/indicator"
	"github.com/iocmatch/iocmatch/match"
)

// benchSet is 1000 domains with rich metadata from two sources, and the
// matches of one line on each.
func benchSet(b *testing.B) (*match.Matcher, [][]byte, [][]match.Match) {
	var inds []indicator.Indicator
	for i := range 1000 {
		d := "host" + strconv.Itoa(i) + ".evil.example"
		inds = append(inds,
			indicator.Indicator{Type: indicator.Domain, Value: d, Meta: indicator.Meta{Source: "misp", ID: "uuid-" + strconv.Itoa(i),
				Confidence: indicator.MustConfidence(80), Severity: indicator.SeverityHigh, TLP: indicator.TLPAmber,
				Tags: []string{"c2", "botnet"}, MalwareFamily: "Emotet", Techniques: []string{"T1071.001"},
				FirstSeen: benchT1, LastSeen: benchT2, Description: "Emotet C2 server", Reference: "https://ref.example/" + strconv.Itoa(i)}},
			indicator.Indicator{Type: indicator.Domain, Value: d, Meta: indicator.Meta{Source: "plain-list"}},
			indicator.Indicator{Type: indicator.IPv4, Value: "198.51." + strconv.Itoa(i/250) + "." + strconv.Itoa(i%250), Meta: indicator.Meta{Source: "drop"}})
	}
	m, err := match.Compile(inds, match.Options{})
	if err != nil {
		b.Fatal(err)
	}
	var lines [][]byte
	var xss [][]match.Match
	for i := range 1000 {
		l := []byte("2024-05-01T12:00:00Z proxy: 198.51." + strconv.Itoa(i/250) + "." + strconv.Itoa(i%250) + " GET http://www.host" + strconv.Itoa(i) + ".evil.example/a.php 200")
		xs := m.AppendMatches(nil, l)
		if len(xs) != 2 {
			b.Fatalf("%d matches in %q", len(xs), l)
		}
		lines, xss = append(lines, l), append(xss, xs)
	}
	return m, lines, xss
}

// BenchmarkEncode: per match (ns/match, allocs/op per line of 2 matches),
// with every entry already in the Encoder's cache (the steady state of a
// scan): the native JSON, ECS, and the writer iocscan had before package
// encode (file, line, offsets, type, indicator, matched, sources).
func BenchmarkEncode(b *testing.B) {
	m, lines, xss := benchSet(b)
	ln := func(i int) Line {
		return Line{File: "/var/log/proxy.log", Number: i + 1, Offset: int64(i) * 120, Text: lines[i]}
	}
	now := func() time.Time { return benchT1 }
	run := func(b *testing.B, f func(buf []byte, i int) []byte) {
		buf := make([]byte, 0, 64<<10)
		for i := range lines { // warm the caches
			buf = f(buf[:0], i)
		}
		b.ReportAllocs()
		b.ResetTimer()
		n, bytes := 0, 0
		for b.Loop() {
			i := n % len(lines)
			buf = f(buf[:0], i)
			bytes += len(buf)
			n++
		}
		b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(2*n), "ns/match")
		b.ReportMetric(float64(bytes)/float64(2*n), "bytes-out/match")
	}
	b.Run("json", func(b *testing.B) {
		enc := NewEncoder(m, Options{Now: now})
		run(b, func(buf []byte, i int) []byte {
			for _, x := range xss[i] {
				buf = append(enc.AppendJSON(buf, ln(i), x), '\n')
			}
			return buf
		})
	})
	b.Run("ecs", func(b *testing.B) {
		enc := NewEncoder(m, Options{Now: now})
		run(b, func(buf []byte, i int) []byte { return append(enc.AppendECS(buf, ln(i), xss[i]), '\n') })
	})
	nids, _ := age.LookupModel("NIDS Simple")
	pol, err := age.New(age.Options{Model: &nids})
	if err != nil {
		b.Fatal(err)
	}
	b.Run("json-score", func(b *testing.B) {
		enc := NewEncoder(m, Options{Now: now, Scorer: pol})
		run(b, func(buf []byte, i int) []byte {
			for _, x := range xss[i] {
				buf = append(enc.AppendJSON(buf, ln(i), x), '\n')
			}
			return buf
		})
	})
	b.Run("ecs-score", func(b *testing.B) {
		enc := NewEncoder(m, Options{Now: now, Scorer: pol})
		run(b, func(buf []byte, i int) []byte { return append(enc.AppendECS(buf, ln(i), xss[i]), '\n') })
	})
	b.Run("json-uncached", func(b *testing.B) {
		run(b, func(buf []byte, i int) []byte {
			for _, x := range xss[i] {
				buf = append(AppendJSON(buf, m, ln(i), x), '\n')
			}
			return buf
		})
	})
	b.Run("ecs-uncached", func(b *testing.B) {
		run(b, func(buf []byte, i int) []byte { return append(AppendECS(buf, m, ln(i), xss[i], benchT1), '\n') })
	})
	b.Run("before", func(b *testing.B) {
		w := legacyWriter{m: m, cache: map[match.ID]legacyParts{}}
		run(b, func(buf []byte, i int) []byte {
			for _, x := range xss[i] {
				buf = w.append(buf, "/var/log/proxy.log", i+1, x, lines[i][x.Start:x.End])
			}
			return buf
		})
	})
}

// legacyWriter is iocscan's writer before package encode (its code, with
// the same string escaping), for comparison.
type legacyWriter struct {
	m     *match.Matcher
	cache map[match.ID]legacyParts
}

type legacyParts struct{ mid, tail []byte }

var (
	benchT1 = time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC)
	benchT2 = benchT1.Add(30 * 24 * time.Hour)
)

func (w *legacyWriter) append(b []byte, name string, lineNo int, x match.Match, matched []byte) []byte {
	parts, ok := w.cache[x.ID]
	if !ok {
		e := w.m.Entry(x.ID)
		parts.mid = append(parts.mid, `,"type":`...)
		parts.mid = appendString(parts.mid, e.Type.String())
		parts.mid = append(parts.mid, `,"indicator":`...)
		parts.mid = appendString(parts.mid, e.Value)
		parts.mid = append(parts.mid, `,"matched":`...)
		parts.tail = append(parts.tail, `,"sources":[`...)
		for i, s := range e.Sources() {
			if i > 0 {
				parts.tail = append(parts.tail, ',')
			}
			parts.tail = appendString(parts.tail, s)
		}
		parts.tail = append(parts.tail, "]}\n"...)
		w.cache[x.ID] = parts
	}
	b = append(b, `{"file":`...)
	b = appendString(b, name)
	b = append(b, `,"line":`...)
	b = strconv.AppendInt(b, int64(lineNo), 10)
	b = append(b, `,"start":`...)
	b = strconv.AppendInt(b, int64(x.Start), 10)
	b = append(b, `,"end":`...)
	b = strconv.AppendInt(b, int64(x.End), 10)
	b = append(b, parts.mid...)
	b = appendString(b, string(matched))
	return append(b, parts.tail...)
}
