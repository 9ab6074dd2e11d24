package bench_test

import "syscall"

// threadCPU returns the CPU time, in nanoseconds, the calling OS thread
// has used (with runtime.LockOSThread: the scanning goroutine's).
func threadCPU() (int64, bool) {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_THREAD, &ru) != nil {
		return 0, false
	}
	return ru.Utime.Nano() + ru.Stime.Nano(), true
}
