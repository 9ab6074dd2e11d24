package match_test

import (
	"net/netip"
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/iocmatch/iocmatch/indicator"
	"github.com/iocmatch/iocmatch/match"
)

func TestView(t *testing.T) {
	t1 := time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC)
	t2 := t1.Add(48 * time.Hour)
	t3 := t2.Add(48 * time.Hour)
	rec := func(m indicator.Meta) indicator.Indicator {
		return indicator.Indicator{Type: indicator.Domain, Value: "evil.example", Meta: m}
	}
	inds := []indicator.Indicator{
		rec(indicator.Meta{Source: "b", Confidence: indicator.MustConfidence(40), TLP: indicator.TLPGreen,
			Tags: []string{"phishing", "c2"}, FirstSeen: t2, LastSeen: t2, ThreatActor: "APT-X"}),
		rec(indicator.Meta{Source: "a", Severity: indicator.SeverityHigh, TLP: indicator.TLPAmberStrict,
			Tags: []string{"c2", ""}, Techniques: []string{"T1071.001"}, FirstSeen: t1, Description: "first desc",
			MalwareFamily: "Emotet"}),
		rec(indicator.Meta{Source: "a", Confidence: indicator.MustConfidence(90), Severity: indicator.SeverityLow,
			TLP: indicator.TLPClear, LastSeen: t3, Description: "second desc", Reference: "https://ref.example/1",
			Techniques: []string{"T1566", "T1071.001"}, ThreatActor: "APT-X", MalwareFamily: "Emotet"}),
		// another entry: one record, nothing known
		{Type: indicator.IPv4, Value: "198.51.100.7", Meta: indicator.Meta{Source: "c"}},
	}
	for k := 0; k < 20; k++ { // records past MaxEntryIndicators count too
		inds = append(inds, rec(indicator.Meta{Source: "z", ID: string(rune('A' + k))}))
	}
	inds = append(inds, rec(indicator.Meta{Source: "late", Confidence: indicator.MustConfidence(95), TLP: indicator.TLPRed, Tags: []string{"zz"}}))
	m, err := match.Compile(inds, match.Options{})
	require.NoError(t, err)
	found := m.LookupDomain("evil.example")
	require.Len(t, found, 1)
	id := found[0]
	v := m.View(id)
	assert.Equal(t, match.View{
		Confidence:      indicator.MustConfidence(95),
		Severity:        indicator.SeverityHigh,
		TLP:             indicator.TLPRed,
		Sources:         []string{"a", "b", "late", "z"},
		Tags:            []string{"c2", "phishing", "zz"},
		Techniques:      []string{"T1071.001", "T1566"},
		ThreatActors:    []string{"APT-X"},
		MalwareFamilies: []string{"Emotet"},
		FirstSeen:       t1,
		LastSeen:        t3,
		Description:     "first desc",
		Reference:       "https://ref.example/1",
		Records:         24,
	}, v)
	assert.Equal(t, m.Entry(id).Sources(), v.Sources)

	ids := m.LookupAddr(netip.MustParseAddr("198.51.100.7"))
	require.Len(t, ids, 1)
	assert.Equal(t, match.View{Sources: []string{"c"}, Records: 1}, m.View(ids[0]))
}

func TestViewAmberStrictBeatsAmber(t *testing.T) {
	m, err := match.Compile([]indicator.Indicator{
		{Type: indicator.MD5, Value: "d41d8cd98f00b204e9800998ecf8427e", Meta: indicator.Meta{TLP: indicator.TLPAmberStrict}},
		{Type: indicator.MD5, Value: "d41d8cd98f00b204e9800998ecf8427e", Meta: indicator.Meta{TLP: indicator.TLPAmber}},
	}, match.Options{})
	require.NoError(t, err)
	assert.Equal(t, indicator.TLPAmberStrict, m.View(0).TLP)
	assert.Empty(t, m.View(0).Sources)
}

// TestViewLists: the warninglists that annotate an entry are its records'
// tags with indicator.WarninglistTag, without it, merged and sorted; other
// tags stay tags.
func TestViewLists(t *testing.T) {
	a := indicator.MustNew(indicator.Domain, "googleapis.com")
	a.Source, a.Tags = "feed-a", []string{"c2", indicator.WarninglistTag + "google"}
	b := indicator.MustNew(indicator.Domain, "googleapis.com")
	b.Source, b.Tags = "feed-b", []string{indicator.WarninglistTag + "cloud", indicator.WarninglistTag + "google"}
	c := indicator.MustNew(indicator.Domain, "evil.example")
	m, err := match.Compile([]indicator.Indicator{a, b, c}, match.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if got := m.View(0).Lists; !slices.Equal(got, []string{"cloud", "google"}) {
		t.Fatalf("lists %q", got)
	}
	if got := m.View(1).Lists; got != nil {
		t.Fatalf("lists of an entry no list annotates: %q", got)
	}
}
