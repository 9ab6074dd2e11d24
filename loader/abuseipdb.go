package loader

import (
	"errors"
	"io"
)

// readAbuseIPDB reads a AbuseIPDB feed. TODO: the format's reader (issue 13).
func readAbuseIPDB(c *collector, r io.Reader) error { return errors.New("abuseipdb: not read yet") }

// sniffAbuseIPDBJSON reports whether JSON head (top-level keys keys) is an AbuseIPDB blacklist.
func sniffAbuseIPDBJSON(head []byte, keys map[string]struct{}) bool { return false }

// sniffAbuseIPDBCSV reports whether text head is an AbuseIPDB blacklist CSV.
func sniffAbuseIPDBCSV(head []byte) bool { return false }
