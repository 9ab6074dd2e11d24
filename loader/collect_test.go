package loader

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unsafe"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestMergeDuplicates: identical records (type, canonical value and
// metadata) are one indicator and a count, in every format, so that a feed
// of one value repeated costs one indicator; records that differ in any
// metadata stay apart.
func TestMergeDuplicates(t *testing.T) {
	const n = 100_000
	t.Run("list", func(t *testing.T) {
		in := strings.Repeat("evil.example\n", n) + "EVIL[.]example # again\nother.example\n"
		res, err := ReadList(strings.NewReader(in), "feeds/c2.txt", Options{})
		require.NoError(t, err)
		require.Equal(t, 2, len(res.Indicators))
		assert.Equal(t, []string{"domain:evil.example", "domain:other.example"}, strs(res.Indicators))
		assert.LessOrEqual(t, cap(res.Indicators), 8, "the duplicates took room")
		assert.Equal(t, n, res.Duplicates)
		assert.Equal(t, []FileStats{{Path: "feeds/c2.txt", Format: FormatList, Indicators: 2, Duplicates: n}}, res.PerFile)
	})
	t.Run("csv metadata", func(t *testing.T) {
		in := "type,value,tags\ndomain,evil.example,c2\ndomain,evil.example,c2\ndomain,evil.example,spam\ndomain,evil.example,c2\n"
		res, err := ReadCSV(strings.NewReader(in), "c.csv", Options{})
		require.NoError(t, err)
		require.Equal(t, 2, len(res.Indicators))
		assert.Equal(t, []string{"c2"}, res.Indicators[0].Tags)
		assert.Equal(t, []string{"spam"}, res.Indicators[1].Tags)
		assert.Equal(t, 2, res.Duplicates)
	})
	t.Run("stix", func(t *testing.T) {
		// Objects with the same id are versions of one indicator (see
		// TestReadSTIXVersions), never duplicates of each other; identical
		// records come from one pattern, or from the same indicator in
		// one file, once references are resolved. Records of two files
		// are never identical: they differ in Meta.File (provenance).
		ind := stixInd("1", "[domain-name:value = 'evil.example'] OR [domain-name:value = 'EVIL.example'] OR [domain-name:value = 'other.example']", `"created_by_ref": "identity--1"`)
		// the same indicator, from another identity of the same name: the
		// same once references are resolved
		ind2 := stixInd("1", "[domain-name:value = 'evil.example'] OR [domain-name:value = 'other.example']", `"created_by_ref": "identity--2"`)
		// another marking: another TLP
		red := stixInd("2", "[domain-name:value = 'evil.example']", `"created_by_ref": "identity--1", "object_marking_refs": ["marking-definition--5e57c739-391a-4eb3-b6be-7d15ca92d5ed"]`)
		dir := t.TempDir()
		require.NoError(t, os.WriteFile(filepath.Join(dir, "a.json"), []byte(stixBundle(ind, red, `{"type": "identity", "id": "identity--1", "name": "ACME"}`)), 0o644))
		require.NoError(t, os.WriteFile(filepath.Join(dir, "b.json"), []byte(stixBundle(ind2, `{"type": "identity", "id": "identity--2", "name": "ACME"}`)), 0o644))
		res, err := Load(dir, Options{})
		require.NoError(t, err)
		require.Equal(t, []string{"domain:evil.example", "domain:other.example", "domain:evil.example", "domain:evil.example", "domain:other.example"}, strs(res.Indicators))
		assert.Equal(t, "ACME", res.Indicators[0].Source)
		assert.Empty(t, res.Indicators[0].TLP)
		assert.Equal(t, "red", string(res.Indicators[2].TLP))
		assert.Equal(t, 1, res.Duplicates) // EVIL.example in a.json
		assert.Equal(t, []int{1, 0}, []int{res.PerFile[0].Duplicates, res.PerFile[1].Duplicates})
		a, b := res.Indicators[0], res.Indicators[3]
		assert.Equal(t, filepath.Join(dir, "a.json"), a.File)
		assert.Equal(t, filepath.Join(dir, "b.json"), b.File)
		b.File = a.File
		assert.Equal(t, a, b, "the same record but for its file")
		assert.Zero(t, res.Unsupported["stix superseded"])
	})
	t.Run("stix versions", func(t *testing.T) {
		// versions of one id whose records are identical: the latest one
		// stays, none is merged into a version that is then dropped, and
		// the caps count only what stays
		ind := stixInd("1", "[domain-name:value = 'evil.example'] OR [domain-name:value = 'other.example']", "")
		objs := []string{ind}
		for range 2000 {
			objs = append(objs, ind)
		}
		for _, max := range []int{0, 2} {
			res, err := ReadSTIX(strings.NewReader(stixBundle(objs...)), "b.json", Options{MaxIndicators: max})
			require.NoError(t, err)
			assert.Equal(t, []string{"domain:evil.example", "domain:other.example"}, strs(res.Indicators), "MaxIndicators %d", max)
			assert.Zero(t, res.Duplicates)
			assert.Equal(t, 2000, res.Unsupported["stix superseded"])
			assert.Empty(t, res.Problems)
		}
	})
	t.Run("misp", func(t *testing.T) {
		attr := `{"type": "domain", "value": "evil.example", "to_ids": true, "uuid": "a1"}`
		ev := func(org string) string {
			return `{"Event": {"info": "x", "Orgc": {"name": "` + org + `"}, "Attribute": [` + strings.Repeat(attr+",", 999) + attr + `]}}`
		}
		in := "[" + ev("O") + "," + ev("O") + "," + ev("P") + "]"
		res, err := ReadMISP(strings.NewReader(in), "e.json", Options{})
		require.NoError(t, err)
		require.Equal(t, 2, len(res.Indicators))
		assert.Equal(t, "O", res.Indicators[0].Source)
		assert.Equal(t, "P", res.Indicators[1].Source)
		assert.Equal(t, 2998, res.Duplicates)
	})
	t.Run("across files", func(t *testing.T) {
		dir := t.TempDir()
		require.NoError(t, os.WriteFile(filepath.Join(dir, "a.txt"), []byte("evil.example\nevil.example\n"), 0o644))
		require.NoError(t, os.WriteFile(filepath.Join(dir, "b.txt"), []byte("evil.example\n"), 0o644))
		// one source for both: each file's record is still its own
		// (Meta.File), duplicates merge only within a file
		res, err := Load(dir, Options{Source: "feed"})
		require.NoError(t, err)
		assert.Equal(t, []string{"domain:evil.example", "domain:evil.example"}, strs(res.Indicators))
		assert.Equal(t, []string{filepath.Join(dir, "a.txt"), filepath.Join(dir, "b.txt")}, []string{res.Indicators[0].File, res.Indicators[1].File})
		assert.Equal(t, 1, res.Duplicates)
		assert.Equal(t, []int{1, 0}, []int{res.PerFile[0].Duplicates, res.PerFile[1].Duplicates})
		// the same file twice in one LoadAll: identical records, merged
		res, err = LoadAll([]string{filepath.Join(dir, "a.txt"), filepath.Join(dir, "a.txt")}, Options{})
		require.NoError(t, err)
		assert.Equal(t, []string{"domain:evil.example"}, strs(res.Indicators))
		assert.Equal(t, 3, res.Duplicates)
	})
}

// TestIndicatorCaps: the indicator past Options.MaxIndicatorsPerFile or
// Options.MaxIndicators is a problem of its file, naming the cap, that
// ends it; what was read before is kept, and with Strict it is the error.
// Duplicates do not count.
func TestIndicatorCaps(t *testing.T) {
	in := "a.example\na.example\nb.example\nc.example\nd.example\n"
	res, err := ReadList(strings.NewReader(in), "feeds/c2.txt", Options{MaxIndicatorsPerFile: 2})
	require.NoError(t, err)
	assert.Equal(t, []string{"domain:a.example", "domain:b.example"}, strs(res.Indicators))
	assert.Equal(t, []string{"feeds/c2.txt: more than 2 indicators in the file (Options.MaxIndicatorsPerFile): the rest of it is not read"}, problemStrs(res.Problems))
	assert.Equal(t, map[string]int{ReasonTooMany: 1}, res.Skipped)
	assert.Equal(t, FileStats{Path: "feeds/c2.txt", Format: FormatList, Indicators: 2, Duplicates: 1, Skipped: 1}, res.PerFile[0])

	res, err = ReadList(strings.NewReader(in), "feeds/c2.txt", Options{MaxIndicators: 2, Strict: true})
	var p *Problem
	require.True(t, errors.As(err, &p), "%v", err)
	assert.Equal(t, "feeds/c2.txt: more than 2 indicators in all (Options.MaxIndicators): the rest of the file is not read", p.Error())
	assert.Equal(t, ReasonTooMany, p.Reason)
	assert.Len(t, res.Indicators, 2)

	// JSON formats, and the references resolved for what was kept
	bundle := stixBundle(stixInd("1", "[domain-name:value = 'a.example' OR domain-name:value = 'b.example' OR domain-name:value = 'c.example']", `"created_by_ref": "identity--1"`),
		stixInd("2", "[domain-name:value = 'd.example']", ""), `{"type": "identity", "id": "identity--1", "name": "ACME"}`)
	res, err = ReadSTIX(strings.NewReader(bundle), "b.json", Options{MaxIndicatorsPerFile: 2})
	require.NoError(t, err)
	assert.Equal(t, []string{"domain:a.example", "domain:b.example"}, strs(res.Indicators))
	assert.Equal(t, "b", res.Indicators[0].Source, "the identity comes after the cap: not read")
	assert.Equal(t, map[string]int{ReasonTooMany: 1}, res.Skipped)

	misp := `{"Event": {"Orgc": {"name": "O"}, "Attribute": [{"type": "domain", "value": "a.example", "to_ids": true}, {"type": "domain", "value": "b.example", "to_ids": true}]}}`
	res, err = ReadMISP(strings.NewReader(misp), "e.json", Options{MaxIndicatorsPerFile: 1})
	require.NoError(t, err)
	assert.Equal(t, []string{"domain:a.example"}, strs(res.Indicators))
	assert.Equal(t, "O", res.Indicators[0].Source, "the event's metadata applies to what was kept")
	assert.Equal(t, 1, res.Skipped[ReasonTooMany])

	// the line formats
	for _, c := range []struct {
		read func(io.Reader, string, Options) (Result, error)
		in   string
	}{
		{ReadCSV, "type,value\ndomain,a.example\ndomain,b.example\n"},
		{ReadSuricataIPRep, "198.51.100.1,1,10\n198.51.100.2,1,10\n"},
		{ReadSuricataDataset, "198.51.100.1\n198.51.100.2\n"},
		{ReadZeek, "#fields\tindicator\tindicator_type\tmeta.source\na.example\tIntel::DOMAIN\tx\nb.example\tIntel::DOMAIN\tx\n"},
	} {
		res, err := c.read(strings.NewReader(c.in), "f", Options{MaxIndicatorsPerFile: 1})
		require.NoError(t, err, c.in)
		assert.Len(t, res.Indicators, 1, c.in)
		assert.Equal(t, map[string]int{ReasonTooMany: 1}, res.Skipped, c.in)
	}

	// per load: every later file is cut at its first new indicator
	dir := t.TempDir()
	for i, name := range []string{"a.txt", "b.txt", "c.txt"} {
		body := fmt.Sprintf("x%d.example\ny%d.example\n", i, i)
		require.NoError(t, os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644))
	}
	res, err = Load(dir, Options{MaxIndicators: 3})
	require.NoError(t, err)
	assert.Equal(t, []string{"domain:x0.example", "domain:y0.example", "domain:x1.example"}, strs(res.Indicators))
	assert.Equal(t, []string{
		filepath.Join(dir, "b.txt") + ": more than 3 indicators in all (Options.MaxIndicators): the rest of the file is not read",
		filepath.Join(dir, "c.txt") + ": more than 3 indicators in all (Options.MaxIndicators): the rest of the file is not read",
	}, problemStrs(res.Problems))
	assert.Equal(t, 3, res.Files)

	// the defaults
	var o Options
	assert.Equal(t, DefaultMaxIndicatorsPerFile, o.maxIndicatorsPerFile())
	assert.Equal(t, DefaultMaxIndicators, o.maxIndicators())
}

// TestUnsupportedBounded: the kinds of unsupported records come from the
// input (here MISP attribute types), so their number and length are
// bounded; the count of records is not lost.
func TestUnsupportedBounded(t *testing.T) {
	var attrs []string
	for i := range 1000 {
		attrs = append(attrs, fmt.Sprintf(`{"type": "custom-%d", "value": "x", "to_ids": true}`, i))
	}
	long := strings.Repeat("é", 200)
	attrs = append(attrs, `{"type": "`+long+`", "value": "x", "to_ids": true}`)
	res, err := ReadMISP(strings.NewReader(`{"Event": {"Attribute": [`+strings.Join(attrs, ",")+`]}}`), "e.json", Options{})
	require.NoError(t, err)
	assert.Len(t, res.Unsupported, maxUnsupportedKinds+1)
	assert.Equal(t, 1001, res.UnsupportedTotal())
	assert.Equal(t, 1001-maxUnsupportedKinds, res.Unsupported[unsupportedOther])
	assert.Equal(t, 1, res.Unsupported["misp type: custom-0"])

	res, err = ReadMISP(strings.NewReader(`{"Event": {"Attribute": [`+attrs[1000]+`]}}`), "e.json", Options{})
	require.NoError(t, err)
	for k, n := range res.Unsupported {
		assert.LessOrEqual(t, len(k), maxUnsupportedLen+len("…"))
		assert.True(t, strings.HasPrefix(k, "misp type: éé") && strings.HasSuffix(k, "é…"), k)
		assert.Equal(t, 1, n)
	}
}

// TestSTIXTagsShared: the indicators of one STIX pattern share its tags,
// so that a pattern of many terms with many labels costs their sum, not
// their product (2000 labels and 1000 terms, 75 KB of JSON, were 32 MB of
// tag slices; 20000 and 2000, 270 KB, were 625 MB).
func TestSTIXTagsShared(t *testing.T) {
	var labels, terms []string
	for i := range 2000 {
		labels = append(labels, fmt.Sprintf("%q", fmt.Sprintf("l%d", i)))
	}
	for i := range 1000 {
		terms = append(terms, fmt.Sprintf("[domain-name:value = 'd%d.example']", i))
	}
	obj := stixInd("1", strings.Join(terms, " OR "), `"labels": [`+strings.Join(labels, ",")+`]`)
	res, err := ReadSTIX(strings.NewReader(stixBundle(obj)), "b.json", Options{})
	require.NoError(t, err)
	require.Equal(t, 1000, len(res.Indicators))
	first := unsafe.SliceData(res.Indicators[0].Tags)
	for i := range res.Indicators {
		tags := res.Indicators[i].Tags
		if len(tags) != 2000 || cap(tags) != 2000 || unsafe.SliceData(tags) != first {
			t.Fatalf("indicator %d: %d tags (cap %d), not the pattern's slice", i, len(tags), cap(tags))
		}
	}
}
