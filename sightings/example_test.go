package sightings_test

import (
	"fmt"
	"os"
	"time"

	"github.com/iocmatch/iocmatch/hits"
	"github.com/iocmatch/iocmatch/indicator"
	"github.com/iocmatch/iocmatch/match"
	"github.com/iocmatch/iocmatch/sightings"
)

func Example() {
	start := time.Date(2026, 12, 1, 8, 0, 0, 0, time.UTC)
	ind := indicator.MustNew(indicator.Domain, "evil.example")
	ind.Source = "my-feed"
	m, _ := match.Compile([]indicator.Indicator{ind}, match.Options{})
	st := hits.New(hits.Options{Start: start})
	st.Rebind(m)
	for i := range 3 {
		st.Record(m, m.AppendMatches(nil, []byte("query a.evil.example")), start.Add(time.Duration(i)*time.Minute))
	}
	p := st.Cut(start.Add(time.Hour))
	sightings.WriteMISP(os.Stdout, p, sightings.Options{Sensor: "dns-1"})
	b := sightings.STIX(p, sightings.Options{Sensor: "dns-1"})
	for _, o := range b.Objects {
		switch o := o.(type) {
		case sightings.Indicator:
			fmt.Println(o.Type, o.Pattern)
		case sightings.Sighting:
			fmt.Println(o.Type, o.Count, o.FirstSeen, o.LastSeen)
		}
	}
	// Output:
	// [
	// {"values":["evil.example"],"source":"dns-1","type":"0","timestamp":1796112120,"count":3}
	// ]
	// indicator [domain-name:value = 'evil.example']
	// sighting 3 2026-12-01T08:00:00.000Z 2026-12-01T08:02:00.000Z
}
