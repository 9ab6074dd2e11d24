package loader

import "io"

func readSTIX(c *collector, r io.Reader) error { return errNotYet }

// ReadSTIX reads STIX 2 objects from r. (Being written.)
func ReadSTIX(r io.Reader, path string, opts Options) (Result, error) {
	return readAs(FormatSTIX, r, path, opts)
}
