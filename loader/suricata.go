package loader

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"io"
	"math"
	"net/netip"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/iocmatch/iocmatch/indicator"
	"github.com/iocmatch/iocmatch/internal/canon"
)

// ReadSuricataDataset reads a Suricata dataset file (the "load:" file of a
// dataset or datarep keyword) from r. path names the input in problems and
// errors, and gives the default source name (SourceName); it is not
// opened. Result.Files is 1.
//
//	ZXZpbC5leGFtcGxl
//	TW96aWxsYS80LjAgKGNvbXBhdGlibGU7IE1TSUUgNi4wKQ==,20
//
// The file does not say the dataset's type (it is in suricata.yaml or the
// rule), so each line is read by its form:
//
//   - Lines end as in a plain list (CRLF, a BOM, MaxLineLen: see
//     ReadList). Blank lines and lines whose first non-space character is
//     '#' are skipped (Suricata itself has no comments).
//   - The value is the line up to its first comma, white space around it
//     dropped: a datarep line "value,reputation" is read as its value, the
//     reputation ignored.
//   - An IP address or CIDR prefix (an ipv4 or ip dataset) is an ipv4,
//     ipv6 or cidr indicator; exactly 32 or 64 hex digits (an md5 or sha256
//     dataset) an md5 or sha256 indicator.
//   - Anything else is the base64 of a string dataset's value (standard
//     alphabet, with or without '=' padding); a line that is not base64 is a
//     problem (ReasonMalformed), and so is one decoding to nothing or only
//     white space (ReasonInvalidValue). The decoded text is read with
//     indicator.Parse when that infers a type (a domain from a dns.query
//     dataset, a URL, an address, an email …); otherwise it is a string
//     indicator, exactly as decoded (a user agent from an http.user_agent
//     dataset, any bytes at all).
//   - No metadata: every indicator's source is the file's name (or
//     Options.Source).
//
// Detect claims a file as a dataset only when its lines are all base64
// decoding to printable text (see Detect); md5, sha256, ipv4 and ip dataset
// files look exactly like plain lists, are read as plain lists, and give the
// same indicators.
//
// The error is a read error of r, or with opts.Strict the first *Problem;
// the Result then holds what was read before it.
func ReadSuricataDataset(r io.Reader, path string, opts Options) (Result, error) {
	return readAs(FormatSuricataDataset, r, path, opts)
}

// ReadSuricataIPRep reads a Suricata IP reputation file (one of
// "reputation-files") from r. path names the input in problems and errors,
// and gives the default source name (SourceName); it is not opened.
// Result.Files is 1.
//
//	# ip,category,score
//	198.51.100.7,1,101
//	203.0.113.0/24,6,88
//
// The rules:
//
//   - Lines end as in a plain list (CRLF, a BOM, MaxLineLen: see
//     ReadList). Blank lines and lines whose first non-space character is
//     '#' are skipped, and so is a header line whose first field is "ip".
//   - A line has three comma-separated fields, white space around them
//     dropped: an IPv4 or IPv6 address or CIDR prefix, a category number
//     (0 to 59, an id of the categories file) and a score (0 to 127: the
//     confidence that the address is in the category). Another number of
//     fields, or a category or score that is not such a number, is a problem
//     (ReasonMalformed); an address indicator.New rejects is a problem
//     (ReasonInvalidValue).
//   - The indicator is an ipv4, ipv6 or cidr indicator tagged
//     "iprep:CATEGORY" (the category's number: the short names are in
//     another file); its Confidence is the score scaled to 0-100
//     (score*100/127, rounded). A score of 0 means "no data" to Suricata:
//     such a line is counted in Result.Unsupported as
//     "suricata iprep: score 0", not read.
//   - A line of the categories file ("1,BadHosts,Known bad hosts": a
//     category number, a short name that is not an address, and an
//     optional description) defines a category, not an indicator: each
//     such line is counted in Result.Unsupported as
//     "suricata iprep: category definition". Detect recognises a
//     categories file as an IP reputation file, so it gives no problems.
//   - No other metadata: every indicator's source is the file's name (or
//     Options.Source).
//
// The error is a read error of r, or with opts.Strict the first *Problem;
// the Result then holds what was read before it.
func ReadSuricataIPRep(r io.Reader, path string, opts Options) (Result, error) {
	return readAs(FormatSuricataIPRep, r, path, opts)
}

// sniffMaxLines is the most lines the Suricata sniffers look at.
const sniffMaxLines = 50

// headLines returns up to max lines of head that are not blank, with
// their line endings and white space around them dropped, and whether
// there is a comment line ('#') among those seen. A last line that may
// have been cut (head is SniffLen long and does not end with a newline) is
// left out.
func headLines(head []byte, max int) (lines [][]byte, comments bool) {
	head = bytes.TrimPrefix(head, utf8BOM)
	if len(head) >= SniffLen {
		if i := bytes.LastIndexByte(head, '\n'); i >= 0 {
			head = head[:i]
		} else {
			return nil, false
		}
	}
	for len(head) > 0 && len(lines) < max {
		line := head
		if i := bytes.IndexByte(head, '\n'); i >= 0 {
			line, head = head[:i], head[i+1:]
		} else {
			head = nil
		}
		line = bytes.TrimSpace(line)
		switch {
		case len(line) == 0:
		case line[0] == '#':
			comments = true
		default:
			lines = append(lines, line)
		}
	}
	return lines, comments
}

// sniffIPRep reports whether head starts a Suricata IP reputation file or
// categories file: every line seen that is not blank or a comment has two
// or three comma-separated fields, and at least two thirds of them (at
// least one) are "ip-or-cidr,category,score" or "id,shortname[,description]"
// lines; the "ip,…" header line is not counted.
func sniffIPRep(head []byte) bool {
	lines, _ := headLines(head, sniffMaxLines)
	good, all := 0, 0
	for _, line := range lines {
		if n := bytes.Count(line, []byte{','}); n < 1 || n > 2 {
			return false
		}
		switch iprepKind(string(line)) {
		case iprepEntry, iprepCategory:
			good++
		case iprepHeader:
			continue
		}
		all++
	}
	return good > 0 && 3*good >= 2*all
}

// The kinds of IP reputation lines.
const (
	iprepOther    = iota // not a valid line
	iprepEntry           // ip,category,score
	iprepCategory        // id,shortname[,description]
	iprepHeader          // ip,…
)

// iprepKind returns the kind of a line of an IP reputation file, with
// white space around it dropped.
func iprepKind(line string) int {
	f := strings.Split(line, ",")
	for i := range f {
		f[i] = strings.TrimSpace(f[i])
	}
	if len(f) == 3 && strings.EqualFold(f[0], "ip") {
		return iprepHeader
	}
	if len(f) == 3 {
		if _, err := netip.ParsePrefix(f[0]); err == nil || isIPAddr(f[0]) {
			if _, ok := smallInt(f[1], 59); ok {
				if _, ok := smallInt(f[2], 127); ok {
					return iprepEntry
				}
			}
			return iprepOther
		}
	}
	if (len(f) == 2 || len(f) == 3) && isCategoryName(f[1]) {
		if _, ok := smallInt(f[0], 59); ok {
			return iprepCategory
		}
	}
	return iprepOther
}

func isIPAddr(s string) bool {
	_, err := netip.ParseAddr(s)
	return err == nil
}

// smallInt parses a decimal number of at most 3 digits not above max.
func smallInt(s string, max int) (int, bool) {
	if len(s) == 0 || len(s) > 3 {
		return 0, false
	}
	n := 0
	for i := 0; i < len(s); i++ {
		if !canon.IsDigit(s[i]) {
			return 0, false
		}
		n = n*10 + int(s[i]-'0')
	}
	return n, n <= max
}

// isCategoryName reports whether s can be the short name of an IP
// reputation category: one word (at most 31 bytes, as Suricata keeps) that
// is not a number, address, domain or other indicator.
func isCategoryName(s string) bool {
	if s == "" || len(s) > 31 || strings.ContainsAny(s, " \t./:@") {
		return false
	}
	if _, ok := smallInt(s, 999); ok {
		return false
	}
	_, err := indicator.Infer(s)
	return err != nil
}

// readSuricataIPRep reads a Suricata IP reputation file from r into c.
func readSuricataIPRep(c *collector, r io.Reader) error {
	return readLines(c, r, func(n int, line string) error {
		switch iprepKind(line) {
		case iprepHeader:
			return nil
		case iprepCategory:
			c.unsupported("suricata iprep: category definition")
			return nil
		}
		f := strings.Split(line, ",")
		if len(f) != 3 {
			return c.problem(n, ReasonMalformed, fmt.Sprintf("%q: want ip,category,score", line))
		}
		for i := range f {
			f[i] = strings.TrimSpace(f[i])
		}
		ind, err := indicator.New(indicator.CIDR, f[0])
		if err != nil {
			return c.problem(n, ReasonInvalidValue, err.Error())
		}
		cat, ok := smallInt(f[1], 59)
		if !ok {
			return c.problem(n, ReasonMalformed, fmt.Sprintf("%q: category %q is not a number from 0 to 59", line, f[1]))
		}
		score, ok := smallInt(f[2], 127)
		if !ok {
			return c.problem(n, ReasonMalformed, fmt.Sprintf("%q: score %q is not a number from 0 to 127", line, f[2]))
		}
		if score == 0 {
			c.unsupported("suricata iprep: score 0")
			return nil
		}
		ind.Tags = []string{"iprep:" + strconv.Itoa(cat)}
		ind.Confidence = indicator.MustConfidence(int(math.Round(float64(score) * 100 / 127)))
		return c.add(ind)
	})
}

// readLines calls record for each line of r that is not blank or a
// comment, with white space around it dropped, reporting long lines. It
// stops at the first error record returns.
func readLines(c *collector, r io.Reader, record func(n int, line string) error) error {
	return eachLine(c, r, func(n int, b []byte) error {
		line := strings.TrimSpace(string(b))
		if line == "" || line[0] == '#' {
			return nil
		}
		return record(n, line)
	})
}

// sniffDataset reports whether head starts a Suricata dataset that is not
// a plain list: every line seen (at least one, no comments) is a value,
// maybe followed by ",reputation" (a datarep file), and either
//
//   - every value is base64 that is not a hash (or anything else
//     indicator.Infer recognises) and decodes to printable UTF-8 text, and
//     there is more evidence than chance, as short words of letters are
//     valid base64 too: a line with '=' padding, '+' or '/', or 12 decoded
//     bytes in all (a string dataset); or
//   - every value is an IP address or 32 or 64 hex digits and at least one
//     line has a reputation (a datarep file of another type: without the
//     reputations, it is a plain list).
func sniffDataset(head []byte) bool {
	lines, comments := headLines(head, sniffMaxLines)
	if comments || len(lines) == 0 {
		return false
	}
	b64, plain, reps := 0, 0, 0
	evidence, decoded := false, 0
	for _, line := range lines {
		v, rep, hasRep := bytes.Cut(line, []byte{','})
		if hasRep {
			if _, err := strconv.ParseUint(string(bytes.TrimSpace(rep)), 10, 32); err != nil {
				return false
			}
			reps++
		}
		v = bytes.TrimSpace(v)
		if isIPAddr(string(v)) || (len(v) == 32 || len(v) == 64) && isHexString(v) {
			plain++
			continue
		}
		if len(v) < 4 || len(v)%4 != 0 || isHexString(v) {
			return false
		}
		if _, err := indicator.Infer(string(v)); err == nil {
			return false
		}
		text, err := base64.StdEncoding.DecodeString(string(v))
		if err != nil || !printable(text) {
			return false
		}
		b64++
		decoded += len(text)
		if bytes.ContainsAny(v, "=+/") {
			evidence = true
		}
	}
	switch {
	case plain == 0:
		return evidence || decoded >= 12
	case b64 == 0:
		return reps > 0
	}
	return false
}

func isHexString(b []byte) bool {
	for _, c := range b {
		if !canon.IsHex(c) {
			return false
		}
	}
	return true
}

// printable reports whether b is UTF-8 text of printable characters and
// spaces, not only white space.
func printable(b []byte) bool {
	if !utf8.Valid(b) || len(bytes.TrimSpace(b)) == 0 {
		return false
	}
	for _, r := range string(b) {
		if !unicode.IsPrint(r) && r != ' ' && r != '\t' {
			return false
		}
	}
	return true
}

// readSuricataDataset reads a Suricata dataset file from r into c.
func readSuricataDataset(c *collector, r io.Reader) error {
	return readLines(c, r, func(n int, line string) error {
		v, _, _ := strings.Cut(line, ",")
		v = strings.TrimSpace(v)
		if v == "" {
			return c.problem(n, ReasonMalformed, fmt.Sprintf("%q: no value before the comma", line))
		}
		if strings.ContainsAny(v, ".:") {
			// not base64: an address or prefix
			ind, err := indicator.New(indicator.CIDR, v)
			if err != nil {
				return c.problem(n, ReasonInvalidValue, err.Error())
			}
			return c.add(ind)
		}
		if (len(v) == 32 || len(v) == 64) && isHexString([]byte(v)) {
			t, _ := indicator.HashType(len(v))
			return c.add(indicator.MustNew(t, v))
		}
		text, err := base64.StdEncoding.DecodeString(v)
		if err != nil && !strings.Contains(v, "=") {
			text, err = base64.RawStdEncoding.DecodeString(v)
		}
		if err != nil {
			return c.problem(n, ReasonMalformed, fmt.Sprintf("%q is not base64 (nor an address or md5/sha256 hash)", v))
		}
		if ind, err := indicator.Parse(string(text)); err == nil {
			return c.add(ind)
		}
		ind, err := indicator.New(indicator.String, string(text))
		if err != nil {
			return c.problem(n, ReasonInvalidValue, fmt.Sprintf("base64 %q: %v", v, err))
		}
		return c.add(ind)
	})
}
