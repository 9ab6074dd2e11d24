package encode_test

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/iocmatch/iocmatch/encode"
	"github.com/iocmatch/iocmatch/indicator"
	"github.com/iocmatch/iocmatch/match"
)

// TestHashFileName: the file name a record gives with a hash (a MISP
// filename|sha256, Meta.FileName) is the record's file_name in native JSON
// and the indicator's file.name in ECS, beside file.hash.
func TestHashFileName(t *testing.T) {
	const sum = "275a021bbfb6489e54d471899f7db9d1663fc695ec2fe2a2c4538aabf651fd0f"
	ind := indicator.MustNew(indicator.SHA256, sum)
	ind.Source, ind.FileName = "misp", "dropper.exe"
	m, err := match.Compile([]indicator.Indicator{ind}, match.Options{})
	require.NoError(t, err)
	line := []byte("hash=" + strings.ToUpper(sum))
	xs := m.AppendMatches(nil, line)
	require.Len(t, xs, 1)
	enc := encode.NewEncoder(m, encode.Options{Now: func() time.Time { return time.Unix(0, 0) }})
	ln := encode.Line{File: "a.log", Number: 1, Text: line}

	var obj struct {
		Records []map[string]any `json:"records"`
	}
	require.NoError(t, json.Unmarshal(enc.AppendJSON(nil, ln, xs[0]), &obj))
	require.Equal(t, []map[string]any{{"source": "misp", "file_name": "dropper.exe"}}, obj.Records)

	var ev struct {
		Threat struct {
			Enrichments []struct {
				Indicator struct {
					File struct {
						Hash map[string]string `json:"hash"`
						Name string            `json:"name"`
					} `json:"file"`
				} `json:"indicator"`
			} `json:"enrichments"`
		} `json:"threat"`
	}
	require.NoError(t, json.Unmarshal(enc.AppendECS(nil, ln, xs), &ev))
	require.Len(t, ev.Threat.Enrichments, 1)
	f := ev.Threat.Enrichments[0].Indicator.File
	require.Equal(t, map[string]string{"sha256": sum}, f.Hash)
	require.Equal(t, "dropper.exe", f.Name)
}
