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

func ExampleLoadAll() {
	res, err := loader.LoadAll([]string{"../testdata/lists/hashes.txt", "../testdata/feeds/misp"}, loader.Options{
		Exclude: []string{"warninglists", "search-export.json"}, // a directory, a base name
	})
	if err != nil {
		panic(err)
	}
	for _, f := range res.PerFile {
		fmt.Println(f.Path, f.Format, f.Indicators)
	}
	for _, s := range res.SkippedFiles {
		fmt.Println(s)
	}
	for _, ind := range res.Indicators {
		if ind.FileName != "" { // a MISP filename|sha256: the hash, its file name
			fmt.Println(ind.Type, ind.FileName, ind.File)
		}
	}
	// Output:
	// ../testdata/lists/hashes.txt list 7
	// ../testdata/feeds/misp/event.json misp 14
	// ../testdata/feeds/misp/feed/5f0c8a9e-1d2b-4c3d-9e4f-a1b2c3d4e5f6.json misp 2
	// ../testdata/feeds/misp/feed/6a1d9bf0-2e3c-4d4e-8f50-b2c3d4e5f6a7.json misp 2
	// ../testdata/feeds/misp/feed/manifest.json misp-manifest 0
	// ../testdata/feeds/misp/search-export.json: skipped: excluded (Options.Exclude)
	// ../testdata/feeds/misp/warninglists: skipped: excluded (Options.Exclude)
	// sha256 invoice.pdf.exe ../testdata/feeds/misp/event.json
	// md5 stealer.exe ../testdata/feeds/misp/feed/6a1d9bf0-2e3c-4d4e-8f50-b2c3d4e5f6a7.json
}

func ExampleIsDocumentation() {
	for _, name := range []string{"README.md", "SOURCES", "turla__README.adoc", "LICENSE", "c2.txt", "ips.csv.gz"} {
		fmt.Println(name, loader.IsDocumentation(name))
	}
	// Output:
	// README.md true
	// SOURCES true
	// turla__README.adoc true
	// LICENSE true
	// c2.txt false
	// ips.csv.gz false
}

func ExampleReadRecordedFuture() {
	const riskList = `"Name","Risk","RiskString","EvidenceDetails"
"198.51.100.7","89","2/64","{""EvidenceDetails"": [{""Rule"": ""Historical Spam Source"", ""CriticalityLabel"": ""Unusual"", ""EvidenceString"": ""1 sighting on 1 source: Spamhaus."", ""Timestamp"": ""2024-01-02T00:00:00.000Z"", ""Criticality"": 1.0}, {""Rule"": ""Current C&C Server"", ""CriticalityLabel"": ""Very Malicious"", ""EvidenceString"": ""1 sighting on 1 source: Recorded Future Command & Control List."", ""Timestamp"": ""2024-03-04T05:06:07.000Z"", ""Criticality"": 4.0}]}"
"evil.example","65","1/1","{a jason somethingoranother}"
`
	res, err := loader.ReadRecordedFuture(strings.NewReader(riskList), "feeds/rf_ip_risklist.csv", loader.Options{})
	if err != nil {
		panic(err)
	}
	for _, ind := range res.Indicators {
		fmt.Printf("%s confidence %v severity %v last seen %s\n  tags %q\n  %s\n",
			ind, ind.Confidence, ind.Severity, ind.LastSeen.Format("2006-01-02"), ind.Tags, ind.Description)
	}
	fmt.Println(res.Unsupported)
	// Output:
	// ipv4:198.51.100.7 confidence 89 severity critical last seen 2024-03-04
	//   tags ["Historical Spam Source" "Current C&C Server" "Unusual" "Very Malicious"]
	//   Current C&C Server: 1 sighting on 1 source: Recorded Future Command & Control List.
	// domain:evil.example confidence 65 severity unknown last seen 0001-01-01
	//   tags []
	//   evidence not read: not JSON
	// map[recordedfuture evidence: not JSON:1]
}
