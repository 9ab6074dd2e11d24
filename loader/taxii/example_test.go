package taxii_test

import (
	"context"
	"encoding/json"
	"fmt"
	"log"
	"net/http"
	"net/http/httptest"
	"strings"

	"github.com/iocmatch/iocmatch/loader/taxii"
)

// A tiny TAXII 2.1 server: one API root, one collection of three objects
// served two per page.
func exampleServer() *httptest.Server {
	objects := []string{
		`{"type":"identity","id":"identity--1","name":"Example CERT"}`,
		`{"type":"indicator","id":"indicator--1","pattern":"[ipv4-addr:value = '198.51.100.7']"}`,
		`{"type":"indicator","id":"indicator--2","pattern":"[domain-name:value = 'c2.bad.example']"}`,
	}
	return httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if u, p, _ := r.BasicAuth(); u != "reader" || p != "s3cret" {
			http.Error(w, `{"title":"Unauthorized"}`, http.StatusUnauthorized)
			return
		}
		w.Header().Set("Content-Type", taxii.MediaType)
		switch r.URL.Path {
		case "/taxii2/":
			fmt.Fprint(w, `{"title":"Example","api_roots":["/api1/"]}`)
		case "/api1/collections/":
			fmt.Fprint(w, `{"collections":[{"id":"5e4f…","title":"Indicators","can_read":true}]}`)
		case "/api1/collections/5e4f…/objects/":
			if r.URL.Query().Get("next") == "" {
				fmt.Fprintf(w, `{"more":true,"next":"p2","objects":[%s]}`, strings.Join(objects[:2], ","))
			} else {
				fmt.Fprintf(w, `{"objects":[%s]}`, objects[2])
			}
		default:
			http.NotFound(w, r)
		}
	}))
}

func ExampleClient_Objects() {
	srv := exampleServer()
	defer srv.Close()

	c, err := taxii.New(taxii.Options{Username: "reader", Password: "s3cret"})
	if err != nil {
		log.Fatal(err)
	}
	ctx := context.Background()
	col, err := c.ResolveCollection(ctx, srv.URL+"/taxii2/", "Indicators")
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("collection:", col.Title)
	err = c.Objects(ctx, col.URL, taxii.Query{Limit: 2}, func(p taxii.Page) error {
		fmt.Printf("page: %d objects, more=%v\n", len(p.Objects), p.More)
		for _, o := range p.Objects {
			var v struct{ Type, ID string }
			if err := json.Unmarshal(o, &v); err != nil {
				return err
			}
			fmt.Println(" ", v.Type, v.ID)
		}
		return nil
	})
	if err != nil {
		log.Fatal(err)
	}
	// Output:
	// collection: Indicators
	// page: 2 objects, more=true
	//   identity identity--1
	//   indicator indicator--1
	// page: 1 objects, more=false
	//   indicator indicator--2
}
