//go:build unix

package main

import (
	"errors"
	"io"
	"os"
	"syscall"
	"time"
)

// pollable returns, for f a pipe (FIFO) or a socket, a reader of a
// duplicate of its descriptor in non-blocking mode, read through the
// runtime's poller: when stop is closed, its read deadline passes and a
// waiting read ends with errInterrupted. The function returned closes
// the duplicate and puts the descriptor back in blocking mode (the mode
// belongs to the open file, shared with f and any process sharing it).
// ok is false for any other file: a terminal is not touched.
func pollable(f *os.File, stop <-chan struct{}) (r io.Reader, closeFn func(), ok bool) {
	fi, err := f.Stat()
	if err != nil || fi.Mode()&(os.ModeNamedPipe|os.ModeSocket) == 0 {
		return nil, nil, false
	}
	sc, err := f.SyscallConn()
	if err != nil {
		return nil, nil, false
	}
	fd := -1
	var derr error
	if err := sc.Control(func(s uintptr) { fd, derr = syscall.Dup(int(s)) }); err != nil || derr != nil {
		return nil, nil, false
	}
	flags, err := fcntlFlags(uintptr(fd))
	if err != nil || syscall.SetNonblock(fd, true) != nil {
		syscall.Close(fd)
		return nil, nil, false
	}
	wasNonblock := flags&syscall.O_NONBLOCK != 0
	pf := os.NewFile(uintptr(fd), f.Name()) // non-blocking: pollable
	done := make(chan struct{})
	go func() {
		select {
		case <-stop:
			pf.SetReadDeadline(time.Unix(1, 0)) // in the past: reads end now
		case <-done:
		}
	}()
	return deadlineReader{pf}, func() {
		close(done)
		if sc, err := pf.SyscallConn(); err == nil {
			sc.Control(func(s uintptr) { syscall.SetNonblock(int(s), wasNonblock) })
		}
		pf.Close()
	}, true
}

// deadlineReader reads f; its passed deadline is errInterrupted.
type deadlineReader struct{ f *os.File }

func (d deadlineReader) Read(p []byte) (int, error) {
	n, err := d.f.Read(p)
	if errors.Is(err, os.ErrDeadlineExceeded) {
		err = errInterrupted
	}
	return n, err
}

// fcntlFlags returns the file status flags of fd (F_GETFL).
func fcntlFlags(fd uintptr) (int, error) {
	r, _, errno := syscall.Syscall(syscall.SYS_FCNTL, fd, syscall.F_GETFL, 0)
	if errno != 0 {
		return 0, errno
	}
	return int(r), nil
}
