package loader

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func newTestStream(t *testing.T, input string, opts Options) (*jsonStream, *Result) {
	t.Helper()
	res := &Result{}
	c := newCollector(res, "t.json", &opts)
	return newJSONStream(c, strings.NewReader(input)), res
}

// readArray reads the elements of a top-level array into ints, the way the
// JSON readers use a jsonStream: a record error skips one element, any
// other error ends the document.
func readArray(t *testing.T, j *jsonStream) (got []int, err error) {
	t.Helper()
	if _, err := j.Token(); err != nil {
		return got, j.fail("", err)
	}
	for i := 0; j.More(); i++ {
		var v int
		err := j.Decode(&v)
		var re *recordError
		switch {
		case errors.As(err, &re):
			if err := j.c.problemRec("[%d]", ReasonMalformed, re.Error()); err != nil {
				return got, err
			}
			continue
		case err != nil:
			return got, j.fail("", err)
		}
		got = append(got, v)
	}
	if _, err := j.Token(); err != nil {
		return got, j.fail("", err)
	}
	return got, nil
}

func TestJSONStream(t *testing.T) {
	for _, tc := range []struct {
		name, input string
		opts        Options
		want        []int
		reasons     map[string]int
	}{
		{name: "ok", input: `[1, 2, 3]`, want: []int{1, 2, 3}},
		{name: "record error goes on", input: `[1, "x", {"a":[1]}, 4]`, want: []int{1, 4},
			reasons: map[string]int{ReasonMalformed: 2}},
		{name: "syntax error ends", input: `[1, 2 x 3]`, want: []int{1, 2},
			reasons: map[string]int{ReasonMalformed: 1}},
		{name: "truncated", input: `[1, 2, `, want: []int{1, 2},
			reasons: map[string]int{ReasonMalformed: 1}},
		{name: "too large", input: `[1, "` + strings.Repeat("x", 200<<10) + `", 3]`,
			opts: Options{MaxRecordSize: 1 << 10}, want: []int{1},
			reasons: map[string]int{ReasonTooLarge: 1}},
		{name: "large within limit", input: `[1, "` + strings.Repeat("x", 200<<10) + `", 3]`,
			want: []int{1, 3}, reasons: map[string]int{ReasonMalformed: 1}},
		{name: "too deep value", input: `[1, ` + strings.Repeat("[", 5) + strings.Repeat("]", 5) + `, 3]`,
			opts: Options{MaxJSONDepth: 4}, want: []int{1},
			reasons: map[string]int{ReasonTooDeep: 1}},
		{name: "deep within limit", input: `[1, ` + strings.Repeat("[", 5) + strings.Repeat("]", 5) + `, 3]`,
			opts: Options{MaxJSONDepth: 6}, want: []int{1, 3},
			reasons: map[string]int{ReasonMalformed: 1}},
		{name: "brackets in strings do not count", input: `[1, "[[[[[[[[", 3]`,
			opts: Options{MaxJSONDepth: 2}, want: []int{1, 3},
			reasons: map[string]int{ReasonMalformed: 1}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			j, res := newTestStream(t, tc.input, tc.opts)
			got, err := readArray(t, j)
			require.NoError(t, err)
			assert.Equal(t, tc.want, got)
			assert.Equal(t, tc.reasons, res.Skipped)
		})
	}
}

func TestJSONStreamStrict(t *testing.T) {
	j, res := newTestStream(t, `[1, 2 x 3]`, Options{Strict: true})
	got, err := readArray(t, j)
	var p *Problem
	require.ErrorAs(t, err, &p)
	assert.Equal(t, ReasonMalformed, p.Reason)
	assert.Contains(t, p.Error(), "t.json: malformed JSON at byte")
	assert.Equal(t, []int{1, 2}, got)
	assert.Len(t, res.Problems, 1)
}

func TestJSONStreamTokenDepth(t *testing.T) {
	j, res := newTestStream(t, strings.Repeat("[", 10)+strings.Repeat("]", 10), Options{MaxJSONDepth: 3})
	var err error
	for err == nil {
		_, err = j.Token()
	}
	require.NoError(t, j.fail("", err))
	assert.Equal(t, map[string]int{ReasonTooDeep: 1}, res.Skipped)
	assert.Equal(t, 3, j.depth, "refused at the 4th level")
}

func TestJSONStreamSkip(t *testing.T) {
	j, _ := newTestStream(t, `{"a": {"b": [1, {"c": "d"}]}, "e": 5, "f": [], "g": "h"}`, Options{})
	_, err := j.Token()
	require.NoError(t, err)
	var keys []string
	var e json.Number
	for j.More() {
		k, err := j.Token()
		require.NoError(t, err)
		keys = append(keys, k.(string))
		if k == "e" {
			require.NoError(t, j.Decode(&e))
			continue
		}
		require.NoError(t, j.Skip())
	}
	_, err = j.Token()
	require.NoError(t, err)
	assert.Equal(t, []string{"a", "e", "f", "g"}, keys)
	assert.Equal(t, json.Number("5"), e)
	_, err = j.Token()
	assert.ErrorIs(t, err, io.EOF)
}

func TestJSONNesting(t *testing.T) {
	for in, want := range map[string]int{
		`1`: 0, `"[{"`: 0, `[]`: 1, `{"a":[1,{"b":{}}]}`: 4, `["\"[", [[]]]`: 3, `["\\", [[]]]`: 3,
		`"\\\"[[[[" [[]]`: 2,
	} {
		// the deepest nesting is the least max that scan does not stop at
		got := 0
		for ; ; got++ {
			n := jsonNesting{max: got}
			if n.scan([]byte(in), false) < 0 {
				break
			}
		}
		assert.Equal(t, want, got, in)
		// byte by byte, the same
		n := jsonNesting{max: want - 1}
		stopped := false
		for i := range len(in) {
			if n.scan([]byte{in[i]}, false) >= 0 {
				stopped = true
				break
			}
		}
		assert.Equal(t, want > 0, stopped, in)
	}
	// toEnd: the end of the top-level value
	n := jsonNesting{max: 1, depth: 1}
	assert.Equal(t, -1, n.scan([]byte(`["]", "\"]"`), true))
	assert.Equal(t, 2, n.scan([]byte(`]] [1]`), true))
	assert.Equal(t, 0, n.depth)
}

// deepJSON returns a JSON value nested n deep: arrays, or objects.
func deepJSON(n int, objects bool) string {
	if objects {
		return strings.Repeat(`{"":`, n) + "1" + strings.Repeat("}", n)
	}
	return strings.Repeat("[", n) + "1" + strings.Repeat("]", n)
}

// Nesting deeper than MaxJSONDepth is that problem (ReasonTooDeep) however
// deep (past encoding/json's own limit of 10,000 too), in every JSON format
// and wherever it is; in JSON lines (STIX, MISP) reading goes on with the
// next document.
func TestJSONTooDeep(t *testing.T) {
	ind := func(n int) string {
		return stixInd(fmt.Sprint(n), fmt.Sprintf("[domain-name:value = 'd%d.example']", n), "")
	}
	ev := func(v, extra string) string {
		return `{"Event": {"info": "e", "Attribute": [{"type": "domain", "value": "` + v + `", "to_ids": true}` + extra + `]}}`
	}
	type tc struct {
		name string
		read func(io.Reader, string, Options) (Result, error)
		doc  func(deep string) string
		want []string // the indicators read
	}
	tests := []tc{
		{"stix json lines", ReadSTIX, func(d string) string { return ind(1) + "\n" + d + "\n" + ind(2) + "\n" },
			[]string{"domain:d1.example", "domain:d2.example"}},
		{"stix object in a bundle, then a line", ReadSTIX, func(d string) string {
			return stixBundle(ind(1), `{"type": "indicator", "x": `+d+`}`, ind(2)) + "\n" + ind(3)
		}, []string{"domain:d1.example", "domain:d3.example"}},
		{"stix property", ReadSTIX, func(d string) string { return stixInd("1", "[domain-name:value = 'd1.example']", `"x": `+d) }, nil},
		{"stix envelope", ReadSTIX, func(d string) string { return `{"more": ` + d + `, "objects": [` + ind(1) + `]}` }, nil},
		{"misp json lines", ReadMISP, func(d string) string {
			return ev("a.example", "") + "\n" + ev("b.example", `, {"type": "domain", "value": "c.example", "x": `+d+`}`) + "\n" + ev("d.example", "")
		}, []string{"domain:a.example", "domain:b.example", "domain:d.example"}},
		{"misp event field", ReadMISP, func(d string) string { return `{"Event": {"Foo": ` + d + `, "Attribute": []}}` }, nil},
		{"misp document", ReadMISP, func(d string) string { return d }, nil},
		{"warninglist entry", ReadWarninglist, func(d string) string { return `{"name": "w", "type": "string", "list": ["a", ` + d + `]}` }, nil},
		{"warninglist field", ReadWarninglist, func(d string) string {
			return `{"name": "w", "description": ` + d + `, "type": "string", "list": ["a"]}`
		}, nil},
		{"manifest", ReadMISPManifest, func(d string) string { return `{"5b3c5f5c-0000-4000-8000-000000000000": ` + d + `}` }, nil},
	}
	for _, depth := range []int{DefaultMaxJSONDepth + 1, 10001, 1000000} {
		for _, objects := range []bool{false, true} {
			deep := deepJSON(depth, objects)
			for _, tc := range tests {
				name := fmt.Sprintf("%s/%d/objects=%v", tc.name, depth, objects)
				res, err := tc.read(strings.NewReader(tc.doc(deep)), "t.json", Options{})
				require.NoError(t, err, name)
				assert.Equal(t, len(tc.want), len(res.Indicators), name)
				if len(tc.want) > 0 {
					assert.Equal(t, tc.want, strs(res.Indicators), name)
				}
				require.Len(t, res.Problems, 1, name)
				p := res.Problems[0]
				assert.Equal(t, ReasonTooDeep, p.Reason, "%s: %v", name, p)
				assert.Contains(t, p.Msg, "JSON nested deeper than 64 (at byte ", name)
				assert.Equal(t, map[string]int{ReasonTooDeep: 1}, res.Skipped, name)

				res, err = tc.read(strings.NewReader(tc.doc(deep)), "t.json", Options{Strict: true})
				var sp *Problem
				require.ErrorAs(t, err, &sp, name)
				assert.Equal(t, p, *sp, name)
			}
		}
	}
}

// A limit of MaxJSONDepth above encoding/json's is encoding/json's: deeper
// nesting is too deep, not malformed.
func TestJSONDepthCap(t *testing.T) {
	for _, depth := range []int{maxJSONDepth, maxJSONDepth + 1} {
		res, err := ReadSTIX(strings.NewReader(deepJSON(depth, false)), "t.json", Options{MaxJSONDepth: 1 << 20})
		require.NoError(t, err)
		want := map[string]int{ReasonMalformed: 1} // a STIX array of no STIX object
		if depth > maxJSONDepth {
			want = map[string]int{ReasonTooDeep: 1}
		}
		assert.Equal(t, want, res.Skipped, "depth %d: %v", depth, res.Problems)
	}
}

// After a document too deep, the offsets in problems are still those of
// the input, and a read error is still returned.
func TestJSONResume(t *testing.T) {
	deep := deepJSON(5, false)
	ind1 := stixInd("1", "[domain-name:value = 'd1.example']", "")
	res, err := ReadSTIX(strings.NewReader(deep+"\n"+deep+"\n"+ind1+"\n[x]"), "t.json", Options{MaxJSONDepth: 4})
	require.NoError(t, err)
	assert.Equal(t, []string{"domain:d1.example"}, strs(res.Indicators))
	require.Len(t, res.Problems, 3)
	assert.Equal(t, "t.json: [0]: JSON nested deeper than 4 (at byte 5)", res.Problems[0].Error())
	assert.Equal(t, "t.json: [0]: JSON nested deeper than 4 (at byte 17)", res.Problems[1].Error())
	assert.Equal(t, ReasonMalformed, res.Problems[2].Reason, "a syntax error after them ends the file")

	in := io.MultiReader(strings.NewReader(`[[[[[["a\"]`), iotest.ErrReader(errors.New("boom"))) // while skipping
	_, err = ReadSTIX(in, "t.json", Options{MaxJSONDepth: 4})
	assert.ErrorContains(t, err, "boom")
	in = io.MultiReader(strings.NewReader(deep+`"a\"]`), iotest.ErrReader(errors.New("boom"))) // after
	_, err = ReadSTIX(in, "t.json", Options{MaxJSONDepth: 4})
	assert.ErrorContains(t, err, "boom")
}

// BenchmarkReadJSON reads a STIX bundle of 2,000 indicators and a MISP
// event of 2,000 attributes: the cost of following the nesting of all the
// input, besides decoding it.
func BenchmarkReadJSON(b *testing.B) {
	var objs, attrs []string
	for i := range 2000 {
		objs = append(objs, stixInd(fmt.Sprint(i), fmt.Sprintf("[domain-name:value = 'd%d.example']", i),
			`"labels": ["malicious-activity", "c2"], "description": "seen in \"campaign\" [x] {y}", "external_references": [{"source_name": "r", "url": "https://r.example/a"}]`))
		attrs = append(attrs, fmt.Sprintf(`{"type": "domain", "value": "d%d.example", "to_ids": true, "comment": "seen in \"campaign\" [x] {y}", "Tag": [{"name": "tlp:green"}]}`, i))
	}
	for _, tc := range []struct {
		name string
		read func(io.Reader, string, Options) (Result, error)
		doc  string
	}{
		{"stix", ReadSTIX, stixBundle(objs...)},
		{"misp", ReadMISP, `{"Event": {"info": "e", "Attribute": [` + strings.Join(attrs, ",") + `]}}`},
	} {
		b.Run(tc.name, func(b *testing.B) {
			b.SetBytes(int64(len(tc.doc)))
			b.ReportAllocs()
			for b.Loop() {
				res, err := tc.read(strings.NewReader(tc.doc), "b.json", Options{})
				if err != nil || len(res.Indicators) != 2000 {
					b.Fatal(err, len(res.Indicators))
				}
			}
		})
	}
}

// refNesting is jsonNesting.scan without toEnd, byte by byte.
func refNesting(b []byte, max int) int {
	depth, inString, escaped := 0, false, false
	for i, c := range b {
		switch {
		case inString && escaped:
			escaped = false
		case inString && c == '\\':
			escaped = true
		case inString && c == '"':
			inString = false
		case inString:
		case c == '"':
			inString = true
		case c == '{' || c == '[':
			if depth >= max {
				return i
			}
			depth++
		case c == '}' || c == ']':
			depth--
		}
	}
	return -1
}

func FuzzJSONNesting(f *testing.F) {
	f.Add([]byte(`["\\\"[", [[]], "\\\\", [[[]]]]`), 2, 3)
	f.Add([]byte(`"\\\\\\\"[[[[" [[{"a": "]]\\"}]]`), 1, 1)
	f.Fuzz(func(t *testing.T, data []byte, max, chunk int) {
		max, chunk = max&0xf, 1+chunk&0xff
		want := refNesting(data, max)
		n := jsonNesting{max: max}
		got := -1
		for off := 0; off < len(data); off += chunk {
			if i := n.scan(data[off:min(off+chunk, len(data))], false); i >= 0 {
				got = off + i
				break
			}
		}
		if got != want {
			t.Fatalf("max %d, chunks of %d: stops at %d, not %d", max, chunk, got, want)
		}
		if got < 0 {
			return
		}
		// then to the end of the top-level value
		wantEnd := refEnd(data, got+1, max+1)
		n.depth++
		gotEnd := -1
		for off := got + 1; off < len(data); off += chunk {
			if i := n.scan(data[off:min(off+chunk, len(data))], true); i >= 0 {
				gotEnd = off + i
				break
			}
		}
		if gotEnd != wantEnd {
			t.Fatalf("max %d, chunks of %d: ends at %d, not %d", max, chunk, gotEnd, wantEnd)
		}
	})
}

// refEnd returns the index just past the end of the top-level value that
// b[start:] is in, at the given depth outside a string, or -1.
func refEnd(b []byte, start, depth int) int {
	inString, escaped := false, false
	for i := start; i < len(b); i++ {
		c := b[i]
		switch {
		case inString && escaped:
			escaped = false
		case inString && c == '\\':
			escaped = true
		case inString && c == '"':
			inString = false
		case inString:
		case c == '"':
			inString = true
		case c == '{' || c == '[':
			depth++
		case c == '}' || c == ']':
			depth--
			if depth <= 0 {
				return i + 1
			}
		}
	}
	return -1
}
