package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/iocmatch/iocmatch/encode"
	"github.com/iocmatch/iocmatch/live"
	"github.com/iocmatch/iocmatch/match"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// fetchWait is how long a pull request waits for a full batch: the
// latency of a line at low rates, and how soon a stop is seen.
const fetchWait = time.Second

// publishTimeout bounds the wait for the output's acknowledgement; a line
// whose output is not acknowledged in time is nak'ed (redelivered).
const publishTimeout = 10 * time.Second

// Headers of an output message besides Nats-Msg-Id.
const (
	hdrStream  = "Iocmatch-Stream"
	hdrSeq     = "Iocmatch-Seq"
	hdrSubject = "Iocmatch-Subject"
	hdrWorker  = "Iocmatch-Worker"
)

// msgID is the Nats-Msg-Id of the output of the line at stream sequence
// seq of stream: the same for every delivery of that line.
func msgID(stream string, seq uint64) string {
	return stream + ":" + strconv.FormatUint(seq, 10)
}

// counts are a worker's counters.
type counts struct {
	lines, matched, matches, published, duplicates, redelivered, naks, errors atomic.Int64
}

// logger writes a worker's log lines, one goroutine at a time.
type logger struct {
	mu   sync.Mutex
	w    io.Writer
	name string
}

func (l *logger) printf(format string, args ...any) {
	l.mu.Lock()
	defer l.mu.Unlock()
	fmt.Fprintf(l.w, "natsworker: %s %s %s\n", time.Now().UTC().Format("15:04:05.000"), l.name, fmt.Sprintf(format, args...))
}

// work runs one worker until ctx ends.
func work(ctx context.Context, c *config, stderr io.Writer) error {
	log := &logger{w: stderr, name: c.name}
	dir := c.feedsDir
	if c.bucket != "" {
		if dir == "" {
			d, err := os.MkdirTemp("", "natsworker-feeds-")
			if err != nil {
				return err
			}
			defer os.RemoveAll(d)
			dir = d
		} else if err := os.MkdirAll(dir, 0o755); err != nil {
			return fmt.Errorf("-feeds-dir: %w", err)
		}
	}
	nc, err := nats.Connect(c.url, append(c.natsOptions("natsworker "+c.name), nats.MaxReconnects(-1),
		nats.DisconnectErrHandler(func(_ *nats.Conn, err error) {
			if err != nil {
				log.printf("disconnected: %v", err)
			}
		}),
		nats.ReconnectHandler(func(nc *nats.Conn) { log.printf("reconnected to %s", nc.ConnectedUrlRedacted()) }))...)
	if err != nil {
		return fmt.Errorf("-nats %s: %w", c.url, err)
	}
	defer nc.Close()
	js, err := jetstream.New(nc, jetstream.WithPublishAsyncMaxPending(2*c.batch), jetstream.WithPublishAsyncTimeout(publishTimeout))
	if err != nil {
		return err
	}
	setup, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	cons, err := ensure(setup, js, c)
	if err != nil {
		return err
	}

	var fsync *feedSync
	var watcher jetstream.ObjectWatcher
	if c.bucket != "" {
		obs, err := openBucket(setup, js, c.bucket, c.create)
		if err != nil {
			return err
		}
		watcher, err = obs.Watch(ctx)
		if err != nil {
			return fmt.Errorf("-bucket %s: watch: %w", c.bucket, err)
		}
		defer watcher.Stop()
		fsync = &feedSync{obs: obs, dir: dir, have: map[string]string{}}
		if err := fsync.initial(setup, watcher, 30*time.Second); err != nil {
			return fmt.Errorf("-bucket %s: %w", c.bucket, err)
		}
	}
	opts, err := c.liveOptions(setup, dir, stderr)
	if err != nil {
		return err
	}
	lm, err := live.New(ctx, opts)
	if err != nil {
		return fmt.Errorf("feeds: %w", err)
	}
	defer lm.Close()
	set := lm.Current()
	log.printf("ready generation=%d entries=%d objects=%d stream=%s consumer=%s", set.Generation, set.Matcher.Len(), len(fsync.haveLen()), c.stream, c.consumer)

	var bg sync.WaitGroup
	defer bg.Wait()
	bgCtx, bgStop := context.WithCancel(ctx)
	defer bgStop()
	if c.sf.Reload > 0 {
		bg.Go(func() { lm.Run(bgCtx) })
	}
	if watcher != nil {
		bg.Go(func() { watchFeeds(bgCtx, watcher, fsync, lm, log) })
	}
	var n counts
	if c.statsEvery > 0 {
		bg.Go(func() {
			t := time.NewTicker(c.statsEvery)
			defer t.Stop()
			for {
				select {
				case <-t.C:
					log.printf("stats %s", n.String(lm))
				case <-bgCtx.Done():
					return
				}
			}
		})
	}
	start := time.Now()
	err = consume(ctx, c, js, cons, lm, &n, log)
	if ferr := nc.FlushTimeout(5 * time.Second); err == nil && ferr != nil {
		err = fmt.Errorf("flushing the last acks: %w", ferr)
	}
	el := time.Since(start)
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	cpu := time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
	log.printf("stopped %s elapsed=%v cpu=%v lines/s=%.0f", n.String(lm), el.Round(time.Millisecond), cpu.Round(time.Millisecond), float64(n.lines.Load())/el.Seconds())
	return err
}

func (f *feedSync) haveLen() map[string]string {
	if f == nil {
		return nil
	}
	return f.have
}

// String is the counters as key=value pairs, with the set's generation.
func (n *counts) String(lm *live.Matcher) string {
	return fmt.Sprintf("lines=%d matched=%d matches=%d published=%d duplicates=%d redelivered=%d naks=%d errors=%d generation=%d",
		n.lines.Load(), n.matched.Load(), n.matches.Load(), n.published.Load(), n.duplicates.Load(), n.redelivered.Load(), n.naks.Load(), n.errors.Load(), lm.Current().Generation)
}

// ensure returns the shared consumer, creating the streams and the
// consumer as configured.
func ensure(ctx context.Context, js jetstream.JetStream, c *config) (jetstream.Consumer, error) {
	if err := ensureInput(ctx, js, c); err != nil {
		return nil, err
	}
	if c.outStream != "" {
		if _, err := ensureStream(ctx, js, c.create, jetstream.StreamConfig{
			Name: c.outStream, Subjects: []string{c.subjectOut}, Storage: jetstream.FileStorage, Duplicates: c.dupWindow,
		}); err != nil {
			return nil, fmt.Errorf("-out-stream %s: %w", c.outStream, err)
		}
	}
	if !c.create {
		cons, err := js.Consumer(ctx, c.stream, c.consumer)
		if err != nil {
			return nil, fmt.Errorf("-consumer %s on %s: %w", c.consumer, c.stream, err)
		}
		return cons, nil
	}
	cons, err := js.CreateOrUpdateConsumer(ctx, c.stream, jetstream.ConsumerConfig{
		Durable:       c.consumer,
		Description:   "iocmatch natsworker fleet",
		AckPolicy:     jetstream.AckExplicitPolicy,
		AckWait:       c.ackWait,
		MaxAckPending: c.maxAckPend,
		MaxDeliver:    -1,
		DeliverPolicy: jetstream.DeliverAllPolicy,
	})
	if err != nil {
		return nil, fmt.Errorf("-consumer %s on %s: %w", c.consumer, c.stream, err)
	}
	return cons, nil
}

// ensureInput checks (and with -create, creates) the input stream.
func ensureInput(ctx context.Context, js jetstream.JetStream, c *config) error {
	if _, err := ensureStream(ctx, js, c.create, jetstream.StreamConfig{
		Name: c.stream, Subjects: strings.Split(c.subjects, ","), Storage: jetstream.FileStorage,
	}); err != nil {
		return fmt.Errorf("-stream %s: %w", c.stream, err)
	}
	return nil
}

// ensureStream returns the stream cfg.Name, created with cfg when
// missing and create is set; an existing stream is left as it is.
func ensureStream(ctx context.Context, js jetstream.JetStream, create bool, cfg jetstream.StreamConfig) (jetstream.Stream, error) {
	s, err := js.Stream(ctx, cfg.Name)
	if err == nil || !create || !errors.Is(err, jetstream.ErrStreamNotFound) {
		return s, err
	}
	s, err = js.CreateStream(ctx, cfg)
	if errors.Is(err, jetstream.ErrStreamNameAlreadyInUse) { // another worker made it
		return js.Stream(ctx, cfg.Name)
	}
	return s, err
}

// watchFeeds mirrors the bucket's changes and reloads lm after each
// burst of them.
func watchFeeds(ctx context.Context, w jetstream.ObjectWatcher, f *feedSync, lm *live.Matcher, log *logger) {
	for {
		var info *jetstream.ObjectInfo
		select {
		case info = <-w.Updates():
		case <-ctx.Done():
			return
		}
		changed, names := false, []string{}
		for info != nil || len(w.Updates()) > 0 {
			if info == nil {
				info = <-w.Updates()
				continue
			}
			ch, err := f.apply(ctx, info)
			if err != nil {
				log.printf("feed update: %v", err)
			}
			if ch {
				changed = true
				names = append(names, info.Name)
			}
			info = nil
		}
		if !changed {
			continue
		}
		ev, err := lm.Reload(ctx)
		if err != nil {
			log.printf("reload failed (%s), kept generation %d: %v", strings.Join(names, ","), lm.Current().Generation, err)
			continue
		}
		log.printf("reloaded generation=%d entries=%d objects=%s took=%v", ev.Set.Generation, ev.Set.Matcher.Len(), strings.Join(names, ","), ev.Took.Round(time.Millisecond))
	}
}

// pending is a line whose output is being published.
type pending struct {
	msg jetstream.Msg
	fut jetstream.PubAckFuture
}

// consume fetches batches until ctx ends; each batch is finished (its
// outputs acknowledged, its lines acked) before the next fetch.
func consume(ctx context.Context, c *config, js jetstream.JetStream, cons jetstream.Consumer, lm *live.Matcher, n *counts, log *logger) error {
	var (
		xs   []match.Match
		enc  *encode.Encoder
		eset *live.Set
		pend []pending
	)
	for ctx.Err() == nil {
		b, err := cons.Fetch(c.batch, jetstream.FetchMaxWait(fetchWait))
		if err != nil {
			n.errors.Add(1)
			log.printf("fetch: %v", err)
			select {
			case <-time.After(time.Second):
			case <-ctx.Done():
			}
			continue
		}
		pend = pend[:0]
		for msg := range b.Messages() {
			meta, err := msg.Metadata()
			if err != nil {
				n.errors.Add(1)
				log.printf("message without metadata on %s: %v", msg.Subject(), err)
				msg.Term()
				continue
			}
			n.lines.Add(1)
			if meta.NumDelivered > 1 {
				n.redelivered.Add(1)
			}
			set := lm.Current()
			xs = set.Matcher.AppendMatches(xs[:0], msg.Data())
			if len(xs) == 0 {
				msg.Ack()
				continue
			}
			if set != eset {
				enc, eset = encode.NewEncoder(set.Matcher, encode.Options{Scorer: c.scorer}), set
			}
			n.matched.Add(1)
			n.matches.Add(int64(len(xs)))
			seq := meta.Sequence.Stream
			ln := encode.Line{File: msg.Subject(), Number: int(seq), Offset: -1, Text: msg.Data()}
			var body []byte
			if c.format == "ecs" {
				body = enc.AppendECS(body, ln, xs)
			} else {
				for _, x := range xs {
					body = enc.AppendJSON(body, ln, x)
					body = append(body, '\n')
				}
			}
			out := nats.NewMsg(c.subjectOut)
			out.Data = body
			out.Header.Set(jetstream.MsgIDHeader, msgID(meta.Stream, seq))
			out.Header.Set(hdrStream, meta.Stream)
			out.Header.Set(hdrSeq, strconv.FormatUint(seq, 10))
			out.Header.Set(hdrSubject, msg.Subject())
			out.Header.Set(hdrWorker, c.name)
			fut, err := js.PublishMsgAsync(out)
			if err != nil {
				n.errors.Add(1)
				n.naks.Add(1)
				log.printf("publish %s: %v", msgID(meta.Stream, seq), err)
				msg.Nak()
				continue
			}
			pend = append(pend, pending{msg, fut})
		}
		if err := b.Error(); err != nil && !errors.Is(err, nats.ErrTimeout) && !errors.Is(err, jetstream.ErrNoMessages) {
			log.printf("fetch: %v", err)
		}
		for _, p := range pend {
			select {
			case ack := <-p.fut.Ok():
				if n.published.Add(1) == c.crashAfter {
					syscall.Kill(os.Getpid(), syscall.SIGKILL) // the window a crash duplicates
				}
				if ack.Duplicate {
					n.duplicates.Add(1)
				}
				p.msg.Ack()
			case err := <-p.fut.Err():
				n.errors.Add(1)
				n.naks.Add(1)
				log.printf("publish %s: %v", p.fut.Msg().Header.Get(jetstream.MsgIDHeader), err)
				p.msg.Nak()
			}
		}
	}
	return nil
}
