package fetch_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"

	"github.com/iocmatch/iocmatch/loader/fetch"
)

// A client of an API with a key header: the key goes to the API's host
// only, and an HTTP error names the URL, the status and what to check.
func ExampleClient_Get() {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Key") != "k3y" {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusUnauthorized)
			fmt.Fprint(w, `{"errors":[{"detail":"Authentication failed.","status":401}]}`)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprint(w, `{"data":[{"ipAddress":"203.0.113.7"}]}`)
	}))
	defer srv.Close()

	c, err := fetch.New(fetch.Options{Name: "abuseipdb", Header: http.Header{"Key": {"k3y"}}})
	if err != nil {
		panic(err)
	}
	resp, err := c.Get(context.Background(), fetch.Request{URL: srv.URL + "/api/v2/blacklist"})
	if err != nil {
		panic(err)
	}
	fmt.Println(resp.StatusCode, string(resp.Body))

	bad, _ := fetch.New(fetch.Options{Name: "abuseipdb", Header: http.Header{"Key": {"wrong"}},
		Hints: map[int]string{401: "check $IOCSCAN_ABUSEIPDB_KEY"}})
	_, err = bad.Get(context.Background(), fetch.Request{URL: srv.URL + "/api/v2/blacklist"})
	var he *fetch.HTTPError
	fmt.Println(errors.Is(err, fetch.ErrUnauthorized), errors.As(err, &he) && he.Message == "Authentication failed.")
	// Output:
	// 200 {"data":[{"ipAddress":"203.0.113.7"}]}
	// true true
}
