package loader

import (
	"encoding/json"
	"errors"
	"io"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func newTestStream(t *testing.T, input string, opts Options) (*jsonStream, *Result) {
	t.Helper()
	res := &Result{}
	c := newCollector(res, newLoadState(), "t.json", &opts)
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
	assert.Equal(t, 3, j.depth-1, "refused at the 4th level")
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

func TestJSONDepth(t *testing.T) {
	for in, want := range map[string]int{
		`1`: 0, `"[{"`: 0, `[]`: 1, `{"a":[1,{"b":{}}]}`: 4, `["\"[", [[]]]`: 3,
	} {
		assert.Equal(t, want, jsonDepth([]byte(in)), in)
	}
}
