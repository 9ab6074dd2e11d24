package platform_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"

	"github.com/iocmatch/iocmatch/loader"
	"github.com/iocmatch/iocmatch/loader/platform"
)

// An OTX Poller reads the pulses the key's account subscribes to, page by
// page; a live.Matcher would poll it at every reload (live.Options.Feeds).
// Here an httptest server stands in for https://otx.alienvault.com.
func ExampleOTXPoller() {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get(platform.OTXKeyHeader) != "my-otx-key" {
			w.WriteHeader(http.StatusForbidden)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprint(w, `{"count": 1, "next": null, "previous": null, "results": [
		  {"id": "64d31e8a5133613a90976b3f", "name": "Phishing kit hosts", "author_name": "OctoSeek",
		   "created": "2023-08-09T05:05:14.946000", "modified": "2023-08-09T05:05:14.946000", "tlp": "green",
		   "indicators": [
		     {"id": 3735598370, "indicator": "1woat.top", "type": "domain", "created": "2023-08-09T05:05:15", "expiration": null, "is_active": 1},
		     {"id": 3450933144, "indicator": "198.51.100.98", "type": "IPv4", "created": "2023-08-09T05:05:15", "expiration": "2023-09-07T00:00:00", "is_active": 1}]}]}`)
	}))
	defer srv.Close()

	c, err := platform.NewOTX(platform.OTXOptions{Key: "my-otx-key", BaseURL: srv.URL})
	if err != nil {
		panic(err)
	}
	p := platform.NewOTXPoller(c)
	res, err := p.Poll(context.Background(), loader.Options{})
	if err != nil {
		panic(err)
	}
	for _, ind := range res.Indicators {
		until := "no end"
		if !ind.ValidUntil.IsZero() {
			until = ind.ValidUntil.Format("2006-01-02")
		}
		fmt.Printf("%s source=%s tlp=%s valid until %s\n", ind, ind.Source, ind.TLP, until)
	}
	fmt.Println("next poll: modified_since", platform.FormatOTXTime(p.Since()))
	// Output:
	// domain:1woat.top source=OctoSeek tlp=green valid until no end
	// ipv4:198.51.100.98 source=OctoSeek tlp=green valid until 2023-09-07
	// next poll: modified_since 2023-08-09T05:05:14.946000
}
