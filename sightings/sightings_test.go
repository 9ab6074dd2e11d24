package sightings_test

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/iocmatch/iocmatch/hits"
	"github.com/iocmatch/iocmatch/indicator"
	"github.com/iocmatch/iocmatch/loader"
	"github.com/iocmatch/iocmatch/sightings"
)

var (
	from = time.Date(2026, 12, 1, 8, 0, 0, 0, time.UTC)
	to   = time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
)

const (
	stixID   = "indicator--11111111-1111-4111-8111-111111111111"
	stixID2  = "indicator--22222222-2222-4222-8222-222222222222"
	mispUUID = "5f0d2c2e-aaaa-4000-8000-000000000001"
)

func period() hits.Period {
	return hits.Period{From: from, To: to, Entries: []hits.EntryStats{
		{Type: indicator.Domain, Value: "evil.example", Sources: []string{"stix-feed"}, IDs: []string{stixID, stixID2}, Count: 7,
			FirstHit: from.Add(time.Minute), LastHit: from.Add(30*time.Minute + 500*time.Microsecond), Since: from.Add(-time.Hour), Current: true},
		{Type: indicator.IPv4, Value: "198.51.100.7", Sources: []string{"CIRCL"}, IDs: []string{strings.ToUpper(mispUUID)}, Count: 2,
			FirstHit: from.Add(2 * time.Minute), LastHit: from.Add(3 * time.Minute), Since: from.Add(2 * time.Minute)},
		{Type: indicator.SHA256, Value: strings.Repeat("ab", 32), Sources: []string{"csv-feed", "other"}, Count: 1,
			FirstHit: from.Add(5 * time.Minute), LastHit: from.Add(5 * time.Minute), Since: from.Add(5 * time.Minute)},
		{Type: indicator.RegKey, Value: `HKLM\Software\It's`, Count: 3, FirstHit: from.Add(time.Minute), LastHit: from.Add(time.Minute)},
		{Type: indicator.String, Value: "a.b*c", Count: 1, FirstHit: from.Add(time.Minute), LastHit: from.Add(time.Minute)},
		{Type: indicator.Domain, Value: "no-hit.example", Count: 0},
	}}
}

func TestMISP(t *testing.T) {
	got := sightings.MISP(period(), sightings.Options{Sensor: "sensor-1"})
	want := []sightings.MISPSighting{
		{Values: []string{"evil.example"}, Source: "sensor-1", Type: "0", Timestamp: from.Add(30 * time.Minute).Unix(), Count: 7},
		{ID: mispUUID, Source: "sensor-1", Type: "0", Timestamp: from.Add(3 * time.Minute).Unix(), Count: 2},
		{Values: []string{strings.Repeat("ab", 32)}, Source: "sensor-1", Type: "0", Timestamp: from.Add(5 * time.Minute).Unix(), Count: 1},
		{Values: []string{`HKLM\Software\It's`}, Source: "sensor-1", Type: "0", Timestamp: from.Add(time.Minute).Unix(), Count: 3},
		{Values: []string{"a.b*c"}, Source: "sensor-1", Type: "0", Timestamp: from.Add(time.Minute).Unix(), Count: 1},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("MISP\n%+v\nwant\n%+v", got, want)
	}
	byValue := sightings.MISP(period(), sightings.Options{MISPByValue: true})
	if s := byValue[1]; s.ID != "" || !reflect.DeepEqual(s.Values, []string{"198.51.100.7"}) || s.Source != sightings.DefaultSensor {
		t.Errorf("MISPByValue: %+v", s)
	}
}

// TestMISPShape checks the JSON written against MISP's /sightings/add
// API (app/Controller/SightingsController.php, add: it reads "values" or
// "value", "id" or "uuid", "type" among "0" "1" "2", "source", and
// "timestamp" in Unix seconds, or "date" and "time"): every element is an
// object naming what to sight (a non-empty list of string values, or a
// 36-character attribute uuid), type "0", a string source and an integer
// timestamp, and nothing MISP would read otherwise.
func TestMISPShape(t *testing.T) {
	var buf bytes.Buffer
	if err := sightings.WriteMISP(&buf, period(), sightings.Options{Sensor: "sensor-1"}); err != nil {
		t.Fatal(err)
	}
	var body []map[string]json.RawMessage
	if err := json.Unmarshal(buf.Bytes(), &body); err != nil {
		t.Fatalf("not a JSON array of objects: %v\n%s", err, buf.Bytes())
	}
	if len(body) != 5 {
		t.Fatalf("%d sightings, want 5", len(body))
	}
	uuidRe := regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$`)
	for i, o := range body {
		for k := range o {
			switch k {
			case "values", "id", "source", "type", "timestamp", "count":
			default:
				t.Errorf("[%d]: key %q", i, k)
			}
		}
		var values []string
		var id string
		hasValues, hasID := o["values"] != nil, o["id"] != nil
		if hasValues == hasID {
			t.Errorf("[%d]: values %v and id %v: want exactly one", i, hasValues, hasID)
		}
		if hasValues && (json.Unmarshal(o["values"], &values) != nil || len(values) == 0 || values[0] == "") {
			t.Errorf("[%d]: values %s", i, o["values"])
		}
		if hasID && (json.Unmarshal(o["id"], &id) != nil || !uuidRe.MatchString(id)) {
			t.Errorf("[%d]: id %s is not an attribute uuid", i, o["id"])
		}
		var typ, src string
		if json.Unmarshal(o["type"], &typ) != nil || typ != "0" {
			t.Errorf("[%d]: type %s, want \"0\"", i, o["type"])
		}
		if json.Unmarshal(o["source"], &src) != nil || src != "sensor-1" {
			t.Errorf("[%d]: source %s", i, o["source"])
		}
		var ts, count json.Number
		if json.Unmarshal(o["timestamp"], &ts) != nil || !regexp.MustCompile(`^[0-9]{10}$`).MatchString(string(ts)) {
			t.Errorf("[%d]: timestamp %s is not Unix seconds", i, o["timestamp"])
		}
		if json.Unmarshal(o["count"], &count) != nil || !regexp.MustCompile(`^[1-9][0-9]*$`).MatchString(string(count)) {
			t.Errorf("[%d]: count %s", i, o["count"])
		}
	}
}

func decodeBundle(t *testing.T, p hits.Period, opts sightings.Options) (raw []byte, objs []map[string]any) {
	t.Helper()
	var buf bytes.Buffer
	if err := sightings.WriteSTIX(&buf, p, opts); err != nil {
		t.Fatal(err)
	}
	var b struct {
		Type    string           `json:"type"`
		ID      string           `json:"id"`
		Objects []map[string]any `json:"objects"`
	}
	if err := json.Unmarshal(buf.Bytes(), &b); err != nil {
		t.Fatalf("bundle: %v\n%s", err, buf.Bytes())
	}
	if b.Type != "bundle" || !strings.HasPrefix(b.ID, "bundle--") {
		t.Errorf("bundle type %q id %q", b.Type, b.ID)
	}
	return buf.Bytes(), b.Objects
}

// TestSTIXFields checks the bundle field by field.
func TestSTIXFields(t *testing.T) {
	_, objs := decodeBundle(t, period(), sightings.Options{Sensor: "sensor-1"})
	byType := map[string][]map[string]any{}
	for _, o := range objs {
		byType[o["type"].(string)] = append(byType[o["type"].(string)], o)
	}
	if len(byType["identity"]) != 1 {
		t.Fatalf("%d identities", len(byType["identity"]))
	}
	id := byType["identity"][0]
	identID := id["id"].(string)
	if id["name"] != "sensor-1" || id["identity_class"] != "system" || id["spec_version"] != "2.1" || id["created"] != "2000-01-01T00:00:00.000Z" {
		t.Errorf("identity %v", id)
	}
	// made indicators: sha256, regkey, string (evil.example and the MISP
	// one? the MISP uuid is no STIX id: made too)
	inds := map[string]map[string]any{}
	for _, o := range byType["indicator"] {
		inds[o["name"].(string)] = o
	}
	wantPat := map[string][2]string{
		"198.51.100.7":           {"[ipv4-addr:value = '198.51.100.7']", "stix"},
		strings.Repeat("ab", 32): {"[file:hashes.'SHA-256' = '" + strings.Repeat("ab", 32) + "']", "stix"},
		`HKLM\Software\It's`:     {`[windows-registry-key:key = 'HKEY_LOCAL_MACHINE\\Software\\It\'s']`, "stix"},
		"a.b*c":                  {`(?i)a\.b\*c`, "pcre"},
	}
	if len(inds) != len(wantPat) {
		t.Errorf("made indicators %v, want %d", inds, len(wantPat))
	}
	for name, w := range wantPat {
		o := inds[name]
		if o == nil {
			t.Errorf("no indicator made for %s", name)
			continue
		}
		if o["pattern"] != w[0] || o["pattern_type"] != w[1] || o["spec_version"] != "2.1" {
			t.Errorf("%s: pattern %v type %v, want %s %s", name, o["pattern"], o["pattern_type"], w[0], w[1])
		}
	}
	if o := inds["198.51.100.7"]; o["created"] != "2026-12-01T08:02:00.000Z" || o["valid_from"] != o["created"] || o["modified"] != o["created"] {
		t.Errorf("made indicator times %v %v %v, want the first hit ever", o["created"], o["modified"], o["valid_from"])
	}
	if o := inds[strings.Repeat("ab", 32)]; !reflect.DeepEqual(o["labels"], []any{"source:csv-feed", "source:other"}) {
		t.Errorf("labels %v", o["labels"])
	}
	// sightings: two for evil.example (one per STIX indicator), one each
	// for the other four with hits
	ss := byType["sighting"]
	if len(ss) != 6 {
		t.Fatalf("%d sightings, want 6", len(ss))
	}
	refs := map[string]map[string]any{}
	for _, s := range ss {
		refs[s["sighting_of_ref"].(string)] = s
		if s["spec_version"] != "2.1" || s["created"] != "2026-12-01T09:00:00.000Z" || s["modified"] != s["created"] ||
			s["created_by_ref"] != identID || !reflect.DeepEqual(s["where_sighted_refs"], []any{identID}) {
			t.Errorf("sighting %v", s)
		}
	}
	for _, ref := range []string{stixID, stixID2} {
		s := refs[ref]
		if s == nil {
			t.Errorf("no sighting of %s", ref)
			continue
		}
		if s["count"] != 7.0 || s["first_seen"] != "2026-12-01T08:01:00.000Z" || s["last_seen"] != "2026-12-01T08:30:00.000Z" {
			t.Errorf("sighting of %s: %v", ref, s)
		}
	}
	if s := refs[inds["198.51.100.7"]["id"].(string)]; s == nil || s["count"] != 2.0 {
		t.Errorf("sighting of the MISP address: %v", s)
	}
	// deterministic: the same period gives the same bytes; another period
	// other sighting ids, the same identity and made indicators
	raw1, _ := decodeBundle(t, period(), sightings.Options{Sensor: "sensor-1"})
	raw2, _ := decodeBundle(t, period(), sightings.Options{Sensor: "sensor-1"})
	if !bytes.Equal(raw1, raw2) {
		t.Error("two exports of one period differ")
	}
	p := period()
	p.From, p.To = p.From.Add(time.Hour), p.To.Add(time.Hour)
	_, objs2 := decodeBundle(t, p, sightings.Options{Sensor: "sensor-1"})
	ids := map[string]bool{}
	for _, o := range objs {
		ids[o["id"].(string)] = true
	}
	for _, o := range objs2 {
		same := ids[o["id"].(string)]
		if (o["type"] == "sighting") == same {
			t.Errorf("next period: %s %s reused %v", o["type"], o["id"], same)
		}
	}
}

// TestSTIXValidates runs the STIX 2.1 sighting schema validator
// (/work/shared/schemas/validate.py) on a bundle, when it and python3
// are here; --check-refs on a bundle whose refs are all inside it.
func TestSTIXValidates(t *testing.T) {
	const validator = "/work/shared/schemas/validate.py"
	py, err := exec.LookPath("python3")
	if err != nil {
		t.Skip("no python3")
	}
	if _, err := os.Stat(validator); err != nil {
		t.Skip("no", validator)
	}
	dir := t.TempDir()
	p := period()
	inside := p
	inside.Entries = p.Entries[1:] // no STIX ids: every ref is made here
	for _, c := range []struct {
		name string
		p    hits.Period
		args []string
	}{{"all", p, nil}, {"inside", inside, []string{"--check-refs"}}} {
		raw, _ := decodeBundle(t, c.p, sightings.Options{})
		path := filepath.Join(dir, c.name+".json")
		if err := os.WriteFile(path, raw, 0o644); err != nil {
			t.Fatal(err)
		}
		out, err := exec.Command(py, append([]string{validator, "stix-sightings", path}, c.args...)...).CombinedOutput()
		if err != nil {
			t.Errorf("%s: validate.py: %v\n%s", c.name, err, out)
		} else if !regexp.MustCompile(`stix: [1-9][0-9]* sightings, 0 problems`).Match(out) {
			t.Errorf("%s: validate.py says\n%s", c.name, out)
		}
	}
}

func TestPattern(t *testing.T) {
	for _, c := range []struct {
		t       indicator.Type
		v, want string
	}{
		{indicator.CIDR, "2001:db8::/32", "[ipv6-addr:value = '2001:db8::/32']"},
		{indicator.CIDR, "10.0.0.0/8", "[ipv4-addr:value = '10.0.0.0/8']"},
		{indicator.IPv6, "2001:db8::1", "[ipv6-addr:value = '2001:db8::1']"},
		{indicator.URL, "http://x.example/a'b", `[url:value = 'http://x.example/a\'b']`},
		{indicator.Email, "a@x.example", "[email-addr:value = 'a@x.example']"},
		{indicator.MD5, strings.Repeat("0", 32), "[file:hashes.MD5 = '" + strings.Repeat("0", 32) + "']"},
		{indicator.SHA1, strings.Repeat("1", 40), "[file:hashes.'SHA-1' = '" + strings.Repeat("1", 40) + "']"},
		{indicator.SHA512, strings.Repeat("2", 128), "[file:hashes.'SHA-512' = '" + strings.Repeat("2", 128) + "']"},
		{indicator.Filename, "evil.exe", "[file:name = 'evil.exe']"},
		{indicator.RegKey, `HKCU\Run`, `[windows-registry-key:key = 'HKEY_CURRENT_USER\\Run']`},
		{indicator.Mutex, "Global\\m", `[mutex:name = 'Global\\m']`},
		{indicator.UserAgent, "EvilBot/1.0", "[network-traffic:extensions.'http-request-ext'.request_header.'User-Agent' = 'EvilBot/1.0']"},
		{indicator.EmailSubject, "Invoice", "[email-message:subject = 'Invoice']"},
	} {
		if got, typ := sightings.Pattern(c.t, c.v); got != c.want || typ != "stix" {
			t.Errorf("Pattern(%s, %q) = %s %s, want %s stix", c.t, c.v, got, typ, c.want)
		}
	}
}

// TestSTIXLoadsBack: the bundle loads into a STIX 2.1 consumer, the
// project's own loader: the made indicators give back the entries' type
// and value (the string one, a PCRE pattern, is unsupported there).
func TestSTIXLoadsBack(t *testing.T) {
	raw, _ := decodeBundle(t, period(), sightings.Options{})
	res, err := loader.Read(bytes.NewReader(raw), "sightings.json", loader.Options{Format: loader.FormatSTIX})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Problems) > 0 {
		t.Errorf("problems: %v", res.Problems)
	}
	got := map[string]bool{}
	for _, ind := range res.Indicators {
		got[ind.String()] = true
	}
	for _, w := range []string{"ipv4:198.51.100.7", "sha256:" + strings.Repeat("ab", 32), `regkey:HKLM\Software\It's`} {
		if !got[w] {
			t.Errorf("%s not loaded back; got %v", w, got)
		}
	}
	if len(got) != 3 {
		t.Errorf("loaded %v, want 3 indicators", got)
	}
}

func TestWriteFile(t *testing.T) {
	dir := t.TempDir()
	for _, name := range []string{"MISP", "stix"} {
		f, err := sightings.ParseFormat(name)
		if err != nil {
			t.Fatal(err)
		}
		path := filepath.Join(dir, name+".json")
		if err := sightings.WriteFile(path, f, period(), sightings.Options{}); err != nil {
			t.Fatal(err)
		}
		got, _ := os.ReadFile(path)
		var want bytes.Buffer
		sightings.Write(&want, f, period(), sightings.Options{})
		if !bytes.Equal(got, want.Bytes()) || len(got) == 0 {
			t.Errorf("%s: file differs from Write", name)
		}
	}
	if _, err := sightings.ParseFormat("csv"); err == nil {
		t.Error("ParseFormat(csv) accepted")
	}
	if err := sightings.WriteFile(filepath.Join(dir, "x"), "csv", period(), sightings.Options{}); err == nil || !strings.Contains(err.Error(), "csv") {
		t.Errorf("WriteFile csv: %v", err)
	}
	if err := sightings.WriteFile(filepath.Join(dir, "none", "x"), sightings.FormatSTIX, period(), sightings.Options{}); err == nil || !strings.Contains(err.Error(), "none") {
		t.Errorf("WriteFile into a missing directory: %v", err)
	}
}
