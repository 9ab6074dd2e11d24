//go:build unix

package hits_test

import "syscall"

// cpuTime returns the CPU time (user and system) the process has used, in
// nanoseconds, so that benchmarks on a shared host report CPU time per
// operation beside the wall time.
func cpuTime() int64 {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return ru.Utime.Nano() + ru.Stime.Nano()
}
