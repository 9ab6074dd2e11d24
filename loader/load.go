package loader

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// Load reads the file at path, or every regular file under the directory
// at path (see the package documentation), each in the format detected
// from its content and name (see Read and Detect), or Options.Format.
//
// The error is about a path that cannot be read (it quotes the path), or
// with opts.Strict the first *Problem; the Result then holds what was read
// before it.
func Load(path string, opts Options) (Result, error) {
	var res Result
	fi, err := os.Stat(path)
	if err != nil {
		return res, readError(path, err)
	}
	st := newLoadState()
	if !fi.IsDir() {
		return res, loadFile(&res, st, path, &opts)
	}
	root := path
	if li, err := os.Lstat(path); err == nil && li.Mode()&fs.ModeSymlink != 0 {
		// WalkDir does not follow a symbolic link as its root, but does
		// with a trailing separator.
		root += string(filepath.Separator)
	}
	err = filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if p != root && strings.HasPrefix(d.Name(), ".") {
			if d.IsDir() {
				return filepath.SkipDir
			}
			return nil
		}
		switch mode := d.Type(); {
		case mode.IsRegular():
		case mode&fs.ModeSymlink != 0:
			if fi, err := os.Stat(p); err != nil || !fi.Mode().IsRegular() {
				return nil // broken, or not to a file
			}
		default:
			return nil // directory, device, pipe …
		}
		if isMISPFeedHashes(p) {
			return nil
		}
		return loadFile(&res, st, p, &opts)
	})
	var p *Problem
	if err != nil && !errors.As(err, &p) {
		err = readError(path, err)
	}
	return res, err
}

// isMISPFeedHashes reports whether the file at path is the hashes.csv of a
// MISP feed (a manifest.json beside it): it lists hashes of the attribute
// values, for correlation, and holds no indicator of its own.
func isMISPFeedHashes(path string) bool {
	if filepath.Base(path) != "hashes.csv" {
		return false
	}
	fi, err := os.Stat(filepath.Join(filepath.Dir(path), "manifest.json"))
	return err == nil && fi.Mode().IsRegular()
}

// loadFile reads one file into res, merging its indicators with those of
// st.
func loadFile(res *Result, st *loadState, path string, opts *Options) error {
	f, err := os.Open(path)
	if err != nil {
		return readError(path, err)
	}
	defer f.Close()
	err = readFile(res, st, f, path, opts)
	if opts.Progress != nil {
		opts.Progress(Progress{Path: path, Files: res.Files, Indicators: len(res.Indicators)})
	}
	return err
}

// readError is the error for a path that cannot be read: it quotes the
// path and wraps err (without repeating the path of an *fs.PathError).
func readError(path string, err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		path, err = pe.Path, pe.Err
	}
	if errors.As(err, new(*loadError)) {
		return err
	}
	return &loadError{path: path, err: err}
}

// loadError is an error reading path.
type loadError struct {
	path string
	err  error
}

func (e *loadError) Error() string { return fmt.Sprintf("loader: %q: %v", e.path, e.err) }
func (e *loadError) Unwrap() error { return e.err }

// SourceName returns the default source name for a file: its base name
// without extension, and without ".gz" before that ("feeds/c2.txt" and
// "c2.txt.gz" are "c2"). A name that would be empty (".hidden") is kept
// whole.
func SourceName(path string) string {
	if path == "" {
		return ""
	}
	base := filepath.Base(path)
	name := base
	if len(name) > 3 && strings.EqualFold(name[len(name)-3:], ".gz") {
		name = name[:len(name)-3]
	}
	name = strings.TrimSuffix(name, filepath.Ext(name))
	if name == "" {
		return base
	}
	return name
}
