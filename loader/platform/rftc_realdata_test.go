package platform

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/iocmatch/iocmatch/loader"
)

const rftcRealFeeds = "../../../shared/realdata/feeds"

// The whole real Recorded Future samples, downloaded through the client
// (each as the IP list): every row read, the malformed ones as problems
// of their row or read with a note, never a failed download. Skipped
// without the real data.
func TestRecordedFutureRealdata(t *testing.T) {
	dir := filepath.Join(rftcRealFeeds, "recordedfuture")
	if _, err := os.Stat(dir); err != nil {
		t.Skip("no real data")
	}
	for _, tc := range []struct {
		file       string
		indicators int
	}{
		{"elastic_rf_url_risklist.csv", 10},
		{"elastic_rf_hash_risklist.csv", 2},
		{"intelmq_rf_iprisk.csv", 1},
	} {
		b, err := os.ReadFile(filepath.Join(dir, tc.file))
		require.NoError(t, err)
		srv := newRFServer(t)
		srv.set("/v2/ip/risklist", b)
		srv.gzipped["/v2/ip/risklist"] = true
		c, _, _ := newRF(t, srv, "ip")
		res, err := c.Poll(testCtx(t), loader.Options{})
		require.NoError(t, err, tc.file)
		assert.Len(t, res.Indicators, tc.indicators, tc.file)
		t.Logf("%s: %d indicators, skipped %v, unsupported %v", tc.file, len(res.Indicators), res.Skipped, res.Unsupported)
		for _, ind := range res.Indicators {
			assert.True(t, ind.Confidence.Known(), "%s: %s without confidence", tc.file, ind)
		}
	}
}
