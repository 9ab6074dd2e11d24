package encode_test

import (
	"encoding/json"
	"math"
	"testing"
	"time"

	"github.com/iocmatch/iocmatch/age"
	"github.com/iocmatch/iocmatch/encode"
	"github.com/iocmatch/iocmatch/indicator"
	"github.com/iocmatch/iocmatch/match"
)

var fuzzPolicy = func() *age.Policy {
	m, _ := age.LookupModel("NIDS Simple")
	p, err := age.New(age.Options{Model: &m})
	if err != nil {
		panic(err)
	}
	return p
}()

// FuzzEncode: whatever the indicator, its metadata and the line, the
// native JSON and the ECS event are valid JSON that give back the line,
// the matched text and the metadata strings (invalid UTF-8 as U+FFFD).
func FuzzEncode(f *testing.F) {
	f.Add(uint8(indicator.Domain), "evil.example", "desc", "tag", "GET http://a.evil.example/")
	f.Add(uint8(indicator.String), "\"\\\x00", "\xff", "\u2028", "x\"\\\x00\xffy")
	f.Add(uint8(indicator.RegKey), `HKLM\Software\Evil`, "", "", `HKEY_LOCAL_MACHINE\Software\Evil`)
	f.Add(uint8(indicator.CIDR), "2001:db8::/32", "d", "", "src=2001:db8::7")
	f.Fuzz(func(t *testing.T, typ uint8, value, desc, tag, line string) {
		ty := indicator.Type(typ % uint8(indicator.NumTypes))
		ind, err := indicator.New(ty, value)
		if err != nil {
			return
		}
		ind.Source, ind.Description, ind.Tags = "s\xfe", desc, []string{tag}
		epoch := time.Unix(0, 0)
		if len(desc)%2 == 1 { // dated: it decays (by the description's length, in days)
			ind.LastSeen = epoch.Add(-time.Duration(len(desc)) * age.Day)
		}
		m, err := match.Compile([]indicator.Indicator{ind}, match.Options{})
		if err != nil {
			t.Fatal(err)
		}
		text := []byte(line)
		xs := m.AppendMatches(nil, text)
		if len(xs) == 0 {
			return
		}
		valid := func(s string) string { return string([]rune(s)) } // each invalid byte is U+FFFD
		enc := encode.NewEncoder(m, encode.Options{Now: func() time.Time { return time.Unix(0, 0) }})
		ln := encode.Line{File: line, Number: 1, Offset: 0, Text: text}
		for _, x := range xs {
			var obj struct {
				File    string
				Matched string
				Records []struct{ Description string }
			}
			out := enc.AppendJSON(nil, ln, x)
			if err := json.Unmarshal(out, &obj); err != nil {
				t.Fatalf("%v: %s", err, out)
			}
			if obj.File != valid(line) || obj.Matched != valid(line[x.Start:x.End]) {
				t.Fatalf("file %q matched %q from %s", obj.File, obj.Matched, out)
			}
			if len(obj.Records) != 1 || obj.Records[0].Description != valid(desc) {
				t.Fatalf("records %+v from %s", obj.Records, out)
			}
		}
		// scored: the same object with the scores, each in [0, 100]
		scored := encode.NewEncoder(m, encode.Options{Now: func() time.Time { return epoch }, Scorer: fuzzPolicy})
		for _, x := range xs {
			var obj struct {
				Score   *float64
				Records []struct{ Score *float64 }
			}
			out := scored.AppendJSON(nil, ln, x)
			if err := json.Unmarshal(out, &obj); err != nil {
				t.Fatalf("%v: %s", err, out)
			}
			want, _ := fuzzPolicy.Score(ind.Type, &ind.Meta, epoch)
			if obj.Score == nil || *obj.Score < 0 || *obj.Score > 100 || len(obj.Records) != 1 || obj.Records[0].Score == nil ||
				math.Abs(*obj.Records[0].Score-want) > 0.05 {
				t.Fatalf("scores of %s, want %v", out, want)
			}
		}
		var ev struct {
			Event  struct{ Original string }
			Threat struct {
				Enrichments []struct {
					Matched  struct{ Atomic string }
					IOCMatch struct{ Text string } `json:"iocmatch"`
				}
			}
		}
		out := enc.AppendECS(nil, ln, xs)
		if err := json.Unmarshal(out, &ev); err != nil {
			t.Fatalf("%v: %s", err, out)
		}
		if ev.Event.Original != valid(line) || len(ev.Threat.Enrichments) != len(xs) {
			t.Fatalf("event %+v from %s", ev, out)
		}
		for i, x := range xs {
			e := ev.Threat.Enrichments[i]
			if e.IOCMatch.Text != valid(line[x.Start:x.End]) || e.Matched.Atomic != valid(m.Entry(x.ID).Value) {
				t.Fatalf("enrichment %d %+v from %s", i, e, out)
			}
		}
		// the enrichments alone, with a field name from the input: the
		// same elements but for matched.field
		texts := make([][]byte, len(xs))
		for i, x := range xs {
			texts[i] = []byte(line[x.Start:x.End])
		}
		var alone, inEvent []map[string]any
		var whole struct {
			Threat struct{ Enrichments []map[string]any }
		}
		out = enc.AppendEnrichments(nil, xs, texts, tag)
		if err := json.Unmarshal(out, &alone); err != nil {
			t.Fatalf("%v: %s", err, out)
		}
		if err := json.Unmarshal(enc.AppendECS(nil, ln, xs), &whole); err != nil {
			t.Fatal(err)
		}
		inEvent = whole.Threat.Enrichments
		if len(alone) != len(inEvent) {
			t.Fatalf("%d enrichments alone, %d in the event", len(alone), len(inEvent))
		}
		for i := range alone {
			mt := alone[i]["matched"].(map[string]any)
			want := valid(tag)
			if tag == "" {
				want = "message"
			}
			if mt["field"] != want {
				t.Fatalf("matched.field %q, want %q: %s", mt["field"], want, out)
			}
			mt["field"] = "message"
			a, _ := json.Marshal(alone[i])
			b, _ := json.Marshal(inEvent[i])
			if string(a) != string(b) {
				t.Fatalf("alone %s\nin the event %s", a, b)
			}
		}
	})
}
