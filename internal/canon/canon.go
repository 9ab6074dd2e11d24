// Package canon holds the byte-level rules shared by the indicator model
// and the matcher: character classes, case folding, domain validation and
// URL splitting. Both sides must agree exactly, so they live in one place.
package canon

// Character classes, one bit each, in Class.
const (
	Lower   = 1 << iota // a-z
	Upper               // A-Z
	Digit               // 0-9
	HexOnly             // a-f A-F (with Digit: hex digit)
	Host                // A-Z a-z 0-9 _ . - : a domain-run byte
	Local               // bytes of an email local part: [A-Za-z0-9._%+-]
)

// Class is a 256-entry table of the class bits above.
var Class [256]uint8

// LowerTable maps A-Z to a-z and every other byte to itself.
var LowerTable [256]byte

func init() {
	for i := 0; i < 256; i++ {
		c := byte(i)
		LowerTable[i] = c
		switch {
		case c >= 'a' && c <= 'z':
			Class[i] |= Lower | Host | Local
		case c >= 'A' && c <= 'Z':
			Class[i] |= Upper | Host | Local
			LowerTable[i] = c + 'a' - 'A'
		case c >= '0' && c <= '9':
			Class[i] |= Digit | Host | Local
		}
		if (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F') {
			Class[i] |= HexOnly
		}
	}
	for _, c := range []byte("_.-") {
		Class[c] |= Host | Local
	}
	for _, c := range []byte("+%") {
		Class[c] |= Local
	}
}

// IsHost reports whether c may appear in a domain run: [A-Za-z0-9_.-].
func IsHost(c byte) bool { return Class[c]&Host != 0 }

// IsWord reports whether c is [A-Za-z0-9_].
func IsWord(c byte) bool { return Class[c]&(Lower|Upper|Digit) != 0 || c == '_' }

// IsHex reports whether c is a hex digit.
func IsHex(c byte) bool { return Class[c]&(Digit|HexOnly) != 0 }

// IsDigit reports whether c is 0-9.
func IsDigit(c byte) bool { return c-'0' < 10 }

// AppendLower appends b with A-Z folded to a-z.
func AppendLower(dst, b []byte) []byte {
	for _, c := range b {
		dst = append(dst, LowerTable[c])
	}
	return dst
}

// EqualFold reports whether a and b are equal under ASCII case folding.
func EqualFold(a, b []byte) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if LowerTable[a[i]] != LowerTable[b[i]] {
			return false
		}
	}
	return true
}

// MaxDomainLen is the longest DNS name in text form (RFC 1035).
const MaxDomainLen = 253

// ValidDomain reports whether b, already lower-case ASCII, is a domain name
// as iocmatch stores them: 1..253 bytes of [a-z0-9_-] labels of 1..63 bytes
// separated by single dots, at least two labels, no hyphen at either end of
// the name (labels inside may start or end with one, as real hosts such as
// "a-.blogspot.example" do), and a last label that is not all digits (so
// that no IPv4 address is a domain).
func ValidDomain(b []byte) bool {
	if len(b) == 0 || len(b) > MaxDomainLen || b[0] == '-' || b[len(b)-1] == '-' {
		return false
	}
	labels, labelLen, allDigits := 1, 0, true
	for _, c := range b {
		switch {
		case c == '.':
			if labelLen == 0 {
				return false
			}
			labels++
			labelLen = 0
			allDigits = true
			continue
		case c >= 'a' && c <= 'z', c == '_', c == '-':
			allDigits = false
		case c >= '0' && c <= '9':
		default:
			return false
		}
		labelLen++
		if labelLen > 63 {
			return false
		}
	}
	return labels >= 2 && labelLen > 0 && !allDigits
}
