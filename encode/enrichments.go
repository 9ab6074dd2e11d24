package encode

import (
	"time"

	"github.com/iocmatch/iocmatch/match"
)

// AppendEnrichments appends to dst the JSON array of the ECS
// threat.enrichments of the matches xs, found in the value of the event's
// field field, and returns it: for a host program that adds the
// enrichments to an event of its own (a Benthos message, an OpenTelemetry
// log record) instead of writing AppendECS's whole event. Each element is
// the one AppendECS writes (the package doc has the mapping), with
// matched.field set to field ("" means "message", as AppendECS writes
// it), matched.occurred Options.Now (read once per call) and
// iocmatch.text texts[i], the text of xs[i] (texts nil: empty texts). It
// appends [] when xs is empty. The entries' parts come from the Encoder's
// cache, as AppendECS's do.
func (e *Encoder) AppendEnrichments(dst []byte, xs []match.Match, texts [][]byte, field string) []byte {
	dst = append(dst, '[')
	if len(xs) > 0 {
		now := e.now()
		t := quotedTime(now)
		for i, x := range xs {
			if i > 0 {
				dst = append(dst, ',')
			}
			var text []byte
			if texts != nil {
				text = texts[i]
			}
			dst = appendEnrichment(dst, cached(e, e.ecs, x.ID, newECSParts), x, text, field, t.b[:t.n], now, e.m, e.sc)
		}
	}
	return append(dst, ']')
}

// AppendEnrichment appends to dst the one threat.enrichments element of
// match x, found in the value of field field (text its matched text,
// "" field means "message"), and returns it: AppendEnrichments's element,
// for a host that writes the array of several fields' matches itself.
// matched.occurred is Options.Now, read on each call.
func (e *Encoder) AppendEnrichment(dst []byte, x match.Match, text []byte, field string) []byte {
	now := e.now()
	t := quotedTime(now)
	return appendEnrichment(dst, cached(e, e.ecs, x.ID, newECSParts), x, text, field, t.b[:t.n], now, e.m, e.sc)
}

// qtime is a quoted RFC 3339 time, on the stack.
type qtime struct {
	b [40]byte
	n int
}

func quotedTime(now time.Time) qtime {
	var q qtime
	b := append(q.b[:0], '"')
	b = now.UTC().AppendFormat(b, time.RFC3339Nano)
	b = append(b, '"')
	q.n = len(b)
	return q
}
