package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/iocmatch/iocmatch/encode"
	"github.com/iocmatch/iocmatch/internal/setup"
	"github.com/iocmatch/iocmatch/live"
	"github.com/nats-io/nats.go"
)

// config is the worker's configuration, from its flags.
type config struct {
	url          string
	creds        string
	stream       string
	subjects     string
	consumer     string
	subjectOut   string
	outStream    string
	bucket       string
	feedsDir     string
	batch        int
	ackWait      time.Duration
	maxAckPend   int
	dupWindow    time.Duration
	format       string
	name         string
	create       bool
	publishFeeds string
	publishLines string
	linesSubject string
	sf           *setup.Flags  // the shared feed, allowlist, ageing and matching flags
	scorer       encode.Scorer // -decay's scores in the output, set by liveOptions
	statsEvery   time.Duration
	crashAfter   int64
}

// stringList is a repeatable string flag.
type stringList []string

func (s *stringList) String() string     { return strings.Join(*s, ",") }
func (s *stringList) Set(v string) error { *s = append(*s, v); return nil }

// parseFlags reads the worker's flags from args; errors name the flag.
func parseFlags(args []string, stderr io.Writer) (*config, error) {
	c := &config{}
	fs := flag.NewFlagSet("natsworker", flag.ContinueOnError)
	fs.SetOutput(stderr)
	host, _ := os.Hostname()
	c.sf = setup.NewFlags("NATSWORKER")
	c.sf.Register(fs)
	fs.StringVar(&c.url, "nats", "nats://127.0.0.1:4222", "NATS server `URL`s, comma-separated")
	fs.StringVar(&c.creds, "creds", "", "NATS credentials `FILE` (JWT and NKey seed, as nsc writes it); a user and password or token go in the -nats URL, TLS with tls://")
	fs.StringVar(&c.stream, "stream", "LOGS", "input JetStream `STREAM` of log lines, one line per message")
	fs.StringVar(&c.subjects, "subjects", "logs.>", "`SUBJECTS` (comma-separated) of the input stream when -create creates it")
	fs.StringVar(&c.consumer, "consumer", "iocmatch", "durable pull `CONSUMER` shared by all workers")
	fs.StringVar(&c.subjectOut, "subject-out", "iocmatch.matches", "`SUBJECT` the matches are published to")
	fs.StringVar(&c.outStream, "out-stream", "MATCHES", "JetStream `STREAM` that stores -subject-out, created by -create when missing")
	fs.StringVar(&c.bucket, "bucket", "IOCFEEDS", "object store `BUCKET` of the feed files")
	fs.StringVar(&c.feedsDir, "feeds-dir", "", "local `DIR` mirroring the bucket (files not in the bucket are removed); default: a temporary directory removed at exit")
	fs.IntVar(&c.batch, "batch", 1000, "messages fetched per pull request (`N`): a worker processes a batch, waits for its outputs' acks, acks its lines, fetches the next")
	fs.DurationVar(&c.ackWait, "ack-wait", 30*time.Second, "consumer's AckWait: a line not acked within `DURATION` is redelivered (to another worker)")
	fs.IntVar(&c.maxAckPend, "max-ack-pending", 4096, "consumer's MaxAckPending: at most `N` lines delivered and not acked, over all workers")
	fs.DurationVar(&c.dupWindow, "dup-window", 10*time.Minute, "duplicate window of the output stream when -create creates it (longer than -ack-wait)")
	fs.StringVar(&c.format, "format", "json", "output `FORMAT`: json (native JSON, one object per match) or ecs (one ECS event per line)")
	fs.StringVar(&c.name, "name", fmt.Sprintf("%s-%d", host, os.Getpid()), "`NAME` of this worker in logs and the Iocmatch-Worker header")
	fs.BoolVar(&c.create, "create", true, "create the streams, the consumer and the bucket when missing")
	fs.StringVar(&c.publishFeeds, "publish-feeds", "", "put every file under `DIR` into -bucket (named by its path under DIR) and exit: the fleet reloads")
	fs.StringVar(&c.publishLines, "publish-lines", "", "publish every line of `FILE` (\"-\": standard input) to -lines-subject, one message per line, each acknowledged by JetStream, and exit: a producer for trying the fleet")
	fs.StringVar(&c.linesSubject, "lines-subject", "logs.lines", "`SUBJECT` of -publish-lines (one of the input stream's subjects)")
	fs.DurationVar(&c.statsEvery, "stats-interval", time.Minute, "log the worker's counts every `DURATION` (0: only at exit)")
	fs.Int64Var(&c.crashAfter, "crash-after-publish", 0, "fault injection for tests: SIGKILL this worker right after the `N`th output is acknowledged, before its line is acked (0: never)")
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	if fs.NArg() > 0 {
		return nil, fmt.Errorf("unexpected argument %q (flags only)", fs.Arg(0))
	}
	if err := c.validate(); err != nil {
		return nil, err
	}
	if c.creds != "" {
		if _, err := os.Stat(c.creds); err != nil {
			return nil, fmt.Errorf("-creds: %w", err)
		}
	}
	if _, err := c.setupConfig("BUCKET"); err != nil {
		return nil, err
	}
	return c, nil
}

// validate checks the values of c; its errors name the flag.
func (c *config) validate() error {
	switch {
	case c.url == "":
		return errors.New("-nats: empty URL")
	case c.publishFeeds != "" && c.publishLines != "":
		return errors.New("-publish-feeds and -publish-lines: one at a time")
	case c.publishFeeds != "":
		if c.bucket == "" {
			return errors.New("-bucket: empty name")
		}
		return nil
	case c.publishLines != "":
		if c.linesSubject == "" || strings.ContainsAny(c.linesSubject, "*> \t") {
			return fmt.Errorf("-lines-subject %q: want a subject without wildcard or space", c.linesSubject)
		}
		return nil
	case c.stream == "":
		return errors.New("-stream: empty name")
	case c.consumer == "":
		return errors.New("-consumer: empty name")
	case c.subjectOut == "":
		return errors.New("-subject-out: empty subject")
	case strings.ContainsAny(c.subjectOut, "*> \t"):
		return fmt.Errorf("-subject-out %q: a subject to publish to has no wildcard or space", c.subjectOut)
	case c.batch < 1 || c.batch > 10000:
		return fmt.Errorf("-batch %d: want 1 to 10000", c.batch)
	case c.ackWait < time.Second:
		return fmt.Errorf("-ack-wait %v: want at least 1s", c.ackWait)
	case c.maxAckPend < c.batch:
		return fmt.Errorf("-max-ack-pending %d: want at least -batch (%d)", c.maxAckPend, c.batch)
	case c.create && c.outStream != "" && c.dupWindow <= c.ackWait:
		return fmt.Errorf("-dup-window %v: want longer than -ack-wait (%v), so that a redelivered line's output is de-duplicated", c.dupWindow, c.ackWait)
	case c.format != "json" && c.format != "ecs":
		return fmt.Errorf("-format %q: want json or ecs", c.format)
	case c.bucket == "" && len(c.sf.Feeds) == 0 && c.sf.TAXII.URL == "":
		return errors.New("-bucket: empty, and no -feed or -taxii: no indicators to match")
	case c.sf.MinConfidence < 0 || c.sf.MinConfidence > 100:
		return fmt.Errorf("-min-confidence %d: want 0 to 100", c.sf.MinConfidence)
	}
	return nil
}

// natsOptions are the connection options of every mode.
func (c *config) natsOptions(name string) []nats.Option {
	opts := []nats.Option{nats.Name(name)}
	if c.creds != "" {
		opts = append(opts, nats.UserCredentials(c.creds))
	}
	return opts
}

// setupConfig is the shared flags' Config with dir (the mirror of the
// bucket, when not "") as the first feed path.
func (c *config) setupConfig(dir string) (*setup.Config, error) {
	f := *c.sf
	if dir != "" {
		f.Feeds = append(setup.Multi{dir}, f.Feeds...)
	}
	return f.Config()
}

// liveOptions are the live.Options of the shared flags (package
// internal/setup, as iocscan and iocserve), over dir (the mirror of the
// bucket) and the -feed paths. The bucket's changes trigger the reloads
// (Matcher.Reload); the files are watched only with -reload, which also
// re-polls a -taxii collection.
func (c *config) liveOptions(ctx context.Context, dir string, w io.Writer) (live.Options, error) {
	cfg, err := c.setupConfig(dir)
	if err != nil {
		return live.Options{}, err
	}
	opts, err := cfg.LiveOptions(ctx, w)
	if err != nil {
		return live.Options{}, err
	}
	c.scorer = cfg.Scorer()
	if c.sf.Reload <= 0 {
		opts.WatchInterval = -1
	}
	opts.AllowEmpty = true // deleting a feed object is how a user empties it
	return opts, nil
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	os.Exit(run(ctx, os.Args[1:], os.Stderr))
}

// run runs the worker (or -publish-feeds) until ctx ends; its exit code.
func run(ctx context.Context, args []string, stderr io.Writer) int {
	c, err := parseFlags(args, stderr)
	if err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		fmt.Fprintln(stderr, "natsworker:", err)
		return 2
	}
	switch {
	case c.publishFeeds != "":
		err = publishFeeds(ctx, c, stderr)
	case c.publishLines != "":
		err = publishLineFile(ctx, c, os.Stdin, stderr)
	default:
		err = work(ctx, c, stderr)
	}
	if err != nil {
		fmt.Fprintln(stderr, "natsworker:", err)
		return 1
	}
	return 0
}
