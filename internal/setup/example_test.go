package setup_test

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/iocmatch/iocmatch/internal/setup"
	"github.com/iocmatch/iocmatch/live"
)

// A host registers the shared flags, parses them, and builds a live
// matcher from them.
func Example() {
	dir, _ := os.MkdirTemp("", "setup")
	defer os.RemoveAll(dir)
	feed := filepath.Join(dir, "feed.txt")
	os.WriteFile(feed, []byte("evil.example\n"), 0o644)

	fs := flag.NewFlagSet("myhost", flag.ContinueOnError)
	f := setup.NewFlags("MYHOST")
	f.Register(fs)
	if err := fs.Parse([]string{"-feed", feed, "-max-age", "off"}); err != nil {
		fmt.Println(err)
		return
	}
	cfg, err := f.Config()
	if err != nil {
		fmt.Println(err)
		return
	}
	opts, err := cfg.LiveOptions(context.Background(), io.Discard)
	if err != nil {
		fmt.Println(err)
		return
	}
	lm, err := live.New(context.Background(), opts)
	if err != nil {
		fmt.Println(err)
		return
	}
	defer lm.Close()
	m := lm.Current().Matcher
	for _, x := range m.AppendMatches(nil, []byte("GET http://www.evil.example/")) {
		fmt.Println(m.Entry(x.ID).Value)
	}
	// Output: evil.example
}
