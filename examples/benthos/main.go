// Command benthos is a Benthos (Redpanda Connect's engine) binary with
// the iocmatch processor and Benthos's standard pure and I/O components
// (stdin, stdout, files, HTTP, bloblang mapping …): run it with a config,
//
//	go run . -c config/stdin.yaml < ../../testdata/logs/proxy.log
//	go run . lint config/stdin.yaml
//
// The processor's documentation is the package doc of iocmatchproc and
// its config spec (`go run . list processors`, `go run . create
// stdin/iocmatch/stdout`).
package main

import (
	"context"

	_ "github.com/redpanda-data/benthos/v4/public/components/io"
	_ "github.com/redpanda-data/benthos/v4/public/components/pure"
	"github.com/redpanda-data/benthos/v4/public/service"

	_ "github.com/iocmatch/iocmatch/examples/benthos/iocmatchproc"
)

func main() {
	service.RunCLI(context.Background())
}
