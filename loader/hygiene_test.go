package loader

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// writeTree writes files (slash-separated names → content) under a new
// temporary directory and returns it.
func writeTree(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, content := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		require.NoError(t, os.MkdirAll(filepath.Dir(p), 0o755))
		require.NoError(t, os.WriteFile(p, []byte(content), 0o644))
	}
	return dir
}

// TestLoadBinary: a file with a NUL byte in its first BinarySniffLen bytes
// (after gzip) is a binary file, a problem of its own, not read; with a
// format named it is read as that format.
func TestLoadBinary(t *testing.T) {
	elf := "\x7fELF\x02\x01\x01\x00\x00\x00\x00\x00evil.example\n1.2.3.4\n" + strings.Repeat("x", 100)
	late := strings.Repeat("late.example\n", BinarySniffLen/13+1) + "\x00\n"
	dir := writeTree(t, map[string]string{
		"a.bin":       elf,
		"b.txt.gz":    gzipped(t, "ok.example\x00\n"),
		"c.txt":       "c.example\n",
		"d.txt":       late,
		"utf16le.txt": "e\x00v\x00i\x00l\x00.\x00e\x00x\x00a\x00m\x00p\x00l\x00e\x00\n\x00",
	})
	res, err := Load(dir, Options{})
	require.NoError(t, err)
	assert.Equal(t, map[string]int{ReasonBinary: 3, ReasonCannotInfer: 1}, res.Skipped)
	bin := []string{}
	for _, p := range res.Problems {
		if p.Reason == ReasonBinary {
			bin = append(bin, filepath.Base(p.Path))
			assert.Zero(t, p.Line)
			assert.Contains(t, p.Error(), p.Path+": binary file (a NUL byte at offset ")
		}
	}
	assert.Equal(t, []string{"a.bin", "b.txt.gz", "utf16le.txt"}, bin)
	assert.Equal(t, FileStats{Path: filepath.Join(dir, "a.bin"), Format: FormatUnknown, Skipped: 1}, res.PerFile[0])
	// a NUL past the first block: a list, whose NUL line is a problem
	assert.Equal(t, FormatList, res.PerFile[3].Format)
	assert.Equal(t, 1, res.PerFile[3].Indicators)
	assert.Equal(t, []string{"domain:c.example", "domain:late.example"}, strs(res.Indicators))

	// Strict: the binary file is the error
	_, err = Load(filepath.Join(dir, "a.bin"), Options{Strict: true})
	var p *Problem
	require.ErrorAs(t, err, &p)
	assert.Equal(t, ReasonBinary, p.Reason)

	// a format named: read as that format
	res, err = Load(filepath.Join(dir, "a.bin"), Options{Format: FormatList})
	require.NoError(t, err)
	assert.Zero(t, res.Skipped[ReasonBinary])
	assert.Contains(t, strs(res.Indicators), "ipv4:1.2.3.4")
	res, err = ReadList(strings.NewReader(elf), "a.bin", Options{})
	require.NoError(t, err)
	assert.Zero(t, res.Skipped[ReasonBinary])
}

// TestLoadSkipsDocumentation: under a directory, README*, SOURCES*,
// LICENSE*, *.md, *.adoc … are skipped and named in Result.SkippedFiles;
// named explicitly, or matched by Options.Include, they are read.
func TestLoadSkipsDocumentation(t *testing.T) {
	dir := writeTree(t, map[string]string{
		"README":             "readme.example\n",
		"SOURCES.md":         "sources.example\n",
		"sub/LICENSE.txt":    "license.example\n",
		"sub/notes.md":       "md.example\n",
		"sub/x__README.adoc": "adoc.example\n",
		"sub/guide.rst":      "rst.example\n",
		"feed.txt":           "feed.example\n",
		"readme-ish.csv.gz":  gzipped(t, "x.example\n"), // README* whatever the extension
	})
	res, err := Load(dir, Options{})
	require.NoError(t, err)
	assert.Equal(t, []string{"domain:feed.example"}, strs(res.Indicators))
	assert.Equal(t, 1, res.Files)
	var skipped []string
	for _, s := range res.SkippedFiles {
		assert.Equal(t, SkipDocumentation, s.Reason, s.Path)
		rel, err := filepath.Rel(dir, s.Path)
		require.NoError(t, err)
		skipped = append(skipped, filepath.ToSlash(rel))
	}
	assert.Equal(t, []string{"README", "SOURCES.md", "readme-ish.csv.gz", "sub/LICENSE.txt", "sub/guide.rst", "sub/notes.md", "sub/x__README.adoc"}, skipped)
	assert.Equal(t, filepath.Join(dir, "README")+": skipped: documentation", res.SkippedFiles[0].String())

	// named explicitly: read
	res, err = Load(filepath.Join(dir, "SOURCES.md"), Options{})
	require.NoError(t, err)
	assert.Equal(t, []string{"domain:sources.example"}, strs(res.Indicators))
	assert.Empty(t, res.SkippedFiles)

	// matched by Include: read
	res, err = Load(dir, Options{Include: []string{"*.adoc", "feed.txt"}})
	require.NoError(t, err)
	assert.Equal(t, []string{"domain:feed.example", "domain:adoc.example"}, strs(res.Indicators))

	for _, name := range []string{"README", "readme.txt", "Sources.md", "sources", "LICENCE", "COPYING", "CHANGELOG.txt", "a.md", "b.MD", "c.markdown", "d.adoc", "e.asciidoc", "f.rst"} {
		assert.True(t, IsDocumentation(name), name)
	}
	for _, name := range []string{"feed.txt", "my-readme.txt", "md5.txt", "a.mdx", "iocs.csv", "plates.txt"} {
		assert.False(t, IsDocumentation(name), name)
	}
}

// TestLoadIncludeExclude: the patterns match the path relative to the
// directory and the base name; Exclude wins and prunes directories;
// Include restricts files; each file left out is named with why.
func TestLoadIncludeExclude(t *testing.T) {
	dir := writeTree(t, map[string]string{
		"a.txt":                "a.example\n",
		"b.csv":                "type,value\ndomain,b.example\n",
		"lists/c.txt":          "c.example\n",
		"lists/d.csv":          "type,value\ndomain,d.example\n",
		"lists/deep/e.txt":     "e.example\n",
		"warninglists/x.json":  `{"name": "x", "type": "string", "list": ["w.example"]}`,
		"warninglists/y/z.txt": "z.example\n",
	})
	rel := func(res Result) []string {
		var out []string
		for _, s := range res.SkippedFiles {
			r, err := filepath.Rel(dir, s.Path)
			require.NoError(t, err)
			out = append(out, filepath.ToSlash(r)+" "+s.Reason)
		}
		return out
	}
	tests := []struct {
		name             string
		include, exclude []string
		want             []string
		skipped          []string
	}{
		{name: "all", want: []string{"domain:a.example", "domain:b.example", "domain:c.example", "domain:d.example", "domain:e.example", "domain:z.example"}},
		{name: "base name at any depth", include: []string{"*.csv"},
			want:    []string{"domain:b.example", "domain:d.example"},
			skipped: []string{"a.txt " + SkipNotIncluded, "lists/c.txt " + SkipNotIncluded, "lists/deep/e.txt " + SkipNotIncluded, "warninglists/x.json " + SkipNotIncluded, "warninglists/y/z.txt " + SkipNotIncluded}},
		{name: "relative path", include: []string{"lists/*"},
			want:    []string{"domain:c.example", "domain:d.example"},
			skipped: []string{"a.txt " + SkipNotIncluded, "b.csv " + SkipNotIncluded, "lists/deep/e.txt " + SkipNotIncluded, "warninglists/x.json " + SkipNotIncluded, "warninglists/y/z.txt " + SkipNotIncluded}},
		{name: "exclude a directory", exclude: []string{"warninglists", "deep"},
			want:    []string{"domain:a.example", "domain:b.example", "domain:c.example", "domain:d.example"},
			skipped: []string{"lists/deep " + SkipExcluded, "warninglists " + SkipExcluded}},
		{name: "exclude wins", include: []string{"*.txt"}, exclude: []string{"lists/*.txt"},
			want:    []string{"domain:a.example", "domain:e.example", "domain:z.example"},
			skipped: []string{"b.csv " + SkipNotIncluded, "lists/c.txt " + SkipExcluded, "lists/d.csv " + SkipNotIncluded, "warninglists/x.json " + SkipNotIncluded}},
	}
	for _, tt := range tests {
		res, err := Load(dir, Options{Include: tt.include, Exclude: tt.exclude})
		require.NoError(t, err, tt.name)
		assert.Equal(t, tt.want, strs(res.Indicators), tt.name)
		assert.Equal(t, tt.skipped, rel(res), tt.name)
	}
	// a file named explicitly is read whatever the patterns
	res, err := Load(filepath.Join(dir, "a.txt"), Options{Exclude: []string{"*"}})
	require.NoError(t, err)
	assert.Equal(t, []string{"domain:a.example"}, strs(res.Indicators))
	// a malformed pattern is an error, before anything is read
	for _, o := range []Options{{Include: []string{"[a-"}}, {Exclude: []string{"ok", "x["}}} {
		res, err = Load(dir, o)
		require.Error(t, err)
		assert.Contains(t, err.Error(), "pattern")
		assert.Zero(t, res.Files)
	}
}

// TestLoadAll: several paths into one Result, in order, duplicates merged
// within each file as Load merges them; an unreadable path stops it.
func TestLoadAll(t *testing.T) {
	dir := writeTree(t, map[string]string{
		"d/a.txt": "a.example\nshared.example\n",
		"d/b.txt": "b.example\n",
		"c.txt":   "c.example\nshared.example\nc.example\n",
	})
	res, err := LoadAll([]string{filepath.Join(dir, "c.txt"), filepath.Join(dir, "d")}, Options{Source: "intel"})
	require.NoError(t, err)
	assert.Equal(t, []string{"domain:c.example", "domain:shared.example", "domain:a.example", "domain:shared.example", "domain:b.example"}, strs(res.Indicators))
	assert.Equal(t, 3, res.Files)
	assert.Equal(t, 1, res.Duplicates)
	assert.Equal(t, filepath.Join(dir, "c.txt"), res.Indicators[1].File)
	assert.Equal(t, filepath.Join(dir, "d", "a.txt"), res.Indicators[3].File)
	var paths []string
	for _, f := range res.PerFile {
		paths = append(paths, f.Path)
	}
	assert.Equal(t, []string{filepath.Join(dir, "c.txt"), filepath.Join(dir, "d", "a.txt"), filepath.Join(dir, "d", "b.txt")}, paths)

	// the same as Load of each, in one Result
	one, err := Load(filepath.Join(dir, "d"), Options{Source: "intel"})
	require.NoError(t, err)
	assert.Equal(t, one.Indicators, res.Indicators[2:])

	res, err = LoadAll([]string{filepath.Join(dir, "c.txt"), filepath.Join(dir, "nope"), filepath.Join(dir, "d")}, Options{})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "nope")
	assert.Equal(t, 1, res.Files, "what was read before the bad path is kept")

	res, err = LoadAll(nil, Options{})
	require.NoError(t, err)
	assert.Zero(t, res.Files)
}

// TestRealdataHygiene loads every feed of ../../shared/realdata: the
// documentation files are skipped and named, the MISP filename composites
// give their hashes with the file name as metadata and no filename
// indicator (conhost.exe of a CIRCL event), no indicator is a file name
// inferred as a domain, and every indicator names its file.
func TestRealdataHygiene(t *testing.T) {
	root := filepath.Join("..", "..", "shared", "realdata", "feeds")
	if _, err := os.Stat(root); err != nil {
		t.Skip("no realdata:", err)
	}
	res, err := Load(root, Options{})
	require.NoError(t, err)
	docs := 0
	for _, s := range res.SkippedFiles {
		assert.True(t, IsDocumentation(filepath.Base(s.Path)), s.String())
		assert.Equal(t, SkipDocumentation, s.Reason, s.String())
		docs++
	}
	assert.GreaterOrEqual(t, docs, 13, "a SOURCES.md per folder, the eset README.adoc files")
	files := map[string]bool{}
	for _, f := range res.PerFile {
		files[f.Path] = true
		assert.False(t, IsDocumentation(filepath.Base(f.Path)), f.Path)
	}
	long := filepath.Join(root, "misp", "events", "pymisp", "long_event.json")
	var conhost []string
	for _, ind := range res.Indicators {
		require.True(t, files[ind.File], "%v: file %q not among those read", ind, ind.File)
		if ind.Type.String() == "domain" {
			for _, ext := range []string{".exe", ".dll", ".pdf", ".src"} {
				assert.False(t, strings.HasSuffix(ind.Value, ext), "%v (%s) inferred as a domain", ind, ind.File)
			}
		}
		if ind.Value == "conhost.exe" {
			conhost = append(conhost, ind.File)
		}
		if ind.File == long && ind.FileName == "conhost.exe" {
			conhost = append(conhost, ind.Type.String())
		}
	}
	assert.ElementsMatch(t, []string{"md5", "sha256"}, conhost, "conhost.exe: the hashes of long_event.json, no filename indicator")
	// one source name, many files: each indicator still names its own
	bySource := map[string]map[string]bool{}
	for _, ind := range res.Indicators {
		if bySource[ind.Source] == nil {
			bySource[ind.Source] = map[string]bool{}
		}
		bySource[ind.Source][ind.File] = true
	}
	assert.Greater(t, len(bySource["source1"]), 10, "Zeek's test files all say source1")
	shared := 0
	for _, fs := range bySource {
		if len(fs) > 1 {
			shared++
		}
	}
	t.Logf("%d source names cover several files", shared)
	t.Logf("%d files read, %d skipped as documentation, %d indicators", res.Files, docs, len(res.Indicators))
}
