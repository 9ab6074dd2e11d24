package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// publishLineFile publishes every non-empty line of c.publishLines ("-":
// stdin) to c.linesSubject, asynchronously in windows of 1000, and waits
// for every acknowledgement; it creates the input stream with -create.
func publishLineFile(ctx context.Context, c *config, stdin io.Reader, stderr io.Writer) error {
	r := stdin
	if c.publishLines != "-" {
		fh, err := os.Open(c.publishLines)
		if err != nil {
			return fmt.Errorf("-publish-lines: %w", err)
		}
		defer fh.Close()
		r = fh
	}
	nc, err := nats.Connect(c.url, c.natsOptions("natsworker publish-lines")...)
	if err != nil {
		return fmt.Errorf("-nats %s: %w", c.url, err)
	}
	defer nc.Close()
	js, err := jetstream.New(nc, jetstream.WithPublishAsyncMaxPending(2000))
	if err != nil {
		return err
	}
	if c.create {
		if err := ensureInput(ctx, js, c); err != nil {
			return err
		}
	}
	start := time.Now()
	sc := bufio.NewScanner(r)
	sc.Buffer(nil, 1<<20)
	n, line := 0, 0
	var futs []jetstream.PubAckFuture
	wait := func() error {
		for _, f := range futs {
			select {
			case <-f.Ok():
			case err := <-f.Err():
				return fmt.Errorf("-publish-lines %s: publish to %s: %w", c.publishLines, c.linesSubject, err)
			case <-ctx.Done():
				return ctx.Err()
			}
		}
		futs = futs[:0]
		return nil
	}
	for sc.Scan() {
		line++
		if len(sc.Bytes()) == 0 {
			continue
		}
		f, err := js.PublishAsync(c.linesSubject, append([]byte(nil), sc.Bytes()...))
		if err != nil {
			return fmt.Errorf("-publish-lines %s:%d: %w", c.publishLines, line, err)
		}
		futs = append(futs, f)
		n++
		if len(futs) == 1000 {
			if err := wait(); err != nil {
				return err
			}
		}
	}
	if err := sc.Err(); err != nil {
		if errors.Is(err, bufio.ErrTooLong) {
			err = fmt.Errorf("line %d longer than 1 MiB", line+1)
		}
		return fmt.Errorf("-publish-lines %s: %w", c.publishLines, err)
	}
	if err := wait(); err != nil {
		return err
	}
	fmt.Fprintf(stderr, "natsworker: published %d lines to %s in %v\n", n, c.linesSubject, time.Since(start).Round(time.Millisecond))
	return nil
}
