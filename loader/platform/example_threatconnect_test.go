package platform_test

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"net/http"
	"net/http/httptest"

	"github.com/iocmatch/iocmatch/loader"
	"github.com/iocmatch/iocmatch/loader/platform"
)

// A ThreatConnect client signing its requests with an API user's access
// id and secret key, polling a (fake) instance's API v3.
func ExampleThreatConnect() {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		m := hmac.New(sha256.New, []byte("secret-key"))
		m.Write([]byte(r.URL.RequestURI() + ":GET:" + r.Header.Get("Timestamp")))
		if r.Header.Get("Authorization") != "TC 1234:"+base64.StdEncoding.EncodeToString(m.Sum(nil)) {
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprint(w, `{"status":"Success","data":[{"id":24348506,"type":"Host","summary":"win7smartupdate.com",`+
			`"rating":5.0,"confidence":100,"active":true,"ownerName":"Research","lastModified":"2017-02-09T17:11:10Z",`+
			`"securityLabels":{"data":[{"name":"TLP:GREEN"}]},"tags":{"data":[{"name":"Darkhotel"}]}}]}`)
	}))
	defer srv.Close()

	tc, err := platform.NewThreatConnect(platform.ThreatConnectOptions{
		BaseURL:  srv.URL, // https://app.threatconnect.com
		AccessID: "1234", SecretKey: "secret-key",
		TQL: "confidence > 50",
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	res, err := tc.Poll(context.Background(), loader.Options{})
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, ind := range res.Indicators {
		fmt.Println(ind, ind.ID, ind.Source, ind.Confidence, ind.Severity, ind.TLP, ind.Tags)
	}
	fmt.Println(tc.TQL(tc.Cursor())) // the next Poll's query
	// Output:
	// domain:win7smartupdate.com 24348506 Research 100 critical green [Darkhotel]
	// (confidence > 50) AND lastModified > "2017-02-09T17:11:09Z"
}
