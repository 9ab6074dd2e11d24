package match

// Byte classes of the scanner, one bit each in class.
const (
	cWord    = 1 << iota // [A-Za-z0-9_]
	cHost                // [A-Za-z0-9_.-]
	cAddr                // [0-9A-Fa-f:.]: bytes of an IPv6 (or IPv4) run
	cHex                 // [0-9A-Fa-f]
	cDigDot              // [0-9.]
	cName                // host bytes and bytes >= 0x80: filename boundaries
	cURLStop             // bytes <= 0x20, quotes, < >: end of a URL
	cURLTail             // . , ; : ! ? ) ] }: cut from the end of a URL
	cLocal               // [A-Za-z0-9._%+-]: email local part
	cZone                // [A-Za-z0-9_-]: IPv6 zone
	cKeyEnd              // \ quotes, white space , ; ) ] } < >: after a registry key
	cTok                 // [A-Za-z0-9_.:-]: bytes of a token (host and address bytes)
	cDigit               // [0-9]
	cColon               // ':'
	cDot                 // '.'
	cNotAddr             // [G-Zg-z_-]: token bytes that are not address bytes
	cAlpha               // [A-Za-z]
)

var class = func() (t [256]uint32) {
	set := func(bits uint32, s string) {
		for i := 0; i < len(s); i++ {
			t[s[i]] |= bits
		}
	}
	const lower, upper, digits = "abcdefghijklmnopqrstuvwxyz", "ABCDEFGHIJKLMNOPQRSTUVWXYZ", "0123456789"
	alnum := lower + upper + digits
	set(cWord|cHost|cName|cLocal|cZone, alnum+"_")
	set(cHost|cName|cLocal, ".-")
	set(cZone, "-")
	set(cLocal, "%+")
	set(cAddr, digits+"abcdefABCDEF:.")
	set(cHex, digits+"abcdefABCDEF")
	set(cDigDot, digits+".")
	set(cTok, alnum+"_.:-")
	set(cDigit, digits)
	set(cColon, ":")
	set(cDot, ".")
	set(cNotAddr, "ghijklmnopqrstuvwxyzGHIJKLMNOPQRSTUVWXYZ_-")
	set(cAlpha, lower+upper)
	for i := 0x80; i < 0x100; i++ {
		t[i] |= cName
	}
	for i := 0; i <= 0x20; i++ {
		t[i] |= cURLStop | cKeyEnd
	}
	set(cURLStop, "\"'`<>")
	set(cURLTail, ".,;:!?)]}")
	set(cKeyEnd, "\\\"'`,;)]}<>")
	return t
}()

func is(c byte, bits uint32) bool { return class[c]&bits != 0 }

// at reports whether text[i] exists and has one of bits.
func at(text []byte, i int, bits uint32) bool {
	return i >= 0 && i < len(text) && class[text[i]]&bits != 0
}
