package loader

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestDetectJSON(t *testing.T) {
	for _, tc := range []struct {
		head string
		want Format
	}{
		{`{"type": "bundle", "id": "bundle--1", "objects": []}`, FormatSTIX},
		{`[{"type": "indicator", "id": "indicator--1", "pattern": "[x:y = 'z']"}]`, FormatSTIX},
		{`{"type": "campaign", "id": "campaign--1", "name": "x"}`, FormatSTIX},
		{`{"more": false, "objects": [{"type": "indicator"}]}`, FormatSTIX},
		{"\ufeff  \n{\"Event\": {\"info\": \"x\"}}", FormatMISP},
		{`{"response": [{"Event": {}}]}`, FormatMISP},
		{`[{"Event": {"Attribute": []}}]`, FormatMISP},
		{`{"Attribute": [{"type": "md5"`, FormatMISP}, // bare event, cut
		{`{"id": "1", "orgc_id": "2", "info": "x", "uuid": "u", "threat_level_id": "1"}`, FormatMISP},
		{`{"56bf399d-c46c-4fdb-a9cf-d9bb02de0b81": {"Orgc": {"name": "CIRCL"}, "info": "x"}}`, FormatMISPManifest},
		{`{"description": "d", "list": ["10.0.0.0/8"], "matching_attributes": ["ip-src"], "name": "n", "type": "cidr", "version": 1}`, FormatWarninglist},
		{`{"name": "n", "type": "string", "list": ["a"]}`, FormatWarninglist},
		// STIX 1.x in JSON, and other JSON: no known kind
		{`{"id": "Talos:STIXPackage-1", "version": "1.1.1", "stix_header": {}}`, FormatUnknown},
		{`{"a": {"Event": 1, "objects": 2}}`, FormatUnknown},
		{`[1, 2]`, FormatUnknown},
		{`{}`, FormatUnknown},
		{`{"key": "va`, FormatUnknown},
	} {
		assert.Equal(t, tc.want, Detect([]byte(tc.head), "feed"), tc.head)
		assert.Equal(t, tc.want, Detect([]byte(tc.head), "feed.csv"), "content before extension: %s", tc.head)
	}
}

func TestDetectByName(t *testing.T) {
	// content that no sniffer claims: the extension decides
	for name, want := range map[string]Format{
		"f.csv":       FormatCSV,
		"f.CSV.gz":    FormatCSV,
		"f.intel":     FormatZeek,
		"f.stix2":     FormatSTIX,
		"f.json":      FormatList,
		"f.txt":       FormatList,
		"f.txt.gz":    FormatList,
		"f":           FormatList,
		"dir.csv/f":   FormatList,
		"f.gz":        FormatList,
		"f.netset":    FormatList,
		"f.intel.bak": FormatList,
	} {
		assert.Equal(t, want, Detect([]byte("evil.example\n"), name), name)
	}
	assert.Equal(t, FormatList, Detect(nil, "f"))
}

func TestIsUUID(t *testing.T) {
	assert.True(t, isUUID("56bf399d-c46c-4fdb-a9cf-d9bb02de0b81"))
	assert.True(t, isUUID("56BF399D-C46C-4FDB-A9CF-D9BB02DE0B81"))
	assert.False(t, isUUID("56bf399d-c46c-4fdb-a9cf-d9bb02de0b8"))
	assert.False(t, isUUID("56bf399d-c46c-4fdb-a9cf-d9bb02de0b8g"))
	assert.False(t, isUUID("56bf399dxc46c-4fdb-a9cf-d9bb02de0b81"))
}

func TestParseFormat(t *testing.T) {
	for _, f := range Formats() {
		got, err := ParseFormat(strings.ToUpper(string(f)))
		require.NoError(t, err)
		assert.Equal(t, f, got)
	}
	_, err := ParseFormat("stix1")
	assert.ErrorContains(t, err, `loader: unknown format "stix1" (formats: list, csv, stix, misp,`)
	_, err = ParseFormat("")
	assert.Error(t, err, "the empty name is no format")
}
