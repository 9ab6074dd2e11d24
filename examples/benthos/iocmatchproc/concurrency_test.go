package iocmatchproc_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/redpanda-data/benthos/v4/public/service"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/iocmatch/iocmatch/examples/benthos/iocmatchproc"
	"github.com/iocmatch/iocmatch/hits"
	"github.com/iocmatch/iocmatch/live"
)

func newProc(t *testing.T, conf string) *iocmatchproc.Processor {
	t.Helper()
	pc, err := iocmatchproc.ConfigSpec().ParseYAML(conf, nil)
	require.NoError(t, err)
	p, err := iocmatchproc.New(pc, service.MockResources())
	require.NoError(t, err)
	return p
}

// TestConcurrentReload calls ProcessBatch from two goroutines (a
// resource processor is shared) while the set is reloaded: every batch
// matches with one whole set (the race detector checks the rest).
func TestConcurrentReload(t *testing.T) {
	feed := filepath.Join(t.TempDir(), "feed.txt")
	require.NoError(t, os.WriteFile(feed, []byte("a.example\n"), 0o644))
	p := newProc(t, fmt.Sprintf("{feeds: [%s], reload_period: 0s}", feed))
	defer p.Close(context.Background())
	ctx := context.Background()

	var wg sync.WaitGroup
	errs := make(chan error, 2)
	for range 2 {
		wg.Go(func() {
			for range 200 {
				out, err := p.ProcessBatch(ctx, service.MessageBatch{service.NewMessage([]byte("x a.example y")), service.NewMessage([]byte("z"))})
				if err != nil {
					errs <- err
					return
				}
				if len(out) != 1 || len(out[0]) != 2 {
					errs <- fmt.Errorf("got %d batches", len(out))
					return
				}
				if n, _ := out[0][0].MetaGetMut(iocmatchproc.MetaMatches); n != 1 {
					errs <- fmt.Errorf("a.example: %v matches", n)
					return
				}
			}
		})
	}
	for i := range 5 {
		require.NoError(t, os.WriteFile(feed, fmt.Appendf(nil, "a.example\nb%d.example\n", i), 0o644))
		ev, err := p.Reload(ctx)
		require.NoError(t, err)
		require.NoError(t, ev.Err)
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	assert.Equal(t, uint64(6), p.Current().Generation, "the first build and five reloads")
}

// TestReloadFailureKeepsSet empties the feed: the reload fails (live's
// guard against an emptied source), the set stays and matches.
func TestReloadFailureKeepsSet(t *testing.T) {
	feed := filepath.Join(t.TempDir(), "feed.txt")
	require.NoError(t, os.WriteFile(feed, []byte("a.example\n"), 0o644))
	p := newProc(t, fmt.Sprintf("{feeds: [%s], reload_period: 0s, mode: annotate}", feed))
	defer p.Close(context.Background())
	require.NoError(t, os.WriteFile(feed, nil, 0o644))
	ev, err := p.Reload(context.Background())
	require.ErrorIs(t, err, live.ErrSourceEmpty, "an emptied feed fails the reload")
	require.ErrorIs(t, ev.Err, live.ErrSourceEmpty)
	out, err := p.ProcessBatch(context.Background(), service.MessageBatch{service.NewMessage([]byte("a.example"))})
	require.NoError(t, err)
	n, _ := out[0][0].MetaGetMut(iocmatchproc.MetaMatches)
	assert.Equal(t, 1, n, "the set before the failure still matches")
}

// TestHitsFile checks that the hit statistics are written on Close and
// restored by the next processor.
func TestHitsFile(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "hits.json")
	conf := fmt.Sprintf("{feeds: [%s/lists], mode: annotate, hits_file: %s}", testdata, file)
	ctx := context.Background()
	for round := 1; round <= 2; round++ {
		p := newProc(t, conf)
		for range 3 {
			_, err := p.ProcessBatch(ctx, service.MessageBatch{service.NewMessage([]byte("evil.example evil.example")), service.NewMessage([]byte("clean"))})
			require.NoError(t, err)
		}
		require.NoError(t, p.Close(ctx))
		f, err := hits.ReadFile(file)
		require.NoError(t, err)
		var got int64 = -1
		for _, e := range f.Entries {
			if e.Value == "evil.example" {
				got = e.Count
			}
		}
		assert.Equal(t, int64(3*round), got, "round %d: one hit per message, counts kept across restarts", round)
	}
}

// TestNoAllocWithoutMatch checks that messages without a match cost no
// allocation per message: a batch of 1000 allocates as little as a batch
// of 10, in every mode.
func TestNoAllocWithoutMatch(t *testing.T) {
	if testing.Short() {
		t.Skip("allocation counts")
	}
	for _, mode := range []string{"annotate", "enrich", "filter"} {
		p := newProc(t, fmt.Sprintf("{feeds: [%s/lists], reload_period: 0s, mode: %s}", testdata, mode))
		allocs := func(n int) float64 {
			batch := make(service.MessageBatch, n)
			for i := range batch {
				batch[i] = service.NewMessage([]byte("GET https://fine.example/index.html from 10.1.2.3 ok"))
			}
			return testing.AllocsPerRun(50, func() { _, _ = p.ProcessBatch(context.Background(), batch) })
		}
		small, large := allocs(10), allocs(1000)
		assert.LessOrEqual(t, large, small+1, "%s: %v allocations for 1000 messages, %v for 10", mode, large, small)
		t.Logf("%s: %v allocations per batch of 1000 messages without a match", mode, large)
		require.NoError(t, p.Close(context.Background()))
	}
}

// TestMaxAge checks max_age: a STIX indicator last valid from 2020 ages
// out under the default domain max age (180 days), and matches with a
// longer one (as a map) or none.
func TestMaxAge(t *testing.T) {
	feed := filepath.Join(t.TempDir(), "old.json")
	require.NoError(t, os.WriteFile(feed, []byte(`{"type":"bundle","id":"bundle--11111111-1111-4111-8111-111111111111","objects":[
{"type":"indicator","spec_version":"2.1","id":"indicator--22222222-2222-4222-8222-222222222222","created":"2020-01-01T00:00:00Z","modified":"2020-01-01T00:00:00Z",
 "pattern":"[domain-name:value = 'old.example']","pattern_type":"stix","valid_from":"2020-01-01T00:00:00Z"}]}`), 0o644))
	for _, c := range []struct {
		maxAge string
		want   bool
	}{{`""`, false}, {`{domain: 20000d}`, true}, {`"off"`, true}, {`"domain=10d"`, false}} {
		p := newProc(t, fmt.Sprintf("{feeds: [%s], reload_period: 0s, mode: annotate, max_age: %s}", feed, c.maxAge))
		out, err := p.ProcessBatch(context.Background(), service.MessageBatch{service.NewMessage([]byte("q old.example"))})
		require.NoError(t, err)
		_, matched := out[0][0].MetaGetMut(iocmatchproc.MetaMatches)
		assert.Equal(t, c.want, matched, "max_age %s", c.maxAge)
		require.NoError(t, p.Close(context.Background()))
	}
}
