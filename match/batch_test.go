package match_test

import (
	"fmt"
	"math/rand/v2"
	"net/netip"
	"strings"
	"testing"

	"github.com/iocmatch/iocmatch/indicator"
	"github.com/iocmatch/iocmatch/match"
)

// batchKeys returns addresses, digests and names of a generated set:
// hits, parents' subdomains, CIDR members, misses, and the odd forms
// (mapped IPv6, zones, upper case, trailing dots, bad digests).
func batchKeysOf(inds []indicator.Indicator, r *rand.Rand) (addrs []netip.Addr, hashes, names []string) {
	for _, ind := range inds {
		switch ind.Type {
		case indicator.IPv4:
			a := netip.MustParseAddr(ind.Value)
			addrs = append(addrs, a, netip.AddrFrom16(a.As16()), a.Next())
		case indicator.CIDR:
			p := netip.MustParsePrefix(ind.Value)
			addrs = append(addrs, p.Addr().Next(), p.Addr().WithZone("eth0"))
		case indicator.SHA256, indicator.MD5:
			hashes = append(hashes, ind.Value, strings.ToUpper(ind.Value), ind.Value[1:]+"0", ind.Value[:len(ind.Value)-1]+"g")
		case indicator.Domain:
			names = append(names, ind.Value, "www."+ind.Value+".", "A.b."+strings.ToUpper(ind.Value), "x"+ind.Value)
		}
	}
	addrs = append(addrs, netip.Addr{}, netip.MustParseAddr("2001:db8::1"), netip.MustParseAddr("192.0.2.1"))
	hashes = append(hashes, "", "00", strings.Repeat("a", 128))
	names = append(names, "", ".", "com", "example.com.", strings.Repeat("a.", 200)+"com")
	for _, s := range [][]string{hashes, names} {
		r.Shuffle(len(s), func(i, j int) { s[i], s[j] = s[j], s[i] })
	}
	r.Shuffle(len(addrs), func(i, j int) { addrs[i], addrs[j] = addrs[j], addrs[i] })
	return addrs, hashes, names
}

// perKey returns what the single-key lookup gives for each key, as
// KeyIDs.
func perKey[K any](keys []K, one func([]match.ID, K) []match.ID) []match.KeyID {
	var out []match.KeyID
	for k, key := range keys {
		for _, id := range one(nil, key) {
			out = append(out, match.KeyID{Key: k, ID: id})
		}
	}
	return out
}

// TestBatchLookups checks that AppendAddrs, AppendHashes and
// AppendDomains give, key by key and in order, what AppendAddr,
// AppendHash and AppendDomain give, on batches of every length around
// the batch size, after what dst held.
func TestBatchLookups(t *testing.T) {
	inds := genIndicators(5000)
	m, err := match.Compile(inds, match.Options{})
	if err != nil {
		t.Fatal(err)
	}
	r := rand.New(rand.NewPCG(3, 4))
	addrs, hashes, names := batchKeysOf(inds, r)
	check := func(kind string, n int, got, want []match.KeyID) {
		t.Helper()
		if len(got) == 0 || got[0] != (match.KeyID{Key: -1, ID: 7}) {
			t.Fatalf("%s: dst's first element lost: %v", kind, got[:min(1, len(got))])
		}
		got = got[1:]
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Fatalf("%s, %d keys: batch\n%v\nper key\n%v", kind, n, got, want)
		}
	}
	seed := []match.KeyID{{Key: -1, ID: 7}}
	hits := 0
	for _, n := range []int{0, 1, 15, 16, 17, 33, len(addrs)} {
		want := perKey(addrs[:n], m.AppendAddr)
		hits += len(want)
		check("addrs", n, m.AppendAddrs(seed[:1:1], addrs[:n]), want)
	}
	for _, n := range []int{0, 1, 16, 17, len(hashes)} {
		want := perKey(hashes[:n], m.AppendHash)
		hits += len(want)
		check("hashes", n, m.AppendHashes(seed[:1:1], hashes[:n]), want)
	}
	for _, n := range []int{0, 1, 16, 17, len(names)} {
		want := perKey(names[:n], m.AppendDomain)
		hits += len(want)
		check("domains", n, m.AppendDomains(seed[:1:1], names[:n]), want)
	}
	if hits < 1000 {
		t.Fatalf("only %d hits in all: the keys do not test much", hits)
	}
	// an empty matcher finds nothing
	empty, err := match.Compile(nil, match.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if got := empty.AppendAddrs(nil, addrs); got != nil {
		t.Errorf("empty matcher: %v", got)
	}
	if got := empty.AppendHashes(nil, hashes); got != nil {
		t.Errorf("empty matcher: %v", got)
	}
	if got := empty.AppendDomains(nil, names); got != nil {
		t.Errorf("empty matcher: %v", got)
	}
}

// TestBatchLookupsAllocs: misses, and hits into a dst with room, do not
// allocate.
func TestBatchLookupsAllocs(t *testing.T) {
	inds := genIndicators(2000)
	m, err := match.Compile(inds, match.Options{})
	if err != nil {
		t.Fatal(err)
	}
	addrs, hashes, names := batchKeysOf(inds, rand.New(rand.NewPCG(5, 6)))
	dst := make([]match.KeyID, 0, 4*len(addrs)+4*len(names)+len(hashes))
	for name, f := range map[string]func(){
		"addrs":   func() { dst = m.AppendAddrs(dst[:0], addrs) },
		"hashes":  func() { dst = m.AppendHashes(dst[:0], hashes) },
		"domains": func() { dst = m.AppendDomains(dst[:0], names) },
	} {
		if n := testing.AllocsPerRun(20, f); n != 0 {
			t.Errorf("%s: %v allocations per batch", name, n)
		}
	}
}
