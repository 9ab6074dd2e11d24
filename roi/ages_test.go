package roi_test

import (
	"reflect"
	"testing"

	"github.com/iocmatch/iocmatch/age"
	"github.com/iocmatch/iocmatch/roi"
)

// TestAddAges: the ageing counts per source go to the feed of that source.
func TestAddAges(t *testing.T) {
	feeds := []roi.FeedInput{{Source: "a", Loaded: 3}, {Source: "b", Loaded: 1}}
	roi.AddAges(feeds, nil)
	want := []roi.FeedInput{{Source: "a", Loaded: 3}, {Source: "b", Loaded: 1}}
	if !reflect.DeepEqual(feeds, want) {
		t.Fatalf("nil report: %+v", feeds)
	}
	roi.AddAges(feeds, &age.Report{PerSource: map[string]age.SourceReport{"a": {Input: 3, Expired: 2, Decayed: 1}, "c": {Expired: 5}}})
	want[0].Expired, want[0].Decayed = 2, 1
	if !reflect.DeepEqual(feeds, want) {
		t.Errorf("%+v, want %+v", feeds, want)
	}
}
