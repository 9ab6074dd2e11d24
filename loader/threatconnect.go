package loader

import (
	"errors"
	"io"
)

// readThreatConnect reads a ThreatConnect feed. TODO: the format's reader (issue 13).
func readThreatConnect(c *collector, r io.Reader) error {
	return errors.New("threatconnect: not read yet")
}

// sniffThreatConnect reports whether JSON head (top-level keys keys) is ThreatConnect's.
func sniffThreatConnect(head []byte, keys map[string]struct{}) bool { return false }
