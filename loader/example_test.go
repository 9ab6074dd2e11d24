package loader_test

import (
	"fmt"
	"strings"

	"github.com/iocmatch/iocmatch/loader"
)

func ExampleReadList() {
	const list = `# C2 infrastructure, 2024-05-01
evil[.]example          # defanged
hxxps://cdn.bad.example/payload.bin
198.51.100.7	12
mail..evil.example

# type: mutex
Global\MsWinZonesCacheCounterMutexA
`
	res, err := loader.ReadList(strings.NewReader(list), "feeds/c2.txt", loader.Options{})
	if err != nil {
		panic(err)
	}
	for _, ind := range res.Indicators {
		fmt.Printf("%-9s %-45s %s\n", ind.Type, ind.Value, ind.Source)
	}
	for _, p := range res.Problems {
		fmt.Println(p.Error())
	}
	fmt.Println(res.Skipped)
	// Output:
	// domain    evil.example                                  c2
	// url       https://cdn.bad.example/payload.bin           c2
	// ipv4      198.51.100.7                                  c2
	// mutex     Global\MsWinZonesCacheCounterMutexA           c2
	// feeds/c2.txt:5: indicator: "mail..evil.example": cannot infer the indicator type (not an address, CIDR, domain with a known TLD, URL, email or hash)
	// map[cannot infer type:1]
}

func ExampleLoad() {
	res, err := loader.Load("../testdata/lists/hashes.txt", loader.Options{Source: "sandbox"})
	if err != nil {
		panic(err)
	}
	fmt.Println(res.Files, len(res.Indicators), res.SkippedTotal())
	fmt.Println(res.Indicators[1].Type, res.Indicators[1].Value, res.Indicators[1].Source)
	// Output:
	// 1 7 1
	// md5 44d88612fea8a8f36de82e1278abb02f sandbox
}
