package live_test

import (
	"context"
	"fmt"
	"log"
	"os"
	"path/filepath"

	"github.com/iocmatch/iocmatch/live"
)

// A live matcher over a feed file: the feed is edited, a reload (SIGHUP
// in a host program) swaps the new set in, and the deleted indicator
// stops matching.
func Example() {
	dir, err := os.MkdirTemp("", "live")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	feed := filepath.Join(dir, "c2.txt")
	os.WriteFile(feed, []byte("old.bad.example\n198.51.100.7\n"), 0o644)

	ctx := context.Background()
	lm, err := live.New(ctx, live.Options{
		Paths: []string{feed},
		OnReload: func(ev live.Event) {
			fmt.Printf("generation %d (%s): +%d -%d ~%d\n",
				ev.Set.Generation, ev.Trigger, ev.Diff.Added, ev.Diff.Removed, ev.Diff.Changed)
		},
	})
	if err != nil {
		log.Fatal(err)
	}
	// go lm.Run(ctx) would watch the file and reload on a change.
	line := []byte("198.51.100.7 asked old.bad.example then new.bad.example")
	show := func() {
		s := lm.Current()
		for _, x := range s.Matcher.AppendMatches(nil, line) {
			fmt.Printf("  %s %s\n", x.Type, s.Matcher.Entry(x.ID).Value)
		}
	}
	show()

	os.WriteFile(feed, []byte("198.51.100.7\nnew.bad.example\n"), 0o644)
	if _, err := lm.Reload(ctx); err != nil {
		log.Fatal(err)
	}
	show()

	os.Remove(feed)
	_, err = lm.Reload(ctx) // fails: the set stays
	fmt.Println("error:", err != nil, "generation:", lm.Current().Generation)
	// Output:
	// generation 1 (initial): +0 -0 ~0
	//   ipv4 198.51.100.7
	//   domain old.bad.example
	// generation 2 (reload): +1 -1 ~0
	//   ipv4 198.51.100.7
	//   domain new.bad.example
	// generation 2 (reload): +0 -0 ~0
	// error: true generation: 2
}
