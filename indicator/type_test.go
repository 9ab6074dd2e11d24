package indicator

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestTypeString(t *testing.T) {
	want := map[Type]string{
		Invalid: "invalid", IPv4: "ipv4", IPv6: "ipv6", CIDR: "cidr", Domain: "domain",
		URL: "url", Email: "email", MD5: "md5", SHA1: "sha1", SHA256: "sha256",
		SHA512: "sha512", Filename: "filename", RegKey: "regkey", Mutex: "mutex",
		UserAgent: "useragent", EmailSubject: "email-subject", String: "string",
	}
	require.Len(t, want, NumTypes)
	for typ, name := range want {
		assert.Equal(t, name, typ.String())
	}
	assert.Equal(t, "Type(17)", Type(NumTypes).String())
	assert.Equal(t, "Type(255)", Type(255).String())
}

func TestTypePredicates(t *testing.T) {
	for _, typ := range []Type{Invalid, Type(NumTypes), Type(255)} {
		assert.False(t, typ.Valid(), typ)
		assert.False(t, typ.IsAddress(), typ)
		assert.False(t, typ.IsHash(), typ)
		assert.False(t, typ.IsString(), typ)
		assert.Zero(t, typ.HashLen(), typ)
	}
	addr := map[Type]bool{IPv4: true, IPv6: true, CIDR: true}
	hash := map[Type]int{MD5: 32, SHA1: 40, SHA256: 64, SHA512: 128}
	str := map[Type]bool{Filename: true, RegKey: true, Mutex: true, UserAgent: true, EmailSubject: true, String: true}
	for _, typ := range Types() {
		assert.True(t, typ.Valid(), typ)
		assert.Equal(t, addr[typ], typ.IsAddress(), typ)
		assert.Equal(t, hash[typ] != 0, typ.IsHash(), typ)
		assert.Equal(t, hash[typ], typ.HashLen(), typ)
		assert.Equal(t, str[typ], typ.IsString(), typ)
	}
}

func TestTypes(t *testing.T) {
	ts := Types()
	require.Len(t, ts, NumTypes-1)
	for i, typ := range ts {
		assert.Equal(t, Type(i+1), typ)
	}
}

func TestHashType(t *testing.T) {
	for n, want := range map[int]Type{32: MD5, 40: SHA1, 64: SHA256, 128: SHA512} {
		got, ok := HashType(n)
		assert.True(t, ok, n)
		assert.Equal(t, want, got, n)
		assert.Equal(t, n, got.HashLen())
	}
	for _, n := range []int{-1, 0, 1, 31, 33, 39, 41, 56, 63, 65, 96, 127, 129, 256} {
		got, ok := HashType(n)
		assert.False(t, ok, n)
		assert.Equal(t, Invalid, got, n)
	}
}

func TestParseType(t *testing.T) {
	tests := []struct {
		in   string
		want Type
	}{
		// canonical names
		{"ipv4", IPv4}, {"ipv6", IPv6}, {"cidr", CIDR}, {"domain", Domain}, {"url", URL},
		{"email", Email}, {"md5", MD5}, {"sha1", SHA1}, {"sha256", SHA256}, {"sha512", SHA512},
		{"filename", Filename}, {"regkey", RegKey}, {"mutex", Mutex}, {"useragent", UserAgent},
		{"email-subject", EmailSubject}, {"string", String},
		// case and space
		{"IPv4", IPv4}, {"DOMAIN", Domain}, {"  url\t", URL}, {"Email-Subject", EmailSubject},
		// MISP
		{"ip-dst", IPv4}, {"ip-src", IPv4}, {"IP-DST", IPv4}, {"hostname", Domain},
		{"email-src", Email}, {"email-dst", Email}, {"uri", URL}, {"link", URL},
		{"filename", Filename}, {"regkey", RegKey}, {"user-agent", UserAgent}, {"text", String},
		// STIX
		{"domain-name", Domain}, {"ipv4-addr", IPv4}, {"ipv6-addr", IPv6}, {"email-addr", Email},
		{"windows-registry-key", RegKey}, {"file:name", Filename},
		// Zeek
		{"Intel::DOMAIN", Domain}, {"intel::domain", Domain}, {"Intel::ADDR", IPv4},
		{"Intel::SUBNET", CIDR}, {"Intel::URL", URL}, {"Intel::EMAIL", Email},
		{"Intel::FILE_NAME", Filename}, {"Intel::SOFTWARE", UserAgent}, {"Intel::USER_NAME", String},
		// others
		{"sha-256", SHA256}, {"FileHash-SHA1", SHA1}, {"fqdn", Domain}, {"mutant", Mutex},
	}
	for _, tt := range tests {
		got, err := ParseType(tt.in)
		if assert.NoError(t, err, tt.in) {
			assert.Equal(t, tt.want, got, tt.in)
		}
	}
	for _, in := range []string{"", " ", "invalid", "Invalid", "ip4", "ipv4 addr", "Intel::FILE_HASH",
		"domain|ip", "ip-dst|port", "sha224", "Type(1)", "1", "ipv4\x00"} {
		got, err := ParseType(in)
		if assert.Error(t, err, in) {
			assert.Contains(t, err.Error(), fmt.Sprintf("%q", in))
		}
		assert.Equal(t, Invalid, got, in)
	}
}

func TestTypeText(t *testing.T) {
	for _, typ := range Types() {
		b, err := typ.MarshalText()
		require.NoError(t, err)
		assert.Equal(t, typ.String(), string(b))
		var back Type
		require.NoError(t, back.UnmarshalText(b))
		assert.Equal(t, typ, back)
		// and through encoding/json, which uses the text methods
		j, err := json.Marshal(map[string]Type{"t": typ})
		require.NoError(t, err)
		assert.Equal(t, `{"t":"`+typ.String()+`"}`, string(j))
		var m map[string]Type
		require.NoError(t, json.Unmarshal(j, &m))
		assert.Equal(t, typ, m["t"])
	}
	for _, typ := range []Type{Invalid, Type(NumTypes), 200} {
		b, err := typ.MarshalText()
		assert.Error(t, err, typ)
		assert.Nil(t, b)
	}
	// aliases unmarshal too; bad names leave the value alone
	var typ Type
	require.NoError(t, typ.UnmarshalText([]byte("Intel::DOMAIN")))
	assert.Equal(t, Domain, typ)
	err := typ.UnmarshalText([]byte("bogus"))
	require.Error(t, err)
	assert.True(t, strings.Contains(err.Error(), `"bogus"`))
	assert.Equal(t, Domain, typ)
}
