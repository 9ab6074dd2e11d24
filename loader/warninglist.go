package loader

import "io"

// Warninglist is a MISP warninglist. (Being written.)
type Warninglist struct{}

func readWarninglist(c *collector, r io.Reader) error { return errNotYet }
