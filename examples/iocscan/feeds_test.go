package main

import (
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/iocmatch/iocmatch/indicator"
	"github.com/iocmatch/iocmatch/loader"
)

const feeds = "../../testdata/feeds"

// TestEveryFormat loads the sample feeds of every format and scans, for
// each feed file, a line holding the first address, domain or hash it
// gives that is valid now: every one is found, with that file's source among the sources.
func TestEveryFormat(t *testing.T) {
	var lines []string
	type want struct{ value, source, file string }
	var wants []want
	files, err := filepath.Glob(filepath.Join(feeds, "*", "*"))
	require.NoError(t, err)
	formats := map[loader.Format]bool{}
	now := time.Now() // expired indicators do not match: the samples have some
	for _, f := range files {
		res, err := loader.Load(f, loader.Options{})
		require.NoError(t, err)
		for _, ind := range res.Indicators {
			if (ind.Type == indicator.Domain || ind.Type == indicator.IPv4 || ind.Type.IsHash()) && ind.ValidAt(now) {
				lines = append(lines, "seen "+strings.ToUpper(ind.Value)+" here")
				wants = append(wants, want{ind.Value, ind.Source, f})
				formats[res.PerFile[0].Format] = true
				break
			}
		}
	}
	for _, f := range []loader.Format{loader.FormatCSV, loader.FormatSTIX, loader.FormatMISP, loader.FormatZeek, loader.FormatSuricataDataset, loader.FormatSuricataIPRep} {
		assert.True(t, formats[f], "no sample of %s gives an address, domain or hash", f)
	}

	code, stdout, stderr := runIOCScan(t, strings.Join(lines, "\n")+"\n", "-q", "-max-age", "off", "-feed", feeds)
	require.Equal(t, 0, code, stderr)
	recs := decode(t, stdout)
	for i, w := range wants {
		found := false
		for _, r := range recs {
			if r.Line == i+1 && r.Indicator == w.value && slices.Contains(r.Sources, w.source) {
				found = true
			}
		}
		assert.True(t, found, "%s: %s (source %q) not found on line %d", w.file, w.value, w.source, i+1)
	}
}
