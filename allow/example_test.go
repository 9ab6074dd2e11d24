package allow_test

import (
	"fmt"
	"strings"

	"github.com/iocmatch/iocmatch/allow"
	"github.com/iocmatch/iocmatch/indicator"
	"github.com/iocmatch/iocmatch/loader"
)

func Example() {
	// A warninglist as MISP ships it (here inline), and three indicators.
	res, err := loader.ReadWarninglist(strings.NewReader(`{"name": "Public DNS resolvers",
		"type": "cidr", "matching_attributes": ["ip-src", "ip-dst"], "list": ["8.8.8.8/32"]}`),
		"lists/public-dns-v4/list.json", loader.Options{})
	if err != nil {
		panic(err)
	}
	inds := []indicator.Indicator{
		indicator.MustNew(indicator.CIDR, "10.0.0.0/8"),
		indicator.MustNew(indicator.IPv4, "8.8.8.8"),
		indicator.MustNew(indicator.IPv4, "185.220.101.7"),
	}
	for i := range inds {
		inds[i].Source = "firehol"
	}
	p, err := allow.New(allow.Options{Warninglists: res.Warninglists})
	if err != nil {
		panic(err)
	}
	kept, rep := p.Apply(inds)
	for _, ind := range kept {
		fmt.Println(ind, ind.Tags)
	}
	for _, l := range rep.Lists {
		fmt.Printf("%s (%s): %d suppressed, %d annotated %v\n", l.ID, l.Action, l.Suppressed, l.Annotated, l.Examples)
	}
	// Output:
	// ipv4:8.8.8.8 [warninglist:public-dns-v4]
	// ipv4:185.220.101.7 []
	// reserved (suppress): 1 suppressed, 0 annotated [cidr:10.0.0.0/8 (firehol) in 10.0.0.0/8 private use (RFC 1918)]
	// public-dns-v4 (annotate): 0 suppressed, 1 annotated [ipv4:8.8.8.8 (firehol)]
}
