package follow_test

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/iocmatch/iocmatch/internal/follow"
)

// Following a log: its content, then what is appended. Here the wait
// between two polls appends a line itself, and the second ends the run
// (as a cancelled context would).
func Example() {
	dir, _ := os.MkdirTemp("", "follow")
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "app.log")
	os.WriteFile(path, []byte("first\n"), 0o644)

	polls := 0
	r, err := follow.Open(context.Background(), path, follow.Options{
		Wait: func(context.Context, time.Duration) bool {
			polls++
			if polls == 1 {
				f, _ := os.OpenFile(path, os.O_WRONLY|os.O_APPEND, 0)
				f.WriteString("appended\n")
				f.Close()
				return true
			}
			return false // done: read what is left, then io.EOF
		},
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer r.Close()
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		fmt.Println(sc.Text())
	}
	fmt.Println(sc.Err(), polls)
	// Output:
	// first
	// appended
	// <nil> 2
}
