package loader

import (
	"errors"
	"io"
)

// readRecordedFuture reads a RecordedFuture feed. TODO: the format's reader (issue 13).
func readRecordedFuture(c *collector, r io.Reader) error {
	return errors.New("recordedfuture: not read yet")
}

// sniffRecordedFuture reports whether text head is a Recorded Future risk list.
func sniffRecordedFuture(head []byte) bool { return false }
