package loader_test

import (
	"fmt"
	"strings"

	"github.com/iocmatch/iocmatch/loader"
)

func ExampleReadOTX() {
	// a pulse as /api/v1/pulses/{id} gives it: its metadata may come
	// after its indicators
	const pulse = `{
  "id": "65a1b2c3d4e5f60718293a4b",
  "name": "Example Loader campaign",
  "indicators": [
    {"id": 4001, "indicator": "198.51.100.23", "type": "IPv4", "created": "2024-05-01T08:30:05", "expiration": "2024-06-01T00:00:00", "is_active": 1, "role": "command_and_control"},
    {"id": 4002, "indicator": "hxxps://cdn.loader[.]example/p.bin", "type": "URL", "created": "2024-05-01T08:30:05", "expiration": null, "is_active": 1},
    {"id": 4003, "indicator": "/gate.php", "type": "URI", "is_active": 1},
    {"id": 4004, "indicator": "198.51.100.99", "type": "IPv4", "is_active": 0}
  ],
  "author_name": "ExampleCERT",
  "created": "2024-05-01T08:30:00.000000",
  "modified": "2024-05-03T10:00:00.000000",
  "TLP": "amber",
  "adversary": "Example Spider",
  "tags": ["loader"],
  "malware_families": [{"id": "Example Loader", "display_name": "Example Loader"}],
  "attack_ids": [{"id": "T1071.001", "display_name": "T1071.001 - Web Protocols"}],
  "references": ["https://blog.example/example-loader"]
}`
	res, err := loader.ReadOTX(strings.NewReader(pulse), "otx/pulse.json", loader.Options{})
	if err != nil {
		panic(err)
	}
	for _, ind := range res.Indicators {
		fmt.Printf("%-5s %s %v", ind.Type, ind.Value, ind.Tags)
		if !ind.ValidUntil.IsZero() {
			fmt.Printf(" until %s", ind.ValidUntil.Format("2006-01-02"))
		}
		fmt.Println()
	}
	d := res.Indicators[0]
	fmt.Println(d.Source, "|", d.Description, "|", d.TLP, d.ThreatActor, "|", d.MalwareFamily, d.Techniques, d.Reference)
	fmt.Println(d.FirstSeen.Format("2006-01-02 15:04"), d.LastSeen.Format("2006-01-02 15:04"))
	fmt.Println(res.Unsupported)
	// Output:
	// ipv4  198.51.100.23 [loader Example Loader role:command_and_control] until 2024-06-01
	// url   https://cdn.loader.example/p.bin [loader Example Loader]
	// ExampleCERT | Example Loader campaign | amber Example Spider | Example Loader [T1071.001] https://blog.example/example-loader
	// 2024-05-01 08:30 2024-05-03 10:00
	// map[otx URI:1 otx inactive:1]
}
