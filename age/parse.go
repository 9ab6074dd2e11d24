package age

import (
	"fmt"
	"maps"
	"math"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/iocmatch/iocmatch/indicator"
)

// DefaultMaxAge returns the max ages of the field's practice, per type
// (a new map each call):
//
//	ipv4, ipv6, cidr                     30 days  (addresses churn: hosting, DHCP, NAT)
//	domain, url, email, useragent       180 days
//	email-subject                        90 days  (a campaign's lure; Elastic's default)
//	md5, sha1, sha256, sha512           365 days  (a file stays what it is)
//	filename, regkey, mutex, string     365 days  (host artefacts of malware, like hashes)
//
// The library applies no max age unless given one (Options.MaxAge);
// iocscan starts from these.
func DefaultMaxAge() map[indicator.Type]time.Duration {
	m := map[indicator.Type]time.Duration{}
	for _, t := range indicator.Types() {
		switch {
		case t.IsAddress():
			m[t] = 30 * Day
		case t == indicator.Domain, t == indicator.URL, t == indicator.Email, t == indicator.UserAgent:
			m[t] = 180 * Day
		case t == indicator.EmailSubject:
			m[t] = 90 * Day
		default: // hashes, filename, regkey, mutex, string
			m[t] = 365 * Day
		}
	}
	return m
}

// ParseDuration parses a duration as time.ParseDuration does ("36h",
// "90m") or in days and weeks: "30d", "1.5d", "2w", "2w3d", "1d12h"
// (weeks and days first, plain decimal numbers, then Go units). "0", "off" and "none" are 0. Negative
// durations are an error, which quotes s.
func ParseDuration(s string) (time.Duration, error) {
	v := strings.TrimSpace(s)
	switch strings.ToLower(v) {
	case "0", "off", "none":
		return 0, nil
	case "":
		return 0, fmt.Errorf("age: duration %q: empty", s)
	}
	var d time.Duration
	rest := v
	// leading numbers of weeks and days ("2w3d")
	for rest != "" {
		i := strings.IndexAny(rest, "dDwW")
		if i <= 0 {
			break
		}
		n, err := strconv.ParseFloat(rest[:i], 64)
		if err != nil || strings.ContainsAny(rest[:i], "+-eEinfINFxXpP_") {
			break
		}
		unit := Day
		if rest[i] == 'w' || rest[i] == 'W' {
			unit = 7 * Day
		}
		f := float64(d) + n*float64(unit)
		if !(f >= 0) || f > float64(math.MaxInt64/2) {
			return 0, fmt.Errorf("age: duration %q: out of range (0 to about 146 years)", s)
		}
		d, rest = time.Duration(f), rest[i+1:]
	}
	if rest != "" {
		g, err := time.ParseDuration(rest)
		if err != nil {
			return 0, fmt.Errorf("age: duration %q: want a Go duration (36h, 90m) or days and weeks (30d, 1.5d, 2w, 1d12h)", s)
		}
		if g < 0 || d+g < d {
			return 0, fmt.Errorf("age: duration %q: must not be negative", s)
		}
		d += g
	}
	return d, nil
}

// typeGroups are the names ParseMaxAge accepts for several types.
var typeGroups = map[string][]indicator.Type{
	"ip":      {indicator.IPv4, indicator.IPv6, indicator.CIDR},
	"addr":    {indicator.IPv4, indicator.IPv6, indicator.CIDR},
	"address": {indicator.IPv4, indicator.IPv6, indicator.CIDR},
	"hash":    {indicator.MD5, indicator.SHA1, indicator.SHA256, indicator.SHA512},
}

// ParseMaxAge parses max ages per type: "TYPE=DURATION[,TYPE=DURATION…]"
// as iocscan's -max-age takes them. TYPE is a type name as
// indicator.ParseType knows it ("ipv4", "domain", "url", "sha256",
// "hostname" …), or a group: "ip" (also "addr", "address": ipv4, ipv6 and
// cidr), "hash" (md5, sha1, sha256, sha512), "all" or "*" (every type);
// a later item wins over an earlier one. DURATION is as ParseDuration
// takes it; 0, "off" or "none" is no max age for those types. The
// whole string "off" or "none" is no max age for any type. Errors quote
// the input and the bad item.
//
// The map holds only the types named (with 0 for "none"): MergeMaxAge
// puts them over the defaults.
func ParseMaxAge(s string) (map[indicator.Type]time.Duration, error) {
	out := map[indicator.Type]time.Duration{}
	v := strings.TrimSpace(s)
	switch strings.ToLower(v) {
	case "off", "none":
		for _, t := range indicator.Types() {
			out[t] = 0
		}
		return out, nil
	case "":
		return nil, fmt.Errorf("age: max age %q: empty: want TYPE=DURATION[,…] (ip=30d,domain=180d) or off", s)
	}
	for _, item := range strings.Split(v, ",") {
		item = strings.TrimSpace(item)
		if item == "" {
			continue
		}
		name, dur, ok := strings.Cut(item, "=")
		if !ok {
			return nil, fmt.Errorf("age: max age %q: item %q: want TYPE=DURATION (ip=30d)", s, item)
		}
		d, err := ParseDuration(dur)
		if err != nil {
			return nil, fmt.Errorf("age: max age %q: item %q: %w", s, item, err)
		}
		name = strings.ToLower(strings.TrimSpace(name))
		var types []indicator.Type
		switch {
		case name == "all" || name == "*":
			types = indicator.Types()
		case typeGroups[name] != nil:
			types = typeGroups[name]
		default:
			t, err := indicator.ParseType(name)
			if err != nil {
				return nil, fmt.Errorf("age: max age %q: item %q: unknown type %q (a type such as ipv4, domain, url, sha256, or ip, hash, all)", s, item, name)
			}
			types = []indicator.Type{t}
		}
		for _, t := range types {
			out[t] = d
		}
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("age: max age %q: no TYPE=DURATION item", s)
	}
	return out, nil
}

// MergeMaxAge returns a new map with the max ages of base, those of over
// replacing them for the types over names (0 in over removes a type's
// max age): iocscan's -max-age over DefaultMaxAge.
func MergeMaxAge(base, over map[indicator.Type]time.Duration) map[indicator.Type]time.Duration {
	out := maps.Clone(base)
	if out == nil {
		out = map[indicator.Type]time.Duration{}
	}
	for t, d := range over {
		if d > 0 {
			out[t] = d
		} else {
			delete(out, t)
		}
	}
	return out
}

// SetMaxAge sets o.MaxAge to the max ages s gives (ParseMaxAge) over
// DefaultMaxAge: the types s names replace their defaults, the others
// keep theirs; "" keeps the defaults, and "off" or "none" leaves no max
// age at all. It is iocscan's -max-age and the max_age setting of the
// integrations, in one place.
func (o *Options) SetMaxAge(s string) error {
	o.MaxAge = DefaultMaxAge()
	if strings.TrimSpace(s) == "" {
		return nil
	}
	over, err := ParseMaxAge(s)
	if err != nil {
		return err
	}
	if o.MaxAge = MergeMaxAge(o.MaxAge, over); len(o.MaxAge) == 0 {
		o.MaxAge = nil
	}
	return nil
}

// SetDecay makes the decay model s names (ParseModelFlag: a shipped
// model's name or a MISP model file) o's model, applied as SetModel does;
// "" leaves o as it is. It is iocscan's -decay and the decay setting of
// the integrations, in one place.
func (o *Options) SetDecay(s string) error {
	if s == "" {
		return nil
	}
	m, err := ParseModelFlag(s)
	if err != nil {
		return err
	}
	return o.SetModel(m)
}

// ParseModelFlag returns the decay model iocscan's -decay names: a
// shipped model's name (LookupModel: "NIDS Simple", "phishing" …), else
// the path of a MISP decaying-model JSON file (ReadModelFile). The error
// lists the shipped names when s is neither.
func ParseModelFlag(s string) (Model, error) {
	if m, ok := LookupModel(s); ok {
		return m, nil
	}
	if _, err := os.Stat(s); err != nil {
		names := make([]string, 0, len(shipped))
		for _, m := range shipped {
			names = append(names, fmt.Sprintf("%q", m.Name))
		}
		return Model{}, fmt.Errorf("age: decay model %q: neither a shipped model (%s, or short: \"NIDS Simple\", \"phishing\", \"vishing\") nor a readable MISP model file: %v",
			s, strings.Join(names, ", "), err)
	}
	return ReadModelFile(s)
}
