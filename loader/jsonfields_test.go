package loader

import (
	"encoding/json"
	"os"
	"reflect"
	"testing"
)

// stixObjectSeeds are STIX objects of every shape decodeFast reads or
// leaves to json.Unmarshal: escapes, nulls, folded and non-ASCII keys,
// duplicate members, values of the wrong type, nested objects.
var stixObjectSeeds = []string{
	`{"type":"indicator","id":"indicator--1","pattern":"[ipv4-addr:value = '1.2.3.4']","pattern_type":"stix","valid_from":"2024-01-01T00:00:00Z","labels":["a","b"],"confidence":80}`,
	`{"type":"indicator","name":"caf\u00e9 \"x\"","pattern":null,"labels":null,"indicator_types":[],"revoked":false,"confidence":"85","x_opencti_score":null}`,
	`{"Type":"indicator","ID":"x","pattern":"[a]"}`,
	`{"type":"indicator","ſcore":1,"Kill_chain_phases":[]}`,
	`{"type":"indicator","labels":["a",null,"b"]}`,
	`{"type":"indicator","labels":["a",1]}`,
	`{"type":"indicator","labels":"a"}`,
	`{"type":5}`,
	`{"type":"indicator","revoked":"true"}`,
	`{"type":"indicator","pattern":"[a]","pattern":"[b]","labels":["x"],"labels":["y","z"]}`,
	`{"type":"indicator","kill_chain_phases":[{"kill_chain_name":"k","phase_name":"p"}],"kill_chain_phases":[{"phase_name":"q"}]}`,
	`{"type":"indicator","external_references":[{"source_name":"mitre-attack","external_id":"T1071"}],"x":{"y":[1,{"z":"]"}]}}`,
	`{ "type" : "indicator" , "id" : "a\\b" , "description" : "\ud83d\ude00" }`,
	"{\"type\":\"indicator\",\"name\":\"\xff\"}",
	`{}`, `[]`, `"indicator"`, `null`,
}

// checkDecodeFast compares decodeFast with json.Unmarshal: where it says
// it decoded b, json.Unmarshal decodes it too, to the same value.
func checkDecodeFast(t *testing.T, b []byte) {
	if !json.Valid(b) {
		return // the decoder that hands objects over has checked them
	}
	var fast, ref stixObject
	ok := fast.decodeFast(b)
	err := json.Unmarshal(b, &ref)
	if !ok {
		if !reflect.DeepEqual(fast, stixObject{}) {
			t.Fatalf("decodeFast(%s) failed but left %+v", b, fast)
		}
		return
	}
	if err != nil {
		t.Fatalf("decodeFast(%s) took what json.Unmarshal rejects: %v", b, err)
	}
	if !reflect.DeepEqual(fast, ref) {
		t.Fatalf("decodeFast(%s):\n got %+v\nwant %+v", b, fast, ref)
	}
}

func TestDecodeFastLikeUnmarshal(t *testing.T) {
	for _, s := range stixObjectSeeds {
		checkDecodeFast(t, []byte(s))
	}
	// the common shape takes the fast path
	var o stixObject
	if !o.decodeFast([]byte(stixObjectSeeds[0])) || o.Type != "indicator" || len(o.Labels) != 2 || o.Pattern == nil {
		t.Fatalf("decodeFast of a plain indicator: %+v", o)
	}
	// and every object of the test bundle, member by member
	raw, err := os.ReadFile("../testdata/feeds/stix/bundle-2.1.json")
	if err != nil {
		t.Fatal(err)
	}
	var b struct{ Objects []json.RawMessage }
	if err := json.Unmarshal(raw, &b); err != nil {
		t.Fatal(err)
	}
	fast := 0
	for _, obj := range b.Objects {
		checkDecodeFast(t, obj)
		var o stixObject
		if o.decodeFast(obj) {
			fast++
		}
	}
	if fast < len(b.Objects)/2 {
		t.Errorf("only %d of the bundle's %d objects took the fast path", fast, len(b.Objects))
	}
}

func FuzzDecodeFast(f *testing.F) {
	for _, s := range stixObjectSeeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) { checkDecodeFast(t, b) })
}
