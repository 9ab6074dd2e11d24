package setup

import (
	"flag"
	"fmt"
	"time"

	"github.com/iocmatch/iocmatch/age"
)

// Age are the ageing flags (package age): -max-age and -decay.
type Age struct {
	MaxAge string // -max-age: over age.DefaultMaxAge
	Decay  string // -decay: a shipped model's name or a MISP model file
}

func (a *Age) register(fs *flag.FlagSet) {
	fs.StringVar(&a.MaxAge, "max-age", "", "`TYPE=DURATION[,…]`: max age per indicator type since its last sighting (last seen, else first seen, else valid from; undated indicators never age), over the defaults (ip 30d, domain and url 180d, hash 365d …; see the package doc); types: ipv4, domain, sha256 … or ip, hash, all; durations 30d, 2w, 12h; \"off\" for none at all")
	fs.StringVar(&a.Decay, "decay", "", "decay scores: `MODEL`, a MISP decaying model by name (\"NIDS Simple\", \"Phishing\") or a MISP model JSON file; an indicator whose score falls below the model's threshold stops matching, and every match carries its score (none unless given)")
}

// Policy compiles the flags into an ageing policy on the clock now (nil:
// time.Now).
func (a *Age) Policy(now func() time.Time) (*age.Policy, error) {
	opts := age.Options{Now: now}
	if err := opts.SetMaxAge(a.MaxAge); err != nil {
		return nil, fmt.Errorf("-max-age: %w", err)
	}
	if err := opts.SetDecay(a.Decay); err != nil {
		return nil, fmt.Errorf("-decay: %w", err)
	}
	return age.New(opts)
}
