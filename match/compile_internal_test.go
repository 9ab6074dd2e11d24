package match

import (
	"bytes"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"math"
	"math/rand/v2"
	"net/netip"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/iocmatch/iocmatch/indicator"
	"github.com/iocmatch/iocmatch/match/internal/ac"
	"github.com/stretchr/testify/require"
)

// TestSourceOnly sets each field of indicator.Meta in turn: only Source
// and File leave a Meta "source only" (they are the key of the shared
// Meta), so no metadata is ever lost by sharing, even when Meta gains a
// field.
func TestSourceOnly(t *testing.T) {
	if !sourceOnly(&indicator.Meta{}) || !sourceOnly(&indicator.Meta{Source: "feed"}) || !sourceOnly(&indicator.Meta{Source: "feed", File: "feed.txt"}) {
		t.Fatal("an empty Meta, or one with only a source and a file, is source only")
	}
	mt := reflect.TypeOf(indicator.Meta{})
	for i := 0; i < mt.NumField(); i++ {
		f := mt.Field(i)
		if f.Name == "Source" || f.Name == "File" {
			continue
		}
		var m indicator.Meta
		v := reflect.ValueOf(&m).Elem().Field(i)
		switch v.Kind() {
		case reflect.String:
			v.SetString("x")
		case reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uint:
			v.SetUint(1)
		case reflect.Slice:
			v.Set(reflect.MakeSlice(f.Type, 1, 1))
		case reflect.Struct:
			if f.Type != reflect.TypeOf(time.Time{}) {
				t.Fatalf("field %s: unexpected type %v", f.Name, f.Type)
			}
			v.Set(reflect.ValueOf(time.Unix(1, 0)))
		default:
			t.Fatalf("field %s: kind %v not covered by this test", f.Name, v.Kind())
		}
		if sourceOnly(&m) {
			t.Errorf("Meta with %s set is taken as source only", f.Name)
		}
	}
}

func TestDecodeHex(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 8))
	check := func(x []byte) {
		t.Helper()
		want := make([]byte, len(x)/2)
		_, err := hex.Decode(want, x)
		got := make([]byte, len(x)/2)
		ok := decodeHex(got, x)
		require.Equal(t, err == nil, ok, "%q", x)
		all := true
		for k := 0; k < len(x); k += 8 {
			all = all && allHex(binary.LittleEndian.Uint64(x[k:]))
		}
		require.Equal(t, ok, all, "allHex of %q", x)
		if ok {
			require.Equal(t, want, got, "%q", x)
		}
	}
	digits := []byte("0123456789abcdefABCDEF")
	for range 2000 {
		x := make([]byte, 8*(1+r.IntN(16)))
		for i := range x {
			x[i] = digits[r.IntN(len(digits))]
		}
		check(x)
		// every byte value at one position
		p := r.IntN(len(x))
		for c := range 256 {
			x[p] = byte(c)
			check(x)
		}
	}
}

// TestHashKeyAllBytes: digests that differ only in their middle bytes (a
// crafted feed) still spread over the table: no long probe chain.
func TestHashKeyAllBytes(t *testing.T) {
	const n = 20000
	inds := make([]indicator.Indicator, n)
	for i := range inds {
		var d [32]byte // same first and last 8 bytes
		binary.LittleEndian.PutUint64(d[12:], uint64(i)*0x9e3779b97f4a7c15)
		inds[i] = indicator.MustNew(indicator.SHA256, hex.EncodeToString(d[:]))
	}
	m, err := Compile(inds, Options{})
	require.NoError(t, err)
	s := &m.hashes.sets[sizeIndex(32)]
	longest := 0
	for _, ind := range inds {
		key, _ := hex.DecodeString(ind.Value)
		dist := 0
		for i := s.hashKey(key) & s.mask; !bytes.Equal(s.slots[i*uint64(s.stride):][:s.l], key); i = (i + 1) & s.mask {
			dist++
		}
		longest = max(longest, dist)
		require.NotEmpty(t, m.LookupHash(ind.Value))
	}
	require.Less(t, longest, 64, "longest probe chain of %d keys", n)
}

// TestAddr4Seeded: addresses chosen offline to share slots under one seed
// (a crafted feed) do not make a long probe chain under the others: the
// table hashes with a random seed through a full mixer.
func TestAddr4Seeded(t *testing.T) {
	const n = 20000                     // a table of 65536 slots
	target := addr4Set{mask: 1<<16 - 1} // seed 0
	var v4 []uint64
	var inds []indicator.Indicator
	for a := uint32(1 << 24); len(v4) < n; a++ {
		if target.slot(a) < 16 {
			v4 = append(v4, uint64(a)<<32|uint64(len(v4)))
			inds = append(inds, indicator.MustNew(indicator.IPv4, netip.AddrFrom4([4]byte{byte(a >> 24), byte(a >> 16), byte(a >> 8), byte(a)}).String()))
		}
	}
	longest := func(s *addr4Set) int {
		l := 0
		for _, v := range v4 {
			a, dist := uint32(v>>32), 0
			for i := s.slot(a); uint32(s.slots[i]>>32) != a; i = (i + 1) & s.mask {
				dist++
			}
			l = max(l, dist)
		}
		return l
	}
	var crafted addr4Set
	crafted.buildSeeded(v4, 0)
	require.Greater(t, longest(&crafted), 1000, "the crafted addresses do collide under their seed")
	r := rand.New(rand.NewPCG(15, 16))
	for range 30 {
		var s addr4Set
		s.buildSeeded(v4, r.Uint64())
		require.Less(t, longest(&s), 64, "longest probe chain of %d crafted addresses under another seed", n)
	}
	m, err := Compile(inds, Options{})
	require.NoError(t, err)
	require.Less(t, longest(&m.addrs.exact4), 64, "Compile's table")
}

// lowerLimits sets limits to l for the test.
func lowerLimits(t *testing.T, l compileLimits) {
	old := limits
	limits = l
	t.Cleanup(func() { limits = old })
}

// TestCompileLimits lowers each limit of Compile in turn (the real ones are
// gigabytes): one past it is an error naming the limit, not a panic nor a
// silently truncated table; at the limit Compile succeeds.
func TestCompileLimits(t *testing.T) {
	mk := func(vs ...string) []indicator.Indicator {
		var inds []indicator.Indicator
		for _, v := range vs {
			ty, val, _ := strings.Cut(v, " ")
			tt, err := indicator.ParseType(ty)
			require.NoError(t, err)
			inds = append(inds, indicator.MustNew(tt, val))
		}
		return inds
	}
	big := compileLimits{entries: 100, valueBytes: 1000, valueLen: 100, stringBytes: 1000, indicators: 100, cidrRefs: 100}
	for _, c := range []struct {
		name  string
		set   func(*compileLimits)
		ok    []indicator.Indicator // at the limit
		over  []indicator.Indicator // one past it
		inErr []string
	}{
		{"entries", func(l *compileLimits) { l.entries = 2 },
			mk("domain a.example", "domain b.example", "domain a.example"),
			mk("domain a.example", "domain b.example", "domain c.example"),
			[]string{"indicator 2", "more than 2 distinct indicators", "match.MaxEntries"}},
		{"value bytes", func(l *compileLimits) { l.valueBytes = 20 },
			mk("domain a.example", "domain b.example", "domain a.example"),
			mk("domain a.example", "domain b.example", "ipv4 1.2.3.4"),
			[]string{"indicator 2", "more than 20 bytes in total", "match.MaxValueBytes"}},
		{"value length", func(l *compileLimits) { l.valueLen = 14 },
			mk("domain a.example", "domain 123456.example"),
			mk("domain a.example", "domain 1234567.example"),
			[]string{"indicator 1", "canonical value of 15 bytes", "limit of 14", `"1234567.example"`}},
		{"string bytes, hives twice", func(l *compileLimits) { l.stringBytes = 60 },
			mk(`regkey HKLM\Software\Evil`, `mutex Global\Mtx`), // 18 + 32 (long hive) + 10
			mk(`regkey HKLM\Software\Evil`, `mutex Global\Mtx2`),
			[]string{"indicator 1", "more than 60 bytes", "registry keys with a hive counting twice", "match.MaxStringBytes"}},
		{"indicators", func(l *compileLimits) { l.indicators = 2 },
			mk("domain a.example", "domain a.example"),
			mk("domain a.example", "domain a.example", "domain a.example"),
			[]string{"3 indicators", "limit of 2"}},
		{"cidr lists", func(l *compileLimits) { l.cidrRefs = 3 },
			mk("cidr 10.0.0.0/8", "cidr 10.1.0.0/16"), // lists [/8] and [/16 /8]
			mk("cidr 10.0.0.0/8", "cidr 10.1.0.0/16", "cidr 10.1.2.0/24"),
			[]string{"more than 3 IDs", "10.1.2.0/24"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			l := big
			c.set(&l)
			lowerLimits(t, l)
			m, err := Compile(c.ok, Options{})
			require.NoError(t, err)
			require.Positive(t, m.Len())
			_, err = Compile(c.over, Options{})
			require.Error(t, err)
			for _, s := range c.inErr {
				require.ErrorContains(t, err, s)
			}
		})
	}
}

// TestCompileLimitsFit: each default limit is what the table's
// representation holds, so that no value within it is truncated.
func TestCompileLimitsFit(t *testing.T) {
	l := limits
	// a value's length is entryRec.n; its end, off+n, a uint32
	e := entryRec{n: uint16(l.valueLen)}
	require.Equal(t, l.valueLen, int(e.n))
	require.Equal(t, uint64(math.MaxUint32), uint64(l.valueBytes))
	// the largest ID+1 (entries) stays below the domain table's marker
	// and the URL table's multiKey bit
	require.Less(t, uint64(l.entries), uint64(slotMarker))
	require.Less(t, uint64(l.entries), uint64(multiKey))
	// meta and group indices are uint32
	require.Equal(t, uint64(math.MaxUint32), uint64(l.indicators))
	// a CIDR list's offset is the high half of a uint64
	require.Equal(t, uint64(l.cidrRefs), (uint64(l.cidrRefs)<<32)>>32)
	// the string-kind automaton takes MaxStringBytes, not one more; a
	// value of indicator.MaxValueLen fits
	require.NoError(t, ac.CheckSize(1, l.stringBytes))
	require.Error(t, ac.CheckSize(1, l.stringBytes+1))
	require.Less(t, indicator.MaxValueLen+len("http://"), l.valueLen)
}

// TestWindowsMerged: the validity windows of an entry's records are kept
// as their union, so that the check at match time is a binary search over
// few windows, not a walk over every record (100k records with windows
// that ended made a 21-byte line take 629 µs to match; now 217 ns).
func TestWindowsMerged(t *testing.T) {
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	var inds []indicator.Indicator
	for i := range 100_000 {
		ind := indicator.MustNew(indicator.Domain, "evil.example")
		ind.ID = fmt.Sprint(i)
		ind.ValidFrom = t0.Add(time.Duration(i) * time.Second)
		ind.ValidUntil = ind.ValidFrom.Add(2 * time.Second) // overlapping
		inds = append(inds, ind)
	}
	far := indicator.MustNew(indicator.Domain, "evil.example")
	far.ValidFrom = t0.Add(1000 * time.Hour)
	inds = append(inds, far)
	m, err := Compile(inds, Options{})
	if err != nil {
		t.Fatal(err)
	}
	ws := m.groups[m.ents[0].meta].windows
	want := []window{{t0, t0.Add(100_001 * time.Second)}, {far.ValidFrom, time.Time{}}}
	if len(ws) != 2 || !ws[0].from.Equal(want[0].from) || !ws[0].until.Equal(want[0].until) || !ws[1].from.Equal(want[1].from) || !ws[1].until.IsZero() {
		t.Fatalf("windows %v, want %v", ws, want)
	}
}
