// Package atomicfile writes a file atomically: into a temporary file in
// the same directory, synced, then renamed over the path, so that a
// reader (or a crash) never sees half a file. It costs one temporary
// file's name and a sync per write.
package atomicfile

import (
	"bufio"
	"io"
	"os"
	"path/filepath"
)

// WriteFile writes what fill writes to the file path, atomically. The
// file's mode is that of the file it replaces, else 0644. On an error
// the temporary file is removed and path is left as it was.
func WriteFile(path string, fill func(io.Writer) error) error {
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp*")
	if err != nil {
		return err
	}
	tmp := f.Name()
	mode := os.FileMode(0o644) // CreateTemp's is 0600; keep an existing file's
	if fi, err := os.Stat(path); err == nil {
		mode = fi.Mode().Perm()
	}
	err = f.Chmod(mode)
	if err == nil {
		bw := bufio.NewWriterSize(f, 64<<10)
		if err = fill(bw); err == nil {
			err = bw.Flush()
		}
	}
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp, path)
	}
	if err != nil {
		os.Remove(tmp)
	}
	return err
}
