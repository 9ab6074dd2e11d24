package platform

import (
	"bytes"

	"github.com/iocmatch/iocmatch/loader"
)

// readBody reads one response body (a page) as format f; name is the path
// of its problems and FileStats (the page's URL, without credentials).
func readBody(body []byte, name string, f loader.Format, opts loader.Options) (loader.Result, error) {
	opts.Format = f
	return loader.Read(bytes.NewReader(body), name, opts)
}
