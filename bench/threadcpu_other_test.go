//go:build !linux

package bench_test

// threadCPU reports false: no per-thread CPU time here.
func threadCPU() (int64, bool) { return 0, false }
