package iocmatchprocessor

import (
	"math"
	"strings"
	"time"

	"go.opentelemetry.io/collector/pdata/pcommon"

	"github.com/iocmatch/iocmatch/age"
	"github.com/iocmatch/iocmatch/encode"
	"github.com/iocmatch/iocmatch/indicator"
	"github.com/iocmatch/iocmatch/match"
)

// The attributes the processor sets on a log record with matches.
const (
	// AttrEnrichments is ECS threat.enrichments: a slice with one map
	// per match (see the package documentation for its keys).
	AttrEnrichments = "threat.enrichments"
	// AttrTruncated is set (true) when the record held more matches
	// than max_matches: the enrichments are the first ones found.
	AttrTruncated = "iocmatch.truncated"
)

// writer writes the enrichments of the records of one batch with one
// set.
type writer struct {
	m      *match.Matcher
	field  string      // matched.field
	scorer *age.Policy // nil without decay
	now    func() time.Time
	cache  map[match.ID]pcommon.Map // the entries' fields, by ID of m
}

// maxCache bounds the entries a writer's cache keeps (emptied when
// full).
const maxCache = 4096

// write puts threat.enrichments, one map per match of xs in text, into
// attrs.
func (w *writer) write(attrs pcommon.Map, text string, xs []match.Match) {
	sl := attrs.PutEmptySlice(AttrEnrichments)
	sl.EnsureCapacity(len(xs))
	var now time.Time
	if w.scorer != nil {
		now = w.now()
	}
	for _, x := range xs {
		tmpl, ok := w.cache[x.ID]
		if !ok {
			if len(w.cache) >= maxCache {
				clear(w.cache)
			}
			tmpl = pcommon.NewMap()
			w.entryFields(tmpl, x.ID)
			w.cache[x.ID] = tmpl
		}
		em := sl.AppendEmpty().SetEmptyMap()
		tmpl.CopyTo(em)
		em.PutInt("iocmatch.start", int64(x.Start))
		em.PutInt("iocmatch.end", int64(x.End))
		em.PutStr("iocmatch.text", text[x.Start:x.End])
		if w.scorer != nil {
			if s, ok := w.scorer.EntryScore(w.m, x.ID, now); ok {
				em.PutDouble("iocmatch.score", math.Round(s*10)/10)
			}
		}
	}
}

// entryFields puts the fields of an enrichment that depend on the entry
// only (not on the match) into em.
func (w *writer) entryFields(em pcommon.Map, id match.ID) {
	e := w.m.Entry(id)
	v := w.m.View(id)
	em.EnsureCapacity(16)
	if t := encode.ECSType(e.Type, e.Value); t != "" {
		em.PutStr("indicator.type", t)
	}
	if k := typedKey(e.Type); k != "" {
		em.PutStr(k, e.Value)
	}
	em.PutStr("indicator.name", e.Value)
	switch len(v.Sources) {
	case 0:
	case 1:
		em.PutStr("indicator.provider", v.Sources[0])
	default:
		putStrs(em, "indicator.provider", v.Sources)
	}
	if v.Confidence.Known() {
		em.PutStr("indicator.confidence", encode.ConfidenceLevel(v.Confidence))
	}
	if t := encode.ECSTLP(v.TLP); t != "" {
		em.PutStr("indicator.marking.tlp", t)
	}
	if !v.FirstSeen.IsZero() {
		em.PutStr("indicator.first_seen", v.FirstSeen.UTC().Format(time.RFC3339))
	}
	if !v.LastSeen.IsZero() {
		em.PutStr("indicator.last_seen", v.LastSeen.UTC().Format(time.RFC3339))
	}
	if v.Description != "" {
		em.PutStr("indicator.description", v.Description)
	}
	if v.Reference != "" {
		em.PutStr("indicator.reference", v.Reference)
	}
	em.PutStr("matched.atomic", e.Value)
	em.PutStr("matched.field", w.field)
	em.PutStr("matched.type", "indicator_match_rule")
	em.PutStr("iocmatch.type", e.Type.String())
	if v.Severity != indicator.SeverityUnknown {
		em.PutStr("iocmatch.severity", v.Severity.String())
	}
	if len(v.Tags) > 0 {
		putStrs(em, "iocmatch.tags", v.Tags)
	}
	if len(v.Lists) > 0 {
		putStrs(em, "iocmatch.lists", v.Lists)
	}
	if len(v.ThreatActors) > 0 {
		putStrs(em, "iocmatch.threat_actors", v.ThreatActors)
	}
	if len(v.MalwareFamilies) > 0 {
		putStrs(em, "iocmatch.malware_families", v.MalwareFamilies)
	}
	if len(v.Techniques) > 0 {
		putStrs(em, "iocmatch.techniques", v.Techniques)
	}
}

// putStrs puts a string slice.
func putStrs(m pcommon.Map, k string, vs []string) {
	s := m.PutEmptySlice(k)
	s.EnsureCapacity(len(vs))
	for _, v := range vs {
		s.AppendEmpty().SetStr(v)
	}
}

// typedKey is the ECS field of the indicator's value by type, as package
// encode writes it ("" for the types ECS has none for).
func typedKey(t indicator.Type) string {
	switch t {
	case indicator.IPv4, indicator.IPv6:
		return "indicator.ip"
	case indicator.Domain:
		return "indicator.url.domain"
	case indicator.URL:
		return "indicator.url.full"
	case indicator.Email:
		return "indicator.email.address"
	case indicator.MD5, indicator.SHA1, indicator.SHA256, indicator.SHA512:
		return "indicator.file.hash." + strings.ToLower(t.String())
	case indicator.Filename:
		return "indicator.file.name"
	case indicator.RegKey:
		return "indicator.registry.path"
	}
	return ""
}
