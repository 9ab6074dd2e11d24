package metakey

import (
	"reflect"
	"testing"
	"time"

	"github.com/iocmatch/iocmatch/indicator"
)

// TestEveryField sets each field of indicator.Meta in turn: each one makes
// the records differ, for MetaEqual and for the hash, so that no metadata
// is ever lost by merging, even when Meta gains a field.
func TestEveryField(t *testing.T) {
	seed := Seed()
	base := indicator.Meta{}
	mt := reflect.TypeOf(base)
	for i := 0; i < mt.NumField(); i++ {
		f := mt.Field(i)
		var m indicator.Meta
		v := reflect.ValueOf(&m).Elem().Field(i)
		switch v.Kind() {
		case reflect.String:
			v.SetString("x")
		case reflect.Uint8:
			v.SetUint(1)
		case reflect.Slice:
			v.Set(reflect.ValueOf([]string{"x"}))
		case reflect.Struct:
			if f.Type != reflect.TypeOf(time.Time{}) {
				t.Fatalf("field %s: unexpected type %v", f.Name, f.Type)
			}
			v.Set(reflect.ValueOf(time.Unix(1, 0)))
		default:
			t.Fatalf("field %s: kind %v not covered by this test", f.Name, v.Kind())
		}
		if MetaEqual(&m, &base) || MetaEqual(&base, &m) {
			t.Errorf("Meta with %s set is equal to the empty Meta", f.Name)
		}
		if Meta(seed, &m) == Meta(seed, &base) {
			t.Errorf("Meta with %s set hashes like the empty Meta", f.Name)
		}
		c := m
		if !MetaEqual(&m, &c) || Meta(seed, &m) != Meta(seed, &c) {
			t.Errorf("a copy of a Meta with %s set is not equal to it", f.Name)
		}
	}
}

func TestEqualRules(t *testing.T) {
	seed := Seed()
	utc := time.Date(2024, 1, 1, 12, 0, 0, 5, time.UTC)
	a := indicator.Meta{Source: "s", FirstSeen: utc, Tags: nil}
	b := indicator.Meta{Source: "s", FirstSeen: utc.In(time.FixedZone("X", 3600)), Tags: []string{}}
	if !MetaEqual(&a, &b) || Meta(seed, &a) != Meta(seed, &b) {
		t.Error("the same instant in another zone, or an empty slice for nil, makes records differ")
	}
	// fields do not run into each other
	c := indicator.Meta{Source: "ab"}
	d := indicator.Meta{Source: "a", ID: "b"}
	e := indicator.Meta{Tags: []string{"a", "b"}}
	f := indicator.Meta{Tags: []string{"ab"}}
	if MetaEqual(&c, &d) || Meta(seed, &c) == Meta(seed, &d) || MetaEqual(&e, &f) || Meta(seed, &e) == Meta(seed, &f) {
		t.Error("fields run into each other")
	}
	x := indicator.MustNew(indicator.Domain, "evil.example")
	y := indicator.MustNew(indicator.Filename, "evil.example")
	if Equal(&x, &y) || Indicator(seed, &x) == Indicator(seed, &y) {
		t.Error("the type is not compared")
	}
	z := x
	z.Value = "other.example"
	if Equal(&x, &z) || Indicator(seed, &x) == Indicator(seed, &z) {
		t.Error("the value is not compared")
	}
	w := x
	if !Equal(&x, &w) || Indicator(seed, &x) != Indicator(seed, &w) {
		t.Error("a copy differs")
	}
}
