//go:build unix

package live

import (
	"io/fs"
	"syscall"
)

// statSig returns the size, modification time, inode and device of fi.
func statSig(fi fs.FileInfo) fileSig {
	s := fileSig{size: fi.Size(), mtime: fi.ModTime().UnixNano()}
	if st, ok := fi.Sys().(*syscall.Stat_t); ok {
		s.ino, s.dev = uint64(st.Ino), uint64(st.Dev)
	}
	return s
}
