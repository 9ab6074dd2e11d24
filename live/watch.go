package live

import (
	"hash/maphash"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// ModTimeWindow is how recent a file's modification time must be for the
// change detection to read its content: within it, a file rewritten with
// the same size may keep its modification time (1 to 2 s granularity on
// some file systems: FAT, HFS+, some network file systems), so its
// content's hash is compared too. Older files are compared by their
// metadata alone.
const ModTimeWindow = 3 * time.Second

// fileSig is the state of one file.
type fileSig struct {
	size     int64
	mtime    int64 // Unix nanoseconds
	ino, dev uint64
	hash     uint64 // of the content, when hashed
	hashed   bool   // hash is set
	recent   bool   // mtime was within ModTimeWindow: hash it next time too
}

// signature is the state of every file under some paths, by path; a path
// that cannot be read is recorded with its error.
type signature struct {
	files  map[string]fileSig
	errors map[string]string
	order  []string // the files in the order walked
}

// hashSeed is the seed of the content hashes (the same for every
// signature of the process, so that they compare).
var hashSeed = maphash.MakeSeed()

// takeSignature walks paths (files and directories, recursively, hidden
// names skipped as the loader skips them) and returns their state. prev is
// the previous signature: a file it saw with a recent modification time,
// or that now has one, has its content hashed.
func takeSignature(paths []string, prev signature, now time.Time) signature {
	sig := signature{files: map[string]fileSig{}}
	addErr := func(p string, err error) {
		if sig.errors == nil {
			sig.errors = map[string]string{}
		}
		sig.errors[p] = err.Error()
	}
	addFile := func(p string, fi fs.FileInfo) {
		s := statSig(fi)
		old, seen := prev.files[p]
		s.recent = now.Sub(fi.ModTime()) < ModTimeWindow
		same := seen && old.size == s.size && old.mtime == s.mtime && old.ino == s.ino && old.dev == s.dev
		if s.recent || (same && old.recent) {
			if h, err := hashFile(p); err == nil {
				s.hash, s.hashed = h, true
			} else {
				addErr(p, err)
				return
			}
		}
		sig.files[p] = s
		sig.order = append(sig.order, p)
	}
	for _, root := range paths {
		fi, err := os.Stat(root)
		if err != nil {
			addErr(root, err)
			continue
		}
		if !fi.IsDir() {
			addFile(root, fi)
			continue
		}
		walkRoot := root
		if li, err := os.Lstat(root); err == nil && li.Mode()&fs.ModeSymlink != 0 {
			walkRoot += string(filepath.Separator)
		}
		filepath.WalkDir(walkRoot, func(p string, d fs.DirEntry, err error) error {
			if err != nil {
				addErr(p, err)
				return nil
			}
			if p == walkRoot {
				return nil
			}
			if strings.HasPrefix(d.Name(), ".") {
				if d.IsDir() {
					return filepath.SkipDir
				}
				return nil
			}
			if d.IsDir() {
				return nil
			}
			fi, err := os.Stat(p) // follows a symbolic link to a file
			if err != nil || !fi.Mode().IsRegular() {
				return nil
			}
			addFile(p, fi)
			return nil
		})
	}
	return sig
}

// diff returns the first file that differs between sig and base (added,
// removed, rewritten, or that became readable or unreadable).
func (sig signature) diff(base signature) (string, bool) {
	for _, p := range sig.order {
		s := sig.files[p]
		b, ok := base.files[p]
		if !ok || b.size != s.size || b.mtime != s.mtime || b.ino != s.ino || b.dev != s.dev ||
			(b.hashed && s.hashed && b.hash != s.hash) {
			return p, true
		}
	}
	for _, p := range base.order {
		if _, ok := sig.files[p]; !ok {
			return p, true
		}
	}
	for p, e := range sig.errors {
		if base.errors[p] != e {
			return p, true
		}
	}
	for p := range base.errors {
		if _, ok := sig.errors[p]; !ok {
			return p, true
		}
	}
	return "", false
}

// hashFile returns the hash of the content of the file at p.
func hashFile(p string) (uint64, error) {
	f, err := os.Open(p)
	if err != nil {
		return 0, err
	}
	defer f.Close()
	var h maphash.Hash
	h.SetSeed(hashSeed)
	if _, err := io.Copy(&h, f); err != nil {
		return 0, err
	}
	return h.Sum64(), nil
}
