package setup

import (
	"flag"

	"github.com/iocmatch/iocmatch/live"
)

// RecordedFuture are the flags of the RecordedFuture API feed. TODO (issue 13): the flags.
type RecordedFuture struct{}

func (p *RecordedFuture) register(fs *flag.FlagSet, envPrefix string) {}

// set reports whether the flags ask for the feed.
func (p *RecordedFuture) set() bool { return false }

// feed returns the feed the flags ask for, or nil.
func (p *RecordedFuture) feed() (live.Feed, error) { return nil, nil }
