package loader

import (
	"errors"
	"io"
)

// readThreatStream reads Anomali ThreatStream intelligence. TODO (issue 13).
func readThreatStream(c *collector, r io.Reader) error {
	return errors.New("threatstream: not read yet")
}

// readMandiant reads Mandiant indicators. TODO (issue 13).
func readMandiant(c *collector, r io.Reader) error { return errors.New("mandiant: not read yet") }

// readCrowdStrike reads CrowdStrike Falcon Intel indicators. TODO (issue 13).
func readCrowdStrike(c *collector, r io.Reader) error { return errors.New("crowdstrike: not read yet") }

// sniffVendor returns the format of JSON head when it is ThreatStream's,
// Mandiant's or CrowdStrike's, else FormatUnknown.
func sniffVendor(head []byte, keys map[string]struct{}, vals map[string]string) Format {
	return FormatUnknown
}
