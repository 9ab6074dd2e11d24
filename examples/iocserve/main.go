package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/signal"
	"runtime"
	"sync"
	"syscall"
	"time"

	"github.com/iocmatch/iocmatch/internal/setup"
	"github.com/iocmatch/iocmatch/live"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	os.Exit(run(ctx, os.Args[1:], os.Stdout, os.Stderr, nil))
}

// envToken is the environment variable of the bearer token (-token wins).
const envToken = "IOCSERVE_TOKEN"

// Defaults of the limits.
const (
	defaultMaxBody  = 16 << 20 // 16 MiB: about 60,000 log lines of 250 bytes
	defaultMaxLine  = 1 << 20  // 1 MiB, iocscan's read buffer
	defaultShutdown = 30 * time.Second
)

// config are iocserve's own flags.
type config struct {
	addr                                 string
	token                                string
	lim                                  limits
	readHeader, read, write, idle, grace time.Duration
}

// run is the whole program; ready, when not nil (tests), gets the
// listener's address once it listens. It returns the exit status: 0 after
// a clean shutdown, 2 on a usage error, 1 when serving failed.
func run(ctx context.Context, args []string, stdout, stderr io.Writer, ready func(addr string)) int {
	fs := flag.NewFlagSet("iocserve", flag.ContinueOnError)
	var usage bytes.Buffer
	fs.SetOutput(&usage)
	sf := setup.NewFlags("IOCSERVE")
	sf.Register(fs)
	var c config
	fs.StringVar(&c.addr, "addr", "127.0.0.1:8080", "listen on `HOST:PORT` (loopback by default: put a TLS proxy in front to serve a network)")
	fs.StringVar(&c.token, "token", "", "require this bearer `TOKEN` on /v1/ (Authorization: Bearer TOKEN; prefer $"+envToken+"); none: no auth")
	fs.Int64Var(&c.lim.maxBody, "max-body", defaultMaxBody, "largest request body in `BYTES` (413 above)")
	fs.IntVar(&c.lim.maxLine, "max-line", defaultMaxLine, "largest log line or lookup value in `BYTES` (413 above)")
	fs.IntVar(&c.lim.maxConcurrent, "max-concurrent", 4*runtime.GOMAXPROCS(0), "API requests served at once, `N`; more are answered 429 at once (default 4 per CPU)")
	fs.DurationVar(&c.readHeader, "read-header-timeout", 10*time.Second, "time to read a request's headers")
	fs.DurationVar(&c.read, "read-timeout", time.Minute, "time to read a whole request, body included")
	fs.DurationVar(&c.write, "write-timeout", 2*time.Minute, "time from the end of the request's headers to the end of the answer")
	fs.DurationVar(&c.idle, "idle-timeout", 2*time.Minute, "time a keep-alive connection may wait for its next request")
	fs.DurationVar(&c.grace, "shutdown-timeout", defaultShutdown, "on SIGINT or SIGTERM, time to let the requests in flight finish before closing")
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), "usage: iocserve [-addr HOST:PORT] [-token TOKEN] -feed PATH … | -taxii URL … [feed, allowlist and ageing flags as iocscan's] [-reload DURATION] [limits]")
		fmt.Fprintln(fs.Output(), "Serves the indicators of the feeds over HTTP/JSON: POST /v1/match, POST /v1/lookup, GET /v1/indicators/{type}/{value}, GET /v1/stats, POST /v1/reload, /healthz, /readyz, /metrics.")
		fs.PrintDefaults()
	}
	logf := func(format string, a ...any) { fmt.Fprintf(stderr, "iocserve: "+format+"\n", a...) }
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			stdout.Write(usage.Bytes())
			return 0
		}
		stderr.Write(usage.Bytes())
		return 2
	}
	if fs.NArg() > 0 {
		logf("unexpected arguments %q: the log lines come in requests", fs.Args())
		return 2
	}
	cfg, err := sf.Config()
	if err != nil {
		logf("%v", err)
		if errors.Is(err, setup.ErrNoFeed) {
			fs.SetOutput(stderr)
			fs.Usage()
		}
		return 2
	}
	if c.token == "" {
		c.token = os.Getenv(envToken)
	}
	for _, p := range []struct {
		name string
		v    int64
	}{{"-max-body", c.lim.maxBody}, {"-max-line", int64(c.lim.maxLine)}, {"-max-concurrent", int64(c.lim.maxConcurrent)}} {
		if p.v <= 0 {
			logf("%s %d: must be more than 0", p.name, p.v)
			return 2
		}
	}
	for _, d := range []struct {
		name string
		v    time.Duration
	}{{"-read-header-timeout", c.readHeader}, {"-read-timeout", c.read}, {"-write-timeout", c.write}, {"-idle-timeout", c.idle}, {"-shutdown-timeout", c.grace}} {
		if d.v <= 0 {
			logf("%s %v: must be more than 0", d.name, d.v)
			return 2
		}
	}

	s := newServer(c.lim, c.token, cfg.Clock, cfg.Scorer(), logf)
	hup := make(chan os.Signal, 1) // before serving: a SIGHUP once ready never kills the process
	signal.Notify(hup, syscall.SIGHUP)
	defer signal.Stop(hup)
	ln, err := net.Listen("tcp", c.addr)
	if err != nil {
		logf("%v", err)
		return 1
	}
	srv := &http.Server{Handler: s.handler(), ReadHeaderTimeout: c.readHeader, ReadTimeout: c.read, WriteTimeout: c.write, IdleTimeout: c.idle,
		MaxHeaderBytes: 64 << 10}
	logf("listening on http://%s (not ready until the indicators are compiled)", ln.Addr())
	if ready != nil {
		ready(ln.Addr().String())
	}
	serveErr := make(chan error, 1)
	go func() { serveErr <- srv.Serve(ln) }()

	// The first build runs while the server already answers /healthz
	// and /readyz (503 until it is done).
	bctx, cancelBuild := context.WithCancel(ctx)
	defer cancelBuild()
	var bg sync.WaitGroup // the builds; not waited for past -shutdown-timeout (a feed read can block)
	built := make(chan error, 1)
	var lm *live.Matcher
	bg.Go(func() {
		opts, err := cfg.LiveOptions(bctx, stderr)
		if err != nil {
			built <- err
			return
		}
		opts.Transform = cfg.Transform(s.addAges)
		opts.OnReload = s.onReload
		t0 := time.Now()
		lm, err = live.New(bctx, opts)
		if err != nil {
			built <- err
			return
		}
		set := lm.Current()
		for i := range set.Sources {
			src := &set.Sources[i]
			logf("feed %s: %d indicators from %d files; %d records skipped; %d unsupported", src.Name, src.Indicators, len(src.Files), src.Skipped, src.Unsupported)
		}
		s.setMatcher(lm)
		reload := "no reloads but POST /v1/reload and SIGHUP (-reload to watch the feeds)"
		if sf.Reload > 0 {
			reload = fmt.Sprintf("reloads on change, checked every %v, on POST /v1/reload and SIGHUP", sf.Reload)
		}
		logf("ready: %d indicators compiled in %v: %s (generation 1; %s)", set.Indicators, time.Since(t0).Round(time.Millisecond), set.Matcher, reload)
		built <- nil
	})

	status := 0
	running := true
	for running {
		select {
		case err := <-built:
			if err != nil {
				logf("loading the indicators: %v", err)
				status = 1
				running = false
				break
			}
			if sf.Reload > 0 {
				bg.Go(func() { lm.Run(bctx) })
			}
		case <-hup:
			if l := s.lm.Load(); l != nil {
				bg.Go(func() { l.Reload(bctx) }) // reported by onReload
			}
		case err := <-serveErr:
			logf("serving: %v", err)
			cancelBuild()
			return 1
		case <-ctx.Done():
			running = false
		}
	}
	logf("shutting down: finishing the requests in flight (at most %v)", c.grace)
	sctx, cancel := context.WithTimeout(context.Background(), c.grace)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		logf("shutdown: %v; closing the connections left", err)
		srv.Close()
		status = 1
	}
	cancelBuild()
	stopped := make(chan struct{})
	go func() { bg.Wait(); close(stopped) }()
	select {
	case <-stopped:
	case <-time.After(c.grace):
		logf("a build of the indicators did not stop in %v (a feed read that blocks?): exiting without it", c.grace)
		status = 1
	}
	if l := s.lm.Load(); l != nil {
		l.Close()
	}
	logf("stopped")
	return status
}
