package main

import (
	"os"
	"syscall"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// replaceFile writes content to path through a temporary file and a
// rename, as feed downloaders do.
func replaceFile(t *testing.T, path, content string) {
	t.Helper()
	tmp := path + ".tmp"
	require.NoError(t, os.WriteFile(tmp, []byte(content), 0o644))
	require.NoError(t, os.Rename(tmp, path))
}

// TestCLIReload follows a log with -reload and -retro through a feed
// edit (a record deleted, one added: the deleted one stops matching, the
// added one matches from the next line on and is retro-hunted in the
// lines kept), a SIGHUP, and a broken feed (the set stays), ending with
// SIGTERM and the summary.
func TestCLIReload(t *testing.T) {
	dir := t.TempDir()
	feed := writeFile(t, dir, "feed.txt", "evil.example\n198.51.100.7\n")
	app := writeFile(t, dir, "app.log", "GET http://a.evil.example/\nold contact to new-c2.example\n")
	p := start(t, nil, "-follow", "-poll", "20ms", "-reload", "50ms", "-retro", "1MiB", "-feed", feed, app)
	assert.Equal(t, []string{"app.log:1 a.evil.example"}, where(p.next(1)))
	p.waitStderr("reloads: on change, checked every 50ms, and on SIGHUP")

	// the feed is edited: evil.example deleted, new-c2.example added
	replaceFile(t, feed, "198.51.100.7\nnew-c2.example\n")
	p.waitStderr("iocscan: reload (change: ")
	got := p.next(1)
	assert.Equal(t, []string{"app.log:2 new-c2.example"}, where(got), "the retro-hunt of the kept lines")
	assert.True(t, got[0].Retro)
	assert.Contains(t, p.stderr(), "generation 2, 2 entries: 1 added, 1 removed, 0 changed")
	appendFile(t, app, "b.evil.example from 198.51.100.7 to x.new-c2.example\n")
	got = p.next(2)
	assert.Equal(t, []string{"app.log:3 198.51.100.7", "app.log:3 x.new-c2.example"}, where(got), "the new set: evil.example deleted")
	assert.False(t, got[0].Retro || got[1].Retro)

	// SIGHUP: a reload on demand
	require.NoError(t, p.cmd.Process.Signal(syscall.SIGHUP))
	p.waitStderr("iocscan: reload (reload): generation 3, 2 entries: 0 added, 0 removed, 0 changed")

	// a feed that lost every indicator is taken as broken: the set stays
	replaceFile(t, feed, "# nothing here\n")
	p.waitStderr("iocscan: reload failed (change")
	appendFile(t, app, "y.new-c2.example\n")
	assert.Equal(t, []string{"app.log:4 y.new-c2.example"}, where(p.next(1)))

	code, rest, errs := p.signal(syscall.SIGTERM)
	assert.Equal(t, 0, code, errs)
	assert.Empty(t, rest)
	assert.Contains(t, errs, "iocscan: reloads: 3 (1 failed); the last set is generation 3\n")
	assert.Contains(t, errs, "retro-hunt: 1 new indicators over 2 kept lines")
}
