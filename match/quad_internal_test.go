package match

import (
	"math/rand/v2"
	"testing"

	"github.com/iocmatch/iocmatch/internal/canon"
)

// TestParseQuad: parseQuad agrees with canon.ParseIPv4 on every short
// string over digits and dots, and on random strings of quad shape.
func TestParseQuad(t *testing.T) {
	check := func(b []byte) {
		ip, ok := parseQuad(b)
		wip, wok := canon.ParseIPv4(b)
		if ok != wok || ok && ip != wip {
			t.Fatalf("parseQuad(%q) = %v %v, ParseIPv4 %v %v", b, ip, ok, wip, wok)
		}
	}
	alphabet := []byte("0125.9a")
	var rec func(b []byte)
	rec = func(b []byte) {
		check(b)
		if len(b) < 8 {
			for _, c := range alphabet {
				rec(append(b, c))
			}
		}
	}
	rec(nil)
	r := rand.New(rand.NewPCG(11, 12))
	for range 200000 {
		b := make([]byte, 0, 20)
		for k := range 3 + r.IntN(3) {
			if k > 0 {
				b = append(b, '.')
			}
			for range r.IntN(5) {
				b = append(b, "0123456789"[r.IntN(10)])
			}
		}
		if r.IntN(4) == 0 && len(b) > 0 {
			b[r.IntN(len(b))] = "x.:0/"[r.IntN(5)]
		}
		check(b)
	}
}
