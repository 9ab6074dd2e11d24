package loader

import (
	"bytes"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/iocmatch/iocmatch/indicator"
)

var feedsDir = filepath.Join("..", "testdata", "feeds")

// TestLoadFeeds loads every sample feed of the project: each file is read
// in the format its directory is named for, and every file gives
// indicators (or a warninglist), problems or unsupported records.
func TestLoadFeeds(t *testing.T) {
	res, err := Load(feedsDir, Options{})
	require.NoError(t, err)
	wantFormat := map[string][]Format{
		"csv":      {FormatCSV},
		"misp":     {FormatMISP, FormatMISPManifest, FormatWarninglist},
		"stix":     {FormatSTIX},
		"suricata": {FormatSuricataDataset, FormatSuricataIPRep, FormatList},
		"zeek":     {FormatZeek},
	}
	require.NotEmpty(t, res.PerFile)
	for _, f := range res.PerFile {
		rel, err := filepath.Rel(feedsDir, f.Path)
		require.NoError(t, err)
		dir := strings.Split(filepath.ToSlash(rel), "/")[0]
		assert.Contains(t, wantFormat[dir], f.Format, rel)
		assert.Positive(t, f.Indicators+f.Skipped+f.Unsupported+len(res.Warninglists), rel)
	}
	for _, ind := range res.Indicators {
		again, err := indicator.New(ind.Type, ind.Value)
		require.NoError(t, err, ind.String())
		assert.Equal(t, again.Value, ind.Value)
		assert.NotEmpty(t, ind.Source, ind.String())
	}
	assert.NotEmpty(t, res.Warninglists)
}

func TestReadUnknownJSON(t *testing.T) {
	res, err := Read(strings.NewReader(`{"version": "1.1.1", "stix_header": {}}`), "pkg.json", Options{})
	require.NoError(t, err)
	assert.Empty(t, res.Indicators)
	assert.Equal(t, map[string]int{ReasonFormat: 1}, res.Skipped)
	assert.Equal(t, []FileStats{{Path: "pkg.json", Format: FormatUnknown, Skipped: 1}}, res.PerFile)
	assert.Equal(t, "pkg.json: JSON of no known kind (not STIX 2, a MISP event, manifest or warninglist)", res.Problems[0].Error())

	_, err = Read(strings.NewReader(`{"a": 1}`), "x.json", Options{Strict: true})
	var p *Problem
	require.ErrorAs(t, err, &p)
	assert.Equal(t, ReasonFormat, p.Reason)

	// Options.Format overrides detection
	res, err = Read(strings.NewReader("#fields\tindicator\n"), "x", Options{Format: FormatList})
	require.NoError(t, err)
	assert.Equal(t, FormatList, res.PerFile[0].Format)
	res, err = Read(strings.NewReader("x"), "x", Options{Format: "yaml"})
	require.NoError(t, err)
	assert.Equal(t, `x: format "yaml": not a feed format iocmatch reads`, res.Problems[0].Error())
}

func TestOptionsSourceOverrides(t *testing.T) {
	// the source a format names gives way to Options.Source
	in := "#fields\tindicator\tindicator_type\tmeta.source\n198.51.100.7\tIntel::ADDR\tfeedco\n"
	res, err := Read(strings.NewReader(in), "z.intel", Options{})
	require.NoError(t, err)
	require.Len(t, res.Indicators, 1)
	assert.Equal(t, "feedco", res.Indicators[0].Source)
	res, err = Read(strings.NewReader(in), "z.intel", Options{Source: "mine"})
	require.NoError(t, err)
	assert.Equal(t, "mine", res.Indicators[0].Source)
}

// FuzzRead reads anything through format detection: no panic, no error in
// lenient mode, canonical indicators, consistent counts, and Strict stops
// at the first problem of the lenient run.
func FuzzRead(f *testing.F) {
	err := filepath.WalkDir(filepath.Join("..", "testdata"), func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || strings.Contains(p, string(filepath.Separator)+"fuzz"+string(filepath.Separator)) {
			return err
		}
		if !strings.Contains(p, "feeds") && !strings.Contains(p, "lists") {
			return nil
		}
		b, err := os.ReadFile(p)
		if err == nil && len(b) <= 64<<10 {
			f.Add(b, uint8(0))
		}
		return err
	})
	if err != nil {
		f.Fatal(err)
	}
	f.Add([]byte(`{"type":"bundle","objects":[{"type":"indicator","id":"indicator--1","pattern":"[ipv4-addr:value = '198.51.100.7']","pattern_type":"stix","valid_from":"2024-01-01T00:00:00Z"}]}`), uint8(0))
	f.Add([]byte(`{"Event":{"info":"x","Attribute":[{"type":"domain","value":"evil.example","to_ids":true}]}}`), uint8(1))
	f.Add([]byte(`{"type":"bundle","objects":[{"type":"indicator","id":"indicator--1","modified":"2024-01-01T00:00:00Z","pattern":"[ipv4-addr:value = '198.51.100.7']"},{"type":"indicator"},{"type":"indicator","id":"indicator--1","modified":"2024-01-02T00:00:00Z","pattern":"[ipv4-addr:value = '198.51.100.8']"}]}`), uint8(0))
	f.Add([]byte("a.example\nb.example\na.example\nc.example\nb.example\n"), uint8(2))
	f.Fuzz(func(t *testing.T, data []byte, small uint8) {
		opts := Options{Source: "fuzz"}
		if small&1 != 0 {
			opts.MaxLineLen, opts.MaxRecordSize, opts.MaxJSONDepth = 40, 64, 4
		}
		if small&2 != 0 {
			opts.MaxIndicatorsPerFile = 2
		}
		res, err := Read(bytes.NewReader(data), "fuzz", opts)
		if err != nil {
			t.Fatalf("lenient: error %v", err)
		}
		if res.Files != 1 || len(res.PerFile) != 1 {
			t.Fatalf("files %d, %v", res.Files, res.PerFile)
		}
		for _, ind := range res.Indicators {
			again, err := indicator.New(ind.Type, ind.Value)
			if err != nil || again.Value != ind.Value || ind.Source != "fuzz" {
				t.Fatalf("%v (source %q) does not re-canonicalise: %v %v", ind, ind.Source, again, err)
			}
		}
		skipped := res.SkippedTotal()
		if len(res.Problems) > skipped || skipped <= MaxProblems && len(res.Problems) != skipped {
			t.Fatalf("%d problems, %d skipped", len(res.Problems), skipped)
		}
		for _, p := range res.Problems {
			if strings.Contains(p.Msg, "exceeded max depth") {
				t.Fatalf("encoding/json's depth limit, not MaxJSONDepth: %v", p)
			}
		}
		if !bytes.HasPrefix(data, gzipMagic) {
			binary := bytes.IndexByte(data[:min(len(data), BinarySniffLen)], 0) >= 0
			if binary != (res.Skipped[ReasonBinary] == 1) || binary && (len(res.Indicators) != 0 || skipped != 1) {
				t.Fatalf("binary %v: %d indicators, skipped %v", binary, len(res.Indicators), res.Skipped)
			}
		}
		fs := res.PerFile[0]
		if fs.Indicators != len(res.Indicators) || fs.Duplicates != res.Duplicates || fs.Skipped != skipped || fs.Unsupported != res.UnsupportedTotal() {
			t.Fatalf("per-file %+v", fs)
		}
		if small&2 != 0 && (len(res.Indicators) > 2 || len(res.Indicators) < 2 && res.Skipped[ReasonTooMany] > 0) {
			t.Fatalf("%d indicators, cap 2, %d past it", len(res.Indicators), res.Skipped[ReasonTooMany])
		}
		checkMerged(t, res)

		if res.Unsupported["stix superseded"] == 0 {
			checkStrict(t, Read, data, "fuzz", opts, res)
		} else {
			// Strict stops at the first problem: a STIX version that a
			// later one supersedes may be kept then.
			checkStrictProblem(t, Read, data, "fuzz", opts, res)
		}
	})
}

// addTotals adds what res read to total: the sums of the realdata tests.
func addTotals(total *Result, res Result) {
	total.Files += res.Files
	total.Indicators = append(total.Indicators, res.Indicators...)
	total.PerFile = append(total.PerFile, res.PerFile...)
	for _, c := range []struct {
		dst *map[string]int
		src map[string]int
	}{
		{&total.Skipped, res.Skipped}, {&total.Unsupported, res.Unsupported},
	} {
		for k, v := range c.src {
			if *c.dst == nil {
				*c.dst = map[string]int{}
			}
			(*c.dst)[k] += v
		}
	}
}
