package loader_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/iocmatch/iocmatch/allow"
	"github.com/iocmatch/iocmatch/loader"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestAbuseIPDBLabRow checks that the RFC 1918 address the lab added to
// its AbuseIPDB CSV is read, and that the reserved ranges suppress it.
func TestAbuseIPDBLabRow(t *testing.T) {
	path := filepath.Join("..", "..", "shared", "realdata", "feeds", "abuseipdb", "abuseipdb_blacklist.csv")
	if _, err := os.Stat(path); err != nil {
		t.Skip("no real AbuseIPDB samples:", err)
	}
	res, err := loader.Load(path, loader.Options{})
	require.NoError(t, err)
	require.Len(t, res.Indicators, 10001)
	p, err := allow.New(allow.Options{})
	require.NoError(t, err)
	kept, rep := p.Apply(res.Indicators)
	assert.Equal(t, 1, rep.Suppressed, "172.30.0.33 only")
	assert.Len(t, kept, 10000)
	for _, ind := range kept {
		require.NotEqual(t, "172.30.0.33", ind.Value)
	}
}
