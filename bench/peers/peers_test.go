package peers_test

import (
	"context"
	"net"
	"net/netip"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/iocmatch/iocmatch/bench/peers"
	"github.com/iocmatch/iocmatch/bench/workload"
	"github.com/iocmatch/iocmatch/indicator"
)

func TestNaiveFindsNetworkHits(t *testing.T) {
	inds := workload.Indicators(5000, 1)
	n := peers.NewNaive(inds)
	// the naive engine knows addresses, domains, URLs and hashes but not
	// the string kinds: compare on lines that carry the former only.
	net := workload.Of(inds, indicator.IPv4, indicator.CIDR, indicator.Domain, indicator.URL, indicator.SHA256, indicator.MD5)
	for _, f := range workload.Formats() {
		log := workload.Generate(f, 1000, 0.3, net, 2)
		for i, l := range log.Lines {
			if got := n.Count(l); (got > 0) != log.Hit[i] {
				t.Errorf("%v line %d (hit=%v): naive count %d: %s", f, i, log.Hit[i], got, l)
			}
		}
	}
}

func TestAhoCorasick(t *testing.T) {
	doms := workload.Domains(1000, 1)
	ac := peers.NewAhoCorasick(workload.Values(doms))
	log := workload.Generate(workload.DNS, 500, 0.2, doms, 2)
	for i, l := range log.Lines {
		if got := ac.Count(l); (got > 0) != log.Hit[i] || ac.Contains(l) != log.Hit[i] {
			t.Errorf("line %d (hit=%v): count %d: %s", i, log.Hit[i], got, l)
		}
	}
}

func TestCIDRRanger(t *testing.T) {
	inds := workload.Indicators(5000, 1)
	r, err := peers.NewCIDRRanger(inds)
	if err != nil {
		t.Fatal(err)
	}
	if r.Len() == 0 {
		t.Fatal("no prefixes")
	}
	for _, ind := range workload.Of(inds, indicator.IPv4) {
		a := netip.MustParseAddr(ind.Value)
		if !r.Contains(net.IP(a.AsSlice())) {
			t.Fatalf("%s not found", a)
		}
	}
	if r.Contains(net.IP{192, 0, 2, 1}) {
		t.Fatal("192.0.2.1 found")
	}
}

func TestTools(t *testing.T) {
	dir := t.TempDir()
	pat := filepath.Join(dir, "p.txt")
	in := filepath.Join(dir, "in.log")
	os.WriteFile(pat, []byte("evil.example\nbad.test\n"), 0o644)
	os.WriteFile(in, []byte("a\nx evil.example y\nz\nbad.test\n"), 0o644)
	for _, mk := range []func() (peers.Tool, error){peers.Grep, peers.Ripgrep} {
		tool, err := mk()
		if err != nil {
			t.Log(err)
			continue
		}
		r, err := tool.Run(context.Background(), pat, in, time.Minute)
		if err != nil {
			t.Fatal(err)
		}
		if n, _ := strconv.Atoi(r.Output); n != 2 || r.MaxRSS <= 0 {
			t.Errorf("%s: output %q, rss %d", tool.Name, r.Output, r.MaxRSS)
		}
		empty := filepath.Join(dir, "empty")
		os.WriteFile(empty, nil, 0o644)
		if r, err := tool.Run(context.Background(), pat, empty, time.Minute); err != nil || (r.Output != "0" && r.Output != "") {
			t.Errorf("%s on empty input: %q, %v", tool.Name, r.Output, err)
		}
	}
}

func TestToolTimeout(t *testing.T) {
	r, err := peers.RunProcess(mustDeadline(t, 100*time.Millisecond), "sleep", []string{"5"}, nil)
	if err != nil || !r.TimedOut {
		t.Fatalf("got %+v, %v", r, err)
	}
}

func mustDeadline(t *testing.T, d time.Duration) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), d)
	t.Cleanup(cancel)
	return ctx
}

func TestMain(m *testing.M) {
	peers.EnableRusageHelper()
	os.Exit(m.Run())
}

func TestRusageHelper(t *testing.T) {
	// a process that allocates ~64 MB reports at least that, and a tiny
	// one much less, whatever this test binary holds
	hold := make([]byte, 256<<20)
	for i := range hold {
		hold[i] = 1
	}
	small, err := peers.RunProcess(context.Background(), "true", nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	if small.MaxRSS <= 0 || small.MaxRSS > 64<<20 {
		t.Errorf("true: max RSS %d", small.MaxRSS)
	}
	_ = hold[len(hold)-1]
}

func TestRunProcessCPU(t *testing.T) {
	// a shell loop that counts to 200,000 (no forks: ~0.2-0.5 s of CPU)
	// reports a good part of its wall time as CPU, and sleep 0.2 almost
	// none: the child's own CPU time, not the wall clock
	if _, err := os.Stat("/bin/sh"); err != nil {
		t.Skip("no /bin/sh")
	}
	busy, err := peers.RunProcess(context.Background(), "/bin/sh", []string{"-c", "i=0; while [ $i -lt 200000 ]; do i=$((i+1)); done"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	idle, err := peers.RunProcess(context.Background(), "sleep", []string{"0.2"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if busy.CPU < 50*time.Millisecond || busy.CPU > busy.Wall+50*time.Millisecond {
		t.Errorf("busy loop: CPU %v, wall %v", busy.CPU, busy.Wall)
	}
	if idle.CPU > 50*time.Millisecond || idle.Wall < 200*time.Millisecond {
		t.Errorf("sleep 0.2: CPU %v, wall %v", idle.CPU, idle.Wall)
	}
}
