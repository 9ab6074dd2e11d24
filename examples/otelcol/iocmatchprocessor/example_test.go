package iocmatchprocessor_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"go.opentelemetry.io/collector/component/componenttest"
	"go.opentelemetry.io/collector/consumer/consumertest"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/processor/processortest"

	"github.com/iocmatch/iocmatch/examples/otelcol/iocmatchprocessor"
)

// The processor as a collector runs it: created by its factory with a
// configuration, started, fed a batch of logs, shut down.
func ExampleNewFactory() {
	dir, err := os.MkdirTemp("", "feeds")
	if err != nil {
		panic(err)
	}
	defer os.RemoveAll(dir)
	feed := filepath.Join(dir, "c2.txt")
	if err := os.WriteFile(feed, []byte("evil.example\n198.51.100.7\n"), 0o644); err != nil {
		panic(err)
	}

	f := iocmatchprocessor.NewFactory()
	cfg := f.CreateDefaultConfig().(*iocmatchprocessor.Config)
	cfg.Feeds = []string{feed}
	cfg.DropUnmatched = true
	sink := new(consumertest.LogsSink)
	proc, err := f.CreateLogs(context.Background(), processortest.NewNopSettings(f.Type()), cfg, sink)
	if err != nil {
		panic(err)
	}
	if err := proc.Start(context.Background(), componenttest.NewNopHost()); err != nil {
		panic(err)
	}
	defer proc.Shutdown(context.Background())

	ld := plog.NewLogs()
	lrs := ld.ResourceLogs().AppendEmpty().ScopeLogs().AppendEmpty().LogRecords()
	lrs.AppendEmpty().Body().SetStr(`GET /index.html 200 "https://www.example.com/"`)
	lrs.AppendEmpty().Body().SetStr(`POST /panel 302 "http://cdn.evil.example/gate.php"`)
	if err := proc.ConsumeLogs(context.Background(), ld); err != nil {
		panic(err)
	}

	out := sink.AllLogs()[0].ResourceLogs().At(0).ScopeLogs().At(0).LogRecords()
	for i := 0; i < out.Len(); i++ {
		v, _ := out.At(i).Attributes().Get(iocmatchprocessor.AttrEnrichments)
		e := v.Slice().At(0).Map().AsRaw()
		fmt.Println(out.At(i).Body().Str())
		fmt.Println(e["indicator.type"], e["matched.atomic"], e["iocmatch.text"], e["indicator.provider"])
	}
	// Output:
	// POST /panel 302 "http://cdn.evil.example/gate.php"
	// domain-name evil.example cdn.evil.example c2
}
