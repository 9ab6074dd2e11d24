package main

import (
	"syscall"
	"time"
)

// threadCPU returns the CPU time the calling OS thread has used, and true;
// with runtime.LockOSThread it times a pass without the time the thread
// waited for a core on a shared host.
func threadCPU() (time.Duration, bool) {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_THREAD, &ru) != nil {
		return 0, false
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano()), true
}
