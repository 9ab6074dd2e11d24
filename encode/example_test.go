package encode_test

import (
	"fmt"
	"time"

	"github.com/iocmatch/iocmatch/encode"
	"github.com/iocmatch/iocmatch/indicator"
	"github.com/iocmatch/iocmatch/match"
)

func exampleMatcher() *match.Matcher {
	m, err := match.Compile([]indicator.Indicator{
		{Type: indicator.Domain, Value: "evil.example", Meta: indicator.Meta{Source: "feedA",
			Confidence: indicator.MustConfidence(80), TLP: indicator.TLPAmber, Tags: []string{"c2"},
			MalwareFamily: "Emotet", FirstSeen: time.Date(2024, 5, 1, 0, 0, 0, 0, time.UTC)}},
		{Type: indicator.Domain, Value: "evil.example", Meta: indicator.Meta{Source: "feedB"}},
	}, match.Options{})
	if err != nil {
		panic(err)
	}
	return m
}

func ExampleEncoder_AppendJSON() {
	m := exampleMatcher()
	enc := encode.NewEncoder(m, encode.Options{})
	line := []byte("GET http://www.EVIL.example/x")
	var buf []byte
	for _, x := range m.AppendMatches(nil, line) {
		buf = enc.AppendJSON(buf[:0], encode.Line{File: "proxy.log", Number: 12, Offset: 3120, Text: line}, x)
		fmt.Println(string(buf))
	}
	// Output:
	// {"file":"proxy.log","line":12,"offset":3120,"start":11,"end":27,"type":"domain","indicator":"evil.example","matched":"www.EVIL.example","sources":["feedA","feedB"],"confidence":"high","tlp":"amber","records":[{"source":"feedA","confidence":"high","tlp":"amber","tags":["c2"],"malware_family":"Emotet","first_seen":"2024-05-01T00:00:00Z"}]}
}

func ExampleEncoder_AppendECS() {
	m := exampleMatcher()
	clock := func() time.Time { return time.Date(2024, 6, 1, 12, 0, 0, 0, time.UTC) }
	enc := encode.NewEncoder(m, encode.Options{Now: clock})
	line := []byte("GET http://www.EVIL.example/x")
	xs := m.AppendMatches(nil, line)
	fmt.Println(string(enc.AppendECS(nil, encode.Line{File: "/var/log/proxy.log", Number: 12, Offset: 3120, Text: line}, xs)))
	// Output:
	// {"@timestamp":"2024-06-01T12:00:00Z","event":{"kind":"alert","category":["threat"],"type":["indicator"],"original":"GET http://www.EVIL.example/x"},"log":{"file":{"path":"/var/log/proxy.log"},"offset":3120},"threat":{"enrichments":[{"indicator":{"type":"domain-name","url":{"domain":"evil.example"},"name":"evil.example","provider":["feedA","feedB"],"confidence":"High","marking":{"tlp":"AMBER"},"first_seen":"2024-05-01T00:00:00Z"},"matched":{"atomic":"evil.example","field":"message","type":"indicator_match_rule","occurred":"2024-06-01T12:00:00Z"},"iocmatch":{"type":"domain","start":11,"end":27,"text":"www.EVIL.example","tags":["c2"]}}],"software":{"name":["Emotet"]}}}
}

func ExampleECSType() {
	fmt.Println(encode.ECSType(indicator.CIDR, "2001:db8::/32"), encode.ECSType(indicator.SHA256, ""), encode.ECSType(indicator.String, "x") == "")
	// Output:
	// ipv6-addr file true
}

func ExampleConfidenceLevel() {
	fmt.Println(encode.ConfidenceLevel(indicator.MustConfidence(85)), encode.ConfidenceLevel(indicator.ConfidenceUnknown))
	// Output:
	// High Not Specified
}

// The package-level functions need no Encoder and are safe for concurrent
// use; they compute the entry's parts on each call.
func ExampleAppendJSON() {
	m, _ := match.Compile([]indicator.Indicator{indicator.MustNew(indicator.IPv4, "198.51.100.7")}, match.Options{})
	line := []byte("DROP SRC=198.51.100.7")
	for _, x := range m.AppendMatches(nil, line) {
		fmt.Println(string(encode.AppendJSON(nil, m, encode.Line{File: "fw.log", Number: 1, Offset: -1, Text: line}, x)))
	}
	// Output:
	// {"file":"fw.log","line":1,"start":9,"end":21,"type":"ipv4","indicator":"198.51.100.7","matched":"198.51.100.7","sources":[]}
}
