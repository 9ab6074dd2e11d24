package age_test

import (
	"fmt"
	"time"

	"github.com/iocmatch/iocmatch/age"
	"github.com/iocmatch/iocmatch/indicator"
	"github.com/iocmatch/iocmatch/match"
)

func Example() {
	now := time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)
	nids, _ := age.LookupModel("NIDS Simple")
	p, err := age.New(age.Options{
		MaxAge: age.DefaultMaxAge(),
		Model:  &nids,
		Now:    func() time.Time { return now },
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	inds := []indicator.Indicator{
		{Type: indicator.IPv4, Value: "198.51.100.7", Meta: indicator.Meta{Source: "feed", LastSeen: now.AddDate(0, 0, -45)}},
		{Type: indicator.Domain, Value: "evil.example", Meta: indicator.Meta{Source: "feed", LastSeen: now.AddDate(0, 0, -1)}},
		{Type: indicator.Domain, Value: "stale.example", Meta: indicator.Meta{Source: "feed", LastSeen: now.AddDate(0, 0, -60)}},
	}
	kept, rep := p.Apply(inds)
	for _, ind := range kept {
		s, _ := p.Score(ind.Type, &ind.Meta, now)
		fmt.Printf("%s score %.1f, matches until %s\n", ind, s, ind.ValidUntil.Format(time.DateOnly))
	}
	fmt.Println("expired", rep.Expired, "decayed", rep.Decayed)
	fmt.Println(rep.ExpiredExamples[0])
	// Output:
	// domain:evil.example score 72.7, matches until 2027-01-15
	// expired 1 decayed 1
	// ipv4:198.51.100.7 (feed): last seen 2026-10-17, expired 2026-11-16
}

func ExampleParseMaxAge() {
	over, err := age.ParseMaxAge("ip=7d,sha256=off")
	if err != nil {
		fmt.Println(err)
		return
	}
	m := age.MergeMaxAge(age.DefaultMaxAge(), over)
	fmt.Println(m[indicator.IPv4], m[indicator.Domain], m[indicator.SHA256])
	_, err = age.ParseMaxAge("ipv9=3d")
	fmt.Println(err)
	// Output:
	// 168h0m0s 4320h0m0s 0s
	// age: max age "ipv9=3d": item "ipv9=3d": unknown type "ipv9" (a type such as ipv4, domain, url, sha256, or ip, hash, all)
}

func ExampleModel_Score() {
	m, _ := age.LookupModel("NIDS Simple")
	for _, days := range []float64{0, 1, 30, 46.875, 120} {
		fmt.Printf("%6.3f days: %.2f\n", days, m.Score(m.DefaultBase, time.Duration(days*float64(age.Day))))
	}
	d, _ := m.DecayAfter(80)
	fmt.Println("decayed after", d)
	// Output:
	//  0.000 days: 80.00
	//  1.000 days: 72.70
	// 30.000 days: 40.00
	// 46.875 days: 30.00
	// 120.000 days: 0.00
	// decayed after 1125h0m0s
}

func ExamplePolicy_EntryScore() {
	nids, _ := age.LookupModel("NIDS Simple")
	p, _ := age.New(age.Options{Model: &nids})
	seen := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	m, err := match.Compile([]indicator.Indicator{
		{Type: indicator.Domain, Value: "evil.example", Meta: indicator.Meta{Source: "a", LastSeen: seen.AddDate(0, 0, -29)}},
		{Type: indicator.Domain, Value: "evil.example", Meta: indicator.Meta{Source: "b", LastSeen: seen}},
	}, match.Options{})
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, x := range m.AppendMatches(nil, []byte("GET http://evil.example/")) {
		s, _ := p.EntryScore(m, x.ID, seen.AddDate(0, 0, 1)) // the best record's: b's, a day old
		fmt.Printf("%s %.1f\n", m.Entry(x.ID).Value, s)
	}
	// Output:
	// evil.example 72.7
}

func ExampleParseModel() {
	m, err := age.ParseModel([]byte(`{"name": "Our C2 model", "formula": "Polynomial",
		"parameters": {"lifetime": 14, "decay_speed": 1, "threshold": 25, "default_base_score": 75}}`))
	if err != nil {
		fmt.Println(err)
		return
	}
	d, _ := m.DecayAfter(m.DefaultBase)
	fmt.Println(m.Name, m.Lifetime, "decayed after", d)
	_, err = age.ParseModel([]byte(`{"parameters": {"lifetime": 14, "decay_speed": 1, "threshold": 250, "default_base_score": 75}}`))
	fmt.Println(err)
	// Output:
	// Our C2 model 336h0m0s decayed after 224h0m0s
	// age: decay model: parameters.threshold 250: must be 0 to 100
}
