package encode_test

import (
	"fmt"
	"time"

	"github.com/iocmatch/iocmatch/age"
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

// A host that has events of its own (a Benthos message, a log record)
// adds only the enrichments, naming the field that matched.
func ExampleEncoder_AppendEnrichments() {
	m := exampleMatcher()
	clock := func() time.Time { return time.Date(2024, 6, 1, 12, 0, 0, 0, time.UTC) }
	enc := encode.NewEncoder(m, encode.Options{Now: clock})
	url := []byte("http://www.EVIL.example/x")
	xs := m.AppendMatches(nil, url)
	texts := [][]byte{url[xs[0].Start:xs[0].End]}
	fmt.Println(string(enc.AppendEnrichments(nil, xs, texts, "url.original")))
	// Output:
	// [{"indicator":{"type":"domain-name","url":{"domain":"evil.example"},"name":"evil.example","provider":["feedA","feedB"],"confidence":"High","marking":{"tlp":"AMBER"},"first_seen":"2024-05-01T00:00:00Z"},"matched":{"atomic":"evil.example","field":"url.original","type":"indicator_match_rule","occurred":"2024-06-01T12:00:00Z"},"iocmatch":{"type":"domain","start":7,"end":23,"text":"www.EVIL.example","tags":["c2"]}}]
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

func ExampleAppendECS() {
	m, _ := match.Compile([]indicator.Indicator{{Type: indicator.SHA256,
		Value: "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
		Meta:  indicator.Meta{Source: "misp", TLP: indicator.TLPAmberStrict}}}, match.Options{})
	line := []byte("hash=E3B0C44298FC1C149AFBF4C8996FB92427AE41E4649B934CA495991B7852B855")
	now := time.Date(2024, 6, 1, 12, 0, 0, 0, time.UTC)
	fmt.Println(string(encode.AppendECS(nil, m, encode.Line{File: "edr.log", Number: 1, Offset: -1, Text: line}, m.AppendMatches(nil, line), now)))
	// Output:
	// {"@timestamp":"2024-06-01T12:00:00Z","event":{"kind":"alert","category":["threat"],"type":["indicator"],"original":"hash=E3B0C44298FC1C149AFBF4C8996FB92427AE41E4649B934CA495991B7852B855"},"log":{"file":{"path":"edr.log"}},"threat":{"enrichments":[{"indicator":{"type":"file","file":{"hash":{"sha256":"e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"}},"name":"e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855","provider":"misp","marking":{"tlp":"AMBER+STRICT"}},"matched":{"atomic":"e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855","field":"message","type":"indicator_match_rule","occurred":"2024-06-01T12:00:00Z"},"iocmatch":{"type":"sha256","start":5,"end":69,"text":"E3B0C44298FC1C149AFBF4C8996FB92427AE41E4649B934CA495991B7852B855"}}]}}
}

// A line matched in pieces (match.LineStream) is not kept whole: give the
// matched texts, as the stream's Text returns them.
func ExampleEncoder_AppendJSONText() {
	m, _ := match.Compile([]indicator.Indicator{indicator.MustNew(indicator.Domain, "evil.example")}, match.Options{})
	enc := encode.NewEncoder(m, encode.Options{})
	ls := m.NewLineStream(0)
	xs := ls.Append(nil, []byte("part one, then a.evil.example "))
	xs, _ = ls.Finish(xs)
	for _, x := range xs {
		fmt.Println(string(enc.AppendJSONText(nil, encode.Line{File: "big.log", Number: 9, Offset: -1}, x, ls.Text(x))))
	}
	// Output:
	// {"file":"big.log","line":9,"start":15,"end":29,"type":"domain","indicator":"evil.example","matched":"a.evil.example","sources":[]}
}

func ExampleECSTLP() {
	fmt.Println(encode.ECSTLP(indicator.TLPAmberStrict), encode.ECSTLP(indicator.TLPClear), encode.ECSTLP(indicator.TLPUnknown) == "")
	// Output:
	// AMBER+STRICT CLEAR true
}

// A Scorer (an *age.Policy with a decay model) adds the decay score at
// the clock: the entry's and each record's.
func ExampleScorer() {
	nids, _ := age.LookupModel("NIDS Simple")
	pol, err := age.New(age.Options{Model: &nids})
	if err != nil {
		panic(err)
	}
	m, err := match.Compile([]indicator.Indicator{
		{Type: indicator.Domain, Value: "evil.example", Meta: indicator.Meta{Source: "feedA",
			LastSeen: time.Date(2024, 5, 1, 0, 0, 0, 0, time.UTC)}},
	}, match.Options{})
	if err != nil {
		panic(err)
	}
	now := time.Date(2024, 5, 2, 0, 0, 0, 0, time.UTC) // a day later
	enc := encode.NewEncoder(m, encode.Options{Scorer: pol, Now: func() time.Time { return now }})
	line := []byte("dns q evil.example")
	x := m.AppendMatches(nil, line)[0]
	fmt.Println(string(enc.AppendJSON(nil, encode.Line{File: "dns.log", Number: 1, Offset: -1, Text: line}, x)))
	// Output:
	// {"file":"dns.log","line":1,"start":6,"end":18,"type":"domain","indicator":"evil.example","matched":"evil.example","score":72.7,"sources":["feedA"],"records":[{"source":"feedA","last_seen":"2024-05-01T00:00:00Z","score":72.7}]}
}

// AppendJSONString quotes a matched log line for JSON of the host's own.
func ExampleAppendJSONString() {
	line := []byte("GET /a?q=\"x\"\tfrom 198.51.100.7 \xff")
	out := append([]byte(`{"message":`), encode.AppendJSONString(nil, line)...)
	fmt.Println(string(append(out, '}')))
	// Output: {"message":"GET /a?q=\"x\"\tfrom 198.51.100.7 \ufffd"}
}
