package taxii

import (
	"context"
	"crypto/tls"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"mime"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/iocmatch/iocmatch/loader"
	"github.com/iocmatch/iocmatch/loader/fetch"
)

// MediaType is the media type of TAXII 2.1 resources, sent in the Accept
// header of every request.
const MediaType = "application/taxii+json;version=2.1"

// Defaults of the Options, used when the corresponding field is zero;
// those of a request are the HTTP layer's (package loader/fetch).
const (
	DefaultTimeout         = fetch.DefaultTimeout
	DefaultMaxResponseSize = fetch.DefaultMaxResponseSize
	DefaultMaxRetries      = fetch.DefaultMaxRetries
	DefaultRetryWait       = fetch.DefaultRetryWait
	DefaultMaxRetryWait    = fetch.DefaultMaxRetryWait
	DefaultMaxPages        = fetch.DefaultMaxPages
	DefaultMaxLoadSize     = fetch.DefaultMaxBytes
	DefaultLoadTimeout     = time.Hour
	DefaultUserAgent       = "iocmatch-taxii/1"
)

// Options configure a Client. The zero Options are the defaults: no
// credentials, the system's root CAs, DefaultTimeout per request and so on.
type Options struct {
	// HTTPClient, when set, sends the requests instead of a client built
	// from TLSConfig (which must then be nil). Its own Timeout, if any,
	// applies besides Options.Timeout.
	HTTPClient *http.Client

	// Username and Password, when Username is set, are sent with HTTP basic
	// authentication on every request to a credential host (see
	// CredentialHosts).
	Username, Password string

	// Token, when set, is sent as "Authorization: Bearer <Token>" on every
	// request to a credential host. It cannot be combined with Username.
	Token string

	// Header holds extra headers (an API key header some servers want …),
	// sent like the credentials only on requests to a credential host; it
	// cannot set Accept or Authorization, and its User-Agent is replaced by
	// Options.UserAgent.
	Header http.Header

	// CredentialHosts are the hosts, besides the Client's own, that the
	// credentials (Username and Password, Token) and Header are sent to:
	// "name" (on the default port of the request's scheme: 443 for https,
	// 80 for http), "name:port", or "*" for any host. The Client's own host
	// is the host (name and port) of the first URL it requests: the URL
	// given to its first call (ResolveCollection, Load …). By default
	// (CredentialHosts empty) the credentials go there only: not to an API
	// root on another host that a discovery resource lists, nor to the
	// collections there, nor through a redirect to another host (another
	// name, a subdomain, another port), whatever the HTTPClient's redirect
	// policy; a request to another host goes without them (and a 401 from
	// it says so). Host names are compared without case, as given (no DNS
	// resolution).
	CredentialHosts []string

	// TLSConfig, when set, is the TLS configuration of the client built
	// (custom RootCAs, client certificates, MinVersion …).
	TLSConfig *tls.Config

	// Timeout is the longest one request may take, from sending it to
	// reading the whole response; zero means DefaultTimeout, a negative
	// value no limit. A request that times out is retried (see MaxRetries).
	Timeout time.Duration

	// MaxResponseSize is the largest response body read, in bytes
	// (after decompression); zero means DefaultMaxResponseSize. A larger
	// body is an error (ErrTooLarge): it is never buffered beyond the cap.
	// Ask for smaller pages (Query.Limit) if a server's pages are larger.
	MaxResponseSize int64

	// MaxRetries is how many times a request is retried after a 408, 429,
	// 500, 502, 503 or 504 response or a transient network error (a reset
	// connection, a timeout); zero means DefaultMaxRetries, a negative
	// value no retries.
	MaxRetries int

	// RetryWait is the wait before the first retry, doubled for every
	// further retry, with random jitter (each wait is between half of and
	// the whole computed value); zero means DefaultRetryWait. A
	// Retry-After header (seconds or an HTTP date) in a 429 or 503 response
	// sets the wait instead.
	RetryWait time.Duration

	// MaxRetryWait caps the computed waits; zero means DefaultMaxRetryWait.
	// A server asking, with Retry-After, for a longer wait than this is
	// not retried: its error is returned at once.
	MaxRetryWait time.Duration

	// MaxPages is the most pages one Objects (or Load, or Poll) call reads;
	// zero means DefaultMaxPages. It stops a server that always says there
	// is more (ErrTooManyPages).
	MaxPages int

	// MaxLoadSize is the most bytes of STIX objects (as sent) one Load or
	// Poll reads, over all its pages; zero means DefaultMaxLoadSize (256
	// MiB: about a million indicators, and 1.5 GB of memory for them at
	// most). It bounds the memory of a load, which MaxPages does not (10000
	// pages of MaxResponseSize): the page that would pass it is not read,
	// nor any after it. See Client.Load for what a load cut short returns.
	MaxLoadSize int64

	// LoadTimeout is the longest one Load or Poll may take, all its pages
	// and retries included; zero means DefaultLoadTimeout (1 hour), a
	// negative value no limit. The page being fetched when it passes is
	// not read. See Client.Load for what a load cut short returns.
	LoadTimeout time.Duration

	// UserAgent is the User-Agent header; empty means DefaultUserAgent.
	UserAgent string
}

// Client is a TAXII 2.1 client. It is safe for concurrent use.
type Client struct {
	fc   *fetch.Client // the HTTP layer
	opts Options

	// hooks, replaced by tests
	sleep    func(ctx context.Context, d time.Duration) error
	now      func() time.Time
	jitter   func() float64 // in [0, 1)
	readSTIX func(r io.Reader, path string, opts loader.Options) (loader.Result, error)
}

// New returns a Client with the given options. It fails when they
// contradict each other (Username and Token both set, HTTPClient and
// TLSConfig both set, a reserved Header) or a size is negative.
func New(opts Options) (*Client, error) {
	switch {
	case opts.Username != "" && opts.Token != "":
		return nil, errors.New("taxii: Username and Token are both set: use basic authentication or a bearer token, not both")
	case opts.Username == "" && opts.Password != "":
		return nil, errors.New("taxii: Password set without Username")
	case opts.MaxPages < 0:
		return nil, errors.New("taxii: negative MaxPages")
	case opts.MaxLoadSize < 0:
		return nil, errors.New("taxii: negative MaxLoadSize")
	}
	for k := range opts.Header {
		switch http.CanonicalHeaderKey(k) {
		case "Accept", "Authorization":
			return nil, fmt.Errorf("taxii: Options.Header cannot set %s", k)
		}
	}
	if opts.MaxPages == 0 {
		opts.MaxPages = DefaultMaxPages
	}
	if opts.MaxLoadSize == 0 {
		opts.MaxLoadSize = DefaultMaxLoadSize
	}
	if opts.LoadTimeout == 0 {
		opts.LoadTimeout = DefaultLoadTimeout
	}
	if opts.UserAgent == "" {
		opts.UserAgent = DefaultUserAgent
	}
	c := &Client{
		opts: opts, sleep: fetch.Sleep, now: time.Now, jitter: rand.Float64,
		readSTIX: loader.ReadSTIX,
	}
	h := opts.Header.Clone()
	if opts.Token != "" {
		if h == nil {
			h = http.Header{}
		}
		h.Set("Authorization", "Bearer "+opts.Token)
	}
	fo := fetch.Options{
		Name: "taxii", HTTPClient: opts.HTTPClient, TLSConfig: opts.TLSConfig,
		Header: h, CredentialHosts: opts.CredentialHosts,
		Timeout: opts.Timeout, MaxResponseSize: opts.MaxResponseSize,
		MaxRetries: opts.MaxRetries, RetryWait: opts.RetryWait, MaxRetryWait: opts.MaxRetryWait,
		UserAgent: opts.UserAgent,
		Hints: map[int]string{
			http.StatusUnauthorized:                 "missing or bad credentials: check the user name and password, or the token",
			http.StatusNotFound:                     "no such API root or collection, or no access to it",
			http.StatusNotAcceptable:                "the server does not serve " + MediaType + ": is it a TAXII 2.1 server?",
			http.StatusRequestedRangeNotSatisfiable: "a TAXII 2.0 server? only TAXII 2.1 is supported",
		},
		ErrorMessage: func(ct string, body []byte) string {
			m := parseErrorMessage(ct, body)
			switch {
			case m == nil:
				return ""
			case m.Title != "" && m.Description != "":
				return m.Title + ": " + m.Description
			}
			return m.Title + m.Description
		},
		Sleep:  func(ctx context.Context, d time.Duration) error { return c.sleep(ctx, d) },
		Now:    func() time.Time { return c.now() },
		Jitter: func() float64 { return c.jitter() },
	}
	if opts.Username != "" {
		user, pass := opts.Username, opts.Password
		fo.Sign = func(r *http.Request) error { r.SetBasicAuth(user, pass); return nil }
	}
	fc, err := fetch.New(fo)
	if err != nil {
		return nil, err
	}
	c.fc = fc
	// the HTTP layer's defaults, for Options() and the reports
	fo = fc.Options()
	c.opts.Timeout, c.opts.MaxResponseSize, c.opts.MaxRetries = fo.Timeout, fo.MaxResponseSize, fo.MaxRetries
	c.opts.RetryWait, c.opts.MaxRetryWait = fo.RetryWait, fo.MaxRetryWait
	return c, nil
}

// The kinds of errors, for errors.Is: those of package fetch, the HTTP
// layer the Client shares with the other feed clients (the same values).
// The errors returned name the URL and, for HTTP errors, are *HTTPError.
var (
	ErrUnauthorized = fetch.ErrUnauthorized // 401: missing or bad credentials
	ErrForbidden    = fetch.ErrForbidden    // 403: no access to the resource
	ErrNotFound     = fetch.ErrNotFound     // 404: no such API root or collection (or no access to it)
	ErrTooLarge     = fetch.ErrTooLarge     // a body over Options.MaxResponseSize
	ErrMalformed    = fetch.ErrMalformed    // a body that is not the TAXII resource expected
	ErrContentType  = fetch.ErrContentType  // a 200 response that is not JSON (an HTML login page …)
	ErrNoProgress   = fetch.ErrNoProgress   // a repeated next token, added_after not moving, empty pages
	ErrTooManyPages = fetch.ErrTooManyPages // more than Options.MaxPages
	ErrLoadTooLarge = fetch.ErrLoadTooLarge // a Load or Poll over Options.MaxLoadSize
	ErrLoadTimeout  = fetch.ErrLoadTimeout  // a Load or Poll longer than Options.LoadTimeout
)

// HTTPError is an HTTP response with a status other than 200 (or 204):
// the HTTP layer's error (fetch.HTTPError: URL, StatusCode, RetryAfter …)
// with the TAXII error message of its body. errors.Is matches it against
// ErrUnauthorized (401), ErrForbidden (403) and ErrNotFound (404).
type HTTPError struct {
	*fetch.HTTPError
	TAXII *ErrorMessage // the TAXII error message of its body, or nil
}

// Unwrap returns the HTTP layer's error.
func (e *HTTPError) Unwrap() error { return e.HTTPError }

// ErrorMessage is a TAXII 2.1 error message resource. Its strings are
// sanitised (no control characters) and cut to a few hundred characters.
type ErrorMessage struct {
	Title           string `json:"title"`
	Description     string `json:"description,omitempty"`
	ErrorID         string `json:"error_id,omitempty"`
	ErrorCode       string `json:"error_code,omitempty"`
	ExternalDetails string `json:"external_details,omitempty"`
}

// wrappedHTTPError is an error of the HTTP layer that wraps a
// *fetch.HTTPError ("… (gave up after 4 attempts)"), with that error as
// a *HTTPError.
type wrappedHTTPError struct {
	err error
	he  *HTTPError
}

func (e *wrappedHTTPError) Error() string { return e.err.Error() }
func (e *wrappedHTTPError) Unwrap() error { return e.he }

// withTAXIIMessage gives the *fetch.HTTPError in err, if any, its TAXII error
// message: errors.As then finds a *HTTPError.
func withTAXIIMessage(err error) error {
	var fe *fetch.HTTPError
	if !errors.As(err, &fe) {
		return err
	}
	he := &HTTPError{HTTPError: fe, TAXII: parseErrorMessage(fe.ContentType, fe.Body)}
	if err == error(fe) {
		return he
	}
	return &wrappedHTTPError{err: err, he: he}
}

// urlError is an error about a URL that is not an HTTP status.
type urlError = fetch.Error

func redact(s string) string { return fetch.Redact(s) }

func sanitize(s string, limit int) string { return fetch.Sanitize(s, limit) }

func retryAfter(h string, now time.Time) time.Duration { return fetch.RetryAfter(h, now) }

// response is a successful response.
type response struct {
	url    string // redacted
	header http.Header
	body   []byte
}

// get GETs rawURL through the HTTP layer, which retries as the Options
// say. The error names the URL.
func (c *Client) get(ctx context.Context, rawURL string) (*response, error) {
	resp, err := c.fc.Get(ctx, fetch.Request{URL: rawURL, Accept: MediaType, Expect: MediaType,
		Hint: "is it the URL of a TAXII 2.1 server?"})
	if err != nil {
		return nil, withTAXIIMessage(err)
	}
	return &response{url: resp.URL, header: resp.Header, body: resp.Body}, nil
}

// parseErrorMessage returns the TAXII error message in an error response's
// body, or nil.
func parseErrorMessage(ct string, body []byte) *ErrorMessage {
	if mt, _, err := mime.ParseMediaType(ct); strings.TrimSpace(ct) != "" &&
		(err != nil || mt != "application/json" && !(strings.HasPrefix(mt, "application/") && strings.HasSuffix(mt, "+json"))) {
		return nil
	}
	var m struct {
		Title       any `json:"title"`
		Description any `json:"description"`
		ErrorID     any `json:"error_id"`
		ErrorCode   any `json:"error_code"`
		Ext         any `json:"external_details"`
	}
	if json.Unmarshal(body, &m) != nil {
		return nil
	}
	em := &ErrorMessage{
		Title:           str(m.Title, 200),
		Description:     str(m.Description, 500),
		ErrorID:         str(m.ErrorID, 100),
		ErrorCode:       str(m.ErrorCode, 100),
		ExternalDetails: str(m.Ext, 300),
	}
	if em.Title == "" && em.Description == "" {
		return nil
	}
	return em
}

// str returns v, a JSON string or number, as a sanitised string of at most
// limit runes.
func str(v any, limit int) string {
	switch v := v.(type) {
	case string:
		return sanitize(v, limit)
	case float64:
		return strconv.FormatFloat(v, 'f', -1, 64)
	}
	return ""
}
