package setup

import (
	"flag"
	"fmt"
	"io"
	"strings"

	"github.com/iocmatch/iocmatch/allow"
	"github.com/iocmatch/iocmatch/indicator"
	"github.com/iocmatch/iocmatch/loader"
)

// Allow are the allowlist flags (package allow).
type Allow struct {
	Reserved, Documentation, SuppressAll bool
	Allowlists, Warninglists, Actions    Multi
	Internal                             Multi
}

func (a *Allow) register(fs *flag.FlagSet) {
	fs.BoolVar(&a.Reserved, "reserved", true, "suppress address and CIDR indicators in reserved, non-globally-reachable ranges (10/8, 127/8, fc00::/7 …); -reserved=false keeps them")
	fs.BoolVar(&a.Documentation, "documentation", false, "also suppress indicators in the documentation ranges (192.0.2.0/24, 2001:db8::/32 …)")
	fs.Var(&a.Internal, "internal-source", "source NAME whose indicators the reserved and documentation ranges keep (repeatable)")
	fs.Var(&a.Allowlists, "allowlist", "plain-list FILE of values never to match: addresses and CIDRs by containment, domains with their subdomains (repeatable)")
	fs.Var(&a.Warninglists, "warninglist", "MISP warninglist FILE or directory to apply, besides those found among the feeds (repeatable)")
	fs.Var(&a.Actions, "warninglist-action", "NAME=suppress|annotate|off: the action of the warninglist NAME (its directory, name or file), instead of its category's (repeatable)")
	fs.BoolVar(&a.SuppressAll, "suppress-all-warninglists", false, "every warninglist suppresses (but those -warninglist-action names), instead of annotating those that are not false-positive lists")
}

// Options returns the allow options of the flags, with the warninglists
// and allowlist rows found among the feeds (for a one-shot load; a
// live.Matcher finds them itself) and the explicit -warninglist files,
// read now (their problems written to w).
func (a *Allow) Options(w io.Writer, found []loader.Warninglist, foundAllow []indicator.Indicator) (allow.Options, error) {
	opts := allow.Options{
		NoReserved:      !a.Reserved,
		Documentation:   a.Documentation,
		InternalSources: a.Internal,
		Warninglists:    found,
		Allowlists:      a.Allowlists,
		Allowlist:       foundAllow,
		SuppressAll:     a.SuppressAll,
	}
	for _, path := range a.Warninglists {
		res, err := loader.Load(path, loader.Options{Format: loader.FormatWarninglist})
		if err != nil {
			return allow.Options{}, fmt.Errorf("-warninglist %w", err)
		}
		for i := range res.Problems {
			fmt.Fprintln(w, res.Problems[i].Error())
		}
		if len(res.Warninglists) == 0 {
			return allow.Options{}, fmt.Errorf("-warninglist %s: no warninglist read", path)
		}
		opts.Warninglists = append(opts.Warninglists, res.Warninglists...)
	}
	for _, kv := range a.Actions {
		i := strings.LastIndexByte(kv, '=')
		if i <= 0 {
			return allow.Options{}, fmt.Errorf("-warninglist-action %q: not NAME=suppress|annotate|off", kv)
		}
		act, err := allow.ParseAction(kv[i+1:])
		if err != nil {
			return allow.Options{}, fmt.Errorf("-warninglist-action %q: %v", kv, err)
		}
		if opts.Actions == nil {
			opts.Actions = map[string]allow.Action{}
		}
		opts.Actions[kv[:i]] = act
	}
	return opts, nil
}
