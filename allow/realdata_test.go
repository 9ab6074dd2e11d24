package allow

import (
	"os"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/iocmatch/iocmatch/indicator"
	"github.com/iocmatch/iocmatch/internal/canon"
	"github.com/iocmatch/iocmatch/loader"
)

const realFeeds = "../../shared/realdata/feeds"

// loadReal loads every real feed, or skips.
func loadReal(tb testing.TB) loader.Result {
	tb.Helper()
	if testing.Short() || raceEnabled {
		tb.Skip("real data: not with -short or -race (its 720k indicators take minutes there)")
	}
	if _, err := os.Stat(realFeeds); err != nil {
		tb.Skip("no real data")
	}
	res, err := loader.Load(realFeeds, loader.Options{})
	require.NoError(tb, err)
	return res
}

// TestRealdata applies the default policy with every real warninglist to
// every real indicator: no kept address indicator lies in reserved
// space, and every kept indicator an annotating list holds carries its
// tag.
func TestRealdata(t *testing.T) {
	res := loadReal(t)
	require.NotEmpty(t, res.Warninglists)
	p, err := New(Options{Warninglists: res.Warninglists, Allowlist: res.Allowlist})
	require.NoError(t, err)
	inds := append([]indicator.Indicator(nil), res.Indicators...)
	out, rep := p.Apply(inds)
	t.Logf("%d indicators, %d kept, %d suppressed, %d annotated", rep.Input, rep.Kept, rep.Suppressed, rep.Annotated)
	for _, l := range rep.Lists {
		if l.Suppressed+l.Annotated > 0 || l.Note != "" {
			t.Logf("  %-30s %-9s %6d entries %6d suppressed %6d annotated %s %q", l.ID, l.Action, l.Entries, l.Suppressed, l.Annotated, l.Note, l.Examples)
		}
	}
	reserved := ReservedRanges()
	for _, ind := range out {
		if ind.Type.IsAddress() {
			pfx, ok := canon.PrefixOf(ind.Value)
			require.True(t, ok)
			for _, r := range reserved {
				if r.Bits() <= pfx.Bits() && r.Contains(pfx.Addr()) {
					t.Errorf("%v (%s) kept inside reserved %v", ind, ind.Source, r)
				}
			}
		}
	}
	// cross-check the compiled lists against loader.Warninglist.Contains
	// on the indicators of non-substring lists (Contains is linear on
	// substring lists), with matching_attributes applied by hand.
	for i := range res.Warninglists {
		w := &res.Warninglists[i]
		if w.Type == loader.WarninglistSubstring || w.Type == loader.WarninglistString {
			continue // Contains ignores matching_attributes; string lists checked below
		}
		tag := TagPrefix + ListID(w)
		var mask typeMask
		for _, a := range w.MatchingAttributes {
			mask |= attributeTypes[a]
		}
		n := 0
		for _, ind := range out {
			if !mask.has(ind.Type) || w.Type == loader.WarninglistHostname && ind.Type.IsAddress() {
				continue
			}
			want := w.Contains(ind.Value)
			if got := hasTag(ind.Tags, tag); got != want {
				n++
				if n <= 5 {
					t.Errorf("%s: %v: tagged %v, Contains %v", tag, ind, got, want)
				}
			}
		}
	}
	for _, v := range []string{"domain:googleapis.com", "ipv4:8.8.8.8", "domain:ipinfo.io"} {
		for _, ind := range out {
			if ind.String() == v {
				assert.True(t, hasTagPrefix(ind.Tags), "%v (%s) not annotated", ind, ind.Source)
			}
		}
	}
}

func hasTag(tags []string, tag string) bool {
	for _, t := range tags {
		if t == tag {
			return true
		}
	}
	return false
}

func hasTagPrefix(tags []string) bool {
	for _, t := range tags {
		if strings.HasPrefix(t, TagPrefix) {
			return true
		}
	}
	return false
}

// BenchmarkApplyRealdata applies the 35 real warninglists and the
// reserved ranges to every real indicator; New is measured apart.
func BenchmarkApplyRealdata(b *testing.B) {
	res := loadReal(b)
	b.Run("New", func(b *testing.B) {
		for b.Loop() {
			if _, err := New(Options{Warninglists: res.Warninglists}); err != nil {
				b.Fatal(err)
			}
		}
	})
	p, err := New(Options{Warninglists: res.Warninglists})
	require.NoError(b, err)
	inds := make([]indicator.Indicator, len(res.Indicators))
	b.Run("Apply", func(b *testing.B) {
		var cpu time.Duration // process CPU time in Apply: wall time says little on a shared machine
		for range b.N {
			b.StopTimer()
			copy(inds, res.Indicators)
			c0 := cpuTime()
			b.StartTimer()
			p.Apply(inds)
			b.StopTimer()
			cpu += cpuTime() - c0
			b.StartTimer()
		}
		b.ReportMetric(float64(len(inds)), "indicators/op")
		b.ReportMetric(float64(cpu.Nanoseconds())/float64(b.N), "cpu-ns/op")
	})
}

// cpuTime returns the user and system CPU time of the process so far.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
