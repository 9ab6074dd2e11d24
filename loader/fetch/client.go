package fetch

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"mime"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"
)

// Defaults of the Options, used when the corresponding field is zero.
const (
	DefaultTimeout         = 30 * time.Second
	DefaultMaxResponseSize = 64 << 20
	DefaultMaxRetries      = 3
	DefaultRetryWait       = time.Second
	DefaultMaxRetryWait    = 2 * time.Minute
	DefaultUserAgent       = "iocmatch/1"
)

// MaxErrorBody is the most of an error response's body read
// (HTTPError.Body), for the caller to find the server's error message in.
const MaxErrorBody = 64 << 10

// Options configure a Client. The zero Options are the defaults: no
// credentials, the system's root CAs, DefaultTimeout per request and so on.
type Options struct {
	// Name prefixes the errors: "taxii", "otx" … ("fetch" when empty).
	Name string

	// HTTPClient, when set, sends the requests instead of a client built
	// from TLSConfig (which must then be nil). Its own Timeout, if any,
	// applies besides Options.Timeout.
	HTTPClient *http.Client

	// TLSConfig, when set, is the TLS configuration of the client built
	// (custom RootCAs, client certificates, MinVersion …).
	TLSConfig *tls.Config

	// Header holds the credential headers ("X-OTX-API-KEY", "Key",
	// "Authorization" …) and any extra header a server wants. They are
	// sent only on requests to a credential host (see CredentialHosts); it
	// cannot set Accept, and its User-Agent is replaced by UserAgent.
	Header http.Header

	// Sign, when set, is called on every request to a credential host,
	// redirects included, after Header is set: for credentials computed
	// per request (ThreatConnect's HMAC signature, HTTP basic
	// authentication). The request is a copy that Sign may modify; an
	// error of Sign fails the request (not retried).
	Sign func(*http.Request) error

	// CredentialHosts are the hosts, besides the Client's own, that Header
	// and Sign apply to: "name" (on the default port of the request's
	// scheme: 443 for https, 80 for http), "name:port", or "*" for any
	// host. The Client's own host is the host (name and port) of the first
	// URL it requests. By default (CredentialHosts empty) the credentials
	// go there only: not to another host a page links to, nor through a
	// redirect to another host (another name, a subdomain, another port),
	// whatever the HTTPClient's redirect policy; a request to another host
	// goes without them (and a 401 from it says so). Host names are
	// compared without case, as given (no DNS resolution).
	CredentialHosts []string

	// Timeout is the longest one request may take, from sending it to
	// reading the whole response; zero means DefaultTimeout, a negative
	// value no limit. A request that times out is retried (see MaxRetries).
	Timeout time.Duration

	// MaxResponseSize is the largest response body read, in bytes (after
	// decompression); zero means DefaultMaxResponseSize. A larger body is
	// an error (ErrTooLarge).
	MaxResponseSize int64

	// MaxRetries is how many times a request is retried after a 408, 429,
	// 500, 502, 503 or 504 response or a transient network error; zero
	// means DefaultMaxRetries, a negative value no retries.
	MaxRetries int

	// RetryWait is the wait before the first retry, doubled for every
	// further retry, with random jitter (each wait is between half of and
	// the whole computed value); zero means DefaultRetryWait. A
	// Retry-After header (seconds or an HTTP date) in a 429 or 503
	// response sets the wait instead.
	RetryWait time.Duration

	// MaxRetryWait caps the computed waits; zero means
	// DefaultMaxRetryWait. A server asking, with Retry-After, for a longer
	// wait than this is not retried: its error is returned at once.
	MaxRetryWait time.Duration

	// UserAgent is the User-Agent header; empty means DefaultUserAgent.
	UserAgent string

	// Hints, by status code, replace the default hint an HTTPError gives
	// after its status ("(missing or bad credentials …)" for a 401 …):
	// what the status means for the API.
	Hints map[int]string

	// ErrorMessage, when set, finds the server's error message in the
	// body of an error response (Content-Type, body of at most
	// MaxErrorBody bytes), for HTTPError.Message. It is an API's own
	// error shape; the default takes a JSON "message", "error",
	// "detail" or "errors[0].detail" string.
	ErrorMessage func(contentType string, body []byte) string

	// Sleep, Now and Jitter replace the waits between retries (Sleep must
	// return early with the context's error when it is done), the clock
	// (for Retry-After dates) and the jitter (a number in [0, 1)); nil
	// means the real ones. They are for tests.
	Sleep  func(ctx context.Context, d time.Duration) error
	Now    func() time.Time
	Jitter func() float64
}

// Client sends GET requests as its Options say. It is safe for concurrent
// use.
type Client struct {
	hc   *http.Client
	opts Options

	credMu    sync.Mutex
	credHosts map[string]bool // hostKey → the credentials are sent there
	credAny   bool            // CredentialHosts has "*"
	credBound bool            // the host of the first request is in credHosts
}

// New returns a Client with the given options. It fails when they
// contradict each other (HTTPClient and TLSConfig both set, a Header
// setting Accept), a size is negative or a credential host is not a host.
func New(opts Options) (*Client, error) {
	if opts.Name == "" {
		opts.Name = "fetch"
	}
	switch {
	case opts.HTTPClient != nil && opts.TLSConfig != nil:
		return nil, fmt.Errorf("%s: HTTPClient and TLSConfig are both set: set the TLS configuration in the HTTPClient's transport", opts.Name)
	case opts.MaxResponseSize < 0:
		return nil, fmt.Errorf("%s: negative MaxResponseSize", opts.Name)
	}
	for k := range opts.Header {
		if http.CanonicalHeaderKey(k) == "Accept" {
			return nil, fmt.Errorf("%s: Options.Header cannot set Accept", opts.Name)
		}
	}
	hosts := map[string]bool{}
	anyHost := false
	for _, h := range opts.CredentialHosts {
		switch {
		case h == "*":
			anyHost = true
		case strings.ContainsAny(h, "/@?#") || strings.TrimSpace(h) != h || h == "":
			return nil, fmt.Errorf("%s: CredentialHosts: %q is not a host or host:port", opts.Name, h)
		default:
			u := &url.URL{Host: h}
			if u.Port() != "" {
				hosts[hostKey(u.Hostname(), u.Port())] = true
			} else {
				hosts[hostKey(u.Hostname(), "443")] = true
				hosts[hostKey(u.Hostname(), "80")] = true
			}
		}
	}
	if opts.Timeout == 0 {
		opts.Timeout = DefaultTimeout
	}
	if opts.MaxResponseSize == 0 {
		opts.MaxResponseSize = DefaultMaxResponseSize
	}
	if opts.MaxRetries == 0 {
		opts.MaxRetries = DefaultMaxRetries
	}
	if opts.RetryWait <= 0 {
		opts.RetryWait = DefaultRetryWait
	}
	if opts.MaxRetryWait <= 0 {
		opts.MaxRetryWait = DefaultMaxRetryWait
	}
	if opts.UserAgent == "" {
		opts.UserAgent = DefaultUserAgent
	}
	if opts.Sleep == nil {
		opts.Sleep = Sleep
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Jitter == nil {
		opts.Jitter = rand.Float64
	}
	if opts.ErrorMessage == nil {
		opts.ErrorMessage = jsonErrorMessage
	}
	opts.Header = opts.Header.Clone()
	opts.CredentialHosts = slices.Clone(opts.CredentialHosts)
	var hc http.Client
	if opts.HTTPClient != nil {
		hc = *opts.HTTPClient
	} else {
		tr := http.DefaultTransport.(*http.Transport).Clone()
		if opts.TLSConfig != nil {
			tr.TLSClientConfig = opts.TLSConfig.Clone()
		}
		hc.Transport = tr
	}
	c := &Client{hc: &hc, opts: opts, credHosts: hosts, credAny: anyHost}
	base := hc.Transport
	if base == nil {
		base = http.DefaultTransport
	}
	// The credentials are set on each request sent, redirects included,
	// by the transport, for the credential hosts only: net/http itself
	// would copy them to a redirect to the same name on another port, or
	// to a subdomain, and Header to any host.
	hc.Transport = &credTransport{base: base, c: c}
	return c, nil
}

// Options returns the Client's options, the defaults filled in (Timeout,
// MaxResponseSize, MaxRetries, RetryWait, MaxRetryWait, UserAgent …). Its
// Header and CredentialHosts are copies.
func (c *Client) Options() Options {
	o := c.opts
	o.Header = o.Header.Clone()
	o.CredentialHosts = slices.Clone(o.CredentialHosts)
	return o
}

// Name returns Options.Name: the prefix of the Client's errors.
func (c *Client) Name() string { return c.opts.Name }

// MaxRetryWait returns the Client's Options.MaxRetryWait (or its default).
func (c *Client) MaxRetryWait() time.Duration { return c.opts.MaxRetryWait }

// hostKey is the key of a host in Client.credHosts: "name:port", the name
// in lower case.
func hostKey(name, port string) string {
	return net.JoinHostPort(strings.ToLower(name), port)
}

// urlHostKey is the hostKey of u's host, with the default port of its
// scheme when it has none.
func urlHostKey(u *url.URL) string {
	port := u.Port()
	if port == "" {
		port = "443"
		if u.Scheme == "http" {
			port = "80"
		}
	}
	return hostKey(u.Hostname(), port)
}

// bindCredentials makes the host of u, the first URL requested, the
// Client's own host: a credential host.
func (c *Client) bindCredentials(u *url.URL) {
	c.credMu.Lock()
	defer c.credMu.Unlock()
	if !c.credBound {
		c.credBound = true
		c.credHosts[urlHostKey(u)] = true
	}
}

// SendsCredentials reports whether a request to u gets the credentials
// (Options.Header and Sign).
func (c *Client) SendsCredentials(u *url.URL) bool {
	if c.credAny {
		return true
	}
	c.credMu.Lock()
	defer c.credMu.Unlock()
	return c.credHosts[urlHostKey(u)]
}

// hasCredentials reports whether the Options have credentials or headers
// to send.
func (c *Client) hasCredentials() bool {
	return len(c.opts.Header) > 0 || c.opts.Sign != nil
}

// credTransport sets Options.Header and calls Options.Sign on the requests
// to the credential hosts.
type credTransport struct {
	base http.RoundTripper
	c    *Client
}

// signError is an error of Options.Sign.
type signError struct{ err error }

func (e *signError) Error() string { return "signing the request: " + e.err.Error() }
func (e *signError) Unwrap() error { return e.err }

func (t *credTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	c := t.c
	if !c.hasCredentials() || !c.SendsCredentials(req.URL) {
		return t.base.RoundTrip(req)
	}
	r := req.Clone(req.Context())
	for k, v := range c.opts.Header {
		if k := http.CanonicalHeaderKey(k); k != "User-Agent" {
			r.Header[k] = v
		}
	}
	if c.opts.Sign != nil {
		if err := c.opts.Sign(r); err != nil {
			if req.Body != nil {
				req.Body.Close()
			}
			return nil, &signError{err}
		}
	}
	return t.base.RoundTrip(r)
}

// Sleep waits d, or less when ctx is done first (then it returns ctx's
// error): the default Options.Sleep.
func Sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// Request is one GET request.
type Request struct {
	// URL is the URL requested: http or https.
	URL string
	// Accept is the Accept header; empty means "application/json".
	Accept string
	// Header holds extra headers of this request (not credentials:
	// those are Options.Header's, for the credential hosts only).
	Header http.Header
	// Types are the media types a 200 response may have: "application/json"
	// (which takes any application/…+json too), "text/csv", "text/plain" …;
	// a response without Content-Type is taken. Empty means
	// application/json.
	Types []string
	// Expect names, in the error of a 200 response of another type, what
	// was expected (e.g. "application/taxii+json;version=2.1"); empty: the
	// Types. Hint follows it (e.g. "is it the URL of a TAXII 2.1
	// server?").
	Expect, Hint string
}

// Response is a successful response: status 200, or 204 with no body, or
// 304 Not Modified (no body) to a conditional request (a Request.Header
// with If-None-Match or If-Modified-Since; to another request, a 304 is
// an *HTTPError).
type Response struct {
	URL        string // the URL requested, without password
	StatusCode int
	Header     http.Header
	Body       []byte
}

// Get sends req, retrying as the Options say, and returns the response
// read whole (at most Options.MaxResponseSize bytes). The error names the
// URL (without password): an *HTTPError for another status than 200 or
// 204 (or 304 to a conditional request), an *Error for the rest, or the
// context's cause when ctx is done.
func (c *Client) Get(ctx context.Context, req Request) (*Response, error) {
	for attempt := 0; ; attempt++ {
		resp, err := c.try(ctx, req)
		if err == nil {
			return resp, nil
		}
		if ctx.Err() != nil {
			return nil, fmt.Errorf("%s: GET %s: %w", c.opts.Name, Redact(req.URL), context.Cause(ctx))
		}
		wait, ok := c.retryWait(err, attempt)
		if !ok {
			var he *HTTPError
			if errors.As(err, &he) && he.retryable() && he.RetryAfter > c.opts.MaxRetryWait {
				return nil, fmt.Errorf("%w (not retried: Retry-After %v is longer than MaxRetryWait %v)", err, he.RetryAfter, c.opts.MaxRetryWait)
			}
			return nil, err
		}
		if attempt >= c.opts.MaxRetries {
			if attempt == 0 {
				return nil, err // no retries
			}
			return nil, fmt.Errorf("%w (gave up after %d attempts)", err, attempt+1)
		}
		if serr := c.opts.Sleep(ctx, wait); serr != nil {
			if ctx.Err() != nil {
				serr = context.Cause(ctx)
			}
			return nil, fmt.Errorf("%s: GET %s: %w (while waiting %v to retry after: %v)", c.opts.Name, Redact(req.URL), serr, wait, err)
		}
	}
}

// retryWait says whether err is worth retrying, and after how long, for
// the retry number attempt+1.
func (c *Client) retryWait(err error, attempt int) (time.Duration, bool) {
	var he *HTTPError
	var ue *Error
	switch {
	case errors.As(err, &he):
		if !he.retryable() {
			return 0, false
		}
		if he.RetryAfter > 0 {
			return he.RetryAfter, he.RetryAfter <= c.opts.MaxRetryWait
		}
	case errors.As(err, &ue):
		if !ue.Transient {
			return 0, false
		}
	default:
		return 0, false
	}
	d := c.opts.RetryWait
	for i := 0; i < attempt && d < c.opts.MaxRetryWait; i++ {
		d *= 2
	}
	d = min(d, c.opts.MaxRetryWait)
	return d/2 + time.Duration(c.opts.Jitter()*float64(d/2)), true
}

// try sends one request.
func (c *Client) try(ctx context.Context, r Request) (*Response, error) {
	red := Redact(r.URL)
	if c.opts.Timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeoutCause(ctx, c.opts.Timeout,
			fmt.Errorf("no complete response within %v", c.opts.Timeout))
		defer cancel()
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, r.URL, nil)
	if err != nil {
		return nil, c.errorf(red, nil, err)
	}
	if req.URL.Scheme != "http" && req.URL.Scheme != "https" {
		return nil, c.errorf(red, nil, errors.New("not an http or https URL"))
	}
	for k, v := range r.Header {
		req.Header[http.CanonicalHeaderKey(k)] = v
	}
	accept := r.Accept
	if accept == "" {
		accept = "application/json"
	}
	req.Header.Set("Accept", accept)
	req.Header.Set("User-Agent", c.opts.UserAgent)
	c.bindCredentials(req.URL)
	resp, err := c.hc.Do(req)
	if err != nil {
		var se *signError
		if errors.As(err, &se) {
			return nil, c.errorf(red, nil, se)
		}
		return nil, c.netError(ctx, red, err)
	}
	defer resp.Body.Close()
	final := req.URL // after the redirects
	if resp.Request != nil && resp.Request.URL != nil {
		final = resp.Request.URL
	}
	withheld := c.hasCredentials() && !c.SendsCredentials(final)
	switch resp.StatusCode {
	case http.StatusOK:
	case http.StatusNoContent:
		return &Response{URL: red, StatusCode: resp.StatusCode, Header: resp.Header}, nil
	case http.StatusNotModified:
		if conditional(req.Header) {
			return &Response{URL: red, StatusCode: resp.StatusCode, Header: resp.Header}, nil
		}
		fallthrough
	default:
		body, _ := io.ReadAll(io.LimitReader(resp.Body, MaxErrorBody))
		ct := resp.Header.Get("Content-Type")
		return nil, &HTTPError{
			Name: c.opts.Name, URL: red, StatusCode: resp.StatusCode, Withheld: withheld,
			RetryAfter: RetryAfter(resp.Header.Get("Retry-After"), c.opts.Now()),
			Message:    Sanitize(c.opts.ErrorMessage(ct, body), 300),
			Body:       body, ContentType: ct,
			hint: c.opts.Hints[resp.StatusCode],
		}
	}
	if ct := resp.Header.Get("Content-Type"); !typeOK(ct, r.Types) {
		want := r.Expect
		switch {
		case want != "":
		case len(r.Types) > 0:
			want = strings.Join(r.Types, " or ")
		default:
			want = "application/json"
		}
		msg := fmt.Sprintf("response of type %q, not %s", Sanitize(ct, 100), want)
		if r.Hint != "" {
			msg += " (" + r.Hint + ")"
		}
		return nil, c.errorf(red, ErrContentType, errors.New(msg))
	}
	limit := c.opts.MaxResponseSize
	tooLarge := c.errorf(red, ErrTooLarge,
		fmt.Errorf("response larger than MaxResponseSize (%d bytes): ask for smaller pages", limit))
	if resp.ContentLength > limit {
		return nil, tooLarge
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, limit+1))
	if err != nil {
		return nil, c.netError(ctx, red, err)
	}
	if int64(len(body)) > limit {
		return nil, tooLarge
	}
	return &Response{URL: red, StatusCode: resp.StatusCode, Header: resp.Header, Body: body}, nil
}

// conditional reports whether h makes a conditional request: one a 304
// Not Modified answers.
func conditional(h http.Header) bool {
	return h.Get("If-None-Match") != "" || h.Get("If-Modified-Since") != ""
}

// Errorf returns an *Error of the Client about url (redacted) of the kind
// (ErrMalformed … or nil), with the message of format and args.
func (c *Client) Errorf(url string, kind error, format string, args ...any) error {
	return c.errorf(Redact(url), kind, fmt.Errorf(format, args...))
}

func (c *Client) errorf(red string, kind, err error) *Error {
	return &Error{Name: c.opts.Name, URL: red, Kind: kind, Err: err}
}

// netError wraps an error sending a request or reading its response.
func (c *Client) netError(ctx context.Context, red string, err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		err = ue.Err
	}
	e := c.errorf(red, nil, err)
	if ctx.Err() != nil {
		// the parent context (checked by Get) or the request's timeout
		e.Err, e.Transient = context.Cause(ctx), true
		return e
	}
	e.Transient = transient(err)
	return e
}

// typeOK reports whether a 200 response's Content-Type ct is one of
// types (application/json by default; application/json takes any
// application/…+json too), or absent.
func typeOK(ct string, types []string) bool {
	if strings.TrimSpace(ct) == "" {
		return true
	}
	mt, _, err := mime.ParseMediaType(ct)
	if err != nil {
		return false
	}
	if len(types) == 0 {
		types = []string{"application/json"}
	}
	for _, t := range types {
		switch {
		case t == "*/*" || mt == t:
			return true
		case t == "application/json" && strings.HasPrefix(mt, "application/") && strings.HasSuffix(mt, "+json"):
			return true
		}
	}
	return false
}
