package allow

import (
	"fmt"
	"net/netip"
	"regexp"
	"slices"
	"strings"

	"github.com/gaissmai/bart"
	"github.com/iocmatch/iocmatch/indicator"
	"github.com/iocmatch/iocmatch/internal/canon"
	"github.com/iocmatch/iocmatch/loader"
)

// typeMask is a set of indicator types.
type typeMask uint32

func (m typeMask) has(t indicator.Type) bool { return m&(1<<t) != 0 }

func maskOf(ts ...indicator.Type) typeMask {
	var m typeMask
	for _, t := range ts {
		m |= 1 << t
	}
	return m
}

var allTypes = func() typeMask {
	var m typeMask
	for _, t := range indicator.Types() {
		m |= 1 << t
	}
	return m
}()

var (
	addrTypes  = maskOf(indicator.IPv4, indicator.IPv6, indicator.CIDR)
	emailTypes = maskOf(indicator.Email)
)

// attributeTypes maps MISP attribute types (matching_attributes) to
// indicator types. A composite type ("domain|ip", "filename|md5") maps
// to the types of both halves, as MISP checks both.
var attributeTypes = map[string]typeMask{
	"ip": addrTypes, "ip-src": addrTypes, "ip-dst": addrTypes,
	"ip-src|port": addrTypes, "ip-dst|port": addrTypes,
	"domain": maskOf(indicator.Domain), "hostname": maskOf(indicator.Domain),
	"hostname|port": maskOf(indicator.Domain), "domain|ip": addrTypes | maskOf(indicator.Domain),
	"url": maskOf(indicator.URL), "uri": maskOf(indicator.URL), "link": maskOf(indicator.URL),
	"email": emailTypes, "email-src": emailTypes, "email-dst": emailTypes, "target-email": emailTypes,
	"whois-registrant-email": emailTypes, "dns-soa-email": emailTypes, "email-reply-to": emailTypes,
	"md5": maskOf(indicator.MD5), "sha1": maskOf(indicator.SHA1),
	"sha256": maskOf(indicator.SHA256), "sha512": maskOf(indicator.SHA512),
	"filename|md5":    maskOf(indicator.MD5, indicator.Filename),
	"filename|sha1":   maskOf(indicator.SHA1, indicator.Filename),
	"filename|sha256": maskOf(indicator.SHA256, indicator.Filename),
	"filename|sha512": maskOf(indicator.SHA512, indicator.Filename),
	"filename":        maskOf(indicator.Filename),
	"regkey":          maskOf(indicator.RegKey), "regkey|value": maskOf(indicator.RegKey),
	"mutex":         maskOf(indicator.Mutex),
	"user-agent":    maskOf(indicator.UserAgent),
	"email-subject": maskOf(indicator.EmailSubject),
	"text":          maskOf(indicator.String), "other": maskOf(indicator.String),
}

// AttributeTypes returns the indicator types a MISP attribute type of a
// warninglist's matching_attributes stands for, nil for one iocmatch has
// no type for ("phone-number", "ssdeep", "sha224" …). "ip-src",
// "ip-dst" and their "|port" forms are ipv4, ipv6 and cidr; "domain" and
// "hostname" domain; a composite ("domain|ip", "filename|md5") the types
// of both halves, as MISP checks both.
func AttributeTypes(attr string) []indicator.Type {
	m := attributeTypes[strings.ToLower(strings.TrimSpace(attr))]
	var ts []indicator.Type
	for _, t := range indicator.Types() {
		if m.has(t) {
			ts = append(ts, t)
		}
	}
	return ts
}

// wlist is one compiled warninglist.
type wlist struct {
	id, name string
	tag      string // TagPrefix + id
	action   Action
	mask     typeMask
	entries  int
	note     string
}

// warninglists are the compiled warninglists: for each list type one
// structure holding the entries of every list of the type, each entry
// with the lists that hold it.
type warninglists struct {
	lists []wlist

	strs  map[string][]uint16 // "string": lower-case entry → lists
	hosts map[string][]uint16 // "hostname": name → lists
	nets  bart.Table[[]uint16]
	subs  []subGroup
	res   []listRegexp

	// the types each structure applies to: the union of its lists' masks
	strMask, hostMask, netMask, subMask, reMask typeMask

	// whether an entry of a string or hostname list may be an address
	// (maybeAddr): without one, address indicators skip those lookups
	strAddr, hostAddr bool
	// subsAddr are the automata of the substring entries that may occur
	// in an address ([0-9a-f.:/] only), for address indicators
	subsAddr []subGroup
}

type subGroup struct {
	a     *substrings
	lists []uint16 // group → list
}

type listRegexp struct {
	re   *regexp.Regexp
	list uint16
}

// maxLists bounds the number of warninglists (list indices are uint16).
const maxLists = 1 << 16

// ThreatLists are the ids (ListID) of MISP warninglists whose entries are
// where real threats are seen, not noise: a hit on a sinkhole is an
// infection, hosting and VPN ranges are where attackers' servers live,
// and the subdomains of dynamic-DNS parents are the IOCs themselves.
// Options.SuppressAll leaves them annotating unless Options.Actions names
// them.
var ThreatLists = map[string]bool{"sinkholes": true, "vpn-ipv4": true, "vpn-ipv6": true, "dynamic-dns": true}

func compileWarninglists(in []loader.Warninglist, actions map[string]Action, suppressAll bool) (*warninglists, error) {
	if len(in) >= maxLists {
		return nil, fmt.Errorf("allow: %d warninglists: at most %d", len(in), maxLists-1)
	}
	w := &warninglists{strs: map[string][]uint16{}, hosts: map[string][]uint16{}}
	used := map[string]bool{}
	lookup := func(l *loader.Warninglist, id string) (Action, bool) {
		for k, a := range actions {
			if strings.EqualFold(k, id) || strings.EqualFold(k, l.Name) || (l.Path != "" && k == l.Path) {
				used[k] = true
				return a, true
			}
		}
		return ActionDefault, false
	}
	var subGroups, subAddrGroups [][]string
	var subLists []uint16
	flushSubs := func() {
		if len(subGroups) > 0 {
			w.subs = append(w.subs, subGroup{a: newSubstrings(subGroups), lists: subLists})
			n := 0
			for _, g := range subAddrGroups {
				n += len(g)
			}
			if n > 0 {
				w.subsAddr = append(w.subsAddr, subGroup{a: newSubstrings(subAddrGroups), lists: subLists})
			}
			subGroups, subAddrGroups, subLists = nil, nil, nil
		}
	}
	for i := range in {
		l := &in[i]
		id := ListID(l)
		act, set := lookup(l, id)
		if !set || act == ActionDefault {
			switch {
			case suppressAll && !set && !ThreatLists[strings.ToLower(id)]:
				act = Suppress
			case strings.EqualFold(l.Category, "false-positive"):
				act = Suppress
			default:
				act = Annotate
			}
		}
		wl := wlist{id: id, name: l.Name, tag: TagPrefix + id, action: act}
		if len(l.MatchingAttributes) == 0 {
			wl.mask = allTypes
		} else {
			for _, a := range l.MatchingAttributes {
				wl.mask |= attributeTypes[strings.ToLower(strings.TrimSpace(a))]
			}
			if wl.mask == 0 {
				wl.note = "applies to no indicator type: matching_attributes " + strings.Join(l.MatchingAttributes, ", ")
			}
		}
		if act == Off {
			wl.note = "off"
			wl.mask = 0
		}
		li := uint16(len(w.lists))
		if wl.mask != 0 {
			switch l.Type {
			case loader.WarninglistString, "":
				for _, e := range l.Entries {
					if strings.TrimSpace(e) == "" {
						continue
					}
					k := strings.ToLower(e)
					w.strs[k] = addList(w.strs[k], li)
					w.strAddr = w.strAddr || maybeAddr(k)
					wl.entries++
				}
				w.strMask |= wl.mask
			case loader.WarninglistHostname:
				names := l.Hostnames
				if names == nil { // built by hand
					for _, e := range l.Entries {
						if h := strings.ToLower(strings.Trim(strings.TrimSpace(e), ".")); h != "" {
							names = append(names, h)
						}
					}
				}
				for _, h := range names {
					w.hosts[h] = addList(w.hosts[h], li)
					w.hostAddr = w.hostAddr || maybeAddr(h)
					wl.entries++
				}
				w.hostMask |= wl.mask
			case loader.WarninglistCIDR:
				pfxs := l.Prefixes
				if pfxs == nil {
					for _, e := range l.Entries {
						if p, ok := canon.PrefixOf(strings.TrimSpace(e)); ok {
							pfxs = append(pfxs, p)
						}
					}
				}
				for _, p := range pfxs {
					p = p.Masked()
					old, _ := w.nets.Get(p)
					w.nets.Insert(p, addList(slices.Clone(old), li))
					wl.entries++
				}
				w.netMask |= wl.mask
			case loader.WarninglistSubstring:
				var ps []string
				for _, e := range l.Entries {
					if e != "" {
						ps = append(ps, strings.ToLower(e))
					}
				}
				if len(subGroups) == maxGroups {
					flushSubs()
				}
				var addrPs []string
				for _, p := range ps {
					if strings.Trim(p, "0123456789abcdef.:/") == "" {
						addrPs = append(addrPs, p)
					}
				}
				subGroups = append(subGroups, ps)
				subAddrGroups = append(subAddrGroups, addrPs)
				subLists = append(subLists, li)
				wl.entries = len(ps)
				w.subMask |= wl.mask
			case loader.WarninglistRegex:
				res := l.Regexps
				if res == nil {
					for _, e := range l.Entries {
						if re, err := regexp.Compile(e); err == nil {
							res = append(res, re)
						}
					}
				}
				if len(res) > 0 {
					var alt []string
					for _, re := range res {
						alt = append(alt, "(?:"+re.String()+")")
					}
					if re, err := regexp.Compile(strings.Join(alt, "|")); err == nil {
						w.res = append(w.res, listRegexp{re, li})
					} else {
						for _, re := range res {
							w.res = append(w.res, listRegexp{re, li})
						}
					}
				}
				wl.entries = len(res)
				w.reMask |= wl.mask
			default:
				wl.note = fmt.Sprintf("unknown warninglist type %q: applies to nothing", l.Type)
			}
		}
		w.lists = append(w.lists, wl)
	}
	flushSubs()
	for k := range actions {
		if !used[k] {
			return nil, fmt.Errorf("allow: warninglist action %q: no warninglist has that id, name or file", k)
		}
	}
	return w, nil
}

// addList adds list li to ls once (lists are added in increasing order).
func addList(ls []uint16, li uint16) []uint16 {
	if n := len(ls); n > 0 && ls[n-1] == li {
		return ls
	}
	return append(ls, li)
}

// check returns the first warninglist that suppresses ind, or -1 and
// the lists that annotate it (appended to hits, in order).
func (w *warninglists) check(ind *indicator.Indicator, hits []int) (int, []int) {
	t := ind.Type
	v := ind.Value
	if w.strMask.has(t) || w.subMask.has(t) {
		v = lowerASCII(v)
	}
	isAddr := t.IsAddress()
	if w.strMask.has(t) && (w.strAddr || !isAddr) {
		hits = w.add(hits, w.strs[v], t)
	}
	if w.hostMask.has(t) && (w.hostAddr || !isAddr) {
		h, isAddr := hostOf(ind)
		for h != "" {
			hits = w.add(hits, w.hosts[h], t)
			i := strings.IndexByte(h, '.')
			if i < 0 || isAddr {
				break
			}
			h = h[i+1:]
		}
	}
	if w.netMask.has(t) {
		if p, ok := addrOf(ind); ok && w.nets.OverlapsPrefix(p) {
			for _, ls := range w.nets.Supernets(p) {
				hits = w.add(hits, ls, t)
			}
		}
	}
	if w.subMask.has(t) {
		subs := w.subs
		if isAddr {
			subs = w.subsAddr
		}
		for _, g := range subs {
			found := g.a.scan(v)
			for found != 0 {
				k := 0
				for found&(1<<k) == 0 {
					k++
				}
				found &^= 1 << k
				hits = w.add(hits, g.lists[k:k+1], t)
			}
		}
	}
	if w.reMask.has(t) {
		for _, r := range w.res {
			if w.lists[r.list].mask.has(t) && r.re.MatchString(ind.Value) {
				hits = append(hits, int(r.list))
			}
		}
	}
	if len(hits) == 0 {
		return -1, hits
	}
	slices.Sort(hits)
	hits = slices.Compact(hits)
	for _, l := range hits {
		if w.lists[l].action == Suppress {
			return l, hits[:0]
		}
	}
	return -1, hits
}

// add appends to hits the lists of ls that apply to type t.
func (w *warninglists) add(hits []int, ls []uint16, t indicator.Type) []int {
	for _, l := range ls {
		if w.lists[l].mask.has(t) {
			hits = append(hits, int(l))
		}
	}
	return hits
}

// lowerASCII returns v with ASCII upper case lowered (v itself when it
// has none: canonical values mostly).
func lowerASCII(v string) string {
	for i := 0; i < len(v); i++ {
		if 'A' <= v[i] && v[i] <= 'Z' {
			b := []byte(v)
			for j := i; j < len(b); j++ {
				b[j] = lower(b[j])
			}
			return string(b)
		}
	}
	return v
}

// hostOf returns the host name a hostname list checks: a domain's value,
// a URL's host, an email's domain, an address's value; and whether it is
// an address.
func hostOf(ind *indicator.Indicator) (string, bool) {
	v := ind.Value
	switch ind.Type {
	case indicator.Domain:
		return v, false
	case indicator.IPv4, indicator.IPv6, indicator.CIDR:
		return v, true
	case indicator.Email:
		if i := strings.LastIndexByte(v, '@'); i >= 0 {
			return v[i+1:], false
		}
		return "", false
	case indicator.URL:
		h := canon.HostOf(v)
		return h, maybeAddr(h) && validAddr(h)
	}
	return lowerASCII(v), false
}

// maybeAddr reports whether h may be an IP address: only digits and
// dots, or a ':' (a domain name has a letter in its last label).
func maybeAddr(h string) bool {
	for i := 0; i < len(h); i++ {
		if c := h[i]; c == ':' {
			return true
		} else if c != '.' && (c < '0' || c > '9') {
			return false
		}
	}
	return h != ""
}

func validAddr(h string) bool {
	_, err := netip.ParseAddr(h)
	return err == nil
}

// addrOf returns the prefix a cidr list checks: an address or CIDR
// indicator's, or the address host of a URL.
func addrOf(ind *indicator.Indicator) (netip.Prefix, bool) {
	switch ind.Type {
	case indicator.IPv4, indicator.IPv6, indicator.CIDR:
		return canon.PrefixOf(ind.Value)
	case indicator.URL:
		if h := canon.HostOf(ind.Value); maybeAddr(h) {
			return canon.PrefixOf(h)
		}
	}
	return netip.Prefix{}, false
}
