package main

import (
	"context"
	"os"
	"os/signal"
	"sync"
	"sync/atomic"
	"syscall"
)

// signals is iocscan's handling of signals, set up in one place for the
// whole scan. The first SIGINT or SIGTERM stops the scan cleanly (see
// stopper); a second one kills the process (the default action is
// restored after the first). Other signals are given handlers with on:
// a reload on SIGHUP, a dump of statistics on SIGUSR1.
type signals struct {
	stop     *stopper
	ch       chan os.Signal
	mu       sync.Mutex
	handlers map[os.Signal]func()
	quit     chan struct{}
	wg       sync.WaitGroup
}

// stopper tells the scan to stop: its context is done, and stopped
// reports it without a lock (checked once per line). Its methods are
// safe on a nil *stopper (never stopped).
type stopper struct {
	ctx    context.Context
	cancel context.CancelFunc
	flag   atomic.Bool
	sig    atomic.Value // the os.Signal that stopped it
}

func newStopper() *stopper {
	s := &stopper{}
	s.ctx, s.cancel = context.WithCancel(context.Background())
	return s
}

// stopNow stops the scan because of sig (nil: an error of the output).
func (s *stopper) stopNow(sig os.Signal) {
	if s.flag.CompareAndSwap(false, true) {
		if sig != nil {
			s.sig.Store(sig)
		}
		s.cancel()
	}
}

func (s *stopper) stopped() bool { return s != nil && s.flag.Load() }

// doneChan is closed when the scan is stopped (nil: never).
func (s *stopper) doneChan() <-chan struct{} {
	if s == nil {
		return nil
	}
	return s.ctx.Done()
}

// signal is the signal that stopped the scan, nil if none did.
func (s *stopper) signal() os.Signal {
	if s == nil {
		return nil
	}
	sig, _ := s.sig.Load().(os.Signal)
	return sig
}

// interruptedStatus is the exit status of a scan (not -follow) stopped by
// sig, as a shell reports a command killed by it: 128 + its number (130
// for SIGINT, 143 for SIGTERM).
func interruptedStatus(sig os.Signal) int {
	if s, ok := sig.(syscall.Signal); ok {
		return 128 + int(s)
	}
	return 128 + int(syscall.SIGINT)
}

// newSignals starts handling SIGINT and SIGTERM: they stop st.
func newSignals(st *stopper) *signals {
	s := &signals{stop: st, ch: make(chan os.Signal, 4), handlers: make(map[os.Signal]func()), quit: make(chan struct{})}
	signal.Notify(s.ch, os.Interrupt, syscall.SIGTERM)
	s.wg.Go(s.loop)
	return s
}

// on calls fn, on the signals' goroutine, whenever sig arrives (until
// close): fn must not block for long (start a goroutine for a reload).
// It is the place for SIGHUP (reload) and SIGUSR1 (statistics).
func (s *signals) on(sig os.Signal, fn func()) {
	s.mu.Lock()
	s.handlers[sig] = fn
	s.mu.Unlock()
	signal.Notify(s.ch, sig)
}

func (s *signals) loop() {
	for {
		select {
		case <-s.quit:
			return
		case sig := <-s.ch:
			if sig == os.Interrupt || sig == syscall.SIGTERM {
				signal.Reset(os.Interrupt, syscall.SIGTERM) // a second one kills
				s.stop.stopNow(sig)
				continue
			}
			s.mu.Lock()
			fn := s.handlers[sig]
			s.mu.Unlock()
			if fn != nil {
				fn()
			}
		}
	}
}

// close stops handling the signals (their default actions return).
func (s *signals) close() {
	signal.Stop(s.ch)
	close(s.quit)
	s.wg.Wait()
}
