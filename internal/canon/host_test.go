package canon

import "testing"

func TestHostOf(t *testing.T) {
	for in, want := range map[string]string{
		"evil.example":                        "evil.example",
		" Evil.Example. ":                     "evil.example",
		"evil.example:8080":                   "evil.example",
		"https://user@Evil.example:443/a?b#c": "evil.example",
		"http://evil.example/x//y":            "evil.example",
		"http://[2001:db8::1]:8443/x":         "2001:db8::1",
		"[2001:DB8::1]":                       "2001:db8::1",
		"2001:db8::1":                         "2001:db8::1",
		"//cdn.example/lib.js":                "cdn.example",
		"ftp://198.51.100.7:21/pub":           "198.51.100.7",
		"http://[2001:db8::1":                 "[2001:db8::1",
	} {
		if got := HostOf(in); got != want {
			t.Errorf("HostOf(%q) = %q, want %q", in, got, want)
		}
	}
}
