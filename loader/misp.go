package loader

import "io"

func readMISP(c *collector, r io.Reader) error { return errNotYet }

func readMISPManifest(c *collector, r io.Reader) error { return errNotYet }

// ReadMISP reads a MISP event from r. (Being written.)
func ReadMISP(r io.Reader, path string, opts Options) (Result, error) {
	return readAs(FormatMISP, r, path, opts)
}
