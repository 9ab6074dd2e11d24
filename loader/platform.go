package loader

// detectPlatformJSON returns the format of JSON head when it is of one of
// the threat-intelligence platforms' shapes (OTX, AbuseIPDB,
// ThreatConnect, ThreatStream, Mandiant, CrowdStrike), else FormatUnknown.
// The vendors' markers are tried first, then AbuseIPDB, ThreatConnect and
// OTX, in that order.
// keys and vals are jsonTopKeys(head). Each platform's sniffer lives in
// the platform's file.
func detectPlatformJSON(head []byte, keys map[string]struct{}, vals map[string]string) Format {
	// the vendors' own markers (itype, mscore, malicious_confidence …)
	// first: a CrowdStrike record has OTX's indicator+type+id keys too
	if f := sniffVendor(head, keys, vals); f != FormatUnknown {
		return f
	}
	switch {
	case sniffAbuseIPDBJSON(head, keys):
		return FormatAbuseIPDB
	case sniffThreatConnect(head, keys):
		return FormatThreatConnect
	case sniffOTX(head, keys):
		return FormatOTX
	}
	return FormatUnknown
}
