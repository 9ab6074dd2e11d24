package allow

import (
	"fmt"
	"net/netip"
	"path/filepath"
	"slices"
	"sort"
	"strings"

	"github.com/iocmatch/iocmatch/indicator"
	"github.com/iocmatch/iocmatch/internal/canon"
	"github.com/iocmatch/iocmatch/loader"
)

// Action is what a list does to the indicators it holds.
type Action uint8

// The actions. The zero Action is ActionDefault.
const (
	// ActionDefault is a warninglist's action from its category:
	// "false-positive" suppresses, anything else (or none) annotates.
	ActionDefault Action = iota
	// Suppress drops the indicator: it is not compiled, so never matches.
	Suppress
	// Annotate keeps the indicator and adds the tag
	// "warninglist:<list id>" to it (see TagPrefix).
	Annotate
	// Off does not apply the list.
	Off
)

var actionNames = [...]string{"default", "suppress", "annotate", "off"}

// String returns "default", "suppress", "annotate" or "off".
func (a Action) String() string {
	if int(a) < len(actionNames) {
		return actionNames[a]
	}
	return fmt.Sprintf("Action(%d)", uint8(a))
}

// ParseAction reads the text form of an Action (case-insensitively).
func ParseAction(s string) (Action, error) {
	for i, n := range actionNames {
		if strings.EqualFold(strings.TrimSpace(s), n) {
			return Action(i), nil
		}
	}
	return ActionDefault, fmt.Errorf("allow: unknown action %q: not suppress, annotate, off or default", s)
}

// TagPrefix starts the tag that an annotating warninglist adds to an
// indicator: "warninglist:" followed by the list's id (ListID). Output
// encoders show these tags as the warninglists of a match.
const TagPrefix = indicator.WarninglistTag

// Options configure a Policy. The zero Options are the defaults: the
// reserved ranges suppress, nothing else applies.
type Options struct {
	// NoReserved turns off the built-in reserved ranges (ReservedRanges),
	// which are on by default: an address indicator inside one, or a CIDR
	// indicator wholly inside their union, is suppressed.
	NoReserved bool
	// Documentation turns on the built-in documentation ranges
	// (DocumentationRanges), off by default, with the same semantics.
	Documentation bool
	// InternalSources are source names (indicator.Meta.Source, exactly)
	// whose indicators the reserved and documentation ranges do not
	// suppress: a user's own intel may name internal addresses.
	InternalSources []string

	// Warninglists are the MISP warninglists to apply (see Policy for
	// their semantics), e.g. loader.Result.Warninglists.
	Warninglists []loader.Warninglist
	// Actions override the action of warninglists, keyed by the list's
	// id (ListID), name (Warninglist.Name) or file (Warninglist.Path);
	// ids and names case-insensitively. A key that names no list is an
	// error of New.
	Actions map[string]Action
	// SuppressAll makes every warninglist suppress, but those that
	// Actions names and the ThreatLists (sinkholes, hosting and VPN
	// ranges, dynamic DNS), which keep annotating unless Actions says
	// otherwise.
	SuppressAll bool

	// Allowlists are files of values in the plain-list syntax (see
	// package loader) that suppress exactly those values: an address or
	// CIDR indicator inside one of its addresses or CIDRs (their union),
	// a domain indicator that is one of its domains or a subdomain of
	// one, an indicator of any other type equal to one of its values
	// (same type and canonical value). A line that is not a valid value
	// is an error of New naming the file and line.
	Allowlists []string
	// Allowlist are allowlist entries with Zeek's whitelist semantics,
	// e.g. loader.Result.Allowlist (the meta.whitelist=T rows of Zeek
	// intel files): an indicator with the same type and value is
	// suppressed (a domain exactly, not its subdomains, as Zeek matches
	// domains), and a cidr entry suppresses the address and CIDR
	// indicators wholly inside it. Whatever the source.
	Allowlist []indicator.Indicator

	// MaxExamples is the number of example indicators the Report keeps
	// per list; 0 is 5, < 0 none.
	MaxExamples int
}

// Policy is a compiled allowlist policy. It is immutable and safe for
// concurrent use.
//
// Apply checks each indicator against the lists in this order, and the
// first list that suppresses it decides: reserved ranges, documentation
// ranges, plain allowlists (Options.Allowlists, in order), the Zeek
// whitelist entries, then the warninglists. Every annotating warninglist
// that holds a kept indicator annotates it.
//
// Warninglists follow MISP's semantics per list type, ASCII
// case-insensitively (iocmatch's canonical values are lower case; lists
// such as "tlds" are upper case):
//
//   - string: the indicator's value equals an entry.
//   - substring: the value contains an entry.
//   - hostname: the host — a domain indicator's value, a URL's host, an
//     email's domain, an address — is an entry or a subdomain of one (an
//     address: equal only).
//   - cidr: an address indicator, a CIDR, or a URL whose host is an
//     address, lies inside one entry.
//   - regex: an entry matches the value (Go regexp syntax, as
//     loader.Warninglist compiles them).
//
// A list applies to the indicator types its matching_attributes map to
// (see AttributeTypes; none: every type), so a list of domains is not
// checked against hashes. A list whose attributes map to no type applies
// to nothing (said in its ListReport.Note).
type Policy struct {
	opts     Options
	internal map[string]bool
	reserved prefixSet
	docs     prefixSet

	allow []*plainList
	zeek  *plainList // nil: no entries

	wl *warninglists
}

// New compiles the Options into a Policy. The error is about an allowlist
// file that cannot be read or holds a bad value (it names the file and
// line), or an Actions key that names no warninglist.
func New(opts Options) (*Policy, error) {
	p := &Policy{opts: opts, internal: map[string]bool{}}
	for _, s := range opts.InternalSources {
		p.internal[s] = true
	}
	if !opts.NoReserved {
		for _, d := range reservedRanges {
			p.reserved.insert(netip.MustParsePrefix(d.prefix), d.prefix+" "+d.what)
		}
	}
	if opts.Documentation {
		for _, d := range documentationRanges {
			p.docs.insert(netip.MustParsePrefix(d.prefix), d.prefix+" "+d.what)
		}
	}
	for _, path := range opts.Allowlists {
		res, err := loader.Load(path, loader.Options{Format: loader.FormatList, Strict: true, Source: "allowlist"})
		if err != nil {
			return nil, fmt.Errorf("allow: allowlist %w", err)
		}
		pl := newPlainList(path, "allowlist", true)
		for _, ind := range res.Indicators {
			pl.add(ind)
		}
		p.allow = append(p.allow, pl)
	}
	if len(opts.Allowlist) > 0 {
		p.zeek = newPlainList("zeek-whitelist", "zeek", false)
		for _, ind := range opts.Allowlist {
			p.zeek.add(ind)
		}
	}
	wl, err := compileWarninglists(opts.Warninglists, opts.Actions, opts.SuppressAll)
	if err != nil {
		return nil, err
	}
	p.wl = wl
	return p, nil
}

// Report says what Apply did: the counts per list and per source, with
// examples.
type Report struct {
	Input      int // indicators given
	Kept       int // indicators returned (annotated ones included)
	Suppressed int // indicators dropped
	Annotated  int // kept indicators annotated by at least one list
	// Lists are the lists in the order Apply checks them: "reserved",
	// "documentation" when on, each plain allowlist, "zeek-whitelist"
	// when there are entries, then each warninglist in the order given.
	Lists []ListReport
	// Sources are the counts per indicator source, by name.
	Sources []SourceReport
}

// ListReport is what one list did.
type ListReport struct {
	// ID names the list: "reserved", "documentation", the allowlist's
	// path, "zeek-whitelist", or a warninglist's ListID.
	ID string
	// Kind is "reserved", "documentation", "allowlist", "zeek" or
	// "warninglist".
	Kind string
	// Name is a warninglist's name ("" for the other kinds).
	Name string
	// Action is what the list does: Suppress or Annotate.
	Action Action
	// Entries is the number of entries compiled.
	Entries int
	// Suppressed counts the indicators the list suppressed (the first
	// suppressing list in order), Annotated those it annotated.
	Suppressed, Annotated int
	// Examples are up to Options.MaxExamples of those indicators, as
	// "type:value (source)" (a value longer than 96 bytes cut, ending in
	// "…"), with the range that holds it for the range lists.
	Examples []string
	// Note says why a list applies to nothing, if so.
	Note string
}

// SourceReport are the counts of one source (indicator.Meta.Source).
type SourceReport struct {
	Source     string
	Input      int // indicators of the source given
	Suppressed int
	Annotated  int
	// ByList counts the indicators of the source that each list
	// suppressed or annotated, by ListReport.ID.
	ByList map[string]int
}

// Apply returns the indicators of inds that no list suppresses, in
// order, the annotated ones with a "warninglist:<id>" tag per annotating
// list (in a new Tags slice), and the report. It filters in place, as
// slices.DeleteFunc does: the result shares inds' backing array, whose
// elements past it are zeroed.
func (p *Policy) Apply(inds []indicator.Indicator) ([]indicator.Indicator, Report) {
	rep := Report{Input: len(inds)}
	maxEx := p.opts.MaxExamples
	if maxEx == 0 {
		maxEx = 5
	}
	lists := p.listReports()
	rep.Lists = lists
	idx := map[string]int{} // source → index in rep.Sources
	var hits []int          // scratch: warninglist indices
	out := 0
	si := -1 // index of the source of the indicator before (they come in runs)
	for i := range inds {
		ind := &inds[i]
		if si < 0 || rep.Sources[si].Source != ind.Source {
			var ok bool
			si, ok = idx[ind.Source]
			if !ok {
				si = len(rep.Sources)
				idx[ind.Source] = si
				rep.Sources = append(rep.Sources, SourceReport{Source: ind.Source, ByList: map[string]int{}})
			}
		}
		src := &rep.Sources[si]
		src.Input++
		li, label := p.suppressor(ind)
		var annot []int
		if li < 0 {
			var s int
			s, hits = p.wl.check(ind, hits[:0])
			if s >= 0 {
				li = p.wlBase() + s
			} else {
				annot = hits
			}
		}
		if li >= 0 {
			lr := &lists[li]
			lr.Suppressed++
			src.Suppressed++
			src.ByList[lr.ID]++
			rep.Suppressed++
			addExample(lr, ind, label, maxEx)
			continue
		}
		if len(annot) > 0 {
			tags := make([]string, len(ind.Tags), len(ind.Tags)+len(annot))
			copy(tags, ind.Tags)
			for _, w := range annot {
				lr := &lists[p.wlBase()+w]
				lr.Annotated++
				src.ByList[lr.ID]++
				addExample(lr, ind, "", maxEx)
				if tag := p.wl.lists[w].tag; !slices.Contains(tags, tag) {
					tags = append(tags, tag)
				}
			}
			ind.Tags = tags
			src.Annotated++
			rep.Annotated++
		}
		inds[out] = *ind
		out++
	}
	clear(inds[out:])
	rep.Kept = out
	sort.Slice(rep.Sources, func(i, j int) bool { return rep.Sources[i].Source < rep.Sources[j].Source })
	return inds[:out], rep
}

// maxExampleLen is the length an example's "type:value" is cut to.
const maxExampleLen = 96

func addExample(lr *ListReport, ind *indicator.Indicator, label string, max int) {
	if len(lr.Examples) >= max {
		return
	}
	ex := ind.String()
	if len(ex) > maxExampleLen {
		ex = strings.ToValidUTF8(ex[:maxExampleLen], "") + "…"
	}
	ex += " (" + ind.Source + ")"
	if label != "" {
		ex += " in " + label
	}
	lr.Examples = append(lr.Examples, ex)
}

// listReports returns the ListReports of the lists, counts zero.
func (p *Policy) listReports() []ListReport {
	var ls []ListReport
	if !p.reserved.empty() {
		ls = append(ls, ListReport{ID: "reserved", Kind: "reserved", Action: Suppress, Entries: len(reservedRanges)})
	}
	if !p.docs.empty() {
		ls = append(ls, ListReport{ID: "documentation", Kind: "documentation", Action: Suppress, Entries: len(documentationRanges)})
	}
	for _, a := range p.allow {
		ls = append(ls, ListReport{ID: a.id, Kind: a.kind, Action: Suppress, Entries: a.n})
	}
	if p.zeek != nil {
		ls = append(ls, ListReport{ID: p.zeek.id, Kind: p.zeek.kind, Action: Suppress, Entries: p.zeek.n})
	}
	for _, w := range p.wl.lists {
		ls = append(ls, ListReport{ID: w.id, Kind: "warninglist", Name: w.name, Action: w.action, Entries: w.entries, Note: w.note})
	}
	return ls
}

// wlBase is the index in Report.Lists of the first warninglist.
func (p *Policy) wlBase() int {
	n := len(p.allow)
	if !p.reserved.empty() {
		n++
	}
	if !p.docs.empty() {
		n++
	}
	if p.zeek != nil {
		n++
	}
	return n
}

// suppressor returns the index in Report.Lists of the first list before
// the warninglists that suppresses ind, or -1, and for the range lists
// the range that holds it.
func (p *Policy) suppressor(ind *indicator.Indicator) (int, string) {
	i := 0
	ranges := ind.Type.IsAddress() && !p.internal[ind.Source]
	var pfx netip.Prefix
	if ranges {
		pfx, ranges = canon.PrefixOf(ind.Value)
	}
	for _, set := range []*prefixSet{&p.reserved, &p.docs} {
		if set.empty() {
			continue
		}
		if ranges {
			if in, label := set.covers(pfx); in {
				return i, label
			}
		}
		i++
	}
	for _, a := range p.allow {
		if a.holds(ind) {
			return i, ""
		}
		i++
	}
	if p.zeek != nil && p.zeek.holds(ind) {
		return i, ""
	}
	return -1, ""
}

// ListID returns the short id of a warninglist: the name of its
// directory for a file named list.json (the MISP repository's layout:
// "lists/rfc1918/list.json" is "rfc1918"), else the file's source name
// (loader.SourceName), else the list's name.
func ListID(w *loader.Warninglist) string {
	if w.Path != "" {
		if filepath.Base(w.Path) == "list.json" {
			if d := filepath.Base(filepath.Dir(w.Path)); d != "." && d != string(filepath.Separator) {
				return d
			}
		}
		return loader.SourceName(w.Path)
	}
	return w.Name
}
