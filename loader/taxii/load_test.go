package taxii

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/iocmatch/iocmatch/indicator"
	"github.com/iocmatch/iocmatch/loader"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// streamCapture replaces the client's loader.ReadSTIX by a reader that
// keeps the stream it is given, and returns one indicator per object.
type streamCapture struct {
	path  string
	opts  loader.Options
	data  []byte
	err   error // the read error of the stream
	calls int
}

func (sc *streamCapture) hook(c *Client) {
	c.readSTIX = func(r io.Reader, path string, opts loader.Options) (loader.Result, error) {
		sc.calls++
		sc.path, sc.opts = path, opts
		sc.data, sc.err = io.ReadAll(r)
		if sc.err != nil {
			return loader.Result{}, sc.err
		}
		var b struct {
			Objects []struct{ ID string }
		}
		if err := json.Unmarshal(sc.data, &b); err != nil {
			return loader.Result{}, err
		}
		var res loader.Result
		for _, o := range b.Objects {
			ind, _ := indicator.New(indicator.String, o.ID)
			ind.ID = o.ID
			res.Indicators = append(res.Indicators, ind)
		}
		return res, nil
	}
}

// bundle decodes the captured stream as a bundle.
func (sc *streamCapture) bundle(t *testing.T) (typ, id string, objIDs []string) {
	t.Helper()
	var b struct {
		Type, ID string
		Objects  []json.RawMessage
	}
	require.NoError(t, json.Unmarshal(sc.data, &b), "%s", sc.data)
	for _, o := range b.Objects {
		var v struct{ ID string }
		require.NoError(t, json.Unmarshal(o, &v))
		objIDs = append(objIDs, v.ID)
	}
	return b.Type, b.ID, objIDs
}

func TestLoadStream(t *testing.T) {
	for _, paging := range []string{"next", "date"} {
		t.Run(paging, func(t *testing.T) {
			s := newFakeServer(t)
			s.paging = paging
			c, _ := testClient(t, Options{})
			var sc streamCapture
			sc.hook(c)
			colURL := s.URL + "/api1/collections/" + colID + "/"
			res, stats, err := c.Load(context.Background(), colURL+"objects/", Query{}, loader.Options{Source: "src"})
			require.NoError(t, err)
			assert.Equal(t, 1, sc.calls)
			assert.Equal(t, "taxii:"+colURL, sc.path)
			assert.Equal(t, "src", sc.opts.Source)
			typ, id, got := sc.bundle(t)
			assert.Equal(t, "bundle", typ)
			assert.Equal(t, "bundle--taxii", id)
			assert.Equal(t, allIDs(), got, "all pages' objects, in order, in one bundle")
			assert.True(t, strings.HasPrefix(string(sc.data), bundleHead+"\n{"), "%s", sc.data)
			assert.True(t, strings.HasSuffix(string(sc.data), "}\n]}\n"))
			assert.Len(t, res.Indicators, 7)
			objs := sampleObjects()
			assert.Equal(t, LoadStats{Pages: 3, Objects: 7, AddedLast: objs[6].added}, stats)
		})
	}
}

func TestLoadEmpty(t *testing.T) {
	s := newFakeServer(t)
	c, _ := testClient(t, Options{})
	var sc streamCapture
	sc.hook(c)
	objs := sampleObjects()
	res, stats, err := c.Load(context.Background(), s.URL+"/api1/collections/"+colID+"/", Query{AddedAfter: objs[6].added}, loader.Options{})
	require.NoError(t, err)
	assert.Equal(t, bundleHead+bundleTail, string(sc.data))
	assert.Empty(t, res.Indicators)
	assert.Equal(t, LoadStats{Pages: 1}, stats)
}

func TestLoadFetchError(t *testing.T) {
	s := newFakeServer(t)
	s.hook = func(w http.ResponseWriter, r *http.Request, n int) bool {
		if n < 2 {
			return false
		}
		taxiiError(w, 403, "Forbidden", "no more for you")
		return true
	}
	c, _ := testClient(t, Options{})
	var sc streamCapture
	sc.hook(c)
	_, stats, err := c.Load(context.Background(), s.URL+"/api1/collections/"+colID+"/", Query{}, loader.Options{})
	require.Error(t, err)
	assert.ErrorIs(t, err, ErrForbidden, "the TAXII error, not the reader's")
	assert.Contains(t, err.Error(), "no more for you")
	assert.ErrorIs(t, sc.err, ErrForbidden, "the reader sees the error too")
	assert.Equal(t, bundleHead+"\n"+sampleObjects()[0].raw+",\n"+sampleObjects()[1].raw+",\n"+sampleObjects()[2].raw, string(sc.data),
		"the reader got the first page")
	assert.Equal(t, 1, stats.Pages)
	assert.Equal(t, 3, stats.Objects)
}

func TestLoadReaderStopsEarly(t *testing.T) {
	s := newFakeServer(t)
	s.pageSize = 1
	var served atomic.Int64
	s.hook = func(w http.ResponseWriter, r *http.Request, n int) bool {
		served.Store(int64(n))
		return false
	}
	c, _ := testClient(t, Options{})
	stop := &loader.Problem{Path: "p", Record: "indicator--1", Reason: loader.ReasonInvalidValue, Msg: "bad"}
	c.readSTIX = func(r io.Reader, path string, opts loader.Options) (loader.Result, error) {
		buf := make([]byte, 10)
		_, err := io.ReadFull(r, buf)
		require.NoError(t, err)
		return loader.Result{Files: 1}, stop // as with Strict: stop at once
	}
	res, _, err := c.Load(context.Background(), s.URL+"/api1/collections/"+colID+"/", Query{}, loader.Options{Strict: true})
	assert.Same(t, stop, err)
	assert.Equal(t, 1, res.Files)
	assert.Less(t, served.Load(), int64(7), "paging stopped with the reader")
}

func TestLoadCancel(t *testing.T) {
	s := newFakeServer(t)
	ctx, cancel := context.WithCancel(context.Background())
	s.hook = func(w http.ResponseWriter, r *http.Request, n int) bool {
		if n == 2 {
			cancel()
			<-r.Context().Done()
			return true
		}
		return false
	}
	c, _ := testClient(t, Options{})
	var sc streamCapture
	sc.hook(c)
	_, stats, err := c.Load(ctx, s.URL+"/api1/collections/"+colID+"/", Query{}, loader.Options{})
	assert.ErrorIs(t, err, context.Canceled)
	assert.Equal(t, 1, stats.Pages)
}

// TestLoadReadSTIX loads the fake collection with the real loader.ReadSTIX.
func TestLoadReadSTIX(t *testing.T) {
	s := newFakeServer(t)
	c, _ := testClient(t, Options{})
	colURL := s.URL + "/api1/collections/" + colID + "/"
	res, stats, err := c.Load(context.Background(), colURL, Query{}, loader.Options{})
	require.NoError(t, err)
	assert.Equal(t, 7, stats.Objects)
	assert.Empty(t, res.Problems)
	require.Len(t, res.Indicators, 5)
	want := []struct {
		typ indicator.Type
		val string
	}{
		{indicator.IPv4, "198.51.100.7"},
		{indicator.Domain, "c2.bad.example"},
		{indicator.URL, "https://cdn.bad.example/payload.bin"},
		{indicator.SHA256, "3b1f2c5e0d7a9b4c6e8f1a2b3c4d5e6f7a8b9c0d1e2f3a4b5c6d7e8f9a0b1c2d"},
		{indicator.IPv4, "203.0.113.9"},
	}
	for i, w := range want {
		ind := res.Indicators[i]
		assert.Equal(t, w.typ, ind.Type, "%d", i)
		assert.Equal(t, w.val, ind.Value, "%d", i)
		assert.Equal(t, fmt.Sprintf("indicator--00000000-0000-4000-8000-%012d", i+1), ind.ID)
		assert.Equal(t, time.Date(2024, 5, 1, 12, 0, 0, 0, time.UTC), ind.ValidFrom.UTC())
	}
	// Without an identity, the source is the collection id (Path); the
	// last indicator, on the last page, is created by the identity of the
	// first page.
	assert.Equal(t, colID, res.Indicators[0].Source)
	assert.Equal(t, "Example CERT", res.Indicators[4].Source)
	green, err := indicator.ParseTLP("green")
	require.NoError(t, err)
	assert.Equal(t, green, res.Indicators[4].TLP)
	assert.Equal(t, 1, res.Files)
	assert.Equal(t, "taxii:"+colURL, res.PerFile[0].Path)

	// A bad indicator on the last page is a problem naming the collection
	// and the object; with Strict it stops the load.
	s.add(`{"type":"indicator","spec_version":"2.1","id":"indicator--bad","created":"2024-05-01T12:00:00.000Z","modified":"2024-05-01T12:00:00.000Z","pattern":"[ipv4-addr:value = '999.1.2.3']","pattern_type":"stix","valid_from":"2024-05-01T12:00:00Z"}`)
	res, _, err = c.Load(context.Background(), colURL, Query{}, loader.Options{})
	require.NoError(t, err)
	assert.Len(t, res.Indicators, 5)
	require.Len(t, res.Problems, 1)
	assert.Equal(t, "taxii:"+colURL, res.Problems[0].Path)
	assert.Contains(t, res.Problems[0].Error(), "indicator--bad")
	assert.Contains(t, res.Problems[0].Error(), "999.1.2.3")
	_, _, err = c.Load(context.Background(), colURL, Query{}, loader.Options{Strict: true})
	var p *loader.Problem
	require.ErrorAs(t, err, &p)
	assert.Contains(t, p.Error(), "indicator--bad")
}

func TestPath(t *testing.T) {
	u := "https://user:pw@taxii.example/api1/collections/" + colID
	assert.Equal(t, "taxii:https://taxii.example/api1/collections/"+colID+"/", Path(u))
	assert.Equal(t, "taxii:https://taxii.example/api1/collections/"+colID+"/", Path("https://taxii.example/api1/collections/"+colID+"/objects/?limit=5"))
	assert.Equal(t, colID, loader.SourceName(Path(u)))
}

func TestPoller(t *testing.T) {
	s := newFakeServer(t)
	c, _ := testClient(t, Options{})
	var sc streamCapture
	sc.hook(c)
	colURL := s.URL + "/api1/collections/" + colID + "/"
	p := NewPoller(c, colURL, Query{Types: []string{"indicator", "identity", "marking-definition"}})
	assert.True(t, p.Cursor().IsZero())
	ctx := context.Background()

	res, stats, err := p.Poll(ctx, loader.Options{})
	require.NoError(t, err)
	assert.Len(t, res.Indicators, 7)
	objs := sampleObjects()
	assert.Equal(t, objs[6].added, p.Cursor())
	assert.Equal(t, objs[6].added, stats.AddedLast)

	// Nothing new: nothing read, the same indicators, the cursor stays.
	res, stats, err = p.Poll(ctx, loader.Options{})
	require.NoError(t, err)
	assert.Len(t, res.Indicators, 7)
	assert.Zero(t, stats.Objects)
	assert.Equal(t, 1, stats.Pages)
	assert.Equal(t, objs[6].added, p.Cursor())

	s.add(`{"type":"indicator","id":"indicator--new-1"}`, `{"type":"indicator","id":"indicator--new-2"}`)
	res, stats, err = p.Poll(ctx, loader.Options{})
	require.NoError(t, err)
	_, _, got := sc.bundle(t)
	assert.Equal(t, []string{"indicator--new-1", "indicator--new-2"}, got, "only what was added since")
	assert.Len(t, res.Indicators, 9, "the current set: those of the first Poll and the new ones")
	newLast := objs[6].added.Add(2 * time.Hour)
	assert.Equal(t, newLast, p.Cursor())
	qs := s.queries()
	assert.Equal(t, FormatTime(objs[6].added), qs[len(qs)-1].Get("added_after"))
	assert.Equal(t, "indicator,identity,marking-definition", qs[len(qs)-1].Get("match[type]"))

	// An error leaves the cursor where it was.
	s.add(`{"type":"indicator","id":"indicator--new-3"}`)
	s.hook = func(w http.ResponseWriter, r *http.Request, n int) bool {
		taxiiError(w, 500, "Internal", "boom")
		return true
	}
	_, _, err = p.Poll(ctx, loader.Options{})
	require.Error(t, err)
	assert.Equal(t, newLast, p.Cursor())
	s.hook = nil
	_, _, err = p.Poll(ctx, loader.Options{})
	require.NoError(t, err)
	_, _, got = sc.bundle(t)
	assert.Equal(t, []string{"indicator--new-3"}, got)

	// A cursor restored from storage.
	p2 := NewPoller(c, colURL, Query{})
	saved := FormatTime(objs[4].added)
	ts, err := ParseTime(saved)
	require.NoError(t, err)
	p2.SetCursor(ts)
	_, stats, err = p2.Poll(ctx, loader.Options{})
	require.NoError(t, err)
	_, _, got = sc.bundle(t)
	assert.Equal(t, append(allIDs()[5:], "indicator--new-1", "indicator--new-2", "indicator--new-3"), got)
	assert.Equal(t, 5, stats.Objects)
}

func TestPollerErrorKeepsPartial(t *testing.T) {
	s := newFakeServer(t)
	s.hook = func(w http.ResponseWriter, r *http.Request, n int) bool {
		if n < 3 {
			return false
		}
		w.Header().Set("Content-Type", MediaType)
		fmt.Fprint(w, `{"more":true`)
		return true
	}
	c, _ := testClient(t, Options{})
	var sc streamCapture
	sc.hook(c)
	p := NewPoller(c, s.URL+"/api1/collections/"+colID+"/", Query{})
	_, stats, err := p.Poll(context.Background(), loader.Options{})
	assert.ErrorIs(t, err, ErrMalformed)
	assert.Equal(t, 2, stats.Pages)
	assert.False(t, stats.AddedLast.IsZero())
	assert.True(t, p.Cursor().IsZero(), "not advanced on error")
	assert.True(t, errors.Is(sc.err, ErrMalformed))
}
