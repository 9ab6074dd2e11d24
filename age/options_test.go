package age

import (
	"maps"
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
