package age

import (
	"maps"
	"reflect"
	"testing"
	"time"

	"github.com/iocmatch/iocmatch/indicator"
)

// TestSetMaxAgeDecay: the -max-age / max_age and -decay / decay settings
// over the defaults, as every host applies them.
func TestSetMaxAgeDecay(t *testing.T) {
	var o Options
	if err := o.SetMaxAge(""); err != nil || !maps.Equal(o.MaxAge, DefaultMaxAge()) {
		t.Fatalf(`SetMaxAge(""): %v, %v: want the defaults`, o.MaxAge, err)
	}
	if err := o.SetMaxAge("ip=7d,hash=off"); err != nil {
		t.Fatal(err)
	}
	want := DefaultMaxAge()
	for _, ty := range []indicator.Type{indicator.IPv4, indicator.IPv6, indicator.CIDR} {
		want[ty] = 7 * 24 * time.Hour
	}
	for _, ty := range []indicator.Type{indicator.MD5, indicator.SHA1, indicator.SHA256, indicator.SHA512} {
		delete(want, ty)
	}
	if !maps.Equal(o.MaxAge, want) {
		t.Errorf("ip=7d,hash=off: %v, want %v", o.MaxAge, want)
	}
	for _, off := range []string{"off", " None "} {
		if err := o.SetMaxAge(off); err != nil || o.MaxAge != nil {
			t.Errorf("SetMaxAge(%q): %v, %v: want none", off, o.MaxAge, err)
		}
	}
	if err := o.SetMaxAge("ipv4"); err == nil {
		t.Error(`SetMaxAge("ipv4"): no error`)
	}
	var d Options
	if err := d.SetDecay(""); err != nil || d.Model != nil || d.TypeModels != nil {
		t.Errorf(`SetDecay(""): %v, %v`, d, err)
	}
	if err := d.SetDecay("NIDS Simple"); err != nil || d.TypeModels[indicator.Domain].Name != "NIDS Simple Decaying Model" || d.TypeModels[indicator.SHA256].Name != "" {
		t.Errorf(`SetDecay("NIDS Simple"): %v, %v`, d.TypeModels, err)
	}
	for _, bad := range []string{"no such model", "vishing"} {
		if err := d.SetDecay(bad); err == nil {
			t.Errorf("SetDecay(%q): no error", bad)
		}
	}
}

// TestReportAdd: the reports of a build's batches add up, per source too,
// and the examples stop at the cap.
func TestReportAdd(t *testing.T) {
	now := time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)
	a := Report{Input: 3, Kept: 1, Expired: 1, Decayed: 1, Undated: 1, PerSource: map[string]SourceReport{"f": {Input: 3, Kept: 1, Expired: 1, Decayed: 1, Undated: 1}},
		ExpiredExamples: []string{"e1", "e2"}}
	b := Report{Now: now, Input: 2, Kept: 2, Limited: 2, PerSource: map[string]SourceReport{"f": {Input: 1, Kept: 1, Limited: 1}, "g": {Input: 1, Kept: 1, Limited: 1}},
		ExpiredExamples: []string{"e3", "e4"}, DecayedExamples: []string{"d1"}}
	var sum Report
	sum.Add(&a, 3)
	sum.Add(&b, 3)
	want := Report{Now: now, Input: 5, Kept: 3, Expired: 1, Decayed: 1, Undated: 1, Limited: 2,
		PerSource:       map[string]SourceReport{"f": {Input: 4, Kept: 2, Expired: 1, Decayed: 1, Undated: 1, Limited: 1}, "g": {Input: 1, Kept: 1, Limited: 1}},
		ExpiredExamples: []string{"e1", "e2", "e3"}, DecayedExamples: []string{"d1"}}
	if !reflect.DeepEqual(sum, want) {
		t.Errorf("sum\n%+v, want\n%+v", sum, want)
	}
}
