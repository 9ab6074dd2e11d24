package taxii

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"mime"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
	"unicode"

	"github.com/iocmatch/iocmatch/loader"
)

// MediaType is the media type of TAXII 2.1 resources, sent in the Accept
// header of every request.
const MediaType = "application/taxii+json;version=2.1"

// Defaults of the Options, used when the corresponding field is zero.
const (
	DefaultTimeout         = 30 * time.Second
	DefaultMaxResponseSize = 64 << 20
	DefaultMaxRetries      = 3
	DefaultRetryWait       = time.Second
	DefaultMaxRetryWait    = 2 * time.Minute
	DefaultMaxPages        = 10000
	DefaultMaxLoadSize     = 256 << 20
	DefaultLoadTimeout     = time.Hour
	DefaultUserAgent       = "iocmatch-taxii/1"
)

// maxErrorBody is the most of an error response's body read, to find a
// TAXII error message in it.
const maxErrorBody = 64 << 10

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
	hc   *http.Client
	opts Options

	// hooks, replaced by tests
	sleep    func(ctx context.Context, d time.Duration) error
	now      func() time.Time
	jitter   func() float64 // in [0, 1)
	readSTIX func(r io.Reader, path string, opts loader.Options) (loader.Result, error)

	credMu    sync.Mutex
	credHosts map[string]bool // hostKey → the credentials are sent there
	credAny   bool            // CredentialHosts has "*"
	credBound bool            // the host of the first request is in credHosts
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
	case opts.HTTPClient != nil && opts.TLSConfig != nil:
		return nil, errors.New("taxii: HTTPClient and TLSConfig are both set: set the TLS configuration in the HTTPClient's transport")
	case opts.MaxResponseSize < 0:
		return nil, errors.New("taxii: negative MaxResponseSize")
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
	hosts := map[string]bool{}
	anyHost := false
	for _, h := range opts.CredentialHosts {
		switch {
		case h == "*":
			anyHost = true
		case strings.ContainsAny(h, "/@?#") || strings.TrimSpace(h) != h || h == "":
			return nil, fmt.Errorf("taxii: CredentialHosts: %q is not a host or host:port", h)
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
	c := &Client{
		hc: &hc, opts: opts,
		sleep: sleepCtx, now: time.Now, jitter: rand.Float64,
		readSTIX:  loader.ReadSTIX,
		credHosts: hosts, credAny: anyHost,
	}
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

// sendsCredentials reports whether a request to u gets the credentials
// and Options.Header.
func (c *Client) sendsCredentials(u *url.URL) bool {
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
	return c.opts.Token != "" || c.opts.Username != "" || len(c.opts.Header) > 0
}

// credTransport sets the credentials and Options.Header on the requests
// to the credential hosts.
type credTransport struct {
	base http.RoundTripper
	c    *Client
}

func (t *credTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	c := t.c
	if !c.hasCredentials() || !c.sendsCredentials(req.URL) {
		return t.base.RoundTrip(req)
	}
	r := req.Clone(req.Context())
	for k, v := range c.opts.Header {
		if k := http.CanonicalHeaderKey(k); k != "User-Agent" {
			r.Header[k] = v
		}
	}
	switch {
	case c.opts.Token != "":
		r.Header.Set("Authorization", "Bearer "+c.opts.Token)
	case c.opts.Username != "":
		r.SetBasicAuth(c.opts.Username, c.opts.Password)
	}
	return t.base.RoundTrip(r)
}

func sleepCtx(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// The kinds of errors, for errors.Is. The errors returned name the URL
// and, for HTTP errors, are *HTTPError.
var (
	ErrUnauthorized = errors.New("unauthorized")              // 401: missing or bad credentials
	ErrForbidden    = errors.New("forbidden")                 // 403: no access to the resource
	ErrNotFound     = errors.New("not found")                 // 404: no such API root or collection (or no access to it)
	ErrTooLarge     = errors.New("response too large")        // a body over Options.MaxResponseSize
	ErrMalformed    = errors.New("malformed response")        // a body that is not the TAXII resource expected
	ErrContentType  = errors.New("not a TAXII JSON response") // a 200 response that is not JSON (an HTML login page …)
	ErrNoProgress   = errors.New("paging makes no progress")  // a repeated next token, added_after not moving, empty pages
	ErrTooManyPages = errors.New("too many pages")            // more than Options.MaxPages
	ErrLoadTooLarge = errors.New("load too large")            // a Load or Poll over Options.MaxLoadSize
	ErrLoadTimeout  = errors.New("load timed out")            // a Load or Poll longer than Options.LoadTimeout
)

// HTTPError is an HTTP response with a status other than 200 (or 204).
// errors.Is matches it against ErrUnauthorized (401), ErrForbidden (403)
// and ErrNotFound (404).
type HTTPError struct {
	URL        string        // the URL requested, without password
	StatusCode int           // 401 …
	RetryAfter time.Duration // the wait its Retry-After header asks for, or 0
	TAXII      *ErrorMessage // the TAXII error message of its body, or nil

	withheld bool // the credentials were not sent: not a credential host
}

// ErrorMessage is a TAXII 2.1 error message resource. Its strings are
// sanitised (no control characters) and cut to a few hundred characters.
type ErrorMessage struct {
	Title           string `json:"title"`
	Description     string `json:"description,omitempty"`
	ErrorID         string `json:"error_id,omitempty"`
	ErrorCode       string `json:"error_code,omitempty"`
	ExternalDetails string `json:"external_details,omitempty"`
}

// Error returns "taxii: GET URL: 401 Unauthorized: title: description",
// with a hint for the common statuses.
func (e *HTTPError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "taxii: GET %s: %d %s", e.URL, e.StatusCode, http.StatusText(e.StatusCode))
	if m := e.TAXII; m != nil {
		if m.Title != "" {
			b.WriteString(": " + m.Title)
		}
		if m.Description != "" {
			b.WriteString(": " + m.Description)
		}
	}
	switch e.StatusCode {
	case http.StatusUnauthorized:
		if e.withheld {
			b.WriteString(" (the credentials were not sent to this host: not a credential host, see Options.CredentialHosts)")
		} else {
			b.WriteString(" (missing or bad credentials: check the user name and password, or the token)")
		}
	case http.StatusForbidden:
		b.WriteString(" (the credentials give no access to this resource)")
	case http.StatusNotFound:
		b.WriteString(" (no such API root or collection, or no access to it)")
	case http.StatusNotAcceptable:
		b.WriteString(" (the server does not serve " + MediaType + ": is it a TAXII 2.1 server?)")
	case http.StatusRequestedRangeNotSatisfiable:
		b.WriteString(" (a TAXII 2.0 server? only TAXII 2.1 is supported)")
	}
	return b.String()
}

// Is reports whether target is the error kind of the status.
func (e *HTTPError) Is(target error) bool {
	switch e.StatusCode {
	case http.StatusUnauthorized:
		return target == ErrUnauthorized
	case http.StatusForbidden:
		return target == ErrForbidden
	case http.StatusNotFound:
		return target == ErrNotFound
	}
	return false
}

func (e *HTTPError) retryable() bool {
	switch e.StatusCode {
	case http.StatusRequestTimeout, http.StatusTooManyRequests, http.StatusInternalServerError,
		http.StatusBadGateway, http.StatusServiceUnavailable, http.StatusGatewayTimeout:
		return true
	}
	return false
}

// urlError is an error about a URL that is not an HTTP status.
type urlError struct {
	url       string
	kind      error // ErrTooLarge … or nil
	err       error
	transient bool // worth retrying
}

func (e *urlError) Error() string {
	if e.kind != nil && e.err == nil {
		return fmt.Sprintf("taxii: GET %s: %v", e.url, e.kind)
	}
	return fmt.Sprintf("taxii: GET %s: %v", e.url, e.err)
}

func (e *urlError) Unwrap() []error {
	if e.kind != nil {
		return []error{e.kind, e.err}
	}
	return []error{e.err}
}

// redact returns the URL s without the password of its user info.
func redact(s string) string {
	u, err := url.Parse(s)
	if err == nil {
		return u.Redacted()
	}
	// Unparsable: cut any user info all the same.
	if i := strings.Index(s, "://"); i >= 0 {
		rest := s[i+3:]
		end := strings.IndexAny(rest, "/?#")
		if end < 0 {
			end = len(rest)
		}
		if at := strings.LastIndex(rest[:end], "@"); at >= 0 {
			return s[:i+3] + "xxxxx" + rest[at:]
		}
	}
	return s
}

// response is a successful response.
type response struct {
	url    string // redacted
	header http.Header
	body   []byte
}

// get GETs rawURL, retrying as the Options say. The error names the URL.
func (c *Client) get(ctx context.Context, rawURL string) (*response, error) {
	for attempt := 0; ; attempt++ {
		resp, err := c.try(ctx, rawURL)
		if err == nil {
			return resp, nil
		}
		if ctx.Err() != nil {
			return nil, fmt.Errorf("taxii: GET %s: %w", redact(rawURL), context.Cause(ctx))
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
		if serr := c.sleep(ctx, wait); serr != nil {
			if ctx.Err() != nil {
				serr = context.Cause(ctx)
			}
			return nil, fmt.Errorf("taxii: GET %s: %w (while waiting %v to retry after: %v)", redact(rawURL), serr, wait, err)
		}
	}
}

// retryWait says whether err is worth retrying, and after how long, for
// the retry number attempt+1.
func (c *Client) retryWait(err error, attempt int) (time.Duration, bool) {
	var he *HTTPError
	var ue *urlError
	switch {
	case errors.As(err, &he):
		if !he.retryable() {
			return 0, false
		}
		if he.RetryAfter > 0 {
			return he.RetryAfter, he.RetryAfter <= c.opts.MaxRetryWait
		}
	case errors.As(err, &ue):
		if !ue.transient {
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
	return d/2 + time.Duration(c.jitter()*float64(d/2)), true
}

// try sends one request.
func (c *Client) try(ctx context.Context, rawURL string) (*response, error) {
	red := redact(rawURL)
	if c.opts.Timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeoutCause(ctx, c.opts.Timeout,
			fmt.Errorf("no complete response within %v", c.opts.Timeout))
		defer cancel()
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, rawURL, nil)
	if err != nil {
		return nil, &urlError{url: red, err: err}
	}
	if req.URL.Scheme != "http" && req.URL.Scheme != "https" {
		return nil, &urlError{url: red, err: fmt.Errorf("not an http or https URL")}
	}
	req.Header.Set("Accept", MediaType)
	req.Header.Set("User-Agent", c.opts.UserAgent)
	c.bindCredentials(req.URL)
	withheld := c.hasCredentials() && !c.sendsCredentials(req.URL)
	resp, err := c.hc.Do(req)
	if err != nil {
		return nil, c.netError(ctx, red, err)
	}
	defer resp.Body.Close()
	switch resp.StatusCode {
	case http.StatusOK:
	case http.StatusNoContent:
		return &response{url: red, header: resp.Header}, nil
	default:
		body, _ := io.ReadAll(io.LimitReader(resp.Body, maxErrorBody))
		return nil, &HTTPError{
			URL: red, StatusCode: resp.StatusCode, withheld: withheld,
			RetryAfter: retryAfter(resp.Header.Get("Retry-After"), c.now()),
			TAXII:      parseErrorMessage(resp.Header.Get("Content-Type"), body),
		}
	}
	if ct := resp.Header.Get("Content-Type"); !jsonContentType(ct) {
		return nil, &urlError{url: red, kind: ErrContentType,
			err: fmt.Errorf("response of type %q, not %s (is it the URL of a TAXII 2.1 server?)", sanitize(ct, 100), MediaType)}
	}
	limit := c.opts.MaxResponseSize
	tooLarge := &urlError{url: red, kind: ErrTooLarge,
		err: fmt.Errorf("response larger than MaxResponseSize (%d bytes): ask for smaller pages (limit)", limit)}
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
	return &response{url: red, header: resp.Header, body: body}, nil
}

// netError wraps an error sending a request or reading its response.
func (c *Client) netError(ctx context.Context, red string, err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		err = ue.Err
	}
	if ctx.Err() != nil {
		// the parent context (checked by get) or the request's timeout
		return &urlError{url: red, err: context.Cause(ctx), transient: true}
	}
	return &urlError{url: red, err: err, transient: transient(err)}
}

// transient reports whether a network error is worth retrying: a timeout,
// a reset or refused connection, a response cut short; not a TLS
// certificate or DNS name error.
func transient(err error) bool {
	var cve *tls.CertificateVerificationError
	var uae x509.UnknownAuthorityError
	var hne x509.HostnameError
	var cie x509.CertificateInvalidError
	var rhe tls.RecordHeaderError
	var dnse *net.DNSError
	switch {
	case errors.As(err, &cve), errors.As(err, &uae), errors.As(err, &hne), errors.As(err, &cie), errors.As(err, &rhe):
		return false
	case errors.As(err, &dnse):
		return dnse.IsTimeout || dnse.IsTemporary
	case errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, io.EOF),
		errors.Is(err, syscall.ECONNRESET), errors.Is(err, syscall.ECONNREFUSED),
		errors.Is(err, syscall.ECONNABORTED), errors.Is(err, syscall.EPIPE):
		return true
	}
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		return true
	}
	var oe *net.OpError
	return errors.As(err, &oe)
}

// jsonContentType reports whether a response's Content-Type is JSON:
// application/taxii+json, application/json, application/stix+json or any
// other application/…+json (some servers send one of these rather than
// the TAXII type), or absent.
func jsonContentType(ct string) bool {
	if strings.TrimSpace(ct) == "" {
		return true
	}
	mt, _, err := mime.ParseMediaType(ct)
	if err != nil {
		return false
	}
	return mt == "application/json" || strings.HasPrefix(mt, "application/") && strings.HasSuffix(mt, "+json")
}

// retryAfter parses a Retry-After header: seconds, or an HTTP date. It
// returns 0 for an absent or bad header or a date in the past.
func retryAfter(h string, now time.Time) time.Duration {
	h = strings.TrimSpace(h)
	if h == "" {
		return 0
	}
	const maxWait = 365 * 24 * time.Hour // longer is as good as never
	if n, err := strconv.ParseInt(h, 10, 64); err == nil || errors.Is(err, strconv.ErrRange) && n > 0 {
		if n <= 0 {
			return 0
		}
		return min(time.Duration(min(n, int64(maxWait/time.Second)))*time.Second, maxWait)
	}
	if t, err := http.ParseTime(h); err == nil {
		if d := t.Sub(now); d > 0 {
			return min(d, maxWait)
		}
	}
	return 0
}

// parseErrorMessage returns the TAXII error message in an error response's
// body, or nil.
func parseErrorMessage(ct string, body []byte) *ErrorMessage {
	if !jsonContentType(ct) {
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

// sanitize replaces control characters and invalid UTF-8 in s (text from
// a server, shown in errors) and cuts it to limit runes.
func sanitize(s string, limit int) string {
	var b strings.Builder
	n := 0
	for _, r := range s {
		if n == limit {
			b.WriteString("…")
			break
		}
		if r == unicode.ReplacementChar || unicode.IsControl(r) || r == '\u2028' || r == '\u2029' ||
			unicode.Is(unicode.Bidi_Control, r) {
			r = ' '
		}
		b.WriteRune(r)
		n++
	}
	return strings.TrimSpace(b.String())
}
