package setup

import (
	"flag"

	"github.com/iocmatch/iocmatch/live"
)

// ThreatConnect are the flags of the ThreatConnect API feed. TODO (issue 13): the flags.
type ThreatConnect struct{}

func (p *ThreatConnect) register(fs *flag.FlagSet, envPrefix string) {}

// set reports whether the flags ask for the feed.
func (p *ThreatConnect) set() bool { return false }

// feed returns the feed the flags ask for, or nil.
func (p *ThreatConnect) feed() (live.Feed, error) { return nil, nil }
