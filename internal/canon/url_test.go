package canon

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestSchemeEnd(t *testing.T) {
	tests := []struct {
		in   string
		want int
	}{
		{"http://x", 4}, {"HTTPS://x", 5}, {"svn+ssh://x", 7}, {"a.b-c://", 5}, {"x://", 1},
		{"h0://x", 2},
		{"", -1}, {"://x", -1}, {"1http://x", -1}, {"-http://x", -1}, {"http:/x", -1}, {"http:", -1},
		{"http:x//", -1}, {"ht tp://x", -1}, {"evil.example/a://b", -1}, {"http", -1},
		{"mailto:a@b", -1}, {"evil.example:8080://", -1}, {"http_s://x", -1}, {"é://x", -1},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, SchemeEnd([]byte(tt.in)), "%q", tt.in)
	}
}

func TestSplitURL(t *testing.T) {
	type parts struct {
		scheme, host, port, path, query string
		hasScheme, hasPort, hasQuery    bool
	}
	tests := []struct {
		in   string
		want parts
	}{
		{"http://evil.example", parts{scheme: "http", host: "evil.example", hasScheme: true}},
		{"http://evil.example/", parts{scheme: "http", host: "evil.example", path: "/", hasScheme: true}},
		{"HTTP://Evil.Example:8080/A/b?Q=1&r#frag", parts{scheme: "HTTP", host: "Evil.Example", port: "8080", path: "/A/b", query: "Q=1&r", hasScheme: true, hasPort: true, hasQuery: true}},
		{"https://user:pw@evil.example:443/x", parts{scheme: "https", host: "evil.example", port: "443", path: "/x", hasScheme: true, hasPort: true}},
		{"http://a@b@evil.example/", parts{scheme: "http", host: "evil.example", path: "/", hasScheme: true}},
		{"http://evil.example?q", parts{scheme: "http", host: "evil.example", query: "q", hasScheme: true, hasQuery: true}},
		{"http://evil.example?", parts{scheme: "http", host: "evil.example", hasScheme: true, hasQuery: true}},
		{"http://evil.example#f?x", parts{scheme: "http", host: "evil.example", hasScheme: true}},
		{"http://evil.example/a#f?x", parts{scheme: "http", host: "evil.example", path: "/a", hasScheme: true}},
		{"http://evil.example/a?b?c#d#e", parts{scheme: "http", host: "evil.example", path: "/a", query: "b?c", hasScheme: true, hasQuery: true}},
		{"http://1.2.3.4:80/", parts{scheme: "http", host: "1.2.3.4", port: "80", path: "/", hasScheme: true, hasPort: true}},
		{"http://[2001:db8::1]:8080/p", parts{scheme: "http", host: "2001:db8::1", port: "8080", path: "/p", hasScheme: true, hasPort: true}},
		{"http://[::1]/", parts{scheme: "http", host: "::1", path: "/", hasScheme: true}},
		{"http://u@[::1]", parts{scheme: "http", host: "::1", hasScheme: true}},
		{"evil.example/a", parts{host: "evil.example", path: "/a"}},
		{"evil.example:81", parts{host: "evil.example", port: "81", hasPort: true}},
		{"[::1]:1", parts{host: "::1", port: "1", hasPort: true}},
		{"evil.example/a://b", parts{host: "evil.example", path: "/a://b"}},
		{"http://evil.example:00080", parts{scheme: "http", host: "evil.example", port: "00080", hasScheme: true, hasPort: true}},
		{"http://evil.example:99999", parts{scheme: "http", host: "evil.example", port: "99999", hasScheme: true, hasPort: true}},
		{"http://_x.evil.example/", parts{scheme: "http", host: "_x.evil.example", path: "/", hasScheme: true}},
	}
	for _, tt := range tests {
		b := []byte(tt.in)
		p, ok := SplitURL(b)
		if !assert.True(t, ok, "%q", tt.in) {
			continue
		}
		got := parts{
			scheme: string(p.Scheme), host: string(p.Host), port: string(p.Port),
			path: string(p.Path), query: string(p.Query),
			hasScheme: p.Scheme != nil, hasPort: p.Port != nil, hasQuery: p.HasQuery,
		}
		assert.Equal(t, tt.want, got, "%q", tt.in)
	}
	bad := []string{
		"", "http://", "http:///a", "http://:80", "http://@/", "http://evil", "http://localhost/",
		"http://evil.123/", "http://01.2.3.4/", "http://1.2.3.256/", "http://evil..example/",
		"http://-evil.example/", "http://evil.example:", "http://evil.example:/", "http://evil.example:123456",
		"http://evil.example:8a", "http://evil.example: 80", "http://evil.example:+80",
		"http://[::1", "http://[::1]x", "http://[::1]:", "http://[::1]:x", "http://[::g]/",
		"http://[1.2.3.4]/", "http://[fe80::1%25eth0]/", "http://[]/", "http://::1/",
		"http://ev il.example/", "http://bücher.example/", "http://evil.example\x00/",
		"/path", "?q", "#f", ":80", "http://evil.example:80:80/",
		"http://" + string(make([]byte, 254)) + "/",
	}
	for _, s := range bad {
		_, ok := SplitURL([]byte(s))
		assert.False(t, ok, "%q", s)
	}
	b := []byte("https://user@Evil.Example:8443/a/b?q=1#f")
	n := testing.AllocsPerRun(100, func() { _, _ = SplitURL(b) })
	assert.Zero(t, n)
}

func TestDefaultPort(t *testing.T) {
	tests := map[string]string{
		"": "80", "http": "80", "HTTP": "80", "ws": "80", "hxxp": "80",
		"https": "443", "HttpS": "443", "wss": "443", "hxxps": "443",
		"ftp": "21", "FTP": "21",
		"gopher": "", "ssh": "", "httpx": "", "http1234567": "", "h": "",
	}
	for scheme, want := range tests {
		assert.Equal(t, want, DefaultPort([]byte(scheme)), "%q", scheme)
	}
	assert.Equal(t, "80", DefaultPort(nil))
}

func TestAppendURLKey(t *testing.T) {
	tests := []struct{ in, want string }{
		{"http://Evil.Example", "evil.example/"},
		{"http://evil.example/", "evil.example/"},
		{"http://evil.example/A/B?q#f", "evil.example/A/B"},
		{"http://evil.example:80/a", "evil.example/a"},
		{"http://evil.example:080/a", "evil.example/a"},
		{"http://evil.example:0080/a", "evil.example/a"},
		{"http://evil.example:443/a", "evil.example:443/a"},
		{"https://evil.example:443/a", "evil.example/a"},
		{"HTTPS://evil.example:443/a", "evil.example/a"},
		{"https://evil.example:80/a", "evil.example:80/a"},
		{"ftp://evil.example:21/a", "evil.example/a"},
		{"ftp://evil.example:80/a", "evil.example:80/a"},
		{"gopher://evil.example:70/a", "evil.example:70/a"},
		{"http://evil.example:8080", "evil.example:8080/"},
		{"http://evil.example:08080", "evil.example:8080/"},
		{"http://evil.example:0", "evil.example:0/"},
		{"http://evil.example:000", "evil.example:0/"},
		{"evil.example:80/x", "evil.example/x"},
		{"evil.example:443/x", "evil.example:443/x"},
		{"http://1.2.3.4:8080?q", "1.2.3.4:8080/"},
		{"http://[2001:DB8:0:0::1]:80/a", "[2001:db8::1]/a"},
		{"http://[2001:db8::1]:8080", "[2001:db8::1]:8080/"},
		{"http://[0:0:0:0:0:ffff:1.2.3.4]/", "[::ffff:1.2.3.4]/"},
		{"http://[::]/", "[::]/"},
		{"http://u:p@EVIL.example/%41", "evil.example/%41"},
	}
	for _, tt := range tests {
		p, ok := SplitURL([]byte(tt.in))
		require.True(t, ok, "%q", tt.in)
		assert.Equal(t, tt.want, string(AppendURLKey(nil, p)), "%q", tt.in)
		assert.Equal(t, "pre"+tt.want, string(AppendURLKey([]byte("pre"), p)), "%q", tt.in)
	}
	for _, in := range []string{"https://Evil.Example:8443/a/b?q=1", "http://[2001:db8::1]:8080/x"} {
		p, ok := SplitURL([]byte(in))
		require.True(t, ok)
		buf := make([]byte, 0, 64)
		n := testing.AllocsPerRun(100, func() { _ = AppendURLKey(buf[:0], p) })
		assert.Zero(t, n, "%q", in)
	}
}
