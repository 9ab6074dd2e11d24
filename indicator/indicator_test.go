package indicator

import (
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestIndicatorString(t *testing.T) {
	assert.Equal(t, "domain:evil.example", MustNew(Domain, "Evil.Example").String())
	assert.Equal(t, "invalid:", Indicator{}.String())
}

func TestConfidence(t *testing.T) {
	var zero Confidence
	assert.Equal(t, ConfidenceUnknown, zero)
	assert.False(t, zero.Known())
	assert.Equal(t, -1, zero.Value())
	assert.Equal(t, "unknown", zero.String())

	for _, v := range []int{0, 1, 50, 99, 100} {
		c, err := NewConfidence(v)
		require.NoError(t, err, v)
		assert.True(t, c.Known(), v)
		assert.Equal(t, v, c.Value(), v)
		assert.Equal(t, fmt.Sprint(v), c.String())
		assert.Equal(t, c, MustConfidence(v))
	}
	// 0 is a known confidence, distinct from unknown
	assert.NotEqual(t, ConfidenceUnknown, MustConfidence(0))
	// ordering follows the value
	assert.Less(t, MustConfidence(10), MustConfidence(90))

	for _, v := range []int{-1, -100, 101, 255, 256, 1 << 20} {
		c, err := NewConfidence(v)
		if assert.Error(t, err, v) {
			assert.Contains(t, err.Error(), fmt.Sprint(v))
		}
		assert.Equal(t, ConfidenceUnknown, c)
		assert.Panics(t, func() { MustConfidence(v) })
	}
}

func TestSeverity(t *testing.T) {
	assert.Equal(t, SeverityUnknown, Severity(0))
	names := []string{"unknown", "info", "low", "medium", "high", "critical"}
	for i, n := range names {
		assert.Equal(t, n, Severity(i).String())
	}
	assert.Equal(t, "Severity(6)", Severity(6).String())
	assert.Less(t, SeverityInfo, SeverityLow)
	assert.Less(t, SeverityLow, SeverityMedium)
	assert.Less(t, SeverityMedium, SeverityHigh)
	assert.Less(t, SeverityHigh, SeverityCritical)

	tests := []struct {
		in   string
		want Severity
	}{
		{"", SeverityUnknown}, {"unknown", SeverityUnknown}, {"  ", SeverityUnknown},
		{"info", SeverityInfo}, {"Informational", SeverityInfo},
		{"low", SeverityLow}, {"LOW", SeverityLow},
		{"medium", SeverityMedium}, {"Moderate", SeverityMedium},
		{"high", SeverityHigh}, {"severe", SeverityHigh}, {" High ", SeverityHigh},
		{"critical", SeverityCritical}, {"CRITICAL", SeverityCritical},
	}
	for _, tt := range tests {
		got, err := ParseSeverity(tt.in)
		require.NoError(t, err, tt.in)
		assert.Equal(t, tt.want, got, tt.in)
	}
	for _, in := range []string{"urgent", "5", "hi", "med", "Severity(6)", "critical!"} {
		got, err := ParseSeverity(in)
		if assert.Error(t, err, in) {
			assert.Contains(t, err.Error(), fmt.Sprintf("%q", in))
		}
		assert.Equal(t, SeverityUnknown, got)
	}
}

func TestParseTLP(t *testing.T) {
	tests := []struct {
		in   string
		want TLP
	}{
		{"", TLPUnknown}, {"  ", TLPUnknown}, {"TLP:", TLPUnknown},
		{"TLP:WHITE", TLPClear}, {"white", TLPClear}, {"clear", TLPClear}, {"TLP:CLEAR", TLPClear},
		{"TLP:GREEN", TLPGreen}, {"green", TLPGreen}, {"Green", TLPGreen},
		{"tlp:amber", TLPAmber}, {"AMBER", TLPAmber},
		{"tlp:amber+strict", TLPAmberStrict}, {"TLP:AMBER+STRICT", TLPAmberStrict}, {"amber+strict", TLPAmberStrict},
		{"TLP:RED", TLPRed}, {" red ", TLPRed}, {"TLP: RED", TLPRed},
	}
	for _, tt := range tests {
		got, err := ParseTLP(tt.in)
		require.NoError(t, err, tt.in)
		assert.Equal(t, tt.want, got, tt.in)
	}
	assert.Equal(t, TLP("clear"), TLPClear)
	assert.Equal(t, TLP("amber+strict"), TLPAmberStrict)
	for _, in := range []string{"purple", "TLP:PURPLE", "amber strict", "amber-strict", "tlp", "TLP:TLP:RED", "rouge"} {
		got, err := ParseTLP(in)
		if assert.Error(t, err, in) {
			assert.Contains(t, err.Error(), fmt.Sprintf("%q", in))
		}
		assert.Equal(t, TLPUnknown, got)
	}
}

func TestMetaValidAt(t *testing.T) {
	t0 := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	t1 := time.Date(2024, 6, 1, 0, 0, 0, 0, time.UTC)
	ns := time.Nanosecond
	tests := []struct {
		name string
		m    Meta
		at   time.Time
		want bool
	}{
		{"open", Meta{}, t0, true},
		{"open zero time", Meta{}, time.Time{}, true},
		{"from: before", Meta{ValidFrom: t0}, t0.Add(-ns), false},
		{"from: at (inclusive)", Meta{ValidFrom: t0}, t0, true},
		{"from: after", Meta{ValidFrom: t0}, t1, true},
		{"until: before", Meta{ValidUntil: t1}, t1.Add(-ns), true},
		{"until: at (exclusive)", Meta{ValidUntil: t1}, t1, false},
		{"until: after", Meta{ValidUntil: t1}, t1.Add(ns), false},
		{"both: before", Meta{ValidFrom: t0, ValidUntil: t1}, t0.Add(-ns), false},
		{"both: from", Meta{ValidFrom: t0, ValidUntil: t1}, t0, true},
		{"both: inside", Meta{ValidFrom: t0, ValidUntil: t1}, t0.Add(time.Hour), true},
		{"both: until", Meta{ValidFrom: t0, ValidUntil: t1}, t1, false},
		{"empty range", Meta{ValidFrom: t0, ValidUntil: t0}, t0, false},
		{"other zone", Meta{ValidUntil: t1}, t1.In(time.FixedZone("x", 3600)), false},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, tt.m.ValidAt(tt.at), tt.name)
	}
}
