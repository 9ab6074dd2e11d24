package roi_test

import (
	"os"

	"github.com/iocmatch/iocmatch/hits"
	"github.com/iocmatch/iocmatch/indicator"
	"github.com/iocmatch/iocmatch/roi"
)

func Example() {
	feeds := []roi.FeedInput{
		{Source: "paid-feed", Loaded: 1000, Suppressed: map[string]int{"reserved": 12}, Expired: 300},
		{Source: "osint", Loaded: 5000},
	}
	stats := []hits.EntryStats{ // a hits.Stats Snapshot
		{Type: indicator.Domain, Value: "c2.example", Sources: []string{"paid-feed"}, Count: 40},
		{Type: indicator.IPv4, Value: "198.51.100.7", Sources: []string{"osint", "paid-feed"}, Count: 10},
		{Type: indicator.Domain, Value: "cdn.example", Sources: []string{"osint"}, Lists: []string{"known-cdn"}, Count: 50},
	}
	r := roi.Compute(feeds, stats)
	r.WriteMarkdown(os.Stdout)
	// Output:
	// # Feed ROI
	//
	// 3 indicators hit, 100 hits (lines). Unique: the hits no other feed would have given; feeds in order of their unique hits on indicators no warninglist annotates.
	//
	// | feed | loaded | suppressed | expired | decayed | indicators hit | hits | unique indicators | unique hits | warninglisted hits | unique warninglisted hits |
	// | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |
	// | paid-feed | 1000 | 12 | 300 | 0 | 2 | 50 | 1 | 40 | 0 (0.0%) | 0 |
	// | osint | 5000 | 0 | 0 | 0 | 2 | 60 | 1 | 50 | 50 (83.3%) | 50 |
	//
	// - paid-feed: suppressed by reserved 12
}
