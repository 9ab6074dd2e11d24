package retro_test

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/iocmatch/iocmatch/match"
	"github.com/iocmatch/iocmatch/retro"
)

// added is one line given to Add.
type added struct {
	file         string
	line, offset int64
	text         string
}

// feed adds n generated lines to b, over two files, with their true line
// numbers and offsets, and returns them.
func feed(b *retro.Buffer, g *logGen, n int) []added {
	var out []added
	var buf []byte
	var no, off [2]int64
	for i := range n {
		f := i % 2
		buf = g.line(buf[:0])
		no[f]++
		a := added{file: fmt.Sprintf("/var/log/f%d.log", f), line: no[f], offset: off[f], text: string(buf)}
		off[f] += int64(len(buf)) + 1
		b.Add(a.file, a.line, a.offset, buf)
		out = append(out, a)
	}
	return out
}

func kept(b *retro.Buffer) []added {
	var out []added
	b.Each(func(l retro.Line) bool {
		out = append(out, added{l.File, l.Number, l.Offset, string(l.Text)})
		return true
	})
	return out
}

// TestEviction: the buffer keeps exactly the most recent lines, whole,
// with their files, numbers and offsets; its memory stays within budget
// plus one block, and the kept bytes within a block of the budget.
func TestEviction(t *testing.T) {
	for _, budget := range []int64{1000, 4096, 64 << 10, 4<<20 + 1000} {
		t.Run(fmt.Sprint(budget), func(t *testing.T) {
			b := retro.New(budget)
			g := &logGen{r: rand.New(rand.NewPCG(1, uint64(budget)))}
			n := int(2*budget/150) + 10 // about two budgets of lines
			all := feed(b, g, n)
			got := kept(b)
			st := b.Stats()
			require.NotEmpty(t, got)
			// the kept lines are the last ones, in order
			if want := all[len(all)-len(got):]; !slices.Equal(want, got) {
				t.Errorf("kept lines differ from the last %d added", len(got)) // (assert.Equal's diff is slow here)
			}
			assert.Equal(t, int64(len(got)), st.Lines)
			assert.Equal(t, int64(n), st.Lines+st.EvictedLines+st.TooLong)
			var total, keptBytes int64
			for i, a := range all {
				total += int64(len(a.text))
				if i >= len(all)-len(got) {
					keptBytes += int64(len(a.text))
				}
			}
			assert.Equal(t, keptBytes, st.Bytes)
			assert.Equal(t, total, st.Bytes+st.EvictedBytes+tooLongBytes(all, st.TooLong, b.BlockSize()))
			assert.LessOrEqual(t, st.Memory, budget+int64(b.BlockSize()))
			// at least the budget less one block, less the headers (< 12
			// bytes each here) and a line's worth of waste per block
			blocks := (budget + int64(b.BlockSize()) - 1) / int64(b.BlockSize())
			assert.GreaterOrEqual(t, st.Bytes+12*st.Lines+blocks*300, budget-int64(b.BlockSize()), "%+v", st)
		})
	}
}

// tooLongBytes: the bytes of the lines not kept for their length.
func tooLongBytes(all []added, n int64, block int) int64 {
	var s int64
	for _, a := range all {
		if len(a.text)+40 > block {
			s += int64(len(a.text))
			n--
		}
	}
	if n != 0 {
		return -1 // a miscount: the sum check fails
	}
	return s
}

// TestTooLong: a line longer than a block is not kept and is counted; a
// budget of 0 keeps nothing.
func TestTooLong(t *testing.T) {
	b := retro.New(4096) // blocks of 1024
	assert.True(t, b.Add("a", 1, 0, []byte("short evil.example")))
	assert.False(t, b.Add("a", 2, 19, make([]byte, 1000)))
	assert.True(t, b.Add("a", 3, 1020, []byte("after")))
	st := b.Stats()
	assert.Equal(t, int64(1), st.TooLong)
	assert.Equal(t, int64(2), st.Lines)
	assert.Equal(t, []added{{"a", 1, 0, "short evil.example"}, {"a", 3, 1020, "after"}}, kept(b))

	z := retro.New(0)
	assert.False(t, z.Add("a", 1, 0, []byte("x")))
	assert.Equal(t, retro.Stats{TooLong: 1, BlockSize: z.BlockSize()}, z.Stats())
	require.NoError(t, z.Hunt(mustCompile(t, 3), func(retro.Line, []match.Match) error { t.Fatal("a line hunted"); return nil }))
}

func mustCompile(t testing.TB, n int) *match.Matcher {
	inds, _ := newIndicators(rand.New(rand.NewPCG(7, 7)), n)
	m, err := match.Compile(inds, match.Options{})
	require.NoError(t, err)
	return m
}

type hit struct {
	added
	matches []match.Match
}

// TestHuntReference: Hunt reports exactly what matching every kept line
// again with the same matcher reports, with the lines' true files,
// numbers and offsets.
func TestHuntReference(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	inds, vals := newIndicators(r, 300)
	m, err := match.Compile(inds, match.Options{})
	require.NoError(t, err)
	b := retro.New(256 << 10)
	all := feed(b, &logGen{r: r, hunted: vals, hitRate: 0.2}, 6000) // ~900 KB: evicts
	st := b.Stats()
	require.Positive(t, st.EvictedLines)
	var want []hit
	for _, a := range all[len(all)-int(st.Lines):] {
		if xs := m.AppendMatches(nil, []byte(a.text)); len(xs) > 0 {
			want = append(want, hit{a, xs})
		}
	}
	require.Greater(t, len(want), 50)
	var got []hit
	require.NoError(t, b.Hunt(m, func(l retro.Line, xs []match.Match) error {
		got = append(got, hit{added{l.File, l.Number, l.Offset, string(l.Text)}, slices.Clone(xs)})
		return nil
	}))
	assert.Equal(t, want, got)

	// an error of fn ends the hunt
	stop := errors.New("stop")
	calls := 0
	err = b.Hunt(m, func(retro.Line, []match.Match) error { calls++; return stop })
	assert.ErrorIs(t, err, stop)
	assert.Equal(t, 1, calls)
}

// TestConcurrent: Add on one goroutine, hunts on two others, under -race:
// every hunt sees a run of consecutive lines, each with its own text.
func TestConcurrent(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	inds, vals := newIndicators(r, 30)
	m, err := match.Compile(inds, match.Options{})
	require.NoError(t, err)
	b := retro.New(32 << 10)
	const n = 4000
	lines := make([][]byte, n)
	g := &logGen{r: r, hunted: vals, hitRate: 0.3}
	for i := range lines {
		lines[i] = g.line(nil)
	}
	var wg sync.WaitGroup
	done := make(chan struct{})
	wg.Go(func() {
		defer close(done)
		for i, l := range lines {
			b.Add("f", int64(i+1), 0, l)
		}
	})
	var hunts [2]int
	for h := range 2 {
		wg.Go(func() {
			for { // at least one hunt each, however the goroutines are scheduled
				last := int64(0)
				err := b.Hunt(m, func(l retro.Line, xs []match.Match) error {
					if l.Number <= last || string(l.Text) != string(lines[l.Number-1]) {
						return fmt.Errorf("line %d after %d: %q", l.Number, last, l.Text)
					}
					last = l.Number
					return nil
				})
				if err != nil {
					t.Error(err)
					return
				}
				hunts[h]++
				select {
				case <-done:
					return
				default:
				}
			}
		})
	}
	wg.Wait()
	assert.Equal(t, int64(n), b.Stats().Lines+b.Stats().EvictedLines)
	assert.Positive(t, hunts[0])
	assert.Positive(t, hunts[1])
}

// TestAddAllocs: once the ring has its blocks, Add does not allocate.
func TestAddAllocs(t *testing.T) {
	b := retro.New(64 << 10)
	line := []byte(`10.1.2.3 - - [01/Dec/2026:22:00:00 +0000] "GET https://cdn.example/x HTTP/1.1" 200 512`)
	for i := range 2000 { // fills the ring
		b.Add("/var/log/access.log", int64(i), int64(i*100), line)
	}
	i := int64(2000)
	allocs := testing.AllocsPerRun(1000, func() {
		b.Add("/var/log/access.log", i, i*100, line)
		i++
	})
	assert.Zero(t, allocs)
}
