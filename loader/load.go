package loader

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"
)

// Load reads the file at path, or every regular file under the directory
// at path (see the package documentation), each in the format detected
// from its content and name (see Read and Detect), or Options.Format.
// Under a directory, documentation files are skipped, and so are the
// files Options.Include and Options.Exclude leave out: each is named in
// Result.SkippedFiles. A file given as path is always read.
//
// The error is about a path that cannot be read (it quotes the path), a
// bad Options.Include or Exclude pattern, or with opts.Strict the first
// *Problem; the Result then holds what was read before it.
func Load(path string, opts Options) (Result, error) {
	return LoadAll([]string{path}, opts)
}

// LoadAll is Load for several paths (files or directories) into one
// Result: the paths are read in the order given, and a record identical to
// one read before it is merged into it, as Load merges them under one
// directory (identical includes Meta.File, so only the records of one file
// merge: a file given twice, by two paths spelled alike, is read twice,
// its records all duplicates the second time). Result.PerFile has every file
// of every path. Reading stops at the first path that cannot be read (or,
// with opts.Strict, the first problem): the error is Load's, and the
// Result holds what was read before it.
func LoadAll(paths []string, opts Options) (Result, error) {
	var res Result
	if err := checkPatterns(&opts); err != nil {
		return res, err
	}
	st := newLoadState()
	for _, path := range paths {
		if err := loadPath(&res, st, path, &opts); err != nil {
			return res, err
		}
	}
	return res, nil
}

// loadPath reads the file or directory at path into res.
func loadPath(res *Result, st *loadState, path string, opts *Options) error {
	fi, err := os.Stat(path)
	if err != nil {
		return readError(path, err)
	}
	if !fi.IsDir() {
		return loadFile(res, st, path, opts)
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
		if p == root {
			return nil
		}
		if strings.HasPrefix(d.Name(), ".") {
			if d.IsDir() {
				return filepath.SkipDir
			}
			return nil
		}
		rel := relPath(root, p)
		if d.IsDir() {
			if matchAny(opts.Exclude, rel, d.Name()) {
				res.SkippedFiles = append(res.SkippedFiles, SkippedFile{Path: p, Reason: SkipExcluded})
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
			return nil // device, pipe …
		}
		if why := skipReason(p, rel, d.Name(), opts); why != "" {
			res.SkippedFiles = append(res.SkippedFiles, SkippedFile{Path: p, Reason: why})
			return nil
		}
		return loadFile(res, st, p, opts)
	})
	var pe *Problem
	if err != nil && !errors.As(err, &pe) {
		err = readError(path, err)
	}
	return err
}

// The reasons a file under a directory is not read: the values of
// SkippedFile.Reason.
const (
	SkipDocumentation = "documentation"                  // README*, SOURCES*, LICENSE*, *.md … (see IsDocumentation)
	SkipExcluded      = "excluded (Options.Exclude)"     // a file or directory matching an Exclude pattern
	SkipNotIncluded   = "not included (Options.Include)" // a file matching no Include pattern
	SkipMISPHashes    = "MISP feed hashes.csv"           // the hashes.csv beside a MISP feed's manifest.json
)

// skipReason returns why the file at p (rel under the directory read, base
// name name) is not read, or "" when it is.
func skipReason(p, rel, name string, opts *Options) string {
	switch {
	case matchAny(opts.Exclude, rel, name):
		return SkipExcluded
	case len(opts.Include) > 0 && !matchAny(opts.Include, rel, name):
		return SkipNotIncluded
	case len(opts.Include) == 0 && IsDocumentation(name):
		return SkipDocumentation
	case isMISPFeedHashes(p):
		return SkipMISPHashes
	}
	return ""
}

// IsDocumentation reports whether a file of base name name is
// documentation rather than a feed, by its name (case-insensitively):
// README*, SOURCES*, LICENSE*, LICENCE*, COPYING*, CHANGELOG*, or a name
// ending in .md, .markdown, .adoc, .asciidoc or .rst. Load skips them
// under a directory (Result.SkippedFiles), unless Options.Include names
// them.
func IsDocumentation(name string) bool {
	n := strings.ToLower(name)
	for _, p := range [...]string{"readme", "sources", "license", "licence", "copying", "changelog"} {
		if strings.HasPrefix(n, p) {
			return true
		}
	}
	for _, e := range [...]string{".md", ".markdown", ".adoc", ".asciidoc", ".rst"} {
		if strings.HasSuffix(n, e) {
			return true
		}
	}
	return false
}

// relPath returns p relative to the directory root, with '/' separators.
func relPath(root, p string) string {
	rel, err := filepath.Rel(root, p)
	if err != nil {
		rel = p
	}
	return filepath.ToSlash(rel)
}

// matchAny reports whether one of the patterns matches rel (the path
// relative to the directory read, '/'-separated) or name (the base name).
// The patterns were checked by checkPatterns.
func matchAny(patterns []string, rel, name string) bool {
	for _, pat := range patterns {
		if ok, _ := path.Match(pat, rel); ok {
			return true
		}
		if ok, _ := path.Match(pat, name); ok {
			return true
		}
	}
	return false
}

// checkPatterns returns an error for the first malformed pattern of
// Options.Include or Exclude.
func checkPatterns(opts *Options) error {
	for _, l := range [...]struct {
		name string
		pats []string
	}{{"Include", opts.Include}, {"Exclude", opts.Exclude}} {
		for _, pat := range l.pats {
			if _, err := path.Match(pat, ""); err != nil {
				return fmt.Errorf("loader: Options.%s: pattern %q: %w", l.name, pat, err)
			}
		}
	}
	return nil
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
		opts.Progress(Progress{Path: path, Files: res.Files, Indicators: len(res.Indicators) + st.flushed})
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
