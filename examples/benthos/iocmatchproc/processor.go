package iocmatchproc

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"slices"
	"strings"
	"sync"
	"time"
	"unsafe"

	"github.com/redpanda-data/benthos/v4/public/service"

	"github.com/iocmatch/iocmatch/age"
	"github.com/iocmatch/iocmatch/encode"
	"github.com/iocmatch/iocmatch/hits"
	"github.com/iocmatch/iocmatch/indicator"
	"github.com/iocmatch/iocmatch/live"
	"github.com/iocmatch/iocmatch/match"
)

func init() {
	if err := Register(service.GlobalEnvironment()); err != nil {
		panic(err) // only a name clash or a bad spec: a programming error
	}
}

// Register registers the iocmatch processor in env (the package's init
// registers it in the global environment).
func Register(env *service.Environment) error {
	return env.RegisterBatchProcessor(Name, ConfigSpec(), func(pc *service.ParsedConfig, mgr *service.Resources) (service.BatchProcessor, error) {
		return New(pc, mgr)
	})
}

// New returns a processor of the config pc (parsed with ConfigSpec), its
// first set built: for a host program that runs the processor itself
// (Benthos calls it through Register). It starts the background reloads;
// Close stops them.
func New(pc *service.ParsedConfig, mgr *service.Resources) (*Processor, error) {
	c, err := parseConfig(pc)
	if err != nil {
		return nil, err
	}
	return newProcessor(c, mgr, nil)
}

// Processor is the iocmatch batch processor. It is safe for concurrent
// use (Benthos runs one per pipeline thread, but a resource processor is
// shared).
type Processor struct {
	c       *config
	lm      *live.Matcher
	cancel  context.CancelFunc
	done    chan struct{}
	pol     *age.Policy
	sc      encode.Scorer
	now     func() time.Time
	st      *hits.Stats
	log     *service.Logger
	scratch sync.Pool // *scratch

	mMatches  *service.MetricCounter
	mMessages *service.MetricCounter
	mReloads  *service.MetricCounter
	mSize     *service.MetricGauge

	closeOnce sync.Once
}

// scratch is one goroutine's buffers and Encoder, the latter bound to one
// Matcher.
type scratch struct {
	m     *match.Matcher
	enc   *encode.Encoder
	xs    []match.Match // the message's matches, all fields
	texts [][]byte      // their texts
	flds  []int         // their field index (-1: the raw message)
	buf   []byte
	// per batch, for the metrics: matches per type, messages matched
	byType  [indicator.NumTypes]int64
	matched int64
}

// newProcessor builds the first set (an error when it fails: bad feed,
// nothing loaded …) and starts the background reloads. now nil means
// time.Now.
func newProcessor(c *config, mgr *service.Resources, now func() time.Time) (*Processor, error) {
	if now == nil {
		now = time.Now
	}
	c.age.Now = now
	pol, err := age.New(c.age)
	if err != nil {
		return nil, fmt.Errorf("iocmatch: %s/%s: %w", fieldMaxAge, fieldDecay, err)
	}
	p := &Processor{c: c, pol: pol, now: now, log: mgr.Logger(), done: make(chan struct{})}
	if pol.Scoring() {
		p.sc = pol
	}
	met := mgr.Metrics()
	p.mMatches = met.NewCounter("iocmatch_matches", "type")
	p.mMessages = met.NewCounter("iocmatch_messages_matched")
	p.mReloads = met.NewCounter("iocmatch_reloads", "result")
	p.mSize = met.NewGauge("iocmatch_indicators")
	p.st = hits.New(hits.Options{Start: now()})
	if c.hitsFile != "" {
		f, err := hits.ReadFile(c.hitsFile)
		switch {
		case err == nil:
			p.st.Restore(f.Entries)
		case errors.Is(err, os.ErrNotExist):
		default:
			return nil, fmt.Errorf("iocmatch: %s: %w", fieldHitsFile, err)
		}
	}
	watch := c.reload
	if watch == 0 {
		watch = -1
	}
	opts := live.Options{
		Paths:         c.feeds,
		Allow:         &c.allow,
		Compile:       match.Options{MinConfidence: c.minConf},
		Now:           now,
		Interval:      c.rebuild,
		WatchInterval: watch,
		Transform: func(inds []indicator.Indicator, _ time.Time) ([]indicator.Indicator, error) {
			kept, _ := pol.Apply(inds)
			return kept, nil
		},
		OnReload: p.onReload,
	}
	lm, err := live.New(context.Background(), opts)
	if err != nil {
		return nil, fmt.Errorf("iocmatch: %s: %w", fieldFeeds, err)
	}
	p.lm = lm
	ctx, cancel := context.WithCancel(context.Background())
	p.cancel = cancel
	go func() {
		defer close(p.done)
		_ = lm.Run(ctx)
	}()
	s := lm.Current()
	p.log.Infof("iocmatch: %d indicators compiled in %v from %s: %s", s.Indicators, s.Took.Round(time.Millisecond), strings.Join(c.feeds, ", "), s.Matcher)
	return p, nil
}

// onReload counts a build, rebinds the hit statistics to its set and logs it.
func (p *Processor) onReload(ev live.Event) {
	if ev.Err != nil {
		p.mReloads.Incr(1, "failed")
		if p.log != nil {
			p.log.Errorf("iocmatch: %v", ev)
		}
		return
	}
	p.mReloads.Incr(1, "ok")
	p.mSize.Set(int64(ev.Set.Matcher.Len()))
	p.st.Rebind(ev.Set.Matcher)
	if ev.Trigger != "initial" && p.log != nil {
		p.log.Infof("iocmatch: %v", ev)
	}
}

// Current is the current set (for a host that embeds the processor).
func (p *Processor) Current() *live.Set { return p.lm.Current() }

// Stats are the hit statistics.
func (p *Processor) Stats() *hits.Stats { return p.st }

// Reload rebuilds the set from the feeds now.
func (p *Processor) Reload(ctx context.Context) (live.Event, error) { return p.lm.Reload(ctx) }

// ProcessBatch matches every message of the batch; see the package doc.
func (p *Processor) ProcessBatch(ctx context.Context, batch service.MessageBatch) ([]service.MessageBatch, error) {
	set := p.lm.Current()
	m := set.Matcher
	sp, _ := p.scratch.Get().(*scratch)
	if sp == nil {
		sp = &scratch{}
	}
	if sp.m != m {
		sp.m, sp.enc = m, encode.NewEncoder(m, encode.Options{Now: p.now, Scorer: p.sc})
	}
	defer p.scratch.Put(sp)

	out := batch[:0:0]
	if p.c.mode != ModeFilter {
		out = batch
	}
	for _, msg := range batch {
		n, err := p.process(sp, msg)
		if err != nil {
			msg.SetError(err)
			if p.c.mode == ModeFilter {
				out = append(out, msg) // an error is not dropped silently
			}
			continue
		}
		if n > 0 && p.c.mode == ModeFilter {
			out = append(out, msg)
		}
	}
	p.flushMetrics(sp)
	if len(out) == 0 {
		return nil, nil
	}
	return []service.MessageBatch{out}, nil
}

// flushMetrics adds a batch's counts to the metrics, one call per type
// matched rather than per match.
func (p *Processor) flushMetrics(sp *scratch) {
	if sp.matched == 0 {
		return
	}
	p.mMessages.Incr(sp.matched)
	for t, n := range sp.byType {
		if n > 0 {
			p.mMatches.Incr(n, indicator.Type(t).String())
		}
	}
	sp.byType, sp.matched = [indicator.NumTypes]int64{}, 0
}

// process matches one message and sets its results; it returns the
// number of matches.
func (p *Processor) process(sp *scratch, msg *service.Message) (int, error) {
	m := sp.m
	sp.xs, sp.texts, sp.flds = sp.xs[:0], sp.texts[:0], sp.flds[:0]
	var doc any
	if len(p.c.fields) == 0 {
		raw, err := msg.AsBytes()
		if err != nil {
			return 0, err
		}
		p.collect(sp, raw, -1)
	} else {
		v, err := msg.AsStructured()
		if err != nil {
			return 0, fmt.Errorf("iocmatch: fields given, but the message is not JSON: %w", err)
		}
		doc = v
		for i, f := range p.c.fields {
			switch x := lookup(v, f).(type) {
			case string:
				p.collect(sp, bytesOf(x), i)
			case []any:
				for _, e := range x {
					if s, ok := e.(string); ok {
						p.collect(sp, bytesOf(s), i)
					}
				}
			}
		}
	}
	n := len(sp.xs)
	if n == 0 {
		return 0, nil
	}
	now := p.now()
	p.st.Record(m, sp.xs, now)
	sp.matched++
	for _, x := range sp.xs {
		if x.Type.Valid() {
			sp.byType[x.Type]++
		}
	}
	p.annotate(sp, msg)

	// the enrichments array
	b := sp.buf[:0]
	b = append(b, '[')
	for i, x := range sp.xs {
		if i > 0 {
			b = append(b, ',')
		}
		b = sp.enc.AppendEnrichment(b, x, sp.texts[i], p.fieldName(sp.flds[i]))
	}
	b = append(b, ']')
	sp.buf = b
	if p.c.mode == ModeAnnotate {
		msg.MetaSetMut(MetaEnrichments, string(b))
		return n, nil
	}
	return n, p.enrich(msg, doc, b)
}

// collect appends the matches of text (field i, -1 the raw message) to
// sp, within max_matches_per_message and min_score.
func (p *Processor) collect(sp *scratch, text []byte, field int) {
	room := p.c.maxMatches - len(sp.xs)
	if room <= 0 {
		return
	}
	k := len(sp.xs)
	sp.xs = sp.m.AppendMatches(sp.xs, text)
	if p.c.minScore > 0 {
		now := p.now()
		j := k
		for _, x := range sp.xs[k:] {
			if s, ok := p.pol.EntryScore(sp.m, x.ID, now); !ok || s >= p.c.minScore {
				sp.xs[j] = x
				j++
			}
		}
		sp.xs = sp.xs[:j]
	}
	if len(sp.xs)-k > room {
		sp.xs = sp.xs[:k+room]
	}
	for _, x := range sp.xs[k:] {
		sp.texts = append(sp.texts, text[x.Start:x.End])
		sp.flds = append(sp.flds, field)
	}
}

func (p *Processor) fieldName(i int) string {
	if i < 0 {
		return "message"
	}
	return p.c.fields[i]
}

// annotate sets the metadata of a message with matches.
func (p *Processor) annotate(sp *scratch, msg *service.Message) {
	var types, inds, flds []string
	for i, x := range sp.xs {
		t, v := sp.m.Key(x.ID)
		types = appendNew(types, t.String())
		inds = appendNew(inds, v)
		flds = appendNew(flds, p.fieldName(sp.flds[i]))
	}
	msg.MetaSetMut(MetaMatches, len(sp.xs))
	msg.MetaSetMut(MetaTypes, strings.Join(types, ","))
	msg.MetaSetMut(MetaIndicators, strings.Join(inds, ","))
	msg.MetaSetMut(MetaFields, strings.Join(flds, ","))
}

func appendNew(s []string, v string) []string {
	if slices.Contains(s, v) {
		return s
	}
	return append(s, v)
}

// enrich adds the enrichments arr (a JSON array) to the message: to its
// document's threat.enrichments when it is a JSON object (doc, or the
// raw message parsed), else wrapping the raw message.
func (p *Processor) enrich(msg *service.Message, doc any, arr []byte) error {
	if doc == nil {
		raw, err := msg.AsBytes()
		if err != nil {
			return err
		}
		if t := trimSpace(raw); len(t) == 0 || t[0] != '{' || !json.Valid(t) {
			// {"message":RAW,"threat":{"enrichments":ARR}}, written directly
			b := make([]byte, 0, len(raw)+len(arr)+48)
			b = append(b, `{"message":`...)
			b = appendJSONString(b, raw)
			b = append(b, `,"threat":{"enrichments":`...)
			b = append(b, arr...)
			b = append(b, "}}"...)
			msg.SetBytes(b)
			return nil
		}
	}
	var add []any
	if err := json.Unmarshal(arr, &add); err != nil {
		return fmt.Errorf("iocmatch: internal error: enrichments are not JSON: %w", err)
	}
	v, err := msg.AsStructuredMut()
	if err != nil {
		return err
	}
	obj, ok := v.(map[string]any)
	if !ok {
		return fmt.Errorf("iocmatch: the message is JSON but not an object: cannot add threat.enrichments")
	}
	threat, ok := obj["threat"].(map[string]any)
	if !ok {
		if _, there := obj["threat"]; there {
			return fmt.Errorf("iocmatch: the message's threat field is not an object: cannot add threat.enrichments")
		}
		threat = map[string]any{}
		obj["threat"] = threat
	}
	if old, ok := threat["enrichments"].([]any); ok {
		add = append(old, add...)
	}
	threat["enrichments"] = add
	msg.SetStructuredMut(obj)
	return nil
}

// appendJSONString appends s as a JSON string (encode.AppendJSONString:
// the escaping of every other string of the output).
func appendJSONString(b, s []byte) []byte { return encode.AppendJSONString(b, s) }

func trimSpace(b []byte) []byte {
	for len(b) > 0 && (b[0] == ' ' || b[0] == '\t' || b[0] == '\r' || b[0] == '\n') {
		b = b[1:]
	}
	return b
}

// lookup is the value at dot path path of v, nil when there is none. A
// key with dots of its own ("url.original" flat, as some shippers write
// ECS) is found too.
func lookup(v any, path string) any {
	for path != "" {
		obj, ok := v.(map[string]any)
		if !ok {
			return nil
		}
		if x, ok := obj[path]; ok {
			return x
		}
		key, rest, _ := strings.Cut(path, ".")
		v, path = obj[key], rest
	}
	return v
}

// bytesOf is s as a read-only []byte, without a copy (AppendMatches does
// not write to its input nor keep it).
func bytesOf(s string) []byte { return unsafe.Slice(unsafe.StringData(s), len(s)) }

// Close stops the background reloads, frees the set and writes the hit
// statistics file when configured.
func (p *Processor) Close(ctx context.Context) error {
	var err error
	p.closeOnce.Do(func() {
		p.cancel()
		p.lm.Close()
		select {
		case <-p.done:
		case <-ctx.Done():
		}
		if p.c.hitsFile != "" {
			err = hits.WriteFile(p.c.hitsFile, p.st.Snapshot(), p.now())
		}
	})
	return err
}
