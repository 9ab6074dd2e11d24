//go:build !(hyperscan && cgo)

package peers

import (
	"errors"
	"strings"
	"testing"
)

func TestHyperscanNotBuilt(t *testing.T) {
	h, err := NewHyperscan([]string{"evil.example"})
	if h != nil || !errors.Is(err, ErrHyperscanNotBuilt) {
		t.Fatalf("NewHyperscan = %v, %v: want nil, ErrHyperscanNotBuilt", h, err)
	}
	if HyperscanBuilt {
		t.Error("HyperscanBuilt is true in the stub")
	}
	if v := HyperscanVersion(); !strings.Contains(v, "-tags hyperscan") || !strings.Contains(v, "libhyperscan-dev") {
		t.Errorf("HyperscanVersion = %q: want how to build it", v)
	}
}
