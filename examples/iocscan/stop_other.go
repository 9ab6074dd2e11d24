//go:build !unix

package main

import (
	"io"
	"os"
)

// pollable: not on this system (interruptible reads on a goroutine).
func pollable(*os.File, <-chan struct{}) (io.Reader, func(), bool) { return nil, nil, false }
