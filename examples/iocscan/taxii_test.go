package main

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// taxiiServer serves one collection "c2" of two pages of STIX objects, to
// the user "u" with password "p" only.
func taxiiServer(t *testing.T) *httptest.Server {
	t.Helper()
	pages := []string{
		`{"more": true, "next": "2", "objects": [
			{"type": "identity", "spec_version": "2.1", "id": "identity--1", "created": "2024-01-01T00:00:00Z", "modified": "2024-01-01T00:00:00Z", "name": "Example CERT", "identity_class": "organization"}]}`,
		`{"more": false, "objects": [
			{"type": "indicator", "spec_version": "2.1", "id": "indicator--1", "created": "2024-01-01T00:00:00Z", "modified": "2024-01-01T00:00:00Z",
			 "created_by_ref": "identity--1", "pattern": "[domain-name:value = 'c2-update.example.net']", "pattern_type": "stix", "valid_from": "2024-01-01T00:00:00Z"}]}`,
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/api/collections/c2/", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/taxii+json;version=2.1")
		_ = json.NewEncoder(w).Encode(map[string]any{"id": "c2", "title": "C2 domains", "can_read": true, "can_write": false})
	})
	mux.HandleFunc("/api/collections/c2/objects/", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/taxii+json;version=2.1")
		if r.URL.Query().Get("next") == "2" {
			_, _ = w.Write([]byte(pages[1]))
			return
		}
		_, _ = w.Write([]byte(pages[0]))
	})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if u, p, ok := r.BasicAuth(); !ok || u != "u" || p != "p" {
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		mux.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	return srv
}

func TestTAXII(t *testing.T) {
	srv := taxiiServer(t)
	col := srv.URL + "/api/collections/c2/"
	t.Setenv(envTAXIIPassword, "p")
	code, stdout, stderr := runIOCScan(t, "a.C2-UPDATE.example.net\nnothing\n", "-max-age", "off", "-taxii", col, "-taxii-user", "u")
	require.Equal(t, 0, code, stderr)
	recs := decode(t, stdout)
	require.Len(t, recs, 1)
	assert.Equal(t, record{File: "-", Line: 1, Start: 0, End: 23, Type: "domain",
		Indicator: "c2-update.example.net", Matched: "a.C2-UPDATE.example.net", Sources: []string{"Example CERT"}}, recs[0])
	assert.Contains(t, stderr, `iocscan: feed taxii:`+col+` ("C2 domains", 2 objects in 2 pages): 1 indicators from 1 files; 0 duplicates merged; 0 records skipped; 0 unsupported`)

	// bad credentials: a fatal error that says so
	t.Setenv(envTAXIIPassword, "wrong")
	code, _, stderr = runIOCScan(t, "", "-taxii", col, "-taxii-user", "u")
	assert.Equal(t, 2, code)
	assert.Contains(t, stderr, "401")

	// not a collection URL, and no collection named
	t.Setenv(envTAXIIPassword, "p")
	code, _, stderr = runIOCScan(t, "", "-taxii", srv.URL+"/nowhere/", "-taxii-user", "u")
	assert.Equal(t, 2, code)
	assert.True(t, strings.HasPrefix(stderr, "iocscan: taxii: "), stderr)

	code, _, stderr = runIOCScan(t, "", "-taxii", col, "-taxii-added-after", "yesterday")
	assert.Equal(t, 2, code)
	assert.Contains(t, stderr, "-taxii-added-after")
}

func TestTAXIICredentialHosts(t *testing.T) {
	// the parsing of -taxii-credential-hosts: internal/setup's TestTAXIIOptions
	code, _, stderr := runIOCScan(t, "", "-taxii", "http://127.0.0.1:1/c/", "-taxii-token", "t", "-taxii-credential-hosts", "https://x/")
	assert.Equal(t, 2, code)
	assert.Contains(t, stderr, `CredentialHosts: "https://x/" is not a host or host:port`)
}

// TestTAXIIReload: with -reload, the TAXII collection is a source of the
// live set (polled at each build): its indicators match as without it.
func TestTAXIIReload(t *testing.T) {
	srv := taxiiServer(t)
	col := srv.URL + "/api/collections/c2/"
	t.Setenv(envTAXIIPassword, "p")
	code, stdout, stderr := runIOCScan(t, "a.C2-UPDATE.example.net\nnothing\n", "-max-age", "off", "-reload", "1h", "-taxii", col, "-taxii-user", "u")
	require.Equal(t, 0, code, stderr)
	recs := decode(t, stdout)
	require.Len(t, recs, 1)
	assert.Equal(t, "c2-update.example.net", recs[0].Indicator)
	assert.Equal(t, []string{"Example CERT"}, recs[0].Sources)
	assert.Contains(t, stderr, "iocscan: feed taxii:"+col+": 1 indicators from 1 files")
	assert.Contains(t, stderr, "(generation 1; reloads: on change, checked every 1h0m0s, and on SIGHUP)")

	t.Setenv(envTAXIIPassword, "wrong")
	code, _, stderr = runIOCScan(t, "", "-reload", "1h", "-taxii", col, "-taxii-user", "u")
	assert.Equal(t, 2, code)
	assert.Contains(t, stderr, "401")
}
