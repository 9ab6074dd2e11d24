//go:build !unix

package hits_test

func cpuTime() int64 { return 0 }
