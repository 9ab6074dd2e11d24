package main

import (
	"bufio"
	"io"
	"sync"
)

// output is the scan's standard output, buffered (64 KiB blocks) and
// shared: the goroutines of a -follow run (one per file) and a
// retro-hunt write whole records to it, each Write under its lock, so
// that records never mix and each file's stay in order.
type output struct {
	mu sync.Mutex
	w  *bufio.Writer
}

func newOutput(w io.Writer) *output { return &output{w: bufio.NewWriterSize(w, 64<<10)} }

// Write writes b (whole records) to the buffer.
func (o *output) Write(b []byte) (int, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.w.Write(b)
}

// Flush writes the buffer out.
func (o *output) Flush() error {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.w.Flush()
}

// lockedWriter serialises the writes of several goroutines to w
// (standard error).
type lockedWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (l *lockedWriter) Write(b []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(b)
}
