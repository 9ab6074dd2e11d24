package taxii

import (
	"context"
	"fmt"
	"net/http"
	"testing"

	"github.com/iocmatch/iocmatch/loader"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// indVersion is a version of the indicator indicator--<id>, modified at
// minute min of 2024-06-01.
func indVersion(id string, min int, pattern, extra string) string {
	s := fmt.Sprintf(`{"type":"indicator","spec_version":"2.1","id":"indicator--%s","created":"2024-06-01T00:00:00.000Z","modified":"2024-06-01T00:%02d:00.000Z","pattern":%q,"pattern_type":"stix","valid_from":"2024-06-01T00:00:00Z"`,
		id, min, pattern)
	if extra != "" {
		s += "," + extra
	}
	return s + "}"
}

// TestLoadVersionsAcrossPages: a newer version, or a revocation, on a
// later page than the version it supersedes wins; an older version on a
// later page does not.
func TestLoadVersionsAcrossPages(t *testing.T) {
	s := newFakeServer(t)
	s.pageSize = 2
	s.objects = s.objects[:2] // identity, marking
	s.add(
		indVersion("a", 1, "[ipv4-addr:value = '192.0.2.1']", ""),
		indVersion("b", 2, "[ipv4-addr:value = '192.0.2.20']", ""),
		indVersion("c", 1, "[ipv4-addr:value = '192.0.2.30']", ""),
		indVersion("d", 1, "[ipv4-addr:value = '192.0.2.40']", ""),
		indVersion("a", 2, "[ipv4-addr:value = '192.0.2.2']", ""),                // page 4
		indVersion("b", 1, "[ipv4-addr:value = '192.0.2.21']", ""),               // page 4: older
		indVersion("c", 2, "[ipv4-addr:value = '192.0.2.30']", `"revoked":true`), // page 5
	)
	c, _ := testClient(t, Options{})
	res, stats, err := c.Load(context.Background(), s.URL+"/api1/collections/"+colID+"/", Query{}, loader.Options{})
	require.NoError(t, err)
	assert.Equal(t, 5, stats.Pages)
	assert.Equal(t, []string{"ipv4:192.0.2.20", "ipv4:192.0.2.40", "ipv4:192.0.2.2"}, strs(res.Indicators))
	assert.Equal(t, map[string]int{"stix superseded": 3, "stix revoked": 1}, res.Unsupported)
	assert.Empty(t, res.Problems)
}

// TestPollerVersions: a Poll returns the current indicators of all Polls:
// a version read by a later Poll replaces or removes those of an earlier
// one.
func TestPollerVersions(t *testing.T) {
	s := newFakeServer(t)
	s.objects = s.objects[:2] // identity, marking
	s.add(
		indVersion("a", 1, "[ipv4-addr:value = '192.0.2.1']", ""),
		indVersion("b", 1, "[ipv4-addr:value = '192.0.2.20']", ""),
		indVersion("c", 1, "[ipv4-addr:value = '192.0.2.30']", ""),
	)
	c, _ := testClient(t, Options{})
	p := NewPoller(c, s.URL+"/api1/collections/"+colID+"/", Query{})
	ctx := context.Background()
	poll := func() (loader.Result, LoadStats) {
		t.Helper()
		res, stats, err := p.Poll(ctx, loader.Options{})
		require.NoError(t, err)
		assert.Empty(t, res.Problems)
		return res, stats
	}

	res, stats := poll()
	assert.Equal(t, []string{"ipv4:192.0.2.1", "ipv4:192.0.2.20", "ipv4:192.0.2.30"}, strs(res.Indicators))
	assert.Zero(t, stats.Replaced)

	// A new version of a, with two values; a new indicator d.
	s.add(indVersion("a", 2, "[ipv4-addr:value = '192.0.2.2' OR ipv4-addr:value = '192.0.2.3']", ""),
		indVersion("d", 1, "[ipv4-addr:value = '192.0.2.40']", ""))
	res, stats = poll()
	assert.Equal(t, []string{"ipv4:192.0.2.2", "ipv4:192.0.2.3", "ipv4:192.0.2.20", "ipv4:192.0.2.30", "ipv4:192.0.2.40"}, strs(res.Indicators))
	assert.Equal(t, 1, stats.Replaced)
	assert.Equal(t, 2, stats.Objects)

	// b revoked; c's new version has a pattern that gives no indicator.
	s.add(indVersion("b", 2, "[ipv4-addr:value = '192.0.2.20']", `"revoked":true`),
		indVersion("c", 2, "[process:name = 'x']", ""))
	res, stats = poll()
	assert.Equal(t, []string{"ipv4:192.0.2.2", "ipv4:192.0.2.3", "ipv4:192.0.2.40"}, strs(res.Indicators))
	assert.Equal(t, 1, stats.Revoked)
	assert.Equal(t, 1, stats.Replaced)
	assert.Equal(t, map[string]int{"stix revoked": 1, "stix pattern: path process:name": 1}, res.Unsupported)

	// An older version of a, and a version of b after its revocation,
	// added later: ignored.
	s.add(indVersion("a", 1, "[ipv4-addr:value = '192.0.2.1']", ""),
		indVersion("b", 3, "[ipv4-addr:value = '192.0.2.21']", ""))
	res, stats = poll()
	assert.Equal(t, []string{"ipv4:192.0.2.2", "ipv4:192.0.2.3", "ipv4:192.0.2.40"}, strs(res.Indicators))
	assert.Equal(t, map[string]int{"stix superseded": 2}, res.Unsupported)
	assert.Zero(t, stats.Replaced+stats.Revoked)
	assert.Equal(t, 2, res.PerFile[0].Unsupported)

	// The same version again (a server that sends it twice): kept.
	s.add(indVersion("d", 1, "[ipv4-addr:value = '192.0.2.40']", ""))
	res, _ = poll()
	assert.Equal(t, []string{"ipv4:192.0.2.2", "ipv4:192.0.2.3", "ipv4:192.0.2.40"}, strs(res.Indicators))

	// An error changes nothing: the next Poll returns the same set.
	s.add(indVersion("a", 9, "[ipv4-addr:value = '192.0.2.9']", ""))
	s.hook = func(w http.ResponseWriter, r *http.Request, n int) bool {
		taxiiError(w, 403, "Forbidden", "no")
		return true
	}
	_, _, err := p.Poll(ctx, loader.Options{})
	require.Error(t, err)
	s.hook = nil
	res, _ = poll()
	assert.Equal(t, []string{"ipv4:192.0.2.9", "ipv4:192.0.2.40"}, strs(res.Indicators))
}
