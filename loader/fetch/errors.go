package fetch

import (
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"syscall"
	"time"
	"unicode"
)

// The kinds of errors, for errors.Is. The errors returned name the URL
// and, for HTTP errors, are *HTTPError.
var (
	ErrUnauthorized = errors.New("unauthorized")             // 401: missing or bad credentials
	ErrForbidden    = errors.New("forbidden")                // 403: no access to the resource
	ErrNotFound     = errors.New("not found")                // 404: no such resource (or no access to it)
	ErrRateLimited  = errors.New("rate limited")             // 429, after the retries
	ErrTooLarge     = errors.New("response too large")       // a body over Options.MaxResponseSize
	ErrMalformed    = errors.New("malformed response")       // a body that is not the resource expected
	ErrContentType  = errors.New("unexpected content type")  // a 200 response of another type (an HTML login page …)
	ErrNoProgress   = errors.New("paging makes no progress") // a repeated next page, empty pages that say there is more
	ErrTooManyPages = errors.New("too many pages")           // more than a Pager's MaxPages
	ErrLoadTooLarge = errors.New("load too large")           // a load over a Pager's MaxBytes
	ErrLoadTimeout  = errors.New("load timed out")           // a load longer than its time limit
)

// HTTPError is an HTTP response with a status other than 200 (or 204).
// errors.Is matches it against ErrUnauthorized (401), ErrForbidden (403),
// ErrNotFound (404) and ErrRateLimited (429).
type HTTPError struct {
	Name        string        // the Client's Options.Name: "taxii", "otx" …
	URL         string        // the URL requested, without password
	StatusCode  int           // 401 …
	RetryAfter  time.Duration // the wait its Retry-After header asks for, or 0
	Message     string        // the server's error message (Options.ErrorMessage), sanitised, or ""
	ContentType string        // of the body
	Body        []byte        // the start of the body, at most MaxErrorBody bytes
	Withheld    bool          // the credentials were not sent: not a credential host

	hint string // Options.Hints[StatusCode]
}

// Error returns "NAME: GET URL: 401 Unauthorized: message (hint)".
func (e *HTTPError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s: GET %s: %d %s", e.Name, e.URL, e.StatusCode, http.StatusText(e.StatusCode))
	if e.Message != "" {
		b.WriteString(": " + e.Message)
	}
	switch {
	case e.StatusCode == http.StatusUnauthorized && e.Withheld:
		b.WriteString(" (the credentials were not sent to this host: not a credential host, see Options.CredentialHosts)")
	case e.hint != "":
		b.WriteString(" (" + e.hint + ")")
	case e.StatusCode == http.StatusUnauthorized:
		b.WriteString(" (missing or bad credentials: check the key or token)")
	case e.StatusCode == http.StatusForbidden:
		b.WriteString(" (the credentials give no access to this resource)")
	case e.StatusCode == http.StatusNotFound:
		b.WriteString(" (no such resource, or no access to it)")
	case e.StatusCode == http.StatusTooManyRequests:
		b.WriteString(" (rate limited: the server's quota is used up; poll less often)")
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
	case http.StatusTooManyRequests:
		return target == ErrRateLimited
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

// Error is an error about a URL that is not an HTTP status: the network,
// a body too large or of the wrong type, a malformed page, a paging guard.
// errors.Is matches it against its Kind and its Err.
type Error struct {
	Name      string // the Client's Options.Name
	URL       string // without password
	Kind      error  // ErrTooLarge … or nil
	Err       error
	Transient bool // worth retrying
}

// Error returns "NAME: GET URL: message".
func (e *Error) Error() string {
	if e.Kind != nil && e.Err == nil {
		return fmt.Sprintf("%s: GET %s: %v", e.Name, e.URL, e.Kind)
	}
	return fmt.Sprintf("%s: GET %s: %v", e.Name, e.URL, e.Err)
}

// Unwrap returns Kind and Err.
func (e *Error) Unwrap() []error {
	switch {
	case e.Kind != nil && e.Err != nil:
		return []error{e.Kind, e.Err}
	case e.Kind != nil:
		return []error{e.Kind}
	}
	return []error{e.Err}
}

// Redact returns the URL s without the password of its user info.
func Redact(s string) string {
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

// RetryAfter parses a Retry-After header: seconds, or an HTTP date. It
// returns 0 for an absent or bad header or a date in the past.
func RetryAfter(h string, now time.Time) time.Duration {
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

// jsonErrorMessage is the default Options.ErrorMessage: a JSON body's
// "message", "error", "detail" or "errors"[0]."detail" (AbuseIPDB) string.
func jsonErrorMessage(ct string, body []byte) string {
	if !typeOK(ct, nil) {
		return ""
	}
	var m struct {
		Message any `json:"message"`
		Error   any `json:"error"`
		Detail  any `json:"detail"`
		Errors  []struct {
			Detail any `json:"detail"`
		} `json:"errors"`
	}
	if json.Unmarshal(body, &m) != nil {
		return ""
	}
	for _, v := range []any{m.Message, m.Error, m.Detail} {
		if s, ok := v.(string); ok && s != "" {
			return s
		}
	}
	if len(m.Errors) > 0 {
		if s, ok := m.Errors[0].Detail.(string); ok {
			return s
		}
	}
	return ""
}

// Sanitize replaces control characters and invalid UTF-8 in s (text from
// a server, shown in errors) and cuts it to limit runes.
func Sanitize(s string, limit int) string {
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
