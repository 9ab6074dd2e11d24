package pipeline

import (
	"errors"
	"reflect"
	"slices"
	"testing"

	"github.com/iocmatch/iocmatch/allow"
	"github.com/iocmatch/iocmatch/indicator"
	"github.com/iocmatch/iocmatch/loader"
	"github.com/iocmatch/iocmatch/match"
)

// TestPipelineSame: the testdata feeds added in small batches give the
// allowlist report one Apply of all of them gives (examples capped the
// same), and the Matcher Compile gives of what Apply and the Transform
// keep.
func TestPipelineSame(t *testing.T) {
	res, err := loader.LoadAll([]string{"../../testdata/feeds", "../../testdata/lists"}, loader.Options{})
	if err != nil {
		t.Fatal(err)
	}
	for _, maxEx := range []int{0, 1, -1} {
		opts := allow.Options{Warninglists: res.Warninglists, Allowlist: res.Allowlist, MaxExamples: maxEx,
			Actions: map[string]allow.Action{"example-top-sites": allow.Suppress}}
		pol, err := allow.New(opts)
		if err != nil {
			t.Fatal(err)
		}
		// every third indicator dropped by the Transform
		drop := func(inds []indicator.Indicator) ([]indicator.Indicator, error) {
			return slices.DeleteFunc(inds, func(ind indicator.Indicator) bool { return len(ind.Value)%3 == 0 }), nil
		}
		kept, want := pol.Apply(slices.Clone(res.Indicators))
		if want.Suppressed == 0 || want.Annotated == 0 || len(want.Sources) < 2 {
			t.Fatalf("the test feeds suppress %d and annotate %d of %d sources: the test proves little", want.Suppressed, want.Annotated, len(want.Sources))
		}
		kept, _ = drop(kept)
		wm, err := match.Compile(kept, match.Options{})
		if err != nil {
			t.Fatal(err)
		}
		b, err := match.NewBuilder(match.Options{})
		if err != nil {
			t.Fatal(err)
		}
		p := &Pipeline{Builder: b, Policy: pol, MaxExamples: maxEx, Transform: drop}
		inds := res.Indicators
		for len(inds) > 0 {
			n := min(len(inds), 7)
			if err := p.Add(slices.Clone(inds[:n])); err != nil {
				t.Fatal(err)
			}
			inds = inds[n:]
		}
		if got := p.Allow(); !reflect.DeepEqual(*got, want) {
			t.Errorf("MaxExamples %d: summed report\n%+v\nwant\n%+v", maxEx, *got, want)
		}
		if p.Indicators != len(kept) {
			t.Errorf("MaxExamples %d: %d indicators added, want %d", maxEx, p.Indicators, len(kept))
		}
		m, err := b.Finish()
		if err != nil {
			t.Fatal(err)
		}
		if m.Len() != wm.Len() {
			t.Fatalf("%d entries, Compile %d", m.Len(), wm.Len())
		}
		for id := range m.Len() {
			if g, w := m.Entry(match.ID(id)), wm.Entry(match.ID(id)); !reflect.DeepEqual(g, w) {
				t.Fatalf("entry %d: %+v, Compile %+v", id, g, w)
			}
		}
	}
}

// TestPipelineErrors: an error of Check or the Transform ends Add with
// it; AddCopies leaves its input as it was.
func TestPipelineErrors(t *testing.T) {
	b, _ := match.NewBuilder(match.Options{})
	stop := errors.New("stop")
	inds := []indicator.Indicator{{Type: indicator.Domain, Value: "a.example"}, {Type: indicator.Domain, Value: "b.example"}}
	p := &Pipeline{Builder: b, Check: func() error { return stop }}
	if err := p.Add(inds); !errors.Is(err, stop) || p.Indicators != 0 {
		t.Errorf("Check: %v, %d added", err, p.Indicators)
	}
	p = &Pipeline{Builder: b, Transform: func([]indicator.Indicator) ([]indicator.Indicator, error) { return nil, stop }}
	if err := p.Add(inds); !errors.Is(err, stop) {
		t.Errorf("Transform: %v", err)
	}
	pol, _ := allow.New(allow.Options{Allowlist: inds[:1]})
	p = &Pipeline{Builder: b, Policy: pol}
	if err := p.AddCopies(inds); err != nil || p.Indicators != 1 || inds[0].Value != "a.example" || p.Allow().Suppressed != 1 {
		t.Errorf("AddCopies: %v, %d added, input %v", err, p.Indicators, inds)
	}
	if (&Pipeline{}).Allow() != nil {
		t.Error("Allow of an empty Pipeline not nil")
	}
}
