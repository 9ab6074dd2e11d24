// Package platform has the API clients of the threat-intelligence
// platforms whose feeds iocmatch reads (the formats are package loader's:
// FormatOTX, FormatAbuseIPDB, FormatRecordedFuture, FormatThreatConnect):
//
//	client          endpoint                                  credentials
//	OTX             /api/v1/pulses/subscribed (paged, next)   X-OTX-API-KEY
//	AbuseIPDB       /api/v2/blacklist                         Key
//	RecordedFuture  /v2/{ip,domain,url,hash}/risklist          X-RFToken
//	ThreatConnect   /api/v3/indicators (resultStart/Limit)    HMAC (access id, secret key) or token
//
// Each client sends through one HTTP layer (package loader/fetch, the one
// the TAXII client uses too): timeouts, response size caps, retries with
// backoff honouring Retry-After, context cancellation, credentials sent
// only to the configured host. Each has a Poller that implements
// live.Feed: its Poll returns the feed's whole current set, fetching only
// what changed since the previous Poll where the API allows it (OTX's
// modified_since, ThreatConnect's lastModified), so that a live.Matcher
// reloads it incrementally.
package platform
