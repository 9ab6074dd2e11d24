//go:build !(hyperscan && cgo)

package peers

// HyperscanBuilt reports whether this binary was built with the Hyperscan
// peer (go build -tags hyperscan, with libhyperscan-dev installed).
const HyperscanBuilt = false

// Hyperscan is the Hyperscan peer; in this build (no hyperscan tag or no
// cgo) it cannot be made: NewHyperscan returns ErrHyperscanNotBuilt.
type Hyperscan struct{}

// HyperscanVersion returns why Hyperscan is not available.
func HyperscanVersion() string { return ErrHyperscanNotBuilt.Error() }

// NewHyperscan returns ErrHyperscanNotBuilt.
func NewHyperscan(patterns []string) (*Hyperscan, error) { return nil, ErrHyperscanNotBuilt }

// Len returns 0.
func (h *Hyperscan) Len() int { return 0 }

// DatabaseBytes returns 0, 0.
func (h *Hyperscan) DatabaseBytes() (db, scratch int64) { return 0, 0 }

// CountLines returns ErrHyperscanNotBuilt.
func (h *Hyperscan) CountLines(buf []byte, ends []uint64) (int, error) {
	return 0, ErrHyperscanNotBuilt
}

// Contains returns false.
func (h *Hyperscan) Contains(line []byte) bool { return false }

// Close does nothing.
func (h *Hyperscan) Close() {}
