package loader

import (
	"strings"

	"github.com/iocmatch/iocmatch/indicator"
)

// mispSplit says where a composite MISP value "a|b" is split.
type mispSplit uint8

const (
	splitNone  mispSplit = iota // a single value
	splitFirst                  // at the first '|': "domain|ip", "ip-dst|port", "regkey|value" …
	splitLast                   // at the last '|': "filename|sha256" (a hash has no '|', a file name may)
)

// mispType is how the value of a MISP attribute type is read: the
// indicator type of each part, indicator.Invalid for a part that is not an
// indicator (the port of "ip-dst|port", the data of "regkey|value").
type mispType struct {
	split mispSplit
	parts [2]indicator.Type
	// fileName: the first part is the file name of the hash in the
	// second, kept as its metadata (indicator.Meta.FileName), not an
	// indicator of its own
	fileName bool
}

// mispFileHash is the type of "filename|<hash>" and "malware-sample": the
// hash indicator, with the file name as its metadata.
func mispFileHash(h indicator.Type) mispType {
	return mispType{split: splitLast, parts: [2]indicator.Type{indicator.Invalid, h}, fileName: true}
}

func mispSingle(t indicator.Type) mispType { return mispType{parts: [2]indicator.Type{t}} }

func mispPair(s mispSplit, a, b indicator.Type) mispType {
	return mispType{split: s, parts: [2]indicator.Type{a, b}}
}

// mispTypes maps the MISP attribute types iocmatch reads. For "ip-src",
// "ip-dst" and the other address parts, indicator.New decides between IPv4,
// IPv6 and CIDR.
var mispTypes = map[string]mispType{
	"ip-src":     mispSingle(indicator.IPv4),
	"ip-dst":     mispSingle(indicator.IPv4),
	"domain":     mispSingle(indicator.Domain),
	"hostname":   mispSingle(indicator.Domain),
	"url":        mispSingle(indicator.URL),
	"md5":        mispSingle(indicator.MD5),
	"sha1":       mispSingle(indicator.SHA1),
	"sha256":     mispSingle(indicator.SHA256),
	"sha512":     mispSingle(indicator.SHA512),
	"filename":   mispSingle(indicator.Filename),
	"regkey":     mispSingle(indicator.RegKey),
	"mutex":      mispSingle(indicator.Mutex),
	"user-agent": mispSingle(indicator.UserAgent),

	"email":                  mispSingle(indicator.Email),
	"email-src":              mispSingle(indicator.Email),
	"email-dst":              mispSingle(indicator.Email),
	"email-reply-to":         mispSingle(indicator.Email),
	"whois-registrant-email": mispSingle(indicator.Email),
	"email-subject":          mispSingle(indicator.EmailSubject),
	"email-attachment":       mispSingle(indicator.Filename),

	"x509-fingerprint-md5":    mispSingle(indicator.MD5),
	"x509-fingerprint-sha1":   mispSingle(indicator.SHA1),
	"x509-fingerprint-sha256": mispSingle(indicator.SHA256),
	"ja3-fingerprint-md5":     mispSingle(indicator.MD5),

	"ip-src|port":   mispPair(splitFirst, indicator.IPv4, indicator.Invalid),
	"ip-dst|port":   mispPair(splitFirst, indicator.IPv4, indicator.Invalid),
	"hostname|port": mispPair(splitFirst, indicator.Domain, indicator.Invalid),
	"domain|ip":     mispPair(splitFirst, indicator.Domain, indicator.IPv4),
	"regkey|value":  mispPair(splitFirst, indicator.RegKey, indicator.Invalid),

	"malware-sample": mispFileHash(indicator.MD5),
}

// mispFileHashes are the hash kinds after "filename|" that iocmatch reads;
// any other "filename|X" (imphash, ssdeep, tlsh …) is not read: its file
// name alone is no indicator.
var mispFileHashes = map[string]indicator.Type{
	"md5":    indicator.MD5,
	"sha1":   indicator.SHA1,
	"sha256": indicator.SHA256,
	"sha512": indicator.SHA512,
}

// lookupMISPType returns how attribute type name is read, or false when
// iocmatch reads no indicator from it.
func lookupMISPType(name string) (mispType, bool) {
	if t, ok := mispTypes[name]; ok {
		return t, true
	}
	if h, ok := strings.CutPrefix(name, "filename|"); ok {
		if t, ok := mispFileHashes[h]; ok {
			return mispFileHash(t), true
		}
	}
	return mispType{}, false
}

// splitMISPValue splits the value of a composite type; ok is false when
// there is no '|' to split at.
func splitMISPValue(t mispType, v string) (parts [2]string, ok bool) {
	var i int
	switch t.split {
	case splitNone:
		return [2]string{v}, true
	case splitFirst:
		i = strings.IndexByte(v, '|')
	default:
		i = strings.LastIndexByte(v, '|')
	}
	if i < 0 {
		return parts, false
	}
	return [2]string{v[:i], v[i+1:]}, true
}
