package setup

import (
	"flag"

	"github.com/iocmatch/iocmatch/live"
)

// Platforms are the flags of the platforms' API feeds (package
// loader/platform): -otx, -abuseipdb, -recordedfuture, -threatconnect and
// theirs. Each platform's flags are in the platform's file.
type Platforms struct {
	OTX            OTX
	AbuseIPDB      AbuseIPDB
	RecordedFuture RecordedFuture
	ThreatConnect  ThreatConnect
}

func (p *Platforms) register(fs *flag.FlagSet, envPrefix string) {
	p.OTX.register(fs, envPrefix)
	p.AbuseIPDB.register(fs, envPrefix)
	p.RecordedFuture.register(fs, envPrefix)
	p.ThreatConnect.register(fs, envPrefix)
}

// Any reports whether a platform feed is asked for.
func (p *Platforms) Any() bool {
	return p.OTX.set() || p.AbuseIPDB.set() || p.RecordedFuture.set() || p.ThreatConnect.set()
}

// Feeds returns the platform feeds the flags ask for, as live.Feeds; an
// error names the flag (a missing key …).
func (p *Platforms) Feeds() ([]live.Feed, error) {
	var feeds []live.Feed
	for _, mk := range []func() (live.Feed, error){p.OTX.feed, p.AbuseIPDB.feed, p.RecordedFuture.feed, p.ThreatConnect.feed} {
		f, err := mk()
		if err != nil {
			return nil, err
		}
		if f != nil {
			feeds = append(feeds, f)
		}
	}
	return feeds, nil
}
