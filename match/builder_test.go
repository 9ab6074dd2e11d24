package match_test

import (
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/iocmatch/iocmatch/indicator"
	"github.com/iocmatch/iocmatch/match"
)

// builderInput is a set with duplicates, several records per value,
// source-only records, validity windows and every kind of value.
func builderInput() []indicator.Indicator {
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	vals := []struct {
		t indicator.Type
		v string
	}{
		{indicator.Domain, "evil.example"}, {indicator.IPv4, "198.51.100.7"}, {indicator.CIDR, "203.0.113.0/24"},
		{indicator.URL, "http://bad.example/x"}, {indicator.SHA256, strings.Repeat("ab", 32)},
		{indicator.Email, "a@bad.example"}, {indicator.Filename, "evil.exe"}, {indicator.Domain, "EVIL.example"},
	}
	var inds []indicator.Indicator
	for i := range 40 {
		v := vals[i%len(vals)]
		ind := indicator.Indicator{Type: v.t, Value: v.v}
		ind.Source = fmt.Sprintf("src%d", i%3)
		if i%4 == 1 {
			ind.Tags = []string{"c2"}
			ind.Confidence = indicator.MustConfidence(10 * (i % 10))
		}
		if i%5 == 2 {
			ind.ValidUntil = t0.Add(time.Duration(i) * time.Hour)
		}
		inds = append(inds, ind)
	}
	return inds
}

// TestBuilderSameAsCompile: indicators given to a Builder in batches of
// any size give the Matcher Compile gives.
func TestBuilderSameAsCompile(t *testing.T) {
	inds := builderInput()
	now := func() time.Time { return time.Date(2026, 1, 1, 10, 0, 0, 0, time.UTC) }
	opts := match.Options{MinConfidence: 30, Now: now}
	want, err := match.Compile(inds, opts)
	if err != nil {
		t.Fatal(err)
	}
	line := []byte("x.evil.example 198.51.100.7 203.0.113.9 http://bad.example/x?q a@bad.example C:\\evil.exe " + strings.Repeat("AB", 32))
	wantM := want.AppendMatches(nil, line)
	if len(wantM) < 6 {
		t.Fatalf("only %d matches", len(wantM))
	}
	for _, batch := range []int{1, 3, 7, len(inds)} {
		b, err := match.NewBuilder(opts)
		if err != nil {
			t.Fatal(err)
		}
		if batch == 3 {
			b.GrowLike(want) // room reserved: the same Matcher
		}
		for i := 0; i < len(inds); i += batch {
			if err := b.Add(inds[i:min(i+batch, len(inds))]...); err != nil {
				t.Fatal(err)
			}
		}
		if b.Len() != want.Len() {
			t.Errorf("batch %d: Len %d, want %d", batch, b.Len(), want.Len())
		}
		got, err := b.Finish()
		if err != nil {
			t.Fatal(err)
		}
		if gotM := got.AppendMatches(nil, line); !reflect.DeepEqual(gotM, wantM) {
			t.Errorf("batch %d: matches %v, want %v", batch, gotM, wantM)
		}
		for id := range want.Len() {
			g, w := got.Entry(match.ID(id)), want.Entry(match.ID(id))
			if !reflect.DeepEqual(g.Indicators, w.Indicators) || g.Records != w.Records || g.Duplicates != w.Duplicates || g.Value != w.Value {
				t.Errorf("batch %d: entry %d: %+v, want %+v", batch, id, g, w)
			}
		}
		if _, err := b.Finish(); err == nil {
			t.Error("second Finish succeeded")
		}
		if err := b.Add(inds[0]); err == nil {
			t.Error("Add after Finish succeeded")
		}
	}
}

// TestBuilderErrors: a bad indicator's error names its index among all
// those added, and sticks.
func TestBuilderErrors(t *testing.T) {
	if _, err := match.NewBuilder(match.Options{MinConfidence: 101}); err == nil {
		t.Error("MinConfidence 101 accepted")
	}
	b, _ := match.NewBuilder(match.Options{})
	b.Add(indicator.Indicator{Type: indicator.Domain, Value: "a.example"}, indicator.Indicator{Type: indicator.Domain, Value: "b.example"})
	err := b.Add(indicator.Indicator{Type: indicator.Domain, Value: "c.example"}, indicator.Indicator{Type: indicator.IPv4, Value: "not an address"})
	if err == nil || !strings.Contains(err.Error(), "indicator 3") {
		t.Fatalf("%v", err)
	}
	if err2 := b.Add(indicator.Indicator{Type: indicator.Domain, Value: "d.example"}); err2 != err {
		t.Errorf("error not kept: %v", err2)
	}
	if _, err2 := b.Finish(); err2 != err {
		t.Errorf("Finish: %v", err2)
	}
}

// A Builder takes the indicators a batch at a time (here two batches, as
// loader.StreamAll gives them) and gives the Matcher Compile would.
func ExampleBuilder() {
	b, err := match.NewBuilder(match.Options{})
	if err != nil {
		panic(err)
	}
	b.Add(indicator.Indicator{Type: indicator.Domain, Value: "evil.example"},
		indicator.Indicator{Type: indicator.IPv4, Value: "198.51.100.7"})
	b.Add(indicator.Indicator{Type: indicator.Domain, Value: "evil.example", Meta: indicator.Meta{Source: "other"}})
	m, err := b.Finish()
	if err != nil {
		panic(err)
	}
	for _, x := range m.AppendMatches(nil, []byte("www.evil.example 198.51.100.7")) {
		e := m.Entry(x.ID)
		fmt.Println(e.Type, e.Value, e.Records)
	}
	// Output:
	// domain evil.example 2
	// ipv4 198.51.100.7 1
}
