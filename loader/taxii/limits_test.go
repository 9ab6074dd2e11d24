package taxii

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"sync/atomic"
	"testing"

	"github.com/iocmatch/iocmatch/indicator"
	"github.com/iocmatch/iocmatch/loader"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// neverEnding makes s a server that always says more=true, with a new
// next token and a new indicator (about 200 bytes) on every page; block,
// when set, is called for request n instead (it answers nothing).
func neverEnding(s *fakeServer, block func(r *http.Request, n int) bool) *atomic.Int64 {
	var served atomic.Int64
	s.hook = func(w http.ResponseWriter, r *http.Request, n int) bool {
		served.Store(int64(n))
		if block != nil && block(r, n) {
			return true
		}
		w.Header().Set("Content-Type", MediaType)
		fmt.Fprintf(w, `{"more":true,"next":"t%d","objects":[{"type":"indicator","spec_version":"2.1","id":"indicator--%d","pattern":"[ipv4-addr:value = '10.0.%d.%d']","pattern_type":"stix","valid_from":"2024-01-01T00:00:00Z"}]}`,
			n, n, n/256, n%256)
		return true
	}
	return &served
}

func TestLoadMaxLoadSize(t *testing.T) {
	s := newFakeServer(t)
	served := neverEnding(s, nil)
	colURL := s.URL + "/api1/collections/" + colID + "/"
	c, _ := testClient(t, Options{MaxLoadSize: 2000})

	// Lenient: what was read is kept, the cut is a problem.
	res, stats, err := c.Load(context.Background(), colURL, Query{}, loader.Options{})
	require.NoError(t, err)
	require.NotEmpty(t, res.Indicators)
	assert.Less(t, len(res.Indicators), 2000/150, "2000 bytes of objects of more than 150 bytes")
	assert.Equal(t, stats.Objects, len(res.Indicators), "the objects read are those counted")
	assert.LessOrEqual(t, served.Load(), int64(len(res.Indicators)+1), "no page asked for after the cap")
	require.Len(t, res.Problems, 1)
	p := res.Problems[0]
	assert.Equal(t, Path(colURL), p.Path)
	assert.Equal(t, ReasonLoadLimit, p.Reason)
	assert.Contains(t, p.Msg, "more than MaxLoadSize (2000 bytes)")
	assert.Equal(t, map[string]int{ReasonLoadLimit: 1}, res.Skipped)
	assert.Equal(t, 1, res.PerFile[0].Skipped)

	// Strict: the error.
	res, _, err = c.Load(context.Background(), colURL, Query{}, loader.Options{Strict: true})
	require.Error(t, err)
	assert.ErrorIs(t, err, ErrLoadTooLarge)
	assert.Contains(t, err.Error(), "more than MaxLoadSize (2000 bytes)")
	assert.Contains(t, err.Error(), "taxii: GET "+s.URL)
	assert.NotEmpty(t, res.Indicators, "what was read before it")
}

func TestLoadTimeout(t *testing.T) {
	s := newFakeServer(t)
	// The third request gets no answer: the load's deadline passes then.
	neverEnding(s, func(r *http.Request, n int) bool {
		if n == 3 {
			<-r.Context().Done()
			return true
		}
		return false
	})
	colURL := s.URL + "/api1/collections/" + colID + "/"
	c, waits := testClient(t, Options{LoadTimeout: 100e6})

	res, stats, err := c.Load(context.Background(), colURL, Query{}, loader.Options{})
	require.NoError(t, err)
	assert.Len(t, res.Indicators, 2)
	assert.Equal(t, 2, stats.Pages)
	require.Len(t, res.Problems, 1)
	assert.Equal(t, ReasonLoadLimit, res.Problems[0].Reason)
	assert.Contains(t, res.Problems[0].Msg, "longer than LoadTimeout (100ms)")
	assert.Empty(t, *waits, "not retried")

	_, _, err = c.Load(context.Background(), colURL, Query{}, loader.Options{Strict: true})
	assert.ErrorIs(t, err, ErrLoadTimeout)
	assert.NotErrorIs(t, err, context.DeadlineExceeded, "the load's deadline, not the caller's")

	// The caller's own cancellation is still an error, not a cut.
	ctx, cancel := context.WithCancel(context.Background())
	s = newFakeServer(t)
	neverEnding(s, func(r *http.Request, n int) bool {
		if n == 2 {
			cancel()
			<-r.Context().Done()
			return true
		}
		return false
	})
	_, _, err = c.Load(ctx, s.URL+"/api1/collections/"+colID+"/", Query{}, loader.Options{})
	assert.ErrorIs(t, err, context.Canceled)
	assert.False(t, errors.Is(err, ErrLoadTimeout))
}

// TestLoadMaxPages: MaxPages is a cut of the load like the others.
func TestLoadMaxPages(t *testing.T) {
	s := newFakeServer(t)
	neverEnding(s, nil)
	c, _ := testClient(t, Options{MaxPages: 3})
	res, _, err := c.Load(context.Background(), s.URL+"/api1/collections/"+colID+"/", Query{}, loader.Options{})
	require.NoError(t, err)
	assert.Len(t, res.Indicators, 3)
	require.Len(t, res.Problems, 1)
	assert.Contains(t, res.Problems[0].Msg, "still says more=true after 3 pages (MaxPages)")
	_, _, err = c.Load(context.Background(), s.URL+"/api1/collections/"+colID+"/", Query{}, loader.Options{Strict: true})
	assert.ErrorIs(t, err, ErrTooManyPages)
}

// TestPollerAfterCut: a Poll cut by a limit moves the cursor to the last
// page read: the next Poll goes on from there.
func TestPollerAfterCut(t *testing.T) {
	s := newFakeServer(t)
	s.paging = "date"
	s.pageSize = 1
	c, _ := testClient(t, Options{MaxPages: 3})
	p := NewPoller(c, s.URL+"/api1/collections/"+colID+"/", Query{Types: []string{"indicator"}})
	res, _, err := p.Poll(context.Background(), loader.Options{})
	require.NoError(t, err)
	require.Len(t, res.Problems, 1)
	assert.Len(t, res.Indicators, 3)
	objs := sampleObjects()
	assert.Equal(t, objs[4].added, p.Cursor())
	res, _, err = p.Poll(context.Background(), loader.Options{})
	require.NoError(t, err)
	assert.Empty(t, res.Problems)
	assert.Equal(t, []string{"ipv4:198.51.100.7", "domain:c2.bad.example", "url:https://cdn.bad.example/payload.bin",
		"sha256:3b1f2c5e0d7a9b4c6e8f1a2b3c4d5e6f7a8b9c0d1e2f3a4b5c6d7e8f9a0b1c2d", "ipv4:203.0.113.9"}, strs(res.Indicators),
		"the two last, after the three of the first Poll")
}

func strs(inds []indicator.Indicator) []string {
	out := make([]string, len(inds))
	for i, ind := range inds {
		out[i] = ind.String()
	}
	return out
}
