package main

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// tcTestServer is a ThreatConnect API v3 serving the indicators of
// loader/platform's testdata page by page, to HMAC-signed requests only
// (the signature computed here independently).
func tcTestServer(t *testing.T, accessID, secretKey string) (*httptest.Server, *atomic.Int32) {
	b, err := os.ReadFile("../../loader/platform/testdata/threatconnect/indicators_v3.json")
	require.NoError(t, err)
	var all struct {
		Data []json.RawMessage `json:"data"`
	}
	require.NoError(t, json.Unmarshal(b, &all))
	var pages atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		m := hmac.New(sha256.New, []byte(secretKey))
		m.Write([]byte(r.URL.RequestURI() + ":" + r.Method + ":" + r.Header.Get("Timestamp")))
		if r.Header.Get("Authorization") != "TC "+accessID+":"+base64.StdEncoding.EncodeToString(m.Sum(nil)) {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusUnauthorized)
			w.Write([]byte(`{"status":"Failure","message":"Invalid Signature"}`))
			return
		}
		if r.URL.Path != "/api/v3/indicators" {
			http.NotFound(w, r)
			return
		}
		pages.Add(1)
		start, _ := strconv.Atoi(r.URL.Query().Get("resultStart"))
		limit, _ := strconv.Atoi(r.URL.Query().Get("resultLimit"))
		data := []json.RawMessage{}
		if start < len(all.Data) {
			data = all.Data[start:min(start+limit, len(all.Data))]
		}
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(map[string]any{"data": data, "status": "Success"})
	}))
	t.Cleanup(srv.Close)
	return srv, &pages
}

func TestThreatConnectCLI(t *testing.T) {
	srv, pages := tcTestServer(t, "iocscan-id", "iocscan-secret")
	t.Setenv(envPrefix+"_TC_SECRET_KEY", "iocscan-secret")
	t.Setenv(envPrefix+"_TC_TOKEN", "")
	logs := "dns query win7smartupdate.com\nGET http://win7smartupdate.com/windowsverify/msverify.exe\nmail from johnbae@poverts.com\nnothing here\n"
	code, stdout, stderr := runIOCScan(t, logs, "-max-age", "off", "-threatconnect", srv.URL,
		"-threatconnect-access-id", "iocscan-id", "-threatconnect-page-size", "4")
	require.Equal(t, 0, code, stderr)
	assert.Equal(t, int32(2), pages.Load()) // 4 indicators, then 2
	recs := decode(t, stdout)
	require.Len(t, recs, 3, stdout)
	assert.Equal(t, record{File: "-", Line: 1, Start: 10, End: 29, Type: "domain",
		Indicator: "win7smartupdate.com", Matched: "win7smartupdate.com", Sources: []string{"threatconnect"}}, recs[0])
	assert.Equal(t, "url", recs[1].Type)
	assert.Equal(t, "http://win7smartupdate.com/windowsverify/msverify.exe", recs[1].Indicator)
	assert.Equal(t, 2, recs[1].Line)
	// line 2's host matches the domain indicator too
	assert.Equal(t, record{File: "-", Line: 2, Start: 11, End: 30, Type: "domain",
		Indicator: "win7smartupdate.com", Matched: "win7smartupdate.com", Sources: []string{"threatconnect"}}, recs[2])
	// the metadata of the records
	assert.Contains(t, stdout, `"id":"24348506","confidence":"high","severity":"critical","tags":["Advanced Persistent Threat","China","Korea"]`)
	assert.Contains(t, stdout, `"description":"Second stage malware binary."`)
	// the email indicator's externalDateExpires (2023-10-04) has passed:
	// no match on line 3
	assert.Contains(t, stderr, "iocscan: feed threatconnect:"+strings.TrimPrefix(srv.URL, "http://")+": 7 indicators from 2 files")

	// a bad secret: a fatal error that says which credential to check,
	// without the secret
	t.Setenv(envPrefix+"_TC_SECRET_KEY", "wrong-secret")
	code, _, stderr = runIOCScan(t, "", "-threatconnect", srv.URL, "-threatconnect-access-id", "iocscan-id")
	assert.Equal(t, 2, code)
	assert.Contains(t, stderr, "401 Unauthorized: Invalid Signature")
	assert.Contains(t, stderr, "-threatconnect-access-id, and $IOCSCAN_TC_SECRET_KEY or -threatconnect-secret-key")
	assert.NotContains(t, stderr, "wrong-secret")

	// no secret at all: an error naming the flag and the variable
	t.Setenv(envPrefix+"_TC_SECRET_KEY", "")
	code, _, stderr = runIOCScan(t, "", "-threatconnect", srv.URL, "-threatconnect-access-id", "iocscan-id")
	assert.Equal(t, 2, code)
	assert.Contains(t, stderr, "-threatconnect-access-id: no secret key: set $IOCSCAN_TC_SECRET_KEY")
}

// -recordedfuture downloads the lists from -recordedfuture-url with the
// token of $IOCSCAN_RF_TOKEN, and matches their indicators.
func TestRecordedFutureCLI(t *testing.T) {
	urls, err := os.ReadFile("../../loader/platform/testdata/recordedfuture/url_risklist.csv")
	require.NoError(t, err)
	hashes, err := os.ReadFile("../../loader/platform/testdata/recordedfuture/hash_risklist.csv")
	require.NoError(t, err)
	var got atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("X-RFToken") != "rf-token" {
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		got.Add(1)
		w.Header().Set("Content-Type", "text/csv")
		switch r.URL.Path {
		case "/v2/url/risklist":
			w.Write(urls)
		case "/v2/hash/risklist":
			w.Write(hashes)
		default:
			http.NotFound(w, r)
		}
	}))
	defer srv.Close()
	t.Setenv(envPrefix+"_RF_TOKEN", "rf-token")
	logs := "GET http://3.145.115.94/zambo/groenhuyzen.exe\nsha256 63212aa8c94098a844945ed1611389b2e1c9dc3906a5ba9d7d0d320344213f4f\n"
	code, stdout, stderr := runIOCScan(t, logs, "-max-age", "off", "-recordedfuture-url", srv.URL, "-recordedfuture", "url", "-recordedfuture", "hash")
	require.Equal(t, 0, code, stderr)
	assert.Equal(t, int32(2), got.Load())
	recs := decode(t, stdout)
	require.Len(t, recs, 2, stdout)
	assert.Equal(t, "http://3.145.115.94/zambo/groenhuyzen.exe", recs[0].Indicator)
	assert.Equal(t, []string{"recordedfuture:url"}, recs[0].Sources)
	assert.Equal(t, "63212aa8c94098a844945ed1611389b2e1c9dc3906a5ba9d7d0d320344213f4f", recs[1].Indicator)
	assert.Equal(t, []string{"recordedfuture:hash"}, recs[1].Sources)
	assert.Contains(t, stdout, `"confidence":"high","severity":"high"`)
	assert.Contains(t, stderr, "iocscan: feed recordedfuture:url,hash: 5 indicators from 2 files")

	t.Setenv(envPrefix+"_RF_TOKEN", "")
	code, _, stderr = runIOCScan(t, "", "-recordedfuture", "ip")
	assert.Equal(t, 2, code)
	assert.Contains(t, stderr, "-recordedfuture: no API token: set $IOCSCAN_RF_TOKEN (or -recordedfuture-token)")
}
