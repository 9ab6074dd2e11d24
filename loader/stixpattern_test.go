package loader

import (
	"errors"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/iocmatch/iocmatch/indicator"
)

// termStrs returns the terms as "type:value", "host:value" or the
// unsupported reason.
func termStrs(terms []stixTerm) []string {
	out := make([]string, len(terms))
	for i, t := range terms {
		switch {
		case t.Unsupported != "":
			out[i] = t.Unsupported
		case t.Host:
			out[i] = "host:" + t.Value
		default:
			out[i] = t.Type.String() + ":" + t.Value
		}
	}
	return out
}

func TestParseSTIXPattern(t *testing.T) {
	tests := []struct {
		name    string
		pattern string
		want    []string
	}{
		// supported paths
		{"ipv4", "[ipv4-addr:value = '198.51.100.7']", []string{"ipv4:198.51.100.7"}},
		{"no spaces", "[domain-name:value='evil.example']", []string{"domain:evil.example"}},
		{"spaces inside brackets", "[ ipv4-addr:value = '10.0.0.0' ]", []string{"ipv4:10.0.0.0"}},
		{"ipv6", "[ipv6-addr:value = '2001:db8::1']", []string{"ipv6:2001:db8::1"}},
		{"url", "[url:value = 'http://x.example/a']", []string{"url:http://x.example/a"}},
		{"email", "[email-addr:value = 'a@b.example']", []string{"email:a@b.example"}},
		{"email from", "[email-message:from_ref.value = 'a@b.example']", []string{"email:a@b.example"}},
		{"email to list", "[email-message:to_refs[*].value = 'a@b.example']", []string{"email:a@b.example"}},
		{"email to index", "[email-message:to_refs[0].value = 'a@b.example']", []string{"email:a@b.example"}},
		{"email subject", "[email-message:subject = 'Invoice']", []string{"email-subject:Invoice"}},
		{"file name", "[file:name = 'a b.exe']", []string{"filename:a b.exe"}},
		{"regkey", `[windows-registry-key:key = 'HKLM\\Software\\x']`, []string{`regkey:HKLM\Software\x`}},
		{"regkey lone backslash kept", `[windows-registry-key:key = 'HKLM\Software\x']`, []string{`regkey:HKLM\Software\x`}},
		{"mutex", "[mutex:name = 'Global\\\\M']", []string{`mutex:Global\M`}},
		{"dst ref", "[network-traffic:dst_ref.value = 'c2.example']", []string{"host:c2.example"}},
		{"src ref", "[network-traffic:src_ref.value = '192.0.2.1']", []string{"host:192.0.2.1"}},
		{"user agent", "[network-traffic:extensions.'http-request-ext'.request_header.'user-agent' = 'Bot/1']", []string{"useragent:Bot/1"}},

		// hashes
		{"hash quoted", "[file:hashes.'SHA-256' = 'ab']", []string{"sha256:ab"}},
		{"hash unquoted", "[file:hashes.SHA256 = 'ab']", []string{"sha256:ab"}},
		{"hash lower", "[file:hashes.sha256 = 'ab']", []string{"sha256:ab"}},
		{"hash unquoted hyphen", "[file:hashes.SHA-1 = 'ab']", []string{"sha1:ab"}},
		{"hash md5 quoted", "[file:hashes.'MD5' = 'ab']", []string{"md5:ab"}},
		{"hash sha512", "[file:hashes.'SHA-512' = 'ab']", []string{"sha512:ab"}},
		{"hash quoted hashes", "[file:'hashes'.'MD5' = 'ab']", []string{"md5:ab"}},
		{"hash other", "[file:hashes.'SHA3-256' = 'ab']", []string{"stix pattern: path file:hashes.'SHA3-256'"}},
		{"hash ssdeep", "[file:hashes.SSDEEP = 'ab']", []string{"stix pattern: path file:hashes.SSDEEP"}},

		// OR, IN, ISSUBSET
		{"or", "[ipv4-addr:value = '192.0.2.1' OR domain-name:value = 'a.example']", []string{"ipv4:192.0.2.1", "domain:a.example"}},
		{"or observations", "[ipv4-addr:value = '192.0.2.1'] OR [domain-name:value = 'a.example'] or [url:value = 'http://u.example/']",
			[]string{"ipv4:192.0.2.1", "domain:a.example", "url:http://u.example/"}},
		{"or parenthesised", "[(ipv4-addr:value = '192.0.2.1' OR (domain-name:value = 'a.example'))]", []string{"ipv4:192.0.2.1", "domain:a.example"}},
		{"or mixed", "[ipv4-addr:value = '192.0.2.1' OR process:name = 'x' OR url:value MATCHES 'y']",
			[]string{"ipv4:192.0.2.1", "stix pattern: path process:name", "stix pattern: operator MATCHES"}},
		{"in", "[ipv4-addr:value IN ('192.0.2.1', '192.0.2.2')]", []string{"ipv4:192.0.2.1", "ipv4:192.0.2.2"}},
		{"in with a number", "[ipv4-addr:value IN ('192.0.2.1', 7)]", []string{"ipv4:192.0.2.1", "stix pattern: non-string value"}},
		{"empty in", "[ipv4-addr:value IN ()]", []string{}},
		{"issubset", "[ipv4-addr:value ISSUBSET '10.0.0.0/8']", []string{"ipv4:10.0.0.0/8"}},
		{"issubset ref", "[network-traffic:dst_ref.value ISSUBSET '10.0.0.0/8']", []string{"host:10.0.0.0/8"}},
		{"issubset domain", "[domain-name:value ISSUBSET 'a.example']", []string{"stix pattern: operator ISSUBSET"}},

		// the STIX 2.0 exporters' AND
		{"ref type guard", "[network-traffic:dst_ref.type = 'ipv4-addr' AND network-traffic:dst_ref.value = '192.0.2.5']", []string{"ipv4:192.0.2.5"}},
		{"ref type guard after", "[network-traffic:src_ref.value = '2001:db8::5' AND network-traffic:src_ref.type = 'ipv6-addr']", []string{"ipv4:2001:db8::5"}},
		{"ref type guard domain", "[network-traffic:dst_ref.type = 'domain-name' AND network-traffic:dst_ref.value = 'c2.example']", []string{"domain:c2.example"}},
		{"ref type guard twice", "[network-traffic:dst_ref.type = 'ipv4-addr' AND network-traffic:dst_ref.type = 'ipv4-addr' AND network-traffic:dst_ref.value = '192.0.2.5']", []string{"ipv4:192.0.2.5"}},
		{"ref type guard in or", "[(network-traffic:dst_ref.type = 'ipv4-addr' AND network-traffic:dst_ref.value = '192.0.2.5') OR (network-traffic:dst_ref.type = 'ipv4-addr' AND network-traffic:dst_ref.value = '192.0.2.6')]", []string{"ipv4:192.0.2.5", "ipv4:192.0.2.6"}},
		{"ref type guard email", "[email-message:from_ref.type = 'email-addr' AND email-message:from_ref.value = 'a@b.example']", []string{"email:a@b.example"}},
		{"ref type guard issubset", "[network-traffic:dst_ref.type = 'ipv4-addr' AND network-traffic:dst_ref.value ISSUBSET '192.0.2.0/24']", []string{"ipv4:192.0.2.0/24"}},
		{"ref guard and port", "[network-traffic:dst_ref.type = 'ipv4-addr' AND network-traffic:dst_ref.value = '192.0.2.5' AND network-traffic:dst_port = '443']", []string{"stix pattern: AND"}},
		{"ref guard other ref", "[network-traffic:src_ref.type = 'ipv4-addr' AND network-traffic:dst_ref.value = '192.0.2.5']", []string{"stix pattern: AND"}},
		{"ref guard conflicting", "[network-traffic:dst_ref.type = 'ipv4-addr' AND network-traffic:dst_ref.type = 'ipv6-addr' AND network-traffic:dst_ref.value = '192.0.2.5']", []string{"stix pattern: AND"}},
		{"ref guard mac", "[network-traffic:dst_ref.type = 'mac-addr' AND network-traffic:dst_ref.value = '00:11:22:33:44:55']", []string{"stix pattern: AND"}},
		{"ref guard email on host", "[network-traffic:dst_ref.type = 'email-addr' AND network-traffic:dst_ref.value = 'a@b.example']", []string{"stix pattern: AND"}},
		{"ref guard not", "[network-traffic:dst_ref.type != 'ipv4-addr' AND network-traffic:dst_ref.value = '192.0.2.5']", []string{"stix pattern: AND"}},
		{"ref guard without value", "[network-traffic:dst_ref.type = 'ipv4-addr' AND network-traffic:dst_ref.type = 'ipv4-addr']", []string{"stix pattern: AND"}},
		{"ref guard two values", "[network-traffic:dst_ref.type = 'ipv4-addr' AND network-traffic:dst_ref.value = '192.0.2.5' AND network-traffic:dst_ref.value = '192.0.2.6']", []string{"stix pattern: AND"}},
		{"ref guard with or inside", "[network-traffic:dst_ref.type = 'ipv4-addr' AND (network-traffic:dst_ref.value = '192.0.2.5' OR network-traffic:dst_ref.value = '192.0.2.6')]", []string{"stix pattern: AND"}},
		{"ref guard unsupported ref", "[domain-name:resolves_to_refs[*].type = 'ipv4-addr' AND domain-name:resolves_to_refs[*].value = '192.0.2.5']", []string{"stix pattern: AND"}},
		{"ref guard non-ref", "[x-thing:value.type = 'ipv4-addr' AND x-thing:value.value = '192.0.2.5']", []string{"stix pattern: AND"}},

		// unsupported
		{"and", "[file:name = 'a' AND file:hashes.MD5 = 'b']", []string{"stix pattern: AND"}},
		{"and observations", "[file:name = 'a'] AND [url:value = 'b']", []string{"stix pattern: AND"}},
		{"followedby", "[file:name = 'a'] FOLLOWEDBY [url:value = 'b']", []string{"stix pattern: FOLLOWEDBY"}},
		{"followedby lowest", "[file:name = 'a'] OR [url:value = 'b'] FOLLOWEDBY [url:value = 'c']", []string{"stix pattern: FOLLOWEDBY"}},
		{"within", "[file:name = 'a'] WITHIN 300 SECONDS", []string{"stix pattern: qualifier"}},
		{"within float", "[file:name = 'a'] WITHIN 2.5 SECONDS", []string{"stix pattern: qualifier"}},
		{"repeats", "[file:name = 'a'] REPEATS 5 TIMES", []string{"stix pattern: qualifier"}},
		{"start stop", "[file:name = 'a'] START t'2016-06-01T00:00:00Z' STOP t'2016-07-01T00:00:00Z'", []string{"stix pattern: qualifier"}},
		{"two qualifiers", "[file:name = 'a'] REPEATS 5 TIMES WITHIN 10 SECONDS", []string{"stix pattern: qualifier"}},
		{"qualifier on group", "([file:name = 'a'] OR [file:name = 'b']) WITHIN 10 SECONDS OR [file:name = 'c']",
			[]string{"stix pattern: qualifier", "filename:c"}},
		{"qualifier on one", "[file:name = 'a'] REPEATS 2 TIMES OR [file:name = 'c']", []string{"stix pattern: qualifier", "filename:c"}},
		{"group without qualifier", "([file:name = 'a'] OR [file:name = 'b'])", []string{"filename:a", "filename:b"}},
		{"not equal", "[file:name != 'a']", []string{"stix pattern: operator !="}},
		{"not", "[file:name NOT = 'a']", []string{"stix pattern: operator NOT ="}},
		{"not in", "[file:name NOT IN ('a')]", []string{"stix pattern: operator NOT IN"}},
		{"like", "[url:value LIKE 'http://%']", []string{"stix pattern: operator LIKE"}},
		{"matches", "[email-message:subject MATCHES '^x$']", []string{"stix pattern: operator MATCHES"}},
		{"issuperset", "[ipv4-addr:value ISSUPERSET '10.0.0.1']", []string{"stix pattern: operator ISSUPERSET"}},
		{"greater", "[file:size > 100]", []string{"stix pattern: operator >"}},
		{"less equal", "[file:size <= 100]", []string{"stix pattern: operator <="}},
		{"exists", "[EXISTS file:name]", []string{"stix pattern: operator EXISTS"}},
		{"process", "[process:name = 'x']", []string{"stix pattern: path process:name"}},
		{"app id", "[app:id = 'x']", []string{"stix pattern: path app:id"}},
		{"list path", "[email-message:body_multipart[*].body_raw_ref.name = 'x']", []string{"stix pattern: path email-message:body_multipart[*].body_raw_ref.name"}},
		{"long path cut", "[x-custom:" + strings.Repeat("a.", 50) + "b = 'x']", []string{"stix pattern: path " + ("x-custom:" + strings.Repeat("a.", 50))[:64] + "…"}},
		{"binary value", "[file:name = b'YWJj']", []string{"stix pattern: non-string value"}},
		{"hex value", "[file:name = h'ab01']", []string{"stix pattern: non-string value"}},
		{"bool value", "[file:name = true]", []string{"stix pattern: non-string value"}},
		{"int value", "[ipv4-addr:value = -5]", []string{"stix pattern: non-string value"}},
		{"float value", "[ipv4-addr:value = 1.5]", []string{"stix pattern: non-string value"}},
		{"timestamp value", "[file:name = t'2016-06-01T00:00:00.123Z']", []string{"stix pattern: non-string value"}},

		// literals and keywords
		{"escapes", `[file:name = 'it\'s \\ ok']`, []string{`filename:it's \ ok`}},
		{"empty string", "[file:name = '']", []string{"filename:"}},
		{"keywords any case", "[file:name = 'a'] or [file:name = 'b'] followedBy [file:name = 'c']", []string{"stix pattern: FOLLOWEDBY"}},
		{"white space", "\t[\nfile:name\r\n=\n'a'\n]\n", []string{"filename:a"}},
		{"utf-8", "[file:name = 'résumé.exe']", []string{"filename:résumé.exe"}},
		{"leading dot float", "[file:name = 'a'] WITHIN .5 SECONDS", []string{"stix pattern: qualifier"}},
		{"float in set", "[file:name IN (.5, -.5, +1.25)]", []string{"stix pattern: non-string value", "stix pattern: non-string value", "stix pattern: non-string value"}},
		{"neq alias", "[file:name <> 'a']", []string{"stix pattern: operator !="}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			terms, err := parseSTIXPattern(tt.pattern)
			require.NoError(t, err)
			assert.Equal(t, tt.want, termStrs(terms))
		})
	}
}

func TestParseSTIXPatternErrors(t *testing.T) {
	tests := []struct {
		pattern string
		msg     string // the error text
	}{
		{"", "syntax error at offset 0: want '[' or '(', have end of pattern"},
		{"ipv4-addr:value = '1.2.3.4'", `syntax error at offset 0: want '[' or '(', have "ipv4-addr"`},
		{"[ipv4-addr:value = '198.51.100.9'", `syntax error at offset 33: want "]", have end of pattern`},
		{"[ipv4-addr:value = '198.51.100.9]", "syntax error at offset 19: unterminated string"},
		{"[ipv4-addr:value = '198.51.100.9'] $", "syntax error at offset 35: unexpected character '$'"},
		{"[ipv4-addr:value = '198.51.100.9'] [url:value = 'x']", `syntax error at offset 35: unexpected "["`},
		{"[ipv4-addr:value '1.2.3.4']", `syntax error at offset 17: want a comparison operator, have string "1.2.3.4"`},
		{"[ipv4-addr = '1.2.3.4']", `syntax error at offset 11: want ":", have "="`},
		{"[ipv4-addr: = '1.2.3.4']", `syntax error at offset 12: want a property name, have "="`},
		{"[:value = 'x']", `syntax error at offset 1: want an object type, have ":"`},
		{"[a:b = ]", `syntax error at offset 7: want a literal, have "]"`},
		{"[a:b = 'x' AND]", `syntax error at offset 14: want an object type, have "]"`},
		{"[a:b = 'x' OR OR a:b = 'y']", `syntax error at offset 17: want ":", have "a"`},
		{"[a:b = 'x'] AND", "syntax error at offset 15: want '[' or '(', have end of pattern"},
		{"[a:b[x] = 'x']", `syntax error at offset 5: want an index or '*', have "x"`},
		{"[a:b[*] = 'x'", `syntax error at offset 13: want "]", have end of pattern`},
		{"[a:b IN 'x']", `syntax error at offset 8: want "(", have string "x"`},
		{"[a:b IN ('x' 'y')]", `syntax error at offset 13: want ",", have string "y"`},
		{"[a:b LIKE 5]", "syntax error at offset 10: want a string after LIKE, have \"5\""},
		{"[a:b > true]", "syntax error at offset 11: a boolean cannot be ordered"},
		{"[a:b = b'abc']", `syntax error at offset 7: invalid binary literal "abc"`},
		{"[a:b = h'abc']", `syntax error at offset 7: invalid hex literal "abc"`},
		{"[a:b = t'yesterday']", `syntax error at offset 7: invalid timestamp literal "yesterday"`},
		{"[a:b = 5x]", `syntax error at offset 7: invalid number "5x"`},
		{"[a:b = -]", "syntax error at offset 7: unexpected character '-'"},
		{"[a:b = '1'] WITHIN SECONDS", `syntax error at offset 19: want a positive number after WITHIN, have "SECONDS"`},
		{"[a:b = '1'] WITHIN -5 SECONDS", `syntax error at offset 19: want a positive number after WITHIN, have "-5"`},
		{"[a:b = '1'] WITHIN 5 MINUTES", `syntax error at offset 21: want SECONDS, have "MINUTES"`},
		{"[a:b = '1'] REPEATS 1.5 TIMES", `syntax error at offset 20: want a positive integer after REPEATS, have "1.5"`},
		{"[a:b = '1'] REPEATS 2", "syntax error at offset 21: want TIMES, have end of pattern"},
		{"[a:b = '1'] START '2016'", `syntax error at offset 18: want a timestamp after START, have string "2016"`},
		{"[a:b = '1'] START t'2016-06-01T00:00:00Z' t'2016-06-01T00:00:00Z'", `syntax error at offset 42: want STOP, have literal "2016-06-01T00:00:00Z"`},
		{"[a:b = '1'] START t'2016-06-01T00:00:00Z' STOP 5", `syntax error at offset 47: want a timestamp after STOP, have "5"`},
		{"([a:b = '1']", `syntax error at offset 12: want ")", have end of pattern`},
		{"[(a:b = '1']", `syntax error at offset 11: want ")", have "]"`},
		{"[a:b = '1' \x00]", `syntax error at offset 11: unexpected character '\x00'`},
		{"rule x { condition: true }", `syntax error at offset 0: want '[' or '(', have "rule"`},
	}
	for _, tt := range tests {
		t.Run(tt.pattern, func(t *testing.T) {
			terms, err := parseSTIXPattern(tt.pattern)
			require.Error(t, err)
			assert.Nil(t, terms)
			var pe *patternError
			require.True(t, errors.As(err, &pe))
			assert.False(t, pe.depth)
			assert.Equal(t, tt.msg, err.Error())
		})
	}
}

func TestParseSTIXPatternDepth(t *testing.T) {
	// Within the limit: 31 parentheses inside the brackets (32 levels).
	ok := "[" + strings.Repeat("(", maxPatternDepth-1) + "file:name = 'a'" + strings.Repeat(")", maxPatternDepth-1) + "]"
	terms, err := parseSTIXPattern(ok)
	require.NoError(t, err)
	assert.Equal(t, []string{"filename:a"}, termStrs(terms))

	for _, deep := range []string{
		"[" + strings.Repeat("(", maxPatternDepth) + "file:name = 'a'" + strings.Repeat(")", maxPatternDepth) + "]",
		strings.Repeat("(", maxPatternDepth) + "[file:name = 'a']" + strings.Repeat(")", maxPatternDepth),
		strings.Repeat("(", 1<<20), // no stack overflow, no time wasted
		"[" + strings.Repeat("(", 1<<20),
	} {
		_, err := parseSTIXPattern(deep)
		var pe *patternError
		require.True(t, errors.As(err, &pe), "%v", err)
		assert.True(t, pe.depth)
		assert.Contains(t, err.Error(), "nested deeper than 32")
	}
}

// Long flat patterns parse in linear time (no recursion per OR or AND).
func TestParseSTIXPatternLong(t *testing.T) {
	const n = 100000
	var b strings.Builder
	b.WriteString("[")
	for i := 0; i < n; i++ {
		if i > 0 {
			b.WriteString(" OR ")
		}
		b.WriteString("file:name = 'f'")
	}
	b.WriteString("]")
	terms, err := parseSTIXPattern(b.String())
	require.NoError(t, err)
	assert.Len(t, terms, n)
	assert.Equal(t, stixTerm{Type: indicator.Filename, Value: "f"}, terms[n-1])

	long := "[file:name = '" + strings.Repeat(`\'`, n) + "']"
	terms, err = parseSTIXPattern(long)
	require.NoError(t, err)
	assert.Equal(t, strings.Repeat("'", n), terms[0].Value)
}

func FuzzSTIXPattern(f *testing.F) {
	for _, s := range []string{
		"[ipv4-addr:value = '198.51.100.7' OR domain-name:value = 'evil.example']",
		"[network-traffic:dst_ref.type = 'ipv4-addr' AND network-traffic:dst_ref.value = '192.0.2.5']",
		"([file:hashes.'SHA-256' = 'ab'] FOLLOWEDBY [url:value LIKE 'x%']) WITHIN 5 SECONDS",
		"[file:name NOT IN ('a', b'YWJj', h'00', t'2016-06-01T00:00:00Z', -1.5, true)] REPEATS 2 TIMES",
		"[a:b[*].'c'[0] = 'it\\'s'] START t'2016-06-01T00:00:00Z' STOP t'2016-06-02T00:00:00Z'",
		"[EXISTS x:y] AND [(a:b = '1' OR a:c = '2') AND a:d > 5]",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, pattern string) {
		terms, err := parseSTIXPattern(pattern)
		if err != nil {
			var pe *patternError
			if !errors.As(err, &pe) || pe.pos < 0 || pe.pos > len(pattern) {
				t.Fatalf("error %v", err)
			}
			if terms != nil {
				t.Fatal("terms with an error")
			}
			return
		}
		for _, term := range terms {
			switch {
			case term.Unsupported != "":
				if !strings.HasPrefix(term.Unsupported, "stix pattern: ") || len(term.Unsupported) > 120 ||
					term.Value != "" || term.Host || term.Type != indicator.Invalid {
					t.Fatalf("bad unsupported term %+v", term)
				}
			case term.Host:
				if term.Type != indicator.Invalid {
					t.Fatalf("bad host term %+v", term)
				}
			default:
				if !term.Type.Valid() {
					t.Fatalf("bad term %+v", term)
				}
			}
			if utf8.ValidString(pattern) && !utf8.ValidString(term.Value) {
				t.Fatalf("invalid UTF-8 value from a valid pattern: %q", term.Value)
			}
		}
	})
}
