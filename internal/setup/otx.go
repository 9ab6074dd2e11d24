package setup

import (
	"flag"

	"github.com/iocmatch/iocmatch/live"
)

// OTX are the flags of the OTX API feed. TODO (issue 13): the flags.
type OTX struct{}

func (p *OTX) register(fs *flag.FlagSet, envPrefix string) {}

// set reports whether the flags ask for the feed.
func (p *OTX) set() bool { return false }

// feed returns the feed the flags ask for, or nil.
func (p *OTX) feed() (live.Feed, error) { return nil, nil }
