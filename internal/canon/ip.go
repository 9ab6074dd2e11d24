package canon

// ParseIPv4 parses a dotted quad of four decimal numbers 0-255 without
// leading zeros ("1.2.3.4", not "01.2.3.4"). It does not allocate.
func ParseIPv4(b []byte) (ip [4]byte, ok bool) {
	part, n, digits := 0, 0, 0
	for i := 0; i <= len(b); i++ {
		if i == len(b) || b[i] == '.' {
			if digits == 0 || part > 3 {
				return ip, false
			}
			ip[part] = byte(n)
			part++
			n, digits = 0, 0
			continue
		}
		c := b[i]
		if !IsDigit(c) || (digits == 1 && n == 0) {
			return ip, false
		}
		n = n*10 + int(c-'0')
		digits++
		if n > 255 {
			return ip, false
		}
	}
	return ip, part == 4
}

func hexVal(c byte) int {
	switch {
	case c >= '0' && c <= '9':
		return int(c - '0')
	case c >= 'a' && c <= 'f':
		return int(c-'a') + 10
	case c >= 'A' && c <= 'F':
		return int(c-'A') + 10
	}
	return -1
}

// ParseIPv6 parses an IPv6 address in any RFC 4291 text form: eight groups
// of one to four hex digits, one "::" standing for one or more zero groups,
// and optionally a dotted quad as the last 32 bits. A zone ("%eth0") must
// have been cut off by the caller. It does not allocate.
func ParseIPv6(b []byte) (ip [16]byte, ok bool) {
	if len(b) < 2 {
		return ip, false
	}
	ellipsis := -1 // byte index in ip where "::" stands
	i, n := 0, 0   // position in b, bytes of ip filled
	if b[0] == ':' {
		if b[1] != ':' {
			return ip, false
		}
		ellipsis = 0
		i = 2
		if i == len(b) {
			return ip, true
		}
	}
	for i < len(b) {
		// one group
		v, d := 0, 0
		for d < 4 && i+d < len(b) {
			h := hexVal(b[i+d])
			if h < 0 {
				break
			}
			v = v<<4 | h
			d++
		}
		if d == 0 {
			return ip, false
		}
		if i+d < len(b) && b[i+d] == '.' {
			// embedded IPv4 as the last 32 bits
			if n > 12 {
				return ip, false
			}
			v4, ok := ParseIPv4(b[i:])
			if !ok {
				return ip, false
			}
			copy(ip[n:], v4[:])
			n += 4
			i = len(b)
			break
		}
		if n > 14 {
			return ip, false
		}
		ip[n], ip[n+1] = byte(v>>8), byte(v)
		n += 2
		i += d
		if i == len(b) {
			break
		}
		if b[i] != ':' {
			return ip, false
		}
		i++
		if i < len(b) && b[i] == ':' {
			if ellipsis >= 0 {
				return ip, false
			}
			ellipsis = n
			i++
			if i == len(b) {
				break
			}
		} else if i == len(b) {
			return ip, false // trailing single colon
		}
	}
	if n < 16 {
		if ellipsis < 0 {
			return ip, false
		}
		shift := 16 - n
		for j := n - 1; j >= ellipsis; j-- {
			ip[j+shift] = ip[j]
		}
		for j := ellipsis; j < ellipsis+shift; j++ {
			ip[j] = 0
		}
	} else if ellipsis >= 0 {
		return ip, false // "::" must stand for at least one group
	}
	return ip, true
}
