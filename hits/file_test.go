package hits_test

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/iocmatch/iocmatch/hits"
	"github.com/iocmatch/iocmatch/indicator"
)

// TestFileRoundTrip: a Snapshot written and read back is the same, and
// restored into new Stats (a restarted process) it goes on counting.
func TestFileRoundTrip(t *testing.T) {
	a := ind(t, indicator.Domain, "a.example", "f1", "indicator--11111111-1111-4111-8111-111111111111", indicator.WarninglistTag+"l")
	b := ind(t, indicator.URL, "http://b.example/x?y=1", "f2", "")
	m := compile(t, a, b)
	st := hits.New(hits.Options{})
	st.Rebind(m)
	scan(t, st, m, at(1), "a.example http://b.example/x?y=1")
	scan(t, st, m, at(9), "a.example")
	snap := st.Snapshot()
	path := filepath.Join(t.TempDir(), "stats.json")
	if err := hits.WriteFile(path, snap, at(10)); err != nil {
		t.Fatal(err)
	}
	// no temporary file left behind; a new file readable by all
	if ents, _ := os.ReadDir(filepath.Dir(path)); len(ents) != 1 {
		t.Errorf("directory holds %d files, want 1", len(ents))
	}
	if fi, err := os.Stat(path); err != nil || fi.Mode().Perm() != 0o644 {
		t.Errorf("mode %v %v, want 0644", fi.Mode(), err)
	}
	// rewriting keeps the mode of the file replaced
	os.Chmod(path, 0o600)
	if err := hits.WriteFile(path, snap, at(10)); err != nil {
		t.Fatal(err)
	}
	if fi, err := os.Stat(path); err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("rewritten: mode %v %v, want 0600 kept", fi.Mode(), err)
	}
	if err := hits.WriteFile(filepath.Join(path, "sub"), snap, at(10)); err == nil || !strings.Contains(err.Error(), "stats.json") {
		t.Errorf("writing under a file: %v, want an error naming it", err)
	}
	f, err := hits.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if f.Version != hits.FileVersion || !f.Written.Equal(at(10)) {
		t.Errorf("version %d written %v", f.Version, f.Written)
	}
	if !reflect.DeepEqual(f.Entries, snap) {
		t.Errorf("read back\n%+v\nwant\n%+v", f.Entries, snap)
	}

	st2 := hits.New(hits.Options{})
	st2.Restore(f.Entries) // before Rebind: history until bound
	st2.Rebind(m)
	scan(t, st2, m, at(20), "a.example")
	got := byKey(st2.Snapshot())
	if e := got["domain:a.example"]; e.Count != 3 || !e.FirstHit.Equal(at(1)) || !e.LastHit.Equal(at(20)) || !e.Current {
		t.Errorf("restored a.example %+v", e)
	}
	st3 := hits.New(hits.Options{})
	st3.Rebind(m)
	st3.Restore(f.Entries) // after Rebind: into the slots
	if e := byKey(st3.Snapshot())["url:http://b.example/x?y=1"]; e.Count != 1 || !e.Current {
		t.Errorf("restored after Rebind: %+v", e)
	}

	if _, err := hits.ReadFile(filepath.Join(t.TempDir(), "none.json")); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("missing file: %v, want fs.ErrNotExist", err)
	}
}

func TestReadErrors(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{`{"version":1,"entries":[` + "\n" + `{"type":"domain","value":"a.example","count":1},` + "\n" + `{"type":"bogus","value":"x","count":1}]}`, "s.json:3: "},
		{`{"version":1,"entries":[` + "\n\n" + `{"type":"ipv4","value":"300.1.1.1","count":1}]}`, "s.json:3: entry 0: "},
		{`{"version":1,"entries":[{"type":"domain","value":"a.example","count":-1}]}`, "count -1 is negative"},
		{`{"version":1,"entries":[{"type":"domain","value":"a.example","count":1,"first_hit":"2026-01-02T00:00:00Z","last_hit":"2026-01-01T00:00:00Z"}]}`, "is before first_hit"},
		{`{"version":2,"entries":[]}`, "version 2"},
		{`{"entries":[]}`, "no \"version\""},
		{`{"version":1,"entries":[` + "\n" + `{"type":"domain",`, "s.json:2: unexpected end of file"},
		{`[1]`, "s.json:1: want \"{\""},
		{`{"version":1} x`, "after the statistics object"},
		{`{"version":1,"entries":[{"type":"domain","value":"a.example","count":"many"}]}`, "s.json:1: "},
	} {
		_, err := hits.ReadJSON(strings.NewReader(c.in), "s.json")
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("ReadJSON(%q) = %v, want an error with %q", c.in, err, c.want)
		}
	}
	// canonical values, unknown fields ignored
	f, err := hits.ReadJSON(strings.NewReader(`{"version":1,"x":[1],"entries":[{"type":"domain","value":"A.Example.","count":2,"future":true}]}`), "s.json")
	if err != nil {
		t.Fatal(err)
	}
	if len(f.Entries) != 1 || f.Entries[0].Value != "a.example" || f.Entries[0].Count != 2 {
		t.Errorf("read %+v", f.Entries)
	}
}

// TestReadSeed: the fuzz seed is a valid file.
func TestReadSeed(t *testing.T) {
	f, err := hits.ReadFile("testdata/stats.json")
	if err != nil {
		t.Fatal(err)
	}
	if len(f.Entries) != 4 || f.Entries[0].Count != 12 || f.Entries[2].Value != `HKLM\Software\Evil` || f.Entries[1].Current {
		t.Errorf("read %+v", f.Entries)
	}
}
