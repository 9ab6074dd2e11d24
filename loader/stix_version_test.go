package loader

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// stixVer returns a version of the STIX indicator indicator--<id>,
// modified at minute min of 2024-02-01 (min < 0: no "modified"), with
// pattern and extra fields.
func stixVer(id string, min int, pattern, extra string) string {
	if min >= 0 {
		m := fmt.Sprintf(`"modified": "2024-02-01T00:%02d:00.000Z"`, min)
		if extra != "" {
			m += ", " + extra
		}
		extra = m
	}
	return stixInd(id, pattern, extra)
}

func TestReadSTIXVersions(t *testing.T) {
	v1 := stixVer("a", 1, "[ipv4-addr:value = '192.0.2.1']", "")
	v2 := stixVer("a", 2, "[ipv4-addr:value = '192.0.2.2' OR ipv4-addr:value = '192.0.2.3']", "")
	v2revoked := stixVer("a", 2, "[ipv4-addr:value = '192.0.2.2']", `"revoked": true`)
	other := stixVer("b", 1, "[ipv4-addr:value = '198.51.100.1']", "")
	tests := []struct {
		name        string
		in          string
		want        []string
		unsupported map[string]int
		problems    []string
	}{
		{name: "newer last", in: stixBundle(v1, v2),
			want: []string{"ipv4:192.0.2.2", "ipv4:192.0.2.3"}, unsupported: map[string]int{"stix superseded": 1}},
		{name: "newer first", in: stixBundle(v2, v1),
			want: []string{"ipv4:192.0.2.2", "ipv4:192.0.2.3"}, unsupported: map[string]int{"stix superseded": 1}},
		{name: "other ids keep their place", in: stixBundle(v1, other, v2),
			want: []string{"ipv4:198.51.100.1", "ipv4:192.0.2.2", "ipv4:192.0.2.3"}, unsupported: map[string]int{"stix superseded": 1}},
		{name: "revoked last", in: stixBundle(v1, other, v2revoked),
			want: []string{"ipv4:198.51.100.1"}, unsupported: map[string]int{"stix superseded": 1, "stix revoked": 1}},
		{name: "revoked first", in: stixBundle(v2revoked, other, v1),
			want: []string{"ipv4:198.51.100.1"}, unsupported: map[string]int{"stix superseded": 1, "stix revoked": 1}},
		{name: "revoking is permanent", in: stixBundle(stixVer("a", 1, "[ipv4-addr:value = '192.0.2.1']", `"revoked": true`), v2),
			unsupported: map[string]int{"stix superseded": 1, "stix revoked": 1}},
		{name: "two revoked versions", in: stixBundle(v2revoked, stixVer("a", 3, "[ipv4-addr:value = '192.0.2.9']", `"revoked": true`)),
			unsupported: map[string]int{"stix superseded": 1, "stix revoked": 1}},
		{name: "same modified: the later in input", in: stixBundle(v1, stixVer("a", 1, "[ipv4-addr:value = '192.0.2.7']", "")),
			want: []string{"ipv4:192.0.2.7"}, unsupported: map[string]int{"stix superseded": 1}},
		{name: "without modified: the later in input", in: stixBundle(stixVer("a", -1, "[ipv4-addr:value = '192.0.2.1']", ""), stixVer("a", -1, "[ipv4-addr:value = '192.0.2.7']", "")),
			want: []string{"ipv4:192.0.2.7"}, unsupported: map[string]int{"stix superseded": 1}},
		{name: "a modified one beats none", in: stixBundle(v1, stixVer("a", -1, "[ipv4-addr:value = '192.0.2.7']", "")),
			want: []string{"ipv4:192.0.2.1"}, unsupported: map[string]int{"stix superseded": 1}},
		{name: "a newer unsupported version drops the older", in: stixBundle(v1, stixVer("a", 2, "[process:name = 'x']", "")),
			unsupported: map[string]int{"stix superseded": 1, "stix pattern: path process:name": 1}},
		{name: "an older version after a newer bad one is still older", in: stixBundle(stixVer("a", 2, "[x", ""), v1),
			unsupported: map[string]int{"stix superseded": 1},
			problems:    []string{`feeds/intel.json: indicator--a: stix pattern: syntax error at offset 2: want ":", have end of pattern: "[x"`}},
		{name: "bad modified", in: stixBundle(stixInd("a", "[ipv4-addr:value = '192.0.2.1']", `"modified": "yesterday"`)),
			problems: []string{`feeds/intel.json: indicator--a: modified "yesterday": not an RFC 3339 timestamp`}},
		{name: "across documents of one input", in: v2 + "\n" + stixBundle(v1),
			want: []string{"ipv4:192.0.2.2", "ipv4:192.0.2.3"}, unsupported: map[string]int{"stix superseded": 1}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			res, err := readSTIXString(t, tc.in, Options{})
			require.NoError(t, err)
			assert.Equal(t, tc.want, nilIfEmpty(strs(res.Indicators)))
			assert.Equal(t, tc.unsupported, res.Unsupported)
			assert.Equal(t, tc.problems, nilIfEmpty(problemStrs(res.Problems)))
			require.Len(t, res.PerFile, 1)
			assert.Equal(t, len(res.Indicators), res.PerFile[0].Indicators)
			assert.Equal(t, res.UnsupportedTotal(), res.PerFile[0].Unsupported)
		})
	}
}

// TestReadSTIXVersionsMetadata: the references of the version kept are
// resolved, and the identities, malware and relationships are versioned
// too.
func TestReadSTIXVersionsMetadata(t *testing.T) {
	doc := stixBundle(
		stixVer("a", 1, "[ipv4-addr:value = '192.0.2.1']", `"created_by_ref": "identity--1"`),
		`{"type": "identity", "id": "identity--1", "modified": "2024-02-01T00:05:00Z", "name": "New Org"}`,
		`{"type": "identity", "id": "identity--1", "modified": "2024-02-01T00:01:00Z", "name": "Old Org"}`,
		stixVer("b", 1, "[ipv4-addr:value = '198.51.100.1']", `"created_by_ref": "identity--1"`),
		stixVer("a", 2, "[ipv4-addr:value = '192.0.2.2']", `"created_by_ref": "identity--1"`),
		`{"type": "malware", "id": "malware--1", "modified": "2024-02-01T00:02:00Z", "name": "NewName"}`,
		`{"type": "malware", "id": "malware--1", "modified": "2024-02-01T00:01:00Z", "name": "OldName"}`,
		`{"type": "relationship", "id": "relationship--1", "modified": "2024-02-01T00:01:00Z", "relationship_type": "indicates", "source_ref": "indicator--a", "target_ref": "malware--1"}`,
		`{"type": "relationship", "id": "relationship--2", "modified": "2024-02-01T00:01:00Z", "relationship_type": "indicates", "source_ref": "indicator--b", "target_ref": "malware--1"}`,
		`{"type": "relationship", "id": "relationship--2", "modified": "2024-02-01T00:02:00Z", "revoked": true, "relationship_type": "indicates", "source_ref": "indicator--b", "target_ref": "malware--1"}`,
		`{"type": "identity", "id": "identity--2", "modified": "2024-02-01T00:01:00Z", "name": "Gone"}`,
		`{"type": "identity", "id": "identity--2", "modified": "2024-02-01T00:02:00Z", "revoked": true, "name": "Gone"}`,
		stixVer("c", 1, "[ipv4-addr:value = '198.51.100.3']", `"created_by_ref": "identity--2"`),
	)
	res, err := readSTIXString(t, doc, Options{})
	require.NoError(t, err)
	require.Equal(t, []string{"ipv4:198.51.100.1", "ipv4:192.0.2.2", "ipv4:198.51.100.3"}, strs(res.Indicators))
	assert.Equal(t, []string{"New Org", "New Org", "intel"}, []string{res.Indicators[0].Source, res.Indicators[1].Source, res.Indicators[2].Source})
	assert.Equal(t, "", res.Indicators[0].MalwareFamily, "revoked relationship")
	assert.Equal(t, "NewName", res.Indicators[1].MalwareFamily)
	assert.Equal(t, map[string]int{"stix superseded": 1}, res.Unsupported, "only indicators are counted")
}

// TestReadSTIXManyVersions: many versions of one indicator among other
// indicators; what is dropped is compacted as reading goes on.
func TestReadSTIXManyVersions(t *testing.T) {
	var objs, want []string
	const n = 3000
	for i := range n {
		objs = append(objs, stixInd("a", fmt.Sprintf("[ipv4-addr:value = '10.0.%d.%d']", i/256, i%256), fmt.Sprintf(`"modified": "2024-02-01T00:00:%02d.%03dZ"`, i/1000, i%1000)))
		if i%3 == 0 {
			objs = append(objs, stixInd(fmt.Sprint("b", i), fmt.Sprintf("[domain-name:value = 'd%d.example']", i), ""))
			want = append(want, fmt.Sprintf("domain:d%d.example", i))
		}
	}
	objs = append(objs, stixInd("last", "[ipv4-addr:value = '192.0.2.1']", `"created_by_ref": "identity--1"`),
		`{"type": "identity", "id": "identity--1", "name": "Org"}`)
	want = append(want, fmt.Sprintf("ipv4:10.0.%d.%d", (n-1)/256, (n-1)%256), "ipv4:192.0.2.1")
	doc := stixBundle(objs...)
	require.Less(t, len(doc), 2<<20)
	res, err := readSTIXString(t, doc, Options{})
	require.NoError(t, err)
	assert.Equal(t, want, strs(res.Indicators), "the surviving version of a where it was read: after b2997")
	assert.Equal(t, "Org", res.Indicators[len(want)-1].Source)
	assert.Equal(t, map[string]int{"stix superseded": n - 1}, res.Unsupported)
	for _, ind := range res.Indicators[:len(want)-1] {
		assert.Equal(t, "intel", ind.Source)
	}
}
