package loader

import (
	"bytes"
	"fmt"
	"io"
	"path/filepath"
	"strings"
)

// Format is a feed format.
type Format string

// The formats Load reads. Each has a reader from an io.Reader too (ReadList,
// ReadCSV …).
const (
	FormatUnknown         Format = ""                 // JSON of no known kind: not read
	FormatList            Format = "list"             // plain list: ReadList
	FormatCSV             Format = "csv"              // CSV, abuse.ch style: ReadCSV
	FormatSTIX            Format = "stix"             // STIX 2.x bundle, objects or TAXII envelope: ReadSTIX
	FormatMISP            Format = "misp"             // MISP event: ReadMISP
	FormatMISPManifest    Format = "misp-manifest"    // MISP feed manifest.json: ReadMISPManifest
	FormatWarninglist     Format = "misp-warninglist" // MISP warninglist list.json: ReadWarninglist
	FormatZeek            Format = "zeek"             // Zeek intel file: ReadZeek
	FormatSuricataDataset Format = "suricata-dataset" // Suricata dataset: ReadSuricataDataset
	FormatSuricataIPRep   Format = "suricata-iprep"   // Suricata IP reputation: ReadSuricataIPRep
	FormatOTX             Format = "otx"              // AlienVault OTX pulses and indicators: ReadOTX
	FormatRecordedFuture  Format = "recordedfuture"   // Recorded Future risk list CSV: ReadRecordedFuture
	FormatAbuseIPDB       Format = "abuseipdb"        // AbuseIPDB blacklist, JSON or CSV: ReadAbuseIPDB
	FormatThreatConnect   Format = "threatconnect"    // ThreatConnect indicators, API v2, v3 or batch: ReadThreatConnect
	FormatThreatStream    Format = "threatstream"     // Anomali ThreatStream intelligence: ReadThreatStream
	FormatMandiant        Format = "mandiant"         // Mandiant Threat Intelligence indicators: ReadMandiant
	FormatCrowdStrike     Format = "crowdstrike"      // CrowdStrike Falcon Intel indicators: ReadCrowdStrike
)

// Formats returns the formats Load reads, FormatList first.
func Formats() []Format {
	return []Format{FormatList, FormatCSV, FormatSTIX, FormatMISP, FormatMISPManifest,
		FormatWarninglist, FormatZeek, FormatSuricataDataset, FormatSuricataIPRep,
		FormatOTX, FormatRecordedFuture, FormatAbuseIPDB, FormatThreatConnect,
		FormatThreatStream, FormatMandiant, FormatCrowdStrike}
}

// ParseFormat returns the format named s (case-insensitively): one of
// Formats ("list", "csv", "stix", "otx", "abuseipdb" …). The error lists
// them.
func ParseFormat(s string) (Format, error) {
	for _, f := range Formats() {
		if strings.EqualFold(s, string(f)) {
			return f, nil
		}
	}
	names := make([]string, 0, len(Formats()))
	for _, f := range Formats() {
		names = append(names, string(f))
	}
	return FormatUnknown, fmt.Errorf("loader: unknown format %q (formats: %s)", s, strings.Join(names, ", "))
}

// readFunc reads one file of a format into c.
type readFunc func(c *collector, r io.Reader) error

func (f Format) reader() readFunc {
	switch f {
	case FormatList:
		return readList
	case FormatCSV:
		return readCSV
	case FormatSTIX:
		return readSTIX
	case FormatMISP:
		return readMISP
	case FormatMISPManifest:
		return readMISPManifest
	case FormatWarninglist:
		return readWarninglist
	case FormatZeek:
		return readZeek
	case FormatSuricataDataset:
		return readSuricataDataset
	case FormatSuricataIPRep:
		return readSuricataIPRep
	case FormatOTX:
		return readOTX
	case FormatRecordedFuture:
		return readRecordedFuture
	case FormatAbuseIPDB:
		return readAbuseIPDB
	case FormatThreatConnect:
		return readThreatConnect
	case FormatThreatStream:
		return readThreatStream
	case FormatMandiant:
		return readMandiant
	case FormatCrowdStrike:
		return readCrowdStrike
	}
	return nil
}

// SniffLen is the number of bytes at the start of a file that Detect needs
// to see (after gzip decompression).
const SniffLen = 64 << 10

// Detect returns the format of a file from its first bytes head (up to
// SniffLen of them, after decompression and a UTF-8 BOM or not) and,
// second, from its name:
//
//   - JSON (head starting with '{' or '[') is read by its keys: "Event" or
//     "response" (or a bare event's "Attribute", "Object", "Orgc" …) is a
//     MISP event; "list" with "matching_attributes", "name",
//     "description", "version" or "type" a MISP warninglist; keys that are
//     all UUIDs a MISP feed manifest; "objects", "pattern", "spec_version"
//     or a "type" of a STIX object a STIX document.
//     JSON of any other kind is FormatUnknown.
//   - A "#fields" or "#separator" header line is a Zeek intel file.
//   - Lines "ip-or-cidr,category,score" (or "id,name,description": a
//     categories file) are a Suricata IP reputation file.
//   - A header row naming at least two columns, one of them a known value
//     column (url, ioc_value, dst_ip, sha256_hash …), plain or in a '#'
//     comment as abuse.ch exports have it, is CSV.
//   - Lines of base64 decoding to text are a Suricata string dataset, and so
//     are lines of addresses or hashes with ",reputation" (a datarep file;
//     without reputations, it is a plain list, which reads the same).
//   - Otherwise the name decides: ".csv" is CSV, ".intel" Zeek, ".stix" or
//     ".stix2" STIX, anything else (".json" that is not JSON too) a plain
//     list.
func Detect(head []byte, name string) Format {
	head = bytes.TrimPrefix(head, utf8BOM)
	if t := bytes.TrimLeft(head, " \t\r\n"); len(t) > 0 && (t[0] == '{' || t[0] == '[') {
		return detectJSON(t)
	}
	switch {
	case sniffRecordedFuture(head):
		return FormatRecordedFuture
	case sniffAbuseIPDBCSV(head):
		return FormatAbuseIPDB
	case sniffZeek(head):
		return FormatZeek
	case sniffIPRep(head):
		return FormatSuricataIPRep
	case sniffCSV(head):
		return FormatCSV
	case sniffDataset(head):
		return FormatSuricataDataset
	}
	ext := strings.ToLower(filepath.Ext(strings.TrimSuffix(strings.ToLower(name), ".gz")))
	switch ext {
	case ".csv":
		return FormatCSV
	case ".intel":
		return FormatZeek
	case ".stix", ".stix2":
		return FormatSTIX
	}
	return FormatList
}

// detectJSON returns the kind of JSON document head starts.
func detectJSON(head []byte) Format {
	keys, vals := jsonTopKeys(head)
	has := func(k string) bool { _, ok := keys[k]; return ok }
	// the platforms' own shapes first: some share keys with STIX
	// ("objects" of a ThreatStream page) or MISP
	if f := detectPlatformJSON(head, keys, vals); f != FormatUnknown {
		return f
	}
	switch {
	case has("Event") || has("response") && !has("objects"):
		return FormatMISP
	case has("list") && !strings.Contains(vals["id"], "--") &&
		(has("matching_attributes") || has("name") || has("description") || has("version") || has("type")):
		// list.json keys are sorted: a long "list" may hide the keys
		// after it ("matching_attributes", "name", "type", "version")
		return FormatWarninglist
	case has("objects") || has("pattern") || has("spec_version") || has("pattern_type"):
		return FormatSTIX
	case strings.Contains(vals["id"], "--") && vals["type"] != "":
		return FormatSTIX
	case has("Attribute") || has("Object") || has("Orgc") || has("info") && has("uuid") && has("threat_level_id"):
		return FormatMISP
	}
	if len(keys) > 0 {
		all := true
		for k := range keys {
			if !isUUID(k) {
				all = false
				break
			}
		}
		if all {
			return FormatMISPManifest
		}
	}
	return FormatUnknown
}

// isUUID reports whether s has the form of a UUID (8-4-4-4-12 hex digits).
func isUUID(s string) bool {
	if len(s) != 36 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch i {
		case 8, 13, 18, 23:
			if c != '-' {
				return false
			}
		default:
			if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F') {
				return false
			}
		}
	}
	return true
}

// jsonTopKeys returns the keys of the top-level object of the JSON text
// starting head (or, for an array, of its first element), and the string
// values of the keys "type" and "id" there. head may be cut anywhere; it is
// scanned once, without allocating more than the keys.
func jsonTopKeys(head []byte) (keys map[string]struct{}, vals map[string]string) {
	keys = map[string]struct{}{}
	vals = map[string]string{}
	want := 1 // depth of the object whose keys we want
	if len(head) > 0 && head[0] == '[' {
		want = 2
	}
	depth := 0
	var last string // last string at the wanted depth
	lastKey := ""   // key whose value follows
	for i := 0; i < len(head); i++ {
		switch c := head[i]; c {
		case '{', '[':
			depth++
			lastKey = ""
		case '}', ']':
			depth--
			if depth < want {
				return keys, vals
			}
		case ':':
			if depth == want {
				lastKey = last
				keys[last] = struct{}{}
			}
		case ',':
			lastKey = ""
		case '"':
			j := i + 1
			for j < len(head) && head[j] != '"' {
				if head[j] == '\\' {
					j++
				}
				j++
			}
			if j >= len(head) {
				return keys, vals
			}
			if depth == want {
				s := string(head[i+1 : j])
				if lastKey == "type" || lastKey == "id" {
					vals[lastKey] = s
				}
				last = s
			}
			i = j
		}
	}
	return keys, vals
}
