package taxii

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/iocmatch/iocmatch/loader"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// realdata is the directory of real public feeds (see its README.md); the
// tests using it skip when it is absent.
const realdata = "../../../shared/realdata/feeds/stix21"

// TestRealdataTAXII serves every real STIX bundle through the fake TAXII
// server, in pages, and checks that Load gives loader.ReadSTIX exactly the
// bundle's objects, in order; and, once the STIX reader is merged, that
// the indicators read through TAXII are those read from the file.
func TestRealdataTAXII(t *testing.T) {
	if _, err := os.Stat(realdata); err != nil {
		t.Skip("no realdata: ", err)
	}
	var files []string
	filepath.WalkDir(realdata, func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() && (strings.HasSuffix(p, ".json") || strings.HasSuffix(p, ".stix2")) {
			files = append(files, p)
		}
		return nil
	})
	nFiles, nObjects, nPages, nIndicators := 0, 0, 0, 0
	compared := 0
	for i, f := range files {
		data, err := os.ReadFile(f)
		require.NoError(t, err)
		var b struct {
			Objects []json.RawMessage `json:"objects"`
		}
		if json.Unmarshal(data, &b) != nil || len(b.Objects) == 0 {
			continue // not a bundle (a STIX 1 package, a mapping catalogue …)
		}
		name, _ := filepath.Rel(realdata, f)
		t.Run(name, func(t *testing.T) {
			s := newFakeServer(t)
			s.pageSize = 100
			if i%2 == 1 {
				s.paging = "date"
			}
			s.objects = nil
			for k, o := range b.Objects {
				var v struct{ Type string }
				json.Unmarshal(o, &v)
				s.objects = append(s.objects, fakeObject{raw: string(o), typ: v.Type, added: t0.Add(time.Duration(k) * time.Millisecond)})
			}
			c, _ := testClient(t, Options{})
			var sc streamCapture
			sc.hook(c)
			colURL := s.URL + "/api1/collections/" + colID + "/"
			_, stats, err := c.Load(context.Background(), colURL, Query{}, loader.Options{})
			require.NoError(t, err)
			assert.Equal(t, len(b.Objects), stats.Objects)
			assert.Equal(t, (len(b.Objects)+99)/100, stats.Pages)
			assert.Equal(t, s.objects[len(s.objects)-1].added, stats.AddedLast)
			var got struct{ Objects []json.RawMessage }
			require.NoError(t, json.Unmarshal(sc.data, &got))
			require.Len(t, got.Objects, len(b.Objects))
			for k := range b.Objects {
				var want, have bytes.Buffer
				json.Compact(&want, b.Objects[k])
				json.Compact(&have, got.Objects[k])
				if !assert.Equal(t, want.String(), have.String(), "object %d", k) {
					break
				}
			}
			nFiles++
			nObjects += stats.Objects
			nPages += stats.Pages

			// Through TAXII or from the file, the same indicators.
			c.readSTIX = loader.ReadSTIX
			opts := loader.Options{Source: "src"}
			res, _, err := c.Load(context.Background(), colURL, Query{}, opts)
			require.NoError(t, err)
			direct, err := loader.ReadSTIX(bytes.NewReader(data), Path(colURL), opts) // the same path: Meta.File
			require.NoError(t, err)
			assert.Equal(t, direct.Indicators, res.Indicators)
			assert.Equal(t, direct.Skipped, res.Skipped)
			assert.Equal(t, direct.Unsupported, res.Unsupported)
			nIndicators += len(res.Indicators)
			compared++
		})
	}
	t.Logf("%d bundles, %d objects in %d pages served and streamed; %d bundles compared with loader.ReadSTIX (%d indicators)",
		nFiles, nObjects, nPages, compared, nIndicators)
	assert.GreaterOrEqual(t, nFiles, 15)
}
