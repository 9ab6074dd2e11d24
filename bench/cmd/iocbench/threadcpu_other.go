//go:build !linux

package main

import "time"

// threadCPU is not available here: passes are timed by the wall clock.
func threadCPU() (time.Duration, bool) { return 0, false }
