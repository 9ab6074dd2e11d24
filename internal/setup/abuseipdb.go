package setup

import (
	"flag"

	"github.com/iocmatch/iocmatch/live"
)

// AbuseIPDB are the flags of the AbuseIPDB API feed. TODO (issue 13): the flags.
type AbuseIPDB struct{}

func (p *AbuseIPDB) register(fs *flag.FlagSet, envPrefix string) {}

// set reports whether the flags ask for the feed.
func (p *AbuseIPDB) set() bool { return false }

// feed returns the feed the flags ask for, or nil.
func (p *AbuseIPDB) feed() (live.Feed, error) { return nil, nil }
