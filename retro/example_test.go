package retro_test

import (
	"fmt"

	"github.com/iocmatch/iocmatch/indicator"
	"github.com/iocmatch/iocmatch/match"
	"github.com/iocmatch/iocmatch/retro"
)

// A retro-hunt: lines seen before an indicator was known are matched
// when it arrives.
func Example() {
	rb := retro.New(64 << 20)
	rb.Add("dns.log", 1, 0, []byte("query: www.example.org A"))
	rb.Add("dns.log", 2, 25, []byte("query: gate.c2.example A"))
	rb.Add("fw.log", 1, 0, []byte("allow 10.0.0.5 -> 203.0.113.9:443"))

	// later, a reload brings two new indicators
	m, _ := match.Compile([]indicator.Indicator{
		indicator.MustNew(indicator.Domain, "c2.example"),
		indicator.MustNew(indicator.IPv4, "203.0.113.9"),
	}, match.Options{})
	rb.Hunt(m, func(l retro.Line, xs []match.Match) error {
		for _, x := range xs {
			fmt.Printf("%s:%d (offset %d): %s\n", l.File, l.Number, l.Offset, l.Text[x.Start:x.End])
		}
		return nil
	})
	st := rb.Stats()
	fmt.Println(st.Lines, "lines kept,", st.EvictedLines, "evicted")
	// Output:
	// dns.log:2 (offset 25): gate.c2.example
	// fw.log:1 (offset 0): 203.0.113.9
	// 3 lines kept, 0 evicted
}
