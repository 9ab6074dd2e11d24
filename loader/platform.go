package loader

// detectPlatformJSON returns the format of JSON head when it is of one of
// the threat-intelligence platforms' shapes (OTX, AbuseIPDB,
// ThreatConnect, ThreatStream, Mandiant, CrowdStrike), else FormatUnknown.
// keys and vals are jsonTopKeys(head). Each platform's sniffer lives in
// the platform's file.
func detectPlatformJSON(head []byte, keys map[string]struct{}, vals map[string]string) Format {
	switch {
	case sniffAbuseIPDBJSON(head, keys):
		return FormatAbuseIPDB
	case sniffThreatConnect(head, keys):
		return FormatThreatConnect
	case sniffOTX(head, keys):
		return FormatOTX
	}
	return sniffVendor(head, keys, vals)
}
