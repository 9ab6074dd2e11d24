package match

// parseQuad is canon.ParseIPv4 unrolled for the scanner: a dotted quad of
// 0-255 without leading zeros, four fields of one to three digits, each
// looked at once, without a loop over the bytes (it is on the path of
// every [0-9.] run of a line with three dots).
func parseQuad(b []byte) (ip [4]byte, ok bool) {
	p := 0
	for k := range 4 {
		if k > 0 {
			if p >= len(b) || b[p] != '.' {
				return ip, false
			}
			p++
		}
		if p >= len(b) || b[p]-'0' > 9 {
			return ip, false
		}
		n := uint(b[p] - '0')
		p++
		if p < len(b) && b[p]-'0' <= 9 {
			if n == 0 {
				return ip, false // a leading zero
			}
			n = n*10 + uint(b[p]-'0')
			p++
			if p < len(b) && b[p]-'0' <= 9 {
				n = n*10 + uint(b[p]-'0')
				p++
				if n > 255 {
					return ip, false
				}
			}
		}
		ip[k] = byte(n)
	}
	return ip, p == len(b)
}
