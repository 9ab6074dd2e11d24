package loader

import "io"

// CSVOptions say how to read CSV files. (Being written.)
type CSVOptions struct{}

func sniffCSV(head []byte) bool { return false }

func readCSV(c *collector, r io.Reader) error { return errNotYet }

// ReadCSV reads a CSV feed from r. (Being written.)
func ReadCSV(r io.Reader, path string, opts Options) (Result, error) {
	return readAs(FormatCSV, r, path, opts)
}
