package canon

import (
	"net/netip"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestParseIPv4(t *testing.T) {
	good := []struct {
		in   string
		want [4]byte
	}{
		{"1.2.3.4", [4]byte{1, 2, 3, 4}},
		{"0.0.0.0", [4]byte{}},
		{"255.255.255.255", [4]byte{255, 255, 255, 255}},
		{"10.0.0.1", [4]byte{10, 0, 0, 1}},
		{"192.168.100.200", [4]byte{192, 168, 100, 200}},
		{"100.20.3.0", [4]byte{100, 20, 3, 0}},
	}
	for _, tt := range good {
		ip, ok := ParseIPv4([]byte(tt.in))
		assert.True(t, ok, tt.in)
		assert.Equal(t, tt.want, ip, tt.in)
	}
	bad := []string{
		"", ".", "...", "1", "1.2", "1.2.3", "1.2.3.4.5", "1.2.3.4.", ".1.2.3.4", "1..2.3",
		"1.2..3", "1.2.3.", "256.0.0.0", "1.2.3.256", "1.2.3.999", "1.2.3.1000", "300.1.1.1",
		"01.2.3.4", "1.02.3.4", "1.2.3.04", "00.1.2.3", "1.2.3.00", "001.2.3.4",
		"-1.2.3.4", "+1.2.3.4", "1.2.3.4 ", " 1.2.3.4", "1.2.3.a", "0x1.2.3.4", "1,2,3,4",
		"1.2.3.4/8", "1.2.3.4:80", "::1", "1.2.3.4\x00", "１.2.3.4",
		"99999999999999999999.1.1.1",
	}
	for _, s := range bad {
		_, ok := ParseIPv4([]byte(s))
		assert.False(t, ok, "%q", s)
	}
	n := testing.AllocsPerRun(100, func() { _, _ = ParseIPv4([]byte("192.168.1.1")) })
	assert.Zero(t, n)
}

// ipv6Forms are valid and invalid IPv6 (and other) texts that
// TestParseIPv6 checks against net/netip.
var ipv6Forms = []string{
	// valid
	"::", "::1", "1::", "1::1", "2001:db8::1", "2001:DB8::1", "2001:0db8:0000:0000:0000:0000:0000:0001",
	"1:2:3:4:5:6:7:8", "1:2:3:4:5:6:7::", "::2:3:4:5:6:7:8", "1::3:4:5:6:7:8", "1:2:3::6:7:8",
	"1:2:3:4:5:6::8", "1:2::7:8", "fe80::", "FFFF:FFFF:FFFF:FFFF:FFFF:FFFF:FFFF:FFFF",
	"0:0:0:0:0:0:0:0", "0000:0000:0000:0000:0000:0000:0000:0000", "::ffff:1.2.3.4", "::1.2.3.4",
	"::ffff:0.0.0.0", "64:ff9b::192.0.2.33", "1:2:3:4:5:6:1.2.3.4", "1::5:6:1.2.3.4",
	"::ffff:255.255.255.255", "0:0:0:0:0:ffff:1.2.3.4", "a:b:c:d:e:f:a:b", "abcd::ef01",
	"00::", "0::0", "000a::", "1:2:3:4:5::7:8",
	// invalid
	"", ":", ":::", "::::", "1", "1:", ":1", "1:2", "1::2::3", "1:::2", ":1::", "1::2:",
	"1:2:3:4:5:6:7", "1:2:3:4:5:6:7:8:9", "1:2:3:4:5:6:7:8::", "::1:2:3:4:5:6:7:8",
	"1:2:3:4:5:6:7::8", "1:2:3:4::5:6:7:8", "12345::", "::12345", "1:2:3:4:5:6:7:12345",
	"g::", "::g", "1:2:3:4:5:6:7:g", "::1 ", " ::1", "::1\x00", "[::1]", "::1/128",
	"::ffff:1.2.3", "::ffff:1.2.3.4.5", "::ffff:256.1.1.1", "::ffff:01.2.3.4", "::1.2.3.4:1",
	"1.2.3.4", "1.2.3.4::", "1:2:3:4:5:6:7:1.2.3.4", "1:2:3:4:5:6::1.2.3.4",
	"::ffff:a.2.3.4", "::ffff:1234.1.2.3", "::1.2.3.04", "1.2.3.4:1::",
	"::ffff:1.2.3.4.", "::.1.2.3", "1:2:3:4:5:6:7:8:", ":1:2:3:4:5:6:7:8", "1::2:3:4:5:6:7:8",
	"-1::", "+1::", "0x1::", "::ｆ", "évil::",
}

func TestParseIPv6(t *testing.T) {
	for _, s := range ipv6Forms {
		checkIPv6(t, s)
	}
	ip, ok := ParseIPv6([]byte("2001:db8::1"))
	require.True(t, ok)
	assert.Equal(t, [16]byte{0x20, 0x01, 0x0d, 0xb8, 15: 1}, ip)
	ip, ok = ParseIPv6([]byte("::ffff:1.2.3.4"))
	require.True(t, ok)
	assert.Equal(t, [16]byte{10: 0xff, 11: 0xff, 12: 1, 13: 2, 14: 3, 15: 4}, ip)
	n := testing.AllocsPerRun(100, func() { _, _ = ParseIPv6([]byte("2001:db8::ffff:1.2.3.4")) })
	assert.Zero(t, n)
}

// checkIPv6 compares ParseIPv6 with netip.ParseAddr on s (without a zone).
func checkIPv6(t *testing.T, s string) {
	t.Helper()
	if strings.Contains(s, "%") {
		return
	}
	ip, ok := ParseIPv6([]byte(s))
	a, err := netip.ParseAddr(s)
	want := err == nil && a.Is6()
	if !assert.Equal(t, want, ok, "ParseIPv6(%q) ok; netip: %v %v", s, a, err) {
		return
	}
	if ok {
		assert.Equal(t, a.As16(), ip, "ParseIPv6(%q)", s)
	}
}

// checkIPv4 compares ParseIPv4 with netip.ParseAddr on s.
func checkIPv4(t *testing.T, s string) {
	t.Helper()
	ip, ok := ParseIPv4([]byte(s))
	a, err := netip.ParseAddr(s)
	want := err == nil && a.Is4()
	if !assert.Equal(t, want, ok, "ParseIPv4(%q) ok; netip: %v %v", s, a, err) {
		return
	}
	if ok {
		assert.Equal(t, a.As4(), ip, "ParseIPv4(%q)", s)
	}
}

func TestParseIPv4AgainstNetip(t *testing.T) {
	for _, s := range []string{"1.2.3.4", "0.0.0.0", "255.255.255.255", "01.2.3.4", "1.2.3", "256.1.1.1", "1..2.3", "1.2.3.4.5", "::1", "", "1.2.3.4%x"} {
		checkIPv4(t, s)
	}
	for _, s := range ipv6Forms {
		checkIPv4(t, s)
	}
}
