// Command iocserve is a detection service: it holds the indicators of IOC
// feeds as a live (hot-reloading) matcher and answers HTTP/JSON requests
// that match log lines, look up typed fields and describe indicators.
//
//	cd examples/iocserve && go run . -addr 127.0.0.1:8080 -feed ../../testdata/feeds [-reload 1m] [-token T]
//
// The feed, TAXII, allowlist, ageing and matching flags are iocscan's,
// from the same code (package internal/setup): -feed PATH (repeatable),
// -taxii URL and its flags (secrets in $IOCSERVE_TAXII_PASSWORD and
// $IOCSERVE_TAXII_TOKEN), -strict, -min-confidence, -now, -include,
// -exclude, -reserved, -documentation, -internal-source, -allowlist,
// -warninglist, -warninglist-action, -suppress-all-warninglists, -max-age,
// -decay, -public-suffix-subdomains, -max-matches-per-line (default
// 10000), and -reload DURATION: check the feed files for changes that
// often (and re-poll a TAXII collection), rebuild in the background and
// swap the new set in between two requests. POST /v1/reload and SIGHUP
// rebuild at once, with or without -reload. A build that fails keeps the
// current set.
//
// The service's own flags, with their defaults:
//
//	-addr 127.0.0.1:8080        listen address (loopback: put a TLS proxy in front for a network)
//	-token TOKEN                bearer token required on /v1/ (or $IOCSERVE_TOKEN; none: no auth)
//	-max-body 16777216          request body cap, bytes: 413 above
//	-max-line 1048576           line (and lookup value) cap, bytes: 413 above
//	-max-concurrent 4×CPUs      API requests served at once: 429 (Retry-After: 1) above, not queued
//	-read-header-timeout 10s, -read-timeout 1m, -write-timeout 2m, -idle-timeout 2m
//	-shutdown-timeout 30s       on SIGINT/SIGTERM: stop listening, let requests in flight finish
//
// iocserve listens at once; /readyz answers 503 until the first set is
// compiled (then 200), and so do the /v1/ endpoints. If the first build
// fails (no feed readable, no valid indicator …) iocserve exits with
// status 1; exit status 2 is a usage error, 0 a clean shutdown.
//
// # API
//
// Every answer is JSON; an error is {"error":"…"} with its status: 400
// (bad JSON, an unknown field, field type or indicator type, a value that
// is not of its type), 401 (auth), 404 (no such endpoint or indicator),
// 405 (another method: the Allow header names the right one), 413 (body
// or line too large), 415 (a body neither text/plain nor JSON), 429
// (overloaded), 500 (a reload failed), 503 (not ready yet).
//
// POST /v1/match matches log lines: a text/plain body (or none given) is
// one line per line ("\r\n" or "\n"), an application/json body is
// {"lines":["…","…"],"source":"NAME"}. ?source=NAME (or "source") names
// the lines' origin, "-" by default. The answer lists, per line that
// matched, its 1-based number and its matches, each the native JSON
// object of package encode (iocscan's output: type, canonical indicator,
// the text matched, sources, merged confidence, severity and TLP,
// warninglists, records with what each source says, "score" with -decay);
// ?format=ecs (or "format":"ecs") gives instead, per line that matched,
// "event": its Elastic Common Schema event with the matches in
// threat.enrichments (iocscan -format ecs):
//
//	$ curl -s --data-binary @- http://127.0.0.1:8080/v1/match <<'EOF'
//	GET /index.html from 198.51.100.10
//	GET http://a.evil.example/x from 10.0.0.1
//	EOF
//	{"generation":1,"lines":2,"results":[{"line":2,"matches":[{"file":"-","line":2,"start":11,"end":25,
//	 "type":"domain","indicator":"evil.example","matched":"a.evil.example","sources":["feed.txt"],…}]}],
//	 "matched":1,"matches":1}
//
// POST /v1/lookup looks typed fields up (exact field semantics, no
// scanning of text): a JSON object whose keys are ip (IPv4 or IPv6),
// hash (any length), or a type name (domain, url, email, ipv4, ipv6,
// cidr, md5, sha1, sha256, sha512, filename, regkey, mutex, useragent,
// email-subject, string), each a string or a list of strings. A domain
// matches its parent domain indicators, an address the CIDRs containing
// it. The answer has, per field given, its matches (the same objects:
// "file" is the field, "line" the value's index in its list, "matched"
// the value):
//
//	$ curl -s -d '{"domain":"a.evil.example","ip":["203.0.113.7","192.0.2.1"]}' http://127.0.0.1:8080/v1/lookup
//	{"generation":1,"fields":{"domain":[{"file":"domain","line":1,…,"indicator":"evil.example",…}],
//	 "ip":[{"file":"ip","line":1,…,"indicator":"203.0.113.7",…}]},"matches":2}
//
// GET /v1/indicators/{type}/{value} is one indicator of the set (value
// canonicalised as the loader does; a URL goes in the path escaped): its
// merged view (sources, confidence, severity, TLP, tags, techniques,
// actors, families, warninglists, first and last seen, score) and its
// records (up to 1000), with its hits since the start; 404 when the set
// does not hold it:
//
//	$ curl -s http://127.0.0.1:8080/v1/indicators/domain/evil.example
//	{"generation":1,"type":"domain","indicator":"evil.example","sources":["feed.txt"],"record_count":1,
//	 "records":[{"source":"feed.txt","file":"…/feed.txt"}],"hits":{"count":3,"first_hit":"…","last_hit":"…"}}
//
// GET /v1/stats is the set (generation, entries, when built, reloads ok
// and failed), the hit statistics (package hits, kept across reloads for
// the indicators that stay): the indicators hit and the ?top=N (default
// 100) most hit, and the feeds' ROI report (package roi: per feed, loaded,
// suppressed, expired, decayed, indicators hit, hits, unique hits, the
// warninglisted share).
//
// POST /v1/reload rebuilds now and answers when the new set is swapped
// in: {"generation":2,"entries":…,"added":1,"removed":0,"changed":0,"took_ms":12};
// 500 with the reason when the build fails (the current set stays).
//
// GET /healthz is 200 while the process serves; GET /readyz 200 once a
// set is compiled, else 503; GET /metrics the Prometheus metrics:
// iocserve_requests_total{endpoint,code},
// iocserve_request_duration_seconds{endpoint} (histogram),
// iocserve_lines_total, iocserve_matches_total{type},
// iocserve_reloads_total{result="ok|failed"}, iocserve_set_entries,
// iocserve_set_indicators, iocserve_set_generation,
// iocserve_requests_in_flight, iocserve_requests_rejected_total, and the
// Go and process collectors. /healthz, /readyz and /metrics need no token
// and are not under the concurrency limit.
//
// # Cost
//
// Matching is match.Matcher.AppendMatches on the current set (one atomic
// load per request); a line without a match allocates nothing in it. The
// service's own cost per request (HTTP, reading and splitting the body,
// the JSON answer) is measured by BenchmarkServe and TestLoad beside
// the cost of matching alone; see the README for the figures.
package main
