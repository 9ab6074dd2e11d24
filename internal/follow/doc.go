// Package follow reads a file as it grows, like tail -F: a Reader gives
// the file's content, then what is appended to it, until its context is
// done. It is internal to iocmatch's commands.
//
// Changes are found by polling: when a read reaches the end of the file,
// the Reader stats the path every Options.Poll (DefaultPoll, 250 ms),
// which works on every file system (NFS, overlay, FUSE) without inotify.
// At each end of file it checks:
//
//   - rotation: the path names a new file (renamed away and created anew,
//     or replaced). The old file is read to its end (what a logger wrote
//     to it after the rename is not lost), then Read returns ErrRotated
//     once, and the new file is read from its start.
//   - truncation: the file is shorter than what was read of it
//     (copytruncate). Read returns ErrTruncated once and reads it again
//     from its start. (A file truncated and refilled beyond the old
//     size between two polls cannot be told from one that grew.)
//   - a path that does not exist (yet, or any more): the Reader waits for
//     it, still reading the old file if it had one (a renamed log may
//     still be written to until the new one appears).
//
// ErrRotated and ErrTruncated tell the caller that a new stream of lines
// begins: a partial last line before them is complete (the old file
// ended without a newline), and line numbers and offsets start again. A
// bufio.Reader passes them on like any error and goes on reading after
// them.
//
// When the context is done, the Reader reads what the file holds at that
// moment (following one more rotation), then returns io.EOF: everything
// written before the end was asked for is read. Tailing tells a caller
// whether it is still reading what the file held when it was opened (a
// backlog it may rather stop in, after a whole line). Only regular files are
// followed: a FIFO, a device or a socket is read to its end once.
//
// # Resources
//
// One open file and no goroutine per Reader; while waiting, one stat of
// the path and one of the open file per poll, and a timer. Reads go
// straight to the file: wrap a Reader in a bufio.Reader.
package follow
