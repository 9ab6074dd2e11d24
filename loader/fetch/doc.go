// Package fetch is the HTTP layer of iocmatch's feed clients: the TAXII
// 2.1 client (package loader/taxii) and the platform API clients (OTX,
// AbuseIPDB, Recorded Future, ThreatConnect: package loader/platform).
// They share one Client, so that every remote feed gets the same
// behaviour:
//
//   - a timeout per request (Options.Timeout, DefaultTimeout 30 s) that
//     covers reading the whole body, and the caller's context;
//   - a cap on each response body (Options.MaxResponseSize, 64 MiB after
//     decompression): a larger body is an error (ErrTooLarge), never
//     buffered beyond the cap;
//   - retries of 408, 429, 500, 502, 503 and 504 responses and of
//     transient network errors (a reset connection, a timeout), with
//     exponential backoff and jitter (Options.RetryWait, doubled per
//     retry, capped by Options.MaxRetryWait) or the wait a Retry-After
//     header asks for; a server asking for a wait longer than
//     MaxRetryWait is not retried;
//   - credentials (static headers: Options.Header; or a request signer:
//     Options.Sign, for HMAC schemes) sent only to the client's own host
//     (the host of its first request) and the Options.CredentialHosts,
//     never to another host through a redirect or a link in a page;
//   - URLs in errors without their password, and server text in errors
//     sanitised (no control characters, cut short);
//   - guards for paged loads (Pager): a page count cap, a byte cap over all
//     pages, and the detection of a server that gives the same next page
//     again.
//
// Errors are *HTTPError for a response status other than 200 or 204, or
// 304 to a conditional request (If-None-Match, If-Modified-Since) (with
// errors.Is against ErrUnauthorized, ErrForbidden, ErrNotFound,
// ErrRateLimited) and *Error for the rest (errors.Is against ErrTooLarge,
// ErrContentType, ErrMalformed, ErrNoProgress, ErrTooManyPages,
// ErrLoadTooLarge, ErrLoadTimeout, and the underlying network error).
//
// A Client is safe for concurrent use. It holds no response after a call
// returns: each Get returns the body read, at most MaxResponseSize bytes.
package fetch
