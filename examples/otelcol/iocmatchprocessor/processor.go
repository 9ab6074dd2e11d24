package iocmatchprocessor

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"
	"unsafe"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/processor"
	"go.opentelemetry.io/collector/processor/processorhelper"
	"go.uber.org/zap"

	"github.com/iocmatch/iocmatch/age"
	"github.com/iocmatch/iocmatch/indicator"
	"github.com/iocmatch/iocmatch/live"
	"github.com/iocmatch/iocmatch/match"
)

// iocProcessor is one iocmatch processor: its configuration, and from
// Start to Shutdown the live matcher and its reloader.
type iocProcessor struct {
	cfg    *Config
	logger *zap.Logger
	policy *age.Policy
	now    func() time.Time // the clock; time.Now but in tests

	lm     *live.Matcher
	cancel context.CancelFunc
	done   chan struct{} // closed when the reloader has returned

	states  sync.Pool // *batchState, one per concurrent ConsumeLogs
	metrics *metrics
}

// batchState is what one ConsumeLogs reuses from the previous ones: the
// matches' buffer and the cache of the entries' enrichment fields, for
// the set it was filled with.
type batchState struct {
	buf   []match.Match
	m     *match.Matcher
	cache map[match.ID]pcommon.Map
}

func newProcessor(set processor.Settings, cfg *Config) (*iocProcessor, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	pol, err := cfg.policy()
	if err != nil {
		return nil, err
	}
	ms, err := newMetrics(set.MeterProvider)
	if err != nil {
		return nil, fmt.Errorf("iocmatch metrics: %w", err)
	}
	p := &iocProcessor{cfg: cfg, logger: set.Logger, policy: pol, now: time.Now, metrics: ms}
	p.states.New = func() any {
		return &batchState{buf: make([]match.Match, 0, 16), cache: map[match.ID]pcommon.Map{}}
	}
	return p, nil
}

// start builds the first set (an error fails the collector's start, with
// the build's reason: a feed that cannot be read, a bad allowlist) and
// starts the reloader.
func (p *iocProcessor) start(ctx context.Context, _ component.Host) error {
	allowOpts, err := p.cfg.allowOptions()
	if err != nil {
		return err
	}
	watch := p.cfg.ReloadInterval
	if watch == 0 {
		watch = -1
	}
	pol := p.policy
	opts := live.Options{
		Paths: p.cfg.Feeds,
		Allow: allowOpts,
		Transform: func(inds []indicator.Indicator, _ time.Time) ([]indicator.Indicator, error) {
			kept, _ := pol.Apply(inds)
			return kept, nil
		},
		Compile:       match.Options{MinConfidence: p.cfg.MinConfidence, MaxMatchesPerLine: p.cfg.MaxMatches},
		Now:           p.now,
		Interval:      p.cfg.RebuildInterval,
		WatchInterval: watch,
		OnReload:      p.onReload,
	}
	// The first build is not bound to ctx's deadline beyond Start: the
	// reloader's context is the processor's own, ended by Shutdown.
	lm, err := live.New(ctx, opts)
	if err != nil {
		return fmt.Errorf("iocmatch: %w", err)
	}
	p.lm = lm
	rctx, cancel := context.WithCancel(context.Background())
	p.cancel = cancel
	p.done = make(chan struct{})
	go func() {
		defer close(p.done)
		if err := lm.Run(rctx); err != nil && !errors.Is(err, context.Canceled) {
			p.logger.Error("iocmatch reloader stopped", zap.Error(err))
		}
	}()
	return nil
}

// onReload logs every build.
func (p *iocProcessor) onReload(ev live.Event) {
	ctx := context.Background()
	if ev.Err != nil {
		p.metrics.reloads.Add(ctx, 1, p.metrics.failed...)
		p.logger.Error("iocmatch: reload failed, the current indicator set stays", zap.String("trigger", ev.Trigger), zap.Error(ev.Err))
		return
	}
	p.metrics.reloads.Add(ctx, 1, p.metrics.ok...)
	s := ev.Set
	if s == nil {
		return
	}
	p.metrics.indicators.Record(ctx, int64(s.Matcher.Len()))
	p.logger.Info("iocmatch: indicator set built",
		zap.String("trigger", ev.Trigger),
		zap.Uint64("generation", s.Generation),
		zap.Int("indicators", s.Indicators),
		zap.Int("entries", s.Matcher.Len()),
		zap.Int("added", len(ev.Diff.AddedIDs)),
		zap.Duration("took", ev.Took))
}

// shutdown stops the reloader and waits for it (a build in progress ends
// with its context); safe to call without Start, and twice.
func (p *iocProcessor) shutdown(ctx context.Context) error {
	if p.cancel == nil {
		return nil
	}
	p.cancel()
	select {
	case <-p.done:
	case <-ctx.Done():
		return ctx.Err()
	}
	p.lm.Close()
	p.cancel = nil
	return nil
}

// processLogs matches every record and adds its enrichments; with
// drop_unmatched it removes the records without one.
func (p *iocProcessor) processLogs(ctx context.Context, ld plog.Logs) (plog.Logs, error) {
	if p.lm == nil {
		return ld, errors.New("iocmatch: processor not started")
	}
	set := p.lm.Current()
	st := p.states.Get().(*batchState)
	defer p.states.Put(st)
	if st.m != set.Matcher { // a new set: other IDs
		st.m = set.Matcher
		clear(st.cache)
	}
	w := writer{m: set.Matcher, field: p.fieldName(), scorer: p.scorer(), now: p.now, cache: st.cache}
	rls := ld.ResourceLogs()
	matched, unmatched, matches := 0, 0, 0
	for i := 0; i < rls.Len(); i++ {
		sls := rls.At(i).ScopeLogs()
		for j := 0; j < sls.Len(); j++ {
			lrs := sls.At(j).LogRecords()
			for k := 0; k < lrs.Len(); k++ {
				if n := p.processRecord(lrs.At(k), set.Matcher, &st.buf, &w); n > 0 {
					matched++
					matches += n
				} else {
					unmatched++
				}
			}
		}
	}
	p.metrics.batch(ctx, matched, unmatched, matches)
	if !p.cfg.DropUnmatched {
		return ld, nil
	}
	rls.RemoveIf(func(rl plog.ResourceLogs) bool {
		rl.ScopeLogs().RemoveIf(func(sl plog.ScopeLogs) bool {
			sl.LogRecords().RemoveIf(func(lr plog.LogRecord) bool {
				_, ok := lr.Attributes().Get(AttrEnrichments)
				return !ok
			})
			return sl.LogRecords().Len() == 0
		})
		return rl.ScopeLogs().Len() == 0
	})
	if rls.Len() == 0 {
		return ld, processorhelper.ErrSkipProcessingData
	}
	return ld, nil
}

// processRecord matches one record's text, writes its enrichments and
// returns their number.
// A record matched before (a second iocmatch processor, a replay) loses
// its old enrichments: they describe another set.
func (p *iocProcessor) processRecord(lr plog.LogRecord, m *match.Matcher, bp *[]match.Match, w *writer) int {
	attrs := lr.Attributes()
	attrs.Remove(AttrEnrichments)
	attrs.Remove(AttrTruncated)
	text, ok := p.text(lr)
	if !ok || len(text) == 0 {
		return 0
	}
	// AppendMatches only reads the line: the string's bytes are not
	// copied (no allocation on a record without matches).
	line := unsafe.Slice(unsafe.StringData(text), len(text))
	xs, cut := m.AppendMatchesTruncated((*bp)[:0], line)
	*bp = xs
	if len(xs) == 0 {
		return 0
	}
	w.write(attrs, text, xs)
	if cut {
		attrs.PutBool(AttrTruncated, true)
	}
	return len(xs)
}

// text is the text matched in lr: its body or its configured attribute.
func (p *iocProcessor) text(lr plog.LogRecord) (string, bool) {
	v := lr.Body()
	if p.cfg.Attribute != "" {
		var ok bool
		if v, ok = lr.Attributes().Get(p.cfg.Attribute); !ok {
			return "", false
		}
	}
	switch v.Type() {
	case pcommon.ValueTypeStr:
		return v.Str(), true
	case pcommon.ValueTypeEmpty:
		return "", false
	case pcommon.ValueTypeBytes:
		b := v.Bytes().AsRaw()
		return unsafe.String(unsafe.SliceData(b), len(b)), true
	default: // map, slice, numbers, bool: their JSON or text form
		return v.AsString(), true
	}
}

// fieldName is the ECS matched.field of the matched text.
func (p *iocProcessor) fieldName() string {
	if p.cfg.Attribute == "" {
		return "message"
	}
	return p.cfg.Attribute
}

// scorer is the ageing policy when it scores (decay), else nil.
func (p *iocProcessor) scorer() *age.Policy {
	if p.policy == nil || !p.policy.Scoring() {
		return nil
	}
	return p.policy
}
