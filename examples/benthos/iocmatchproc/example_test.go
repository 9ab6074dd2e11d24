package iocmatchproc_test

import (
	"context"
	"fmt"

	"github.com/redpanda-data/benthos/v4/public/service"

	"github.com/iocmatch/iocmatch/examples/benthos/iocmatchproc"
)

// A host program can run the processor on batches of its own; in a
// Benthos config it is the processor "iocmatch".
func ExampleNew() {
	pc, err := iocmatchproc.ConfigSpec().ParseYAML(`
feeds: [ ../../../testdata/lists ]
mode: annotate
`, nil)
	if err != nil {
		fmt.Println(err)
		return
	}
	p, err := iocmatchproc.New(pc, service.MockResources())
	if err != nil {
		fmt.Println(err)
		return
	}
	defer p.Close(context.Background())
	batches, _ := p.ProcessBatch(context.Background(), service.MessageBatch{
		service.NewMessage([]byte("GET http://www.evil.example/ from 192.0.2.10")),
		service.NewMessage([]byte("nothing")),
	})
	for _, msg := range batches[0] {
		n, ok := msg.MetaGetMut(iocmatchproc.MetaMatches)
		if !ok {
			fmt.Println("no match")
			continue
		}
		inds, _ := msg.MetaGet(iocmatchproc.MetaIndicators)
		fmt.Println(n, inds)
	}
	// Output:
	// 2 evil.example,192.0.2.10
	// no match
}
