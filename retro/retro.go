package retro

import (
	"encoding/binary"
	"sync"

	"github.com/iocmatch/iocmatch/match"
)

// MaxBlockSize is the size of a Buffer's blocks when the budget is 4 MiB
// or more.
const MaxBlockSize = 1 << 20

// minBlockSize is the smallest block, for tiny budgets.
const minBlockSize = 256

// Line is one kept line, as Add was given it.
type Line struct {
	File   string // the file name given to Add
	Number int64  // its line number
	Offset int64  // its byte offset in File
	// Text is the line. It is valid only during the call of Hunt's
	// function: copy it to keep it.
	Text []byte
}

// Stats counts what a Buffer holds and what it let go.
type Stats struct {
	Lines, Bytes               int64 // lines kept and their bytes (text only)
	EvictedLines, EvictedBytes int64 // lines evicted (oldest first) to make room, and their bytes
	TooLong                    int64 // lines not kept: longer than a block
	Memory                     int64 // bytes of the blocks allocated (≤ budget + one block outside hunts)
	Budget                     int64 // the budget given to New
	BlockSize                  int   // the size of a block
}

// block is a block of lines: headers and texts, back to back.
type block struct {
	data         []byte // len: written so far; cap: the block size
	lines, bytes int64  // lines in it and their text bytes
}

// Buffer keeps the most recent lines within a byte budget. Its methods
// are safe for concurrent use.
type Buffer struct {
	mu        sync.Mutex
	budget    int64
	blockSize int
	nblocks   int      // the ring's size
	blocks    []*block // oldest first; the last is being filled
	files     []string // interned file names, by index
	fileIdx   map[string]uint64
	hunts     int // hunts in progress: evicted blocks are not reused
	st        Stats
}

// New returns a Buffer that keeps at most budget bytes (headers
// included) plus one block. A budget of 0 or less keeps nothing: Add only
// counts the lines as TooLong.
func New(budget int64) *Buffer {
	bs := int64(MaxBlockSize)
	if budget < 4*MaxBlockSize {
		bs = max(budget/4, minBlockSize)
	}
	b := &Buffer{budget: budget, blockSize: int(bs), fileIdx: make(map[string]uint64)}
	if budget > 0 {
		b.nblocks = int((budget + bs - 1) / bs)
	}
	b.st.Budget, b.st.BlockSize = budget, int(bs)
	return b
}

// BlockSize is the size of the Buffer's blocks: the longest line kept is
// a little shorter (its header).
func (b *Buffer) BlockSize() int { return b.blockSize }

// maxHeader is the longest header: four varints.
const maxHeader = 4 * binary.MaxVarintLen64

// Add copies line, read at line number lineNo and byte offset offset of
// file, into the buffer, evicting the oldest lines as needed. It reports
// whether the line was kept (false: longer than a block, or a budget of
// 0). It does not keep line.
func (b *Buffer) Add(file string, lineNo, offset int64, line []byte) bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.nblocks == 0 || len(line)+maxHeader > b.blockSize {
		b.st.TooLong++
		return false
	}
	fi, ok := b.fileIdx[file]
	if !ok {
		fi = uint64(len(b.files))
		b.files = append(b.files, file)
		b.fileIdx[file] = fi
	}
	need := len(line) + maxHeader
	var cur *block
	if n := len(b.blocks); n > 0 {
		cur = b.blocks[n-1]
	}
	if cur == nil || cap(cur.data)-len(cur.data) < need {
		cur = b.next()
	}
	d := cur.data
	d = binary.AppendUvarint(d, fi)
	d = binary.AppendVarint(d, lineNo)
	d = binary.AppendVarint(d, offset)
	d = binary.AppendUvarint(d, uint64(len(line)))
	cur.data = append(d, line...)
	cur.lines++
	cur.bytes += int64(len(line))
	b.st.Lines++
	b.st.Bytes += int64(len(line))
	return true
}

// next appends an empty block to the ring and returns it: a new one while
// the ring is not full, else the oldest, evicted (or, during a hunt, a
// new one in its place).
func (b *Buffer) next() *block {
	if len(b.blocks) < b.nblocks {
		blk := &block{data: make([]byte, 0, b.blockSize)}
		b.blocks = append(b.blocks, blk)
		b.st.Memory += int64(b.blockSize)
		return blk
	}
	old := b.blocks[0]
	b.st.EvictedLines += old.lines
	b.st.EvictedBytes += old.bytes
	b.st.Lines -= old.lines
	b.st.Bytes -= old.bytes
	copy(b.blocks, b.blocks[1:])
	blk := old
	if b.hunts > 0 {
		// a hunt may be reading old: leave it to it and the collector
		blk = &block{data: make([]byte, 0, b.blockSize)}
	} else {
		blk.data, blk.lines, blk.bytes = blk.data[:0], 0, 0
	}
	b.blocks[len(b.blocks)-1] = blk
	return blk
}

// Stats returns the Buffer's counts.
func (b *Buffer) Stats() Stats {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.st
}

// view is a block as a hunt's snapshot saw it.
type view struct {
	data []byte
}

// Hunt matches every kept line, oldest first, with m and calls fn for
// each line with matches (m.AppendMatches: its options apply, such as
// MaxMatchesPerLine and the validity windows at m's clock). The slice of
// matches and the line's text are valid only during the call. An error
// from fn ends the hunt and is returned. Hunt sees the lines kept when it
// was called; Add may run meanwhile (see the package documentation).
// Several hunts may run at once.
func (b *Buffer) Hunt(m *match.Matcher, fn func(Line, []match.Match) error) error {
	b.mu.Lock()
	views := make([]view, len(b.blocks))
	for i, blk := range b.blocks {
		views[i] = view{data: blk.data[:len(blk.data):len(blk.data)]}
	}
	files := b.files[:len(b.files):len(b.files)]
	b.hunts++
	b.mu.Unlock()
	defer func() {
		b.mu.Lock()
		b.hunts--
		b.mu.Unlock()
	}()
	var dst []match.Match
	for _, v := range views {
		for d := v.data; len(d) > 0; {
			var fi uint64
			var lineNo, off int64
			var text []byte
			fi, lineNo, off, text, d = nextLine(d)
			dst = m.AppendMatches(dst[:0], text)
			if len(dst) == 0 {
				continue
			}
			if err := fn(Line{File: files[fi], Number: lineNo, Offset: off, Text: text}, dst); err != nil {
				return err
			}
		}
	}
	return nil
}

// Each calls fn for every kept line, oldest first, as Hunt would see
// them, until fn returns false. The line's text is valid only during the
// call. It holds the Buffer's lock: Add waits until it returns (it is
// meant for tests and dumps, not for long work).
func (b *Buffer) Each(fn func(Line) bool) {
	b.mu.Lock()
	defer b.mu.Unlock()
	for _, blk := range b.blocks {
		for d := blk.data; len(d) > 0; {
			var fi uint64
			var lineNo, off int64
			var text []byte
			fi, lineNo, off, text, d = nextLine(d)
			if !fn(Line{File: b.files[fi], Number: lineNo, Offset: off, Text: text}) {
				return
			}
		}
	}
}

// nextLine decodes the kept line at the start of d (as Add wrote it: the
// file's index, line number, offset and length as varints, then the
// text) and returns it with the rest of d.
func nextLine(d []byte) (file uint64, lineNo, off int64, text, rest []byte) {
	file, n := binary.Uvarint(d)
	d = d[n:]
	lineNo, n = binary.Varint(d)
	d = d[n:]
	off, n = binary.Varint(d)
	d = d[n:]
	ln, n := binary.Uvarint(d)
	d = d[n:]
	return file, lineNo, off, d[:ln:ln], d[ln:]
}
