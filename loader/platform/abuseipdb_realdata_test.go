package platform

import (
	"context"
	"os"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/iocmatch/iocmatch/indicator"
	"github.com/iocmatch/iocmatch/loader"
)

// realAbuseIPDB is the whole real blacklist sample (10,000 entries, the
// data array alone), when the shared samples are there.
const realAbuseIPDB = "../../../shared/realdata/feeds/abuseipdb/abuseipdb_blacklist_data_array.json"

// TestAbuseIPDBRealBlacklist polls the whole real sample (the free tier's
// 10,000 addresses) through the client: every entry read, none a problem.
func TestAbuseIPDBRealBlacklist(t *testing.T) {
	body, err := os.ReadFile(realAbuseIPDB)
	if err != nil {
		t.Skipf("no shared samples: %v", err)
	}
	s := newAbuseServer(t, body)
	c, _, _ := newTestAbuseIPDB(t, s, AbuseIPDBOptions{}, true)
	start := time.Now()
	res, err := NewAbuseIPDBPoller(c).Poll(context.Background(), loader.Options{})
	require.NoError(t, err)
	t.Logf("%d bytes, %d indicators in %v", len(body), len(res.Indicators), time.Since(start))
	assert.Len(t, res.Indicators, 10000)
	assert.Zero(t, res.SkippedTotal())
	v6 := 0
	for _, ind := range res.Indicators {
		if ind.Type == indicator.IPv6 {
			v6++
		}
		require.Equal(t, indicator.MustConfidence(100), ind.Confidence, ind.String())
	}
	assert.Equal(t, 27, v6, "the sample's IPv6 entries")
}
