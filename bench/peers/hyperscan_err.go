package peers

import "errors"

// ErrHyperscanNotBuilt is what NewHyperscan returns in a build without
// the hyperscan tag (or without cgo).
var ErrHyperscanNotBuilt = errors.New("hyperscan: not built (go build -tags hyperscan, needs Debian's libhyperscan-dev)")
