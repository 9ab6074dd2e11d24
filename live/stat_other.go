//go:build !unix

package live

import "io/fs"

// statSig returns the size and modification time of fi (no inode here).
func statSig(fi fs.FileInfo) fileSig {
	return fileSig{size: fi.Size(), mtime: fi.ModTime().UnixNano()}
}
