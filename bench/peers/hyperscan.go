//go:build hyperscan && cgo

package peers

/*
#cgo pkg-config: libhs
#include <hs.h>
#include <stdlib.h>

// onMatch stops the scan at the line's first match: with
// HS_FLAG_SINGLEMATCH and one block per line, a line either matches or not.
static int onMatch(unsigned int id, unsigned long long from, unsigned long long to, unsigned int flags, void *ctx) {
	return 1;
}

// scanLines scans each line of buf (line i ends at ends[i], exclusive; the
// next starts one byte after, past the newline) as a block and returns
// the number of lines with a match, or a negative hs_error_t.
static long long scanLines(const hs_database_t *db, hs_scratch_t *scratch, const char *buf, const unsigned long long *ends, size_t n) {
	long long matched = 0;
	unsigned long long start = 0;
	for (size_t i = 0; i < n; i++) {
		hs_error_t err = hs_scan(db, buf + start, (unsigned int)(ends[i] - start), 0, scratch, onMatch, NULL);
		if (err == HS_SCAN_TERMINATED) {
			matched++;
		} else if (err != HS_SUCCESS) {
			return err;
		}
		start = ends[i] + 1;
	}
	return matched;
}
*/
import "C"

import (
	"errors"
	"fmt"
	"unsafe"
)

// HyperscanBuilt reports whether this binary was built with the Hyperscan
// peer (go build -tags hyperscan, with libhyperscan-dev installed).
const HyperscanBuilt = true

// Hyperscan is Intel Hyperscan (libhs, Debian's libhyperscan-dev) as a
// literal multi-pattern matcher: every pattern is compiled by
// hs_compile_lit_multi as a literal (no regexp syntax) with
// HS_FLAG_CASELESS|HS_FLAG_SINGLEMATCH in block mode, and each line is
// scanned as one block that stops at its first match. It matches literal
// substrings: no token boundaries, no indicator types, no CIDRs. A
// Hyperscan holds one scratch space, so it is not safe for concurrent use.
type Hyperscan struct {
	db      *C.hs_database_t
	scratch *C.hs_scratch_t
	n       int
}

// HyperscanVersion returns libhs's version string.
func HyperscanVersion() string { return "Hyperscan " + C.GoString(C.hs_version()) }

// NewHyperscan compiles patterns (non-empty literals) into a block-mode
// database and allocates its scratch space. Call Close to free both.
func NewHyperscan(patterns []string) (*Hyperscan, error) {
	n := len(patterns)
	if n == 0 {
		return nil, errors.New("hyperscan: no patterns")
	}
	total := 0
	for i, p := range patterns {
		if p == "" {
			return nil, fmt.Errorf("hyperscan: pattern %d is empty", i)
		}
		total += len(p)
	}
	// All inputs in C memory: the pointer array may not hold Go pointers.
	buf := (*C.char)(C.malloc(C.size_t(total)))
	exprs := (**C.char)(C.malloc(C.size_t(n) * C.size_t(unsafe.Sizeof((*C.char)(nil)))))
	lens := (*C.size_t)(C.malloc(C.size_t(n) * C.size_t(unsafe.Sizeof(C.size_t(0)))))
	flags := (*C.uint)(C.malloc(C.size_t(n) * C.size_t(unsafe.Sizeof(C.uint(0)))))
	ids := (*C.uint)(C.malloc(C.size_t(n) * C.size_t(unsafe.Sizeof(C.uint(0)))))
	defer func() {
		C.free(unsafe.Pointer(buf))
		C.free(unsafe.Pointer(exprs))
		C.free(unsafe.Pointer(lens))
		C.free(unsafe.Pointer(flags))
		C.free(unsafe.Pointer(ids))
	}()
	bufS := unsafe.Slice((*byte)(unsafe.Pointer(buf)), total)
	exprS, lenS := unsafe.Slice(exprs, n), unsafe.Slice(lens, n)
	flagS, idS := unsafe.Slice(flags, n), unsafe.Slice(ids, n)
	off := 0
	for i, p := range patterns {
		copy(bufS[off:], p)
		exprS[i] = (*C.char)(unsafe.Pointer(&bufS[off]))
		lenS[i] = C.size_t(len(p))
		flagS[i] = C.HS_FLAG_CASELESS | C.HS_FLAG_SINGLEMATCH
		idS[i] = C.uint(i)
		off += len(p)
	}
	h := &Hyperscan{n: n}
	var cerr *C.hs_compile_error_t
	if rc := C.hs_compile_lit_multi(exprs, flags, ids, lens, C.uint(n), C.HS_MODE_BLOCK, nil, &h.db, &cerr); rc != C.HS_SUCCESS {
		msg := fmt.Sprintf("error %d", int(rc))
		if cerr != nil {
			msg = C.GoString(cerr.message)
			if cerr.expression >= 0 {
				msg += fmt.Sprintf(" (pattern %d)", int(cerr.expression))
			}
			C.hs_free_compile_error(cerr)
		}
		return nil, fmt.Errorf("hyperscan: compile: %s", msg)
	}
	if rc := C.hs_alloc_scratch(h.db, &h.scratch); rc != C.HS_SUCCESS {
		C.hs_free_database(h.db)
		return nil, fmt.Errorf("hyperscan: hs_alloc_scratch: error %d", int(rc))
	}
	return h, nil
}

// Len returns the number of patterns.
func (h *Hyperscan) Len() int { return h.n }

// DatabaseBytes returns the size of the compiled database and of the
// scratch space, in bytes.
func (h *Hyperscan) DatabaseBytes() (db, scratch int64) {
	var d, s C.size_t
	C.hs_database_size(h.db, &d)
	C.hs_scratch_size(h.scratch, &s)
	return int64(d), int64(s)
}

// CountLines scans the lines of buf, line i being buf[start:ends[i]]
// where start is 0 for the first line and ends[i-1]+1 after (ends are the
// offsets of the newlines, or of the end of buf), each as one block, in a
// single cgo call, and returns how many lines contain a pattern.
func (h *Hyperscan) CountLines(buf []byte, ends []uint64) (int, error) {
	if len(ends) == 0 {
		return 0, nil
	}
	if len(buf) == 0 {
		buf = []byte{0} // a valid pointer for empty lines
	}
	if ends[len(ends)-1] > uint64(len(buf)) {
		return 0, errors.New("hyperscan: line end beyond the buffer")
	}
	rc := C.scanLines(h.db, h.scratch, (*C.char)(unsafe.Pointer(&buf[0])),
		(*C.ulonglong)(unsafe.Pointer(&ends[0])), C.size_t(len(ends)))
	if rc < 0 {
		return 0, fmt.Errorf("hyperscan: hs_scan: error %d", int64(rc))
	}
	return int(rc), nil
}

// Contains reports whether line contains one of the patterns (ASCII case
// ignored).
func (h *Hyperscan) Contains(line []byte) bool {
	n, err := h.CountLines(line, []uint64{uint64(len(line))})
	return err == nil && n == 1
}

// Close frees the database and the scratch space.
func (h *Hyperscan) Close() {
	if h.scratch != nil {
		C.hs_free_scratch(h.scratch)
		h.scratch = nil
	}
	if h.db != nil {
		C.hs_free_database(h.db)
		h.db = nil
	}
}
