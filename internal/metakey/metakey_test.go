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
	x := NewHasher()
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
		if x.Meta(&m) == x.Meta(&base) {
			t.Errorf("Meta with %s set hashes like the empty Meta", f.Name)
		}
		c := m
		if !MetaEqual(&m, &c) || x.Meta(&m) != x.Meta(&c) {
			t.Errorf("a copy of a Meta with %s set is not equal to it", f.Name)
		}
	}
}

func TestEqualRules(t *testing.T) {
	x := NewHasher()
	utc := time.Date(2024, 1, 1, 12, 0, 0, 5, time.UTC)
	a := indicator.Meta{Source: "s", FirstSeen: utc, Tags: nil}
	b := indicator.Meta{Source: "s", FirstSeen: utc.In(time.FixedZone("X", 3600)), Tags: []string{}}
	if !MetaEqual(&a, &b) || x.Meta(&a) != x.Meta(&b) {
		t.Error("the same instant in another zone, or an empty slice for nil, makes records differ")
	}
	// fields do not run into each other
	c := indicator.Meta{Source: "ab"}
	d := indicator.Meta{Source: "a", ID: "b"}
	e := indicator.Meta{Tags: []string{"a", "b"}}
	f := indicator.Meta{Tags: []string{"ab"}}
	if MetaEqual(&c, &d) || x.Meta(&c) == x.Meta(&d) || MetaEqual(&e, &f) || x.Meta(&e) == x.Meta(&f) {
		t.Error("fields run into each other")
	}
	a1 := indicator.MustNew(indicator.Domain, "evil.example")
	y := indicator.MustNew(indicator.Filename, "evil.example")
	if Equal(&a1, &y) || x.Indicator(&a1) == x.Indicator(&y) {
		t.Error("the type is not compared")
	}
	z := a1
	z.Value = "other.example"
	if Equal(&a1, &z) || x.Indicator(&a1) == x.Indicator(&z) {
		t.Error("the value is not compared")
	}
	w := a1
	if !Equal(&a1, &w) || x.Indicator(&a1) != x.Indicator(&w) {
		t.Error("a copy differs")
	}

	// the memo of shared slices: a slice changed in place, of the same
	// length, is another slice to Equal only by its elements
	tags := []string{"a", "b"}
	m1 := indicator.Meta{Tags: tags}
	h1 := x.Meta(&m1)
	m2 := indicator.Meta{Tags: []string{"a", "b"}}
	if x.Meta(&m2) != h1 || !MetaEqual(&m1, &m2) {
		t.Error("equal tags in another slice differ")
	}
	m3 := indicator.Meta{Tags: tags[:1]}
	if x.Meta(&m3) == h1 || MetaEqual(&m1, &m3) {
		t.Error("a shorter view of the same slice is taken as equal")
	}
}
