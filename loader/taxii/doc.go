// Package taxii is a TAXII 2.1 client: it reads the STIX objects of a
// TAXII collection into indicators, whole or incrementally.
//
//	c, err := taxii.New(taxii.Options{Username: "user", Password: pw})
//	col, err := c.ResolveCollection(ctx, "https://taxii.example/taxii2/", "Indicators")
//	res, stats, err := c.Load(ctx, col.URL, taxii.Query{}, loader.Options{})
//	// res.Indicators, res.Problems as for any feed (see package loader)
//
// # Resources
//
// Client.Discovery, Client.APIRoot, Client.Collections and
// Client.Collection GET the TAXII 2.1 resources of those names;
// ResolveCollection finds a collection by id, alias or title from a
// discovery or API root URL. Client.Objects GETs the objects of a
// collection ("<collection>/objects/"), page by page, with the query
// parameters of a Query (added_after, limit, match[type], match[id],
// match[version], match[spec_version]). Only GET is used: the client reads,
// it never adds or deletes objects. Channels, manifests, versions and
// status resources are not read.
//
// Every request has "Accept: application/taxii+json;version=2.1"
// (MediaType). A 200 response must be JSON: application/taxii+json,
// application/json, application/stix+json (some servers send these) or
// no Content-Type; any other (an HTML login page …) is an error
// (ErrContentType). A STIX bundle sent instead of an envelope is read as
// one (its "objects"); an empty body or a 204 response is an empty page.
//
// # Paging
//
// A page (envelope) with "more": true is followed by the next: with the
// same query and the page's "next" token when it has one, else with
// added_after set to the page's X-TAXII-Date-Added-Last header. A server
// that never ends is stopped: a next token seen before, an
// X-TAXII-Date-Added-Last that does not move forward, or two empty pages
// in a row with more=true are an error (ErrNoProgress), and so is reading
// more than Options.MaxPages pages (ErrTooManyPages, 10000 by default).
//
// A Load or Poll has limits of its own, so that a server that sends more
// and more cannot exhaust memory or hold a load forever: at most
// Options.MaxLoadSize bytes of STIX objects over all its pages (256 MiB by
// default, ErrLoadTooLarge) and Options.LoadTimeout for all its requests
// (1 hour by default, ErrLoadTimeout), besides MaxPages. A load that
// passes one keeps what it read before and reports the cut as a problem
// of its Result (reason ReasonLoadLimit, "load stopped after N pages …"),
// or with loader.Options.Strict returns it as the error.
//
// # Loading and polling
//
// Client.Load streams the objects of all pages to loader.ReadSTIX as one
// STIX bundle (so an identity or marking on one page applies to the
// indicators of every page), under the path "taxii:<collection URL>" (see
// Path): problems read "taxii:https://…/collections/<id>/: indicator--…:
// message", and indicators without a STIX identity get the collection id
// as their source unless loader.Options.Source is set. It returns
// LoadStats: pages, objects, and the latest X-TAXII-Date-Added-Last.
//
// Objects with the same id are versions of one object: of an indicator,
// only the latest version read counts, a revoked one removes it (see
// loader.ReadSTIX), in one Load whatever the pages the versions are on.
//
// A Poller polls a collection incrementally: each Poll loads what was
// added after its cursor (the latest X-TAXII-Date-Added-Last of the
// previous successful Poll), and moves the cursor only on success. Each
// Poll returns the current indicators of the collection, for a matcher to
// be recompiled from: those it read merged by STIX id with those of the
// earlier Polls, so that a new version of an indicator replaces the
// indicators of the version an earlier Poll read, and a revocation
// removes them (LoadStats.Replaced, Revoked count them). The Poller keeps
// these indicators in memory between Polls. Cursor and SetCursor let a
// host persist the cursor across runs; a Poller whose cursor was restored
// knows only the indicators it reads from then on.
//
// # Authentication, TLS, limits
//
// Options.Username and Password are sent with HTTP basic authentication,
// Options.Token as a bearer token (over plain http too: use https URLs),
// and Options.Header's headers, on every request to the Client's own host
// (the host, name and port, of the first URL it requests) and to the
// hosts of Options.CredentialHosts only: not to an API root on another
// host that a discovery resource lists, nor through a redirect to another
// host (another port, a subdomain), which get requests without them. Options.TLSConfig sets root CAs, client certificates
// and the like. Each request has a timeout (Options.Timeout, 30 s by
// default) covering the reading of the whole response, and a response
// body larger than Options.MaxResponseSize (64 MiB by default, after
// decompression) is an error (ErrTooLarge) without being buffered beyond
// the cap.
//
// # Errors and retries
//
// The requests go through package loader/fetch, the HTTP layer the
// platform clients (package loader/platform) share: the timeouts, size
// caps, retries and credential rules below are fetch's, and the error
// kinds (ErrUnauthorized …) are fetch's values, so errors.Is works with
// either name; *HTTPError wraps a *fetch.HTTPError.
//
// Every error names the URL requested (without its password). A status
// other than 200 and 204 is an *HTTPError, with the title and description
// of the TAXII error message in its body, when there is one (sanitised and
// cut); errors.Is matches 401 with ErrUnauthorized, 403 with
// ErrForbidden, 404 with ErrNotFound. A body that is not the resource
// expected (not a JSON object, "more" not a boolean …) is ErrMalformed.
//
// Responses 408, 429, 500, 502, 503 and 504, and transient network errors
// (timeouts, reset or refused connections, responses cut short; not TLS
// certificate errors), are retried up to Options.MaxRetries times (3 by
// default), after an exponential backoff with jitter (1 s, 2 s, 4 s …
// each between half of and the whole value, capped at
// Options.MaxRetryWait), or after the wait of the response's Retry-After
// header (seconds or an HTTP date) when it has one. A Retry-After longer
// than MaxRetryWait is not waited for: the error is returned at once.
// After the last retry the last error is returned. Cancelling the context
// stops a request, or a wait, at once; the error then wraps the context's
// error.
package taxii
