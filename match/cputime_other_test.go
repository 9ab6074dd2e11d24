//go:build !unix

package match_test

// cpuTime is 0 where getrusage is not available: reportCPU reports
// nothing then.
func cpuTime() int64 { return 0 }
