package main

import (
	"bytes"
	"context"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

func TestParseFlagsDefaults(t *testing.T) {
	c, err := parseFlags(nil, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if c.url != "nats://127.0.0.1:4222" || c.stream != "LOGS" || c.consumer != "iocmatch" || c.subjectOut != "iocmatch.matches" ||
		c.outStream != "MATCHES" || c.bucket != "IOCFEEDS" || c.batch != 1000 || c.ackWait != 30*time.Second ||
		c.maxAckPend != 4096 || c.dupWindow != 10*time.Minute || c.format != "json" || !c.create || !c.sf.Allow.Reserved {
		t.Errorf("defaults: %+v", c)
	}
	o, err := c.liveOptions(context.Background(), "/feeds", io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if len(o.Paths) != 1 || o.Paths[0] != "/feeds" || o.WatchInterval >= 0 || o.Allow == nil || o.Allow.NoReserved || o.Transform == nil || !o.AllowEmpty {
		t.Errorf("live options: %+v", o)
	}
	c, err = parseFlags([]string{"-feed", "a.txt", "-feed", "b", "-reserved=false", "-reload", "7s"}, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	o, err = c.liveOptions(context.Background(), "/m", io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(o.Paths, " ") != "/m a.txt b" || o.WatchInterval != 7*time.Second || !o.Allow.NoReserved {
		t.Errorf("live options with -feed: %+v", o)
	}
}

func TestParseFlagsErrors(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"-batch", "0"}, "-batch 0"},
		{[]string{"-batch", "20000"}, "-batch 20000"},
		{[]string{"-ack-wait", "100ms"}, "-ack-wait"},
		{[]string{"-max-ack-pending", "10"}, "-max-ack-pending 10"},
		{[]string{"-dup-window", "10s"}, "-dup-window 10s"},
		{[]string{"-format", "xml"}, `-format "xml"`},
		{[]string{"-subject-out", "iocmatch.>"}, "-subject-out"},
		{[]string{"-stream", ""}, "-stream"},
		{[]string{"-bucket", ""}, "no -feed"},
		{[]string{"-min-confidence", "101"}, "-min-confidence 101"},
		{[]string{"-max-age", "ip=soon"}, "-max-age"},
		{[]string{"-creds", "/nonexistent.creds"}, "-creds: stat /nonexistent.creds"},
		{[]string{"extra"}, `unexpected argument "extra"`},
		{[]string{"-batch", "x"}, "invalid value"},
	} {
		var buf bytes.Buffer
		_, err := parseFlags(tc.args, &buf)
		if err == nil || !strings.Contains(err.Error()+buf.String(), tc.want) {
			t.Errorf("%q: error %v, want one with %q", tc.args, err, tc.want)
		}
	}
	if code := run(context.Background(), []string{"-format", "x"}, io.Discard); code != 2 {
		t.Errorf("bad flag: exit %d, want 2", code)
	}
}

func TestLocalPath(t *testing.T) {
	f := &feedSync{dir: "/cache"}
	for name, want := range map[string]string{
		"a.txt":           "/cache/a.txt",
		"misp/event.json": "/cache/misp/event.json",
		"../etc/passwd":   "",
		"/abs":            "",
		"x/.hidden":       "",
		".tmp-1":          "",
	} {
		got, err := f.localPath(name)
		if (err != nil) != (want == "") || got != want {
			t.Errorf("localPath(%q) = %q, %v; want %q", name, got, err, want)
		}
	}
}

// TestFeedSync: put, change, delete objects; the mirror follows, and a
// stale local file is pruned at the first listing.
func TestFeedSync(t *testing.T) {
	url := startServer(t)
	nc, err := nats.Connect(url)
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	js, _ := jetstream.New(nc)
	ctx := context.Background()
	obs, err := openBucket(ctx, js, "IOCFEEDS", true)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := obs.PutString(ctx, "dir/a.txt", "evil-1.com\n"); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "stale.txt"), []byte("old.com\n"), 0o644)
	w, err := obs.Watch(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer w.Stop()
	f := &feedSync{obs: obs, dir: dir, have: map[string]string{}}
	if err := f.initial(ctx, w, 10*time.Second); err != nil {
		t.Fatal(err)
	}
	if b, err := os.ReadFile(filepath.Join(dir, "dir", "a.txt")); err != nil || string(b) != "evil-1.com\n" {
		t.Fatalf("mirror: %q, %v", b, err)
	}
	if _, err := os.Stat(filepath.Join(dir, "stale.txt")); !os.IsNotExist(err) {
		t.Errorf("stale file not pruned: %v", err)
	}
	next := func() *jetstream.ObjectInfo {
		select {
		case info := <-w.Updates():
			return info
		case <-time.After(10 * time.Second):
			t.Fatal("no update within 10s")
			return nil
		}
	}
	obs.PutString(ctx, "dir/a.txt", "evil-2.com\n")
	if ch, err := f.apply(ctx, next()); !ch || err != nil {
		t.Fatalf("changed object: %v, %v", ch, err)
	}
	if b, _ := os.ReadFile(filepath.Join(dir, "dir", "a.txt")); string(b) != "evil-2.com\n" {
		t.Errorf("after the change: %q", b)
	}
	obs.Delete(ctx, "dir/a.txt")
	if ch, err := f.apply(ctx, next()); !ch || err != nil {
		t.Fatalf("deleted object: %v, %v", ch, err)
	}
	if _, err := os.Stat(filepath.Join(dir, "dir", "a.txt")); !os.IsNotExist(err) {
		t.Errorf("deleted object still mirrored: %v", err)
	}
	obs.PutString(ctx, "../x", "evil.com\n")
	if _, err := f.apply(ctx, next()); err == nil || !strings.Contains(err.Error(), `"../x"`) {
		t.Errorf("object ../x: %v", err)
	}
}

func TestPublishFeedsErrors(t *testing.T) {
	var buf bytes.Buffer
	if code := run(context.Background(), []string{"-publish-feeds", filepath.Join(t.TempDir(), "none")}, &buf); code != 1 || !strings.Contains(buf.String(), "-publish-feeds") {
		t.Errorf("missing dir: exit %d: %s", code, buf.String())
	}
	buf.Reset()
	url := startServer(t)
	if code := run(context.Background(), []string{"-nats", url, "-publish-feeds", t.TempDir()}, &buf); code != 1 || !strings.Contains(buf.String(), "no file") {
		t.Errorf("empty dir: exit %d: %s", code, buf.String())
	}
	buf.Reset()
	if code := run(context.Background(), []string{"-nats", "nats://127.0.0.1:1", "-stream", "S"}, &buf); code != 1 || !strings.Contains(buf.String(), "-nats nats://127.0.0.1:1") {
		t.Errorf("no server: exit %d: %s", code, buf.String())
	}
}

func TestPublishLines(t *testing.T) {
	url := startServer(t)
	p := filepath.Join(t.TempDir(), "in.log")
	os.WriteFile(p, []byte("a evil-1.com\n\nb\nc 45.33.0.1\n"), 0o644)
	var buf bytes.Buffer
	if code := run(context.Background(), []string{"-nats", url, "-publish-lines", p, "-lines-subject", "logs.x"}, &buf); code != 0 {
		t.Fatalf("exit %d: %s", code, buf.String())
	}
	nc, err := nats.Connect(url)
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	js, _ := jetstream.New(nc)
	s, err := js.Stream(context.Background(), "LOGS")
	if err != nil {
		t.Fatal(err)
	}
	m, err := s.GetMsg(context.Background(), 3)
	if err != nil || m.Subject != "logs.x" || string(m.Data) != "c 45.33.0.1" {
		t.Fatalf("third message: %+v, %v", m, err)
	}
	if info, _ := s.Info(context.Background()); info.State.Msgs != 3 {
		t.Errorf("%d messages, want 3 (the empty line skipped)", info.State.Msgs)
	}
	if !strings.Contains(buf.String(), "published 3 lines to logs.x") {
		t.Errorf("log: %s", buf.String())
	}
	if code := run(context.Background(), []string{"-nats", url, "-publish-lines", p, "-lines-subject", "logs.*"}, &buf); code != 2 {
		t.Errorf("wildcard subject: exit %d", code)
	}
}
