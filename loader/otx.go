package loader

import (
	"errors"
	"io"
)

// readOTX reads a OTX feed. TODO: the format's reader (issue 13).
func readOTX(c *collector, r io.Reader) error { return errors.New("otx: not read yet") }

// sniffOTX reports whether JSON head (top-level keys keys) is OTX's.
func sniffOTX(head []byte, keys map[string]struct{}) bool { return false }
