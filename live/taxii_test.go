package live

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/iocmatch/iocmatch/loader/taxii"
)

// taxiiServer is a TAXII 2.1 collection's objects endpoint: objects
// added after added_after, one page, with X-TAXII-Date-Added-Last.
type taxiiServer struct {
	*httptest.Server
	mu    sync.Mutex
	objs  []string
	added []time.Time
	down  bool
}

const colPath = "/api/collections/c1/"

func newTAXIIServer(t *testing.T) *taxiiServer {
	s := &taxiiServer{}
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		defer s.mu.Unlock()
		w.Header().Set("Content-Type", taxii.MediaType)
		if s.down {
			w.WriteHeader(http.StatusUnauthorized)
			fmt.Fprint(w, `{"title":"Unauthorized"}`)
			return
		}
		if r.URL.Path != colPath+"objects/" {
			w.WriteHeader(http.StatusNotFound)
			fmt.Fprint(w, `{"title":"Not Found"}`)
			return
		}
		var after time.Time
		if a := r.URL.Query().Get("added_after"); a != "" {
			after, _ = taxii.ParseTime(a)
		}
		env := map[string]any{"more": false}
		var objs []json.RawMessage
		var last time.Time
		for i, o := range s.objs {
			if s.added[i].After(after) {
				objs = append(objs, json.RawMessage(o))
				last = s.added[i]
			}
		}
		if len(objs) > 0 {
			env["objects"] = objs
			w.Header().Set("X-TAXII-Date-Added-Last", taxii.FormatTime(last))
		}
		json.NewEncoder(w).Encode(env)
	}))
	t.Cleanup(s.Close)
	return s
}

func (s *taxiiServer) add(objs ...string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, o := range objs {
		s.objs = append(s.objs, o)
		s.added = append(s.added, t0.Add(time.Duration(len(s.added)+1)*time.Minute))
	}
}

func stixIndicator(n int, pattern, modified string, revoked bool) string {
	return fmt.Sprintf(`{"type":"indicator","spec_version":"2.1","id":"indicator--00000000-0000-4000-8000-%012d","created":"2026-01-01T00:00:00Z","modified":%q,"pattern":%q,"pattern_type":"stix","valid_from":"2026-01-01T00:00:00Z","revoked":%v}`,
		n, modified, pattern, revoked)
}

// TestTAXIISource: a TAXII collection polled incrementally; an indicator
// revoked in the collection stops matching at the next reload, a new one
// starts; a server that fails keeps the set.
func TestTAXIISource(t *testing.T) {
	srv := newTAXIIServer(t)
	srv.add(stixIndicator(1, "[domain-name:value = 'c2.bad.example']", "2026-01-01T00:00:00Z", false),
		stixIndicator(2, "[ipv4-addr:value = '198.51.100.7']", "2026-01-01T00:00:00Z", false))
	c, err := taxii.New(taxii.Options{MaxRetries: -1})
	if err != nil {
		t.Fatal(err)
	}
	p := taxii.NewPoller(c, srv.URL+colPath, taxii.Query{})
	m := newLive(t, Options{TAXII: []TAXIISource{{Name: "test-taxii", Poller: p}}})
	line := "c2.bad.example 198.51.100.7 new.bad.example"
	if got := values(m.Current(), line); !slices.Equal(got, []string{"domain:c2.bad.example", "ipv4:198.51.100.7"}) {
		t.Fatalf("set 1: %v", got)
	}
	srv.add(stixIndicator(1, "[domain-name:value = 'c2.bad.example']", "2026-02-01T00:00:00Z", true),
		stixIndicator(3, "[domain-name:value = 'new.bad.example']", "2026-02-01T00:00:00Z", false))
	ev, err := m.Reload(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if got := values(m.Current(), line); !slices.Equal(got, []string{"domain:new.bad.example", "ipv4:198.51.100.7"}) {
		t.Fatalf("set 2: %v", got)
	}
	if ev.Diff.Added != 1 || ev.Diff.Removed != 1 || ev.AddedIndicators()[0].Value != "new.bad.example" {
		t.Errorf("diff %+v", ev.Diff)
	}
	src := ev.Set.Sources[0]
	if !src.TAXII || src.Name != "test-taxii" || src.Indicators != 2 || src.Stats == nil || src.Stats.Objects != 2 || src.Stats.Revoked != 1 {
		t.Errorf("source report %+v stats %+v", src, src.Stats)
	}
	srv.mu.Lock()
	srv.down = true
	srv.mu.Unlock()
	if _, err := m.Reload(context.Background()); err == nil || m.Current().Generation != 2 {
		t.Fatalf("server down: %v, generation %d", err, m.Current().Generation)
	} else {
		t.Log(err)
	}
	if got := values(m.Current(), line); len(got) != 2 {
		t.Errorf("set lost: %v", got)
	}
}
