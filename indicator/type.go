package indicator

import (
	"fmt"
	"strings"
)

// Type is the kind of an indicator. Its text form (String, MarshalText) is
// one of the names listed with the constants; the zero Type is invalid.
type Type uint8

// The indicator types. The comment after each gives its text form.
const (
	Invalid      Type = iota // "invalid"
	IPv4                     // "ipv4": an IPv4 address
	IPv6                     // "ipv6": an IPv6 address
	CIDR                     // "cidr": an IPv4 or IPv6 prefix
	Domain                   // "domain": a DNS name and all its subdomains
	URL                      // "url"
	Email                    // "email"
	MD5                      // "md5"
	SHA1                     // "sha1"
	SHA256                   // "sha256"
	SHA512                   // "sha512"
	Filename                 // "filename": a file name, matched at path boundaries
	RegKey                   // "regkey": a Windows registry key, canonical hive abbreviations
	Mutex                    // "mutex"
	UserAgent                // "useragent": an HTTP user agent (or part of one)
	EmailSubject             // "email-subject"
	String                   // "string": any other literal text

	numTypes
)

// NumTypes is one more than the largest valid Type, so that per-type tables
// can be declared as [NumTypes]T and indexed by Type.
const NumTypes = int(numTypes)

var typeNames = [numTypes]string{
	Invalid:      "invalid",
	IPv4:         "ipv4",
	IPv6:         "ipv6",
	CIDR:         "cidr",
	Domain:       "domain",
	URL:          "url",
	Email:        "email",
	MD5:          "md5",
	SHA1:         "sha1",
	SHA256:       "sha256",
	SHA512:       "sha512",
	Filename:     "filename",
	RegKey:       "regkey",
	Mutex:        "mutex",
	UserAgent:    "useragent",
	EmailSubject: "email-subject",
	String:       "string",
}

// typeAliases maps lower-cased names used by other tools (MISP attribute
// types, STIX object types, Zeek Intel::Type names, OpenIOC-ish spellings)
// to our types. The canonical names are added by init.
var typeAliases = map[string]Type{
	// addresses
	"ip": IPv4, "ip-addr": IPv4, "ipv4-addr": IPv4, "ip-dst": IPv4, "ip-src": IPv4,
	"ipv6-addr": IPv6, "intel::addr": IPv4, "addr": IPv4, "ipaddress": IPv4, "ip-address": IPv4,
	"subnet": CIDR, "intel::subnet": CIDR, "prefix": CIDR, "netblock": CIDR, "ip-range": CIDR,
	// names
	"hostname": Domain, "domain-name": Domain, "fqdn": Domain, "host": Domain,
	"intel::domain": Domain, "dns": Domain,
	"uri": URL, "link": URL, "intel::url": URL,
	"email-src": Email, "email-dst": Email, "email-addr": Email, "email-address": Email,
	"intel::email": Email, "mail": Email,
	// hashes
	"md-5": MD5, "sha-1": SHA1, "sha-256": SHA256, "sha-512": SHA512,
	"filehash-md5": MD5, "filehash-sha1": SHA1, "filehash-sha256": SHA256, "filehash-sha512": SHA512,
	// string kinds
	"file-name": Filename, "file": Filename, "file:name": Filename, "intel::file_name": Filename,
	"registry-key": RegKey, "windows-registry-key": RegKey, "registry": RegKey, "reg-key": RegKey,
	"mutant": Mutex, "mutex-name": Mutex,
	"user-agent": UserAgent, "user_agent": UserAgent, "http-user-agent": UserAgent,
	"intel::software": UserAgent, "software": UserAgent,
	"subject": EmailSubject, "email_subject": EmailSubject, "emailsubject": EmailSubject,
	"text": String, "str": String, "other": String, "intel::user_name": String, "pattern": String,
}

func init() {
	for t := Type(1); t < numTypes; t++ {
		typeAliases[typeNames[t]] = t
	}
}

// String returns the text form of t: "ipv4", "domain", "email-subject" …
func (t Type) String() string {
	if t < numTypes {
		return typeNames[t]
	}
	return fmt.Sprintf("Type(%d)", uint8(t))
}

// Valid reports whether t is one of the defined types other than Invalid.
func (t Type) Valid() bool { return t > Invalid && t < numTypes }

// IsAddress reports whether t is IPv4, IPv6 or CIDR.
func (t Type) IsAddress() bool { return t == IPv4 || t == IPv6 || t == CIDR }

// IsHash reports whether t is one of the hash types.
func (t Type) IsHash() bool { return t >= MD5 && t <= SHA512 }

// IsString reports whether t is a string kind (filename, regkey, mutex,
// useragent, email-subject, string): matched as a case-insensitive substring.
func (t Type) IsString() bool { return t >= Filename && t <= String }

// HashLen returns the number of hex digits of a hash type, or 0.
func (t Type) HashLen() int {
	switch t {
	case MD5:
		return 32
	case SHA1:
		return 40
	case SHA256:
		return 64
	case SHA512:
		return 128
	}
	return 0
}

// HashType returns the hash type whose hex form has n digits.
func HashType(n int) (Type, bool) {
	switch n {
	case 32:
		return MD5, true
	case 40:
		return SHA1, true
	case 64:
		return SHA256, true
	case 128:
		return SHA512, true
	}
	return Invalid, false
}

// Types returns every valid type in order.
func Types() []Type {
	ts := make([]Type, 0, numTypes-1)
	for t := Type(1); t < numTypes; t++ {
		ts = append(ts, t)
	}
	return ts
}

// ParseType returns the type named s. Besides the text forms of the
// constants it accepts, case-insensitively, common names used by MISP
// ("ip-dst", "hostname", "email-src" …), STIX ("domain-name", "ipv4-addr",
// "windows-registry-key" …) and Zeek ("Intel::DOMAIN", "Intel::ADDR" …).
// Zeek's Intel::FILE_HASH and MISP's composite types name no single type:
// callers infer those from the value (see HashType and Infer).
func ParseType(s string) (Type, error) {
	if t, ok := typeAliases[strings.ToLower(strings.TrimSpace(s))]; ok {
		return t, nil
	}
	return Invalid, fmt.Errorf("indicator: unknown type %q", s)
}

// MarshalText implements encoding.TextMarshaler.
func (t Type) MarshalText() ([]byte, error) {
	if !t.Valid() {
		return nil, fmt.Errorf("indicator: cannot marshal invalid %v", t)
	}
	return []byte(typeNames[t]), nil
}

// UnmarshalText implements encoding.TextUnmarshaler using ParseType.
func (t *Type) UnmarshalText(b []byte) error {
	v, err := ParseType(string(b))
	if err != nil {
		return err
	}
	*t = v
	return nil
}
