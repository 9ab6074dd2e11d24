package loader

import (
	"fmt"
	"strings"
	"time"

	"github.com/iocmatch/iocmatch/indicator"
	"github.com/iocmatch/iocmatch/internal/canon"
)

// This file holds a small hand-written parser of the STIX 2.x patterning
// language (STIX 2.1 part 9), and the evaluation of a parsed pattern into
// the comparisons iocmatch reads as indicators.
//
// The parser reads the whole grammar: observation expressions "[ … ]"
// joined by AND, OR and FOLLOWEDBY, with parentheses and the qualifiers
// WITHIN n SECONDS, REPEATS n TIMES and START t'…' STOP t'…'; comparison
// expressions joined by AND and OR, with parentheses; the operators =, !=,
// <, >, <=, >=, IN, LIKE, MATCHES, ISSUBSET, ISSUPERSET, each optionally
// preceded by NOT, and EXISTS; object paths "type:a.'quoted key'[*].b";
// string ('…' with \' and \\ escapes), binary (b'…'), hex (h'…'), timestamp
// (t'…'), integer, float and boolean literals. Keywords are accepted in any
// case. It runs in time linear in the pattern's length, and refuses
// nesting (parentheses and brackets) deeper than maxPatternDepth.

// maxPatternDepth is the deepest nesting of parentheses and brackets a
// pattern may have.
const maxPatternDepth = 32

// stixTerm is one comparison of a pattern: a value iocmatch reads as an
// indicator, or, when Unsupported is set, a part of the pattern it does not
// read and why ("stix pattern: AND" …).
type stixTerm struct {
	Type        indicator.Type // the indicator type, or Invalid for a host
	Host        bool           // the value is an address, CIDR or domain name (a network-traffic ref)
	Value       string         // the literal's value, unescaped
	Unsupported string         // why this part is not read; the rest is zero
}

// patternError is a syntax error in a pattern.
type patternError struct {
	pos   int    // byte offset in the pattern
	msg   string // what is wrong
	depth bool   // nesting too deep
}

func (e *patternError) Error() string {
	return fmt.Sprintf("syntax error at offset %d: %s", e.pos, e.msg)
}

// parseSTIXPattern parses pattern and returns its terms: for each
// comparison joined by OR (at the comparison or the observation level), the
// value to read or the reason it is not read. AND, FOLLOWEDBY and qualifiers
// make the whole expression they join one unsupported term, except an AND
// of a "*_ref.value" comparison with "*_ref.type" guards (see stixAnd). A
// syntax error is a *patternError.
func parseSTIXPattern(pattern string) ([]stixTerm, error) {
	p := &patternParser{lx: lexer{src: pattern}}
	p.advance()
	obs, err := p.observations()
	if err != nil {
		return nil, err
	}
	if p.err != nil {
		return nil, p.err
	}
	if p.tok.kind != tEOF {
		return nil, p.errorf("unexpected %s", p.tok)
	}
	var terms []stixTerm
	evalObs(obs, &terms)
	return terms, nil
}

// ---- lexer ----

type tokKind uint8

const (
	tEOF    tokKind = iota
	tIdent          // identifier or keyword; may contain '-'
	tString         // '…'; text is the unescaped value
	tBinary         // b'…'
	tHex            // h'…'
	tTime           // t'…'
	tInt
	tFloat
	tPunct // [ ] ( ) : . , *
	tOp    // = != < > <= >=
)

type token struct {
	kind tokKind
	text string
	pos  int
}

func (t token) String() string {
	switch t.kind {
	case tEOF:
		return "end of pattern"
	case tString:
		return "string " + quoteShort(t.text)
	case tBinary, tHex, tTime:
		return "literal " + quoteShort(t.text)
	}
	return quoteShort(t.text)
}

// quoteShort quotes s, cut to 64 bytes.
func quoteShort(s string) string {
	if len(s) > 64 {
		return fmt.Sprintf("%q…", s[:64])
	}
	return fmt.Sprintf("%q", s)
}

type lexer struct {
	src      string
	pos      int
	prev     tokKind // the previous token, to tell ".5" from a path "."
	prevText string
}

func isIdentStart(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || c == '_'
}

func isIdentByte(c byte) bool {
	return isIdentStart(c) || canon.IsDigit(c) || c == '-'
}

// next returns the next token.
func (lx *lexer) next() (token, error) {
	t, err := lx.scan()
	lx.prev, lx.prevText = t.kind, t.text
	return t, err
}

func (lx *lexer) scan() (token, error) {
	s := lx.src
	for lx.pos < len(s) && (s[lx.pos] == ' ' || s[lx.pos] == '\t' || s[lx.pos] == '\r' || s[lx.pos] == '\n') {
		lx.pos++
	}
	start := lx.pos
	if start >= len(s) {
		return token{kind: tEOF, pos: start}, nil
	}
	c := s[start]
	switch {
	case c == '\'':
		v, err := lx.quoted(start)
		return token{kind: tString, text: v, pos: start}, err
	case (c == 'b' || c == 'h' || c == 't') && start+1 < len(s) && s[start+1] == '\'':
		v, err := lx.quoted(start + 1)
		if err != nil {
			return token{}, err
		}
		t := token{text: v, pos: start}
		switch c {
		case 'b':
			t.kind = tBinary
			if !isBase64(v) {
				return t, &patternError{pos: start, msg: "invalid binary literal " + quoteShort(v)}
			}
		case 'h':
			t.kind = tHex
			if !isHexLiteral(v) {
				return t, &patternError{pos: start, msg: "invalid hex literal " + quoteShort(v)}
			}
		default:
			t.kind = tTime
			if _, err := time.Parse(time.RFC3339Nano, v); err != nil {
				return t, &patternError{pos: start, msg: "invalid timestamp literal " + quoteShort(v)}
			}
		}
		return t, nil
	case isIdentStart(c):
		i := start + 1
		for i < len(s) && isIdentByte(s[i]) {
			i++
		}
		lx.pos = i
		return token{kind: tIdent, text: s[start:i], pos: start}, nil
	case canon.IsDigit(c) || (c == '-' || c == '+') && start+1 < len(s) && (canon.IsDigit(s[start+1]) || s[start+1] == '.') ||
		c == '.' && start+1 < len(s) && canon.IsDigit(s[start+1]) && lx.beforeNumber():
		return lx.number(start)
	}
	switch c {
	case '[', ']', '(', ')', ':', '.', ',', '*':
		lx.pos++
		return token{kind: tPunct, text: s[start : start+1], pos: start}, nil
	case '=':
		lx.pos++
		return token{kind: tOp, text: "=", pos: start}, nil
	case '!':
		if start+1 < len(s) && s[start+1] == '=' {
			lx.pos += 2
			return token{kind: tOp, text: "!=", pos: start}, nil
		}
	case '<', '>':
		if start+1 < len(s) && s[start+1] == '=' {
			lx.pos += 2
			return token{kind: tOp, text: s[start : start+2], pos: start}, nil
		}
		if c == '<' && start+1 < len(s) && s[start+1] == '>' {
			lx.pos += 2
			return token{kind: tOp, text: "!=", pos: start}, nil
		}
		lx.pos++
		return token{kind: tOp, text: s[start : start+1], pos: start}, nil
	}
	return token{}, &patternError{pos: start, msg: fmt.Sprintf("unexpected character %q", c)}
}

// beforeNumber reports whether the previous token can be followed by a
// number: an operator, "(" or "," (in a set), or WITHIN. Elsewhere a "."
// followed by a digit is a path's ".".
func (lx *lexer) beforeNumber() bool {
	return lx.prev == tOp || lx.prev == tPunct && (lx.prevText == "(" || lx.prevText == ",") ||
		lx.prev == tIdent && strings.EqualFold(lx.prevText, "WITHIN")
}

// number scans [+-]digits[.digits] or [+-].digits.
func (lx *lexer) number(start int) (token, error) {
	s := lx.src
	i := start
	if s[i] == '+' || s[i] == '-' {
		i++
	}
	digits := 0
	for i < len(s) && canon.IsDigit(s[i]) {
		i++
		digits++
	}
	kind := tInt
	if i < len(s) && s[i] == '.' && i+1 < len(s) && canon.IsDigit(s[i+1]) {
		kind = tFloat
		i++
		for i < len(s) && canon.IsDigit(s[i]) {
			i++
		}
	} else if digits == 0 {
		return token{}, &patternError{pos: start, msg: "invalid number"}
	}
	if i < len(s) && isIdentByte(s[i]) {
		return token{}, &patternError{pos: start, msg: "invalid number " + quoteShort(s[start:i+1])}
	}
	lx.pos = i
	return token{kind: kind, text: s[start:i], pos: start}, nil
}

// quoted scans the quoted literal whose opening quote is at q and returns
// its value: \' is a quote and \\ a backslash; a backslash before any other
// character is kept as it is (patterns in the wild write "HKLM\Software"
// unescaped).
func (lx *lexer) quoted(q int) (string, error) {
	s := lx.src
	var b strings.Builder
	plain := q + 1 // start of the run not yet copied
	for i := q + 1; i < len(s); i++ {
		switch s[i] {
		case '\\':
			if i+1 < len(s) && (s[i+1] == '\'' || s[i+1] == '\\') {
				b.WriteString(s[plain:i])
				b.WriteByte(s[i+1])
				i++
				plain = i + 1
			}
		case '\'':
			lx.pos = i + 1
			if b.Len() == 0 {
				return s[plain:i], nil
			}
			b.WriteString(s[plain:i])
			return b.String(), nil
		}
	}
	return "", &patternError{pos: q, msg: "unterminated string"}
}

func isBase64(s string) bool {
	if len(s)%4 != 0 {
		return false
	}
	pad := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '=':
			pad++
		case pad > 0:
			return false
		case 'A' <= c && c <= 'Z', 'a' <= c && c <= 'z', '0' <= c && c <= '9', c == '+', c == '/':
		default:
			return false
		}
	}
	return pad <= 2
}

// isHexLiteral reports whether s is the body of a STIX h'…' literal:
// an even number of hex digits.
func isHexLiteral(s string) bool {
	if len(s)%2 != 0 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !canon.IsHex(c) {
			return false
		}
	}
	return true
}

// ---- syntax tree ----

// obsExpr is an observation expression: a leaf "[ cmp ]", or an AND, OR
// or FOLLOWEDBY of observation expressions.
type obsExpr struct {
	op        string // "" for a leaf, "AND", "OR", "FOLLOWEDBY"
	kids      []*obsExpr
	cmp       *cmpExpr // for a leaf
	qualified bool     // has a WITHIN, REPEATS or START/STOP qualifier
}

// cmpExpr is a comparison expression: a test, or an AND or OR of
// comparison expressions.
type cmpExpr struct {
	op   string // "" for a test, "AND", "OR"
	kids []*cmpExpr

	// a test
	path   objPath
	not    bool
	oper   string    // "=", "!=", "<", "IN", "LIKE", "EXISTS" …
	values []literal // the operand; the set of IN
}

type literal struct {
	kind tokKind
	text string
}

// objPath is an object path: type:comp.comp[i]…
type objPath struct {
	typ   string
	comps []pathComp
}

type pathComp struct {
	name   string // a property name or dictionary key, unquoted
	quoted bool   // was written as a string
	index  string // for a list index: "*" or the number; name is then ""
}

// String writes the path as in a pattern, cut to about 64 bytes.
func (p objPath) String() string {
	var b strings.Builder
	b.WriteString(p.typ)
	b.WriteByte(':')
	for i, c := range p.comps {
		switch {
		case c.index != "":
			b.WriteString("[" + c.index + "]")
		case i > 0:
			b.WriteByte('.')
			fallthrough
		default:
			if c.quoted {
				b.WriteString("'" + c.name + "'")
			} else {
				b.WriteString(c.name)
			}
		}
		if b.Len() > 64 {
			return b.String()[:64] + "…"
		}
	}
	return b.String()
}

// key returns the path as "type:a.b[*].c" with keys unquoted and every
// index "[*]".
func (p objPath) key() string {
	var b strings.Builder
	b.WriteString(p.typ)
	b.WriteByte(':')
	for i, c := range p.comps {
		switch {
		case c.index != "":
			b.WriteString("[*]")
		case i > 0:
			b.WriteByte('.')
			fallthrough
		default:
			b.WriteString(c.name)
		}
	}
	return b.String()
}

// ---- parser ----

type patternParser struct {
	lx    lexer
	tok   token
	err   error
	depth int
}

// advance reads the next token into p.tok; a lexing error is kept in p.err
// and p.tok becomes EOF.
func (p *patternParser) advance() {
	if p.err != nil {
		return
	}
	t, err := p.lx.next()
	if err != nil {
		p.err = err
		t = token{kind: tEOF, pos: len(p.lx.src)}
	}
	p.tok = t
}

func (p *patternParser) errorf(format string, args ...any) error {
	if p.err != nil {
		return p.err
	}
	return &patternError{pos: p.tok.pos, msg: fmt.Sprintf(format, args...)}
}

// keyword reports whether the current token is the keyword kw, in any case.
func (p *patternParser) keyword(kw string) bool {
	return p.tok.kind == tIdent && strings.EqualFold(p.tok.text, kw)
}

func (p *patternParser) punct(c string) bool {
	return p.tok.kind == tPunct && p.tok.text == c
}

func (p *patternParser) expectPunct(c string) error {
	if !p.punct(c) {
		return p.errorf("want %q, have %s", c, p.tok)
	}
	p.advance()
	return nil
}

func (p *patternParser) enter() error {
	p.depth++
	if p.depth > maxPatternDepth {
		return &patternError{pos: p.tok.pos, msg: fmt.Sprintf("nested deeper than %d", maxPatternDepth), depth: true}
	}
	return nil
}

// observations parses observation expressions joined by FOLLOWEDBY, OR and
// AND, in increasing order of precedence.
func (p *patternParser) observations() (*obsExpr, error) {
	return p.obsChain(0)
}

var obsOps = [...]string{"FOLLOWEDBY", "OR", "AND"}

// obsChain parses observation expressions joined by obsOps[level] and
// tighter operators.
func (p *patternParser) obsChain(level int) (*obsExpr, error) {
	next := func() (*obsExpr, error) {
		if level+1 < len(obsOps) {
			return p.obsChain(level + 1)
		}
		return p.observation()
	}
	first, err := next()
	if err != nil {
		return nil, err
	}
	if !p.keyword(obsOps[level]) {
		return first, nil
	}
	n := &obsExpr{op: obsOps[level], kids: []*obsExpr{first}}
	for p.keyword(obsOps[level]) {
		p.advance()
		k, err := next()
		if err != nil {
			return nil, err
		}
		n.kids = append(n.kids, k)
	}
	return n, nil
}

// observation parses "[ cmp ]" or "( observations )", and its qualifiers.
func (p *patternParser) observation() (*obsExpr, error) {
	if err := p.enter(); err != nil {
		return nil, err
	}
	defer func() { p.depth-- }()
	var n *obsExpr
	switch {
	case p.punct("["):
		p.advance()
		c, err := p.comparisons()
		if err != nil {
			return nil, err
		}
		if err := p.expectPunct("]"); err != nil {
			return nil, err
		}
		n = &obsExpr{cmp: c}
	case p.punct("("):
		p.advance()
		o, err := p.observations()
		if err != nil {
			return nil, err
		}
		if err := p.expectPunct(")"); err != nil {
			return nil, err
		}
		// A parenthesised expression gets its own node, so that a
		// qualifier on it does not mark its parts.
		n = &obsExpr{op: "OR", kids: []*obsExpr{o}}
	default:
		return nil, p.errorf("want '[' or '(', have %s", p.tok)
	}
	for {
		ok, err := p.qualifier()
		if err != nil {
			return nil, err
		}
		if !ok {
			return n, nil
		}
		n.qualified = true
	}
}

// qualifier parses one qualifier, if there is one.
func (p *patternParser) qualifier() (bool, error) {
	switch {
	case p.keyword("WITHIN"):
		p.advance()
		if (p.tok.kind != tInt && p.tok.kind != tFloat) || strings.HasPrefix(p.tok.text, "-") {
			return false, p.errorf("want a positive number after WITHIN, have %s", p.tok)
		}
		p.advance()
		if !p.keyword("SECONDS") {
			return false, p.errorf("want SECONDS, have %s", p.tok)
		}
	case p.keyword("REPEATS"):
		p.advance()
		if p.tok.kind != tInt || strings.HasPrefix(p.tok.text, "-") {
			return false, p.errorf("want a positive integer after REPEATS, have %s", p.tok)
		}
		p.advance()
		if !p.keyword("TIMES") {
			return false, p.errorf("want TIMES, have %s", p.tok)
		}
	case p.keyword("START"):
		p.advance()
		if p.tok.kind != tTime {
			return false, p.errorf("want a timestamp after START, have %s", p.tok)
		}
		p.advance()
		if !p.keyword("STOP") {
			return false, p.errorf("want STOP, have %s", p.tok)
		}
		p.advance()
		if p.tok.kind != tTime {
			return false, p.errorf("want a timestamp after STOP, have %s", p.tok)
		}
	default:
		return false, nil
	}
	p.advance()
	return true, nil
}

// comparisons parses comparison expressions joined by OR and AND.
func (p *patternParser) comparisons() (*cmpExpr, error) {
	return p.cmpChain("OR")
}

func (p *patternParser) cmpChain(op string) (*cmpExpr, error) {
	next := p.test
	if op == "OR" {
		next = func() (*cmpExpr, error) { return p.cmpChain("AND") }
	}
	first, err := next()
	if err != nil {
		return nil, err
	}
	if !p.keyword(op) {
		return first, nil
	}
	n := &cmpExpr{op: op, kids: []*cmpExpr{first}}
	for p.keyword(op) {
		p.advance()
		k, err := next()
		if err != nil {
			return nil, err
		}
		n.kids = append(n.kids, k)
	}
	return n, nil
}

// test parses a property test or "( comparisons )".
func (p *patternParser) test() (*cmpExpr, error) {
	if p.punct("(") {
		if err := p.enter(); err != nil {
			return nil, err
		}
		p.advance()
		c, err := p.comparisons()
		if err != nil {
			return nil, err
		}
		if err := p.expectPunct(")"); err != nil {
			return nil, err
		}
		p.depth--
		return c, nil
	}
	if p.keyword("EXISTS") {
		p.advance()
		path, err := p.path()
		if err != nil {
			return nil, err
		}
		return &cmpExpr{path: path, oper: "EXISTS"}, nil
	}
	path, err := p.path()
	if err != nil {
		return nil, err
	}
	n := &cmpExpr{path: path}
	if p.keyword("NOT") {
		n.not = true
		p.advance()
	}
	switch {
	case p.tok.kind == tOp:
		n.oper = p.tok.text
		p.advance()
		lit, err := p.literal()
		if err != nil {
			return nil, err
		}
		if n.oper != "=" && n.oper != "!=" && (lit.kind == tIdent) {
			return nil, p.errorf("a boolean cannot be ordered")
		}
		n.values = []literal{lit}
	case p.keyword("IN"):
		n.oper = "IN"
		p.advance()
		if err := p.expectPunct("("); err != nil {
			return nil, err
		}
		for !p.punct(")") {
			if len(n.values) > 0 {
				if err := p.expectPunct(","); err != nil {
					return nil, err
				}
			}
			lit, err := p.literal()
			if err != nil {
				return nil, err
			}
			n.values = append(n.values, lit)
		}
		p.advance()
	case p.keyword("LIKE"), p.keyword("MATCHES"), p.keyword("ISSUBSET"), p.keyword("ISSUPERSET"):
		n.oper = strings.ToUpper(p.tok.text)
		p.advance()
		if p.tok.kind != tString {
			return nil, p.errorf("want a string after %s, have %s", n.oper, p.tok)
		}
		n.values = []literal{{kind: tString, text: p.tok.text}}
		p.advance()
	default:
		return nil, p.errorf("want a comparison operator, have %s", p.tok)
	}
	return n, nil
}

// literal parses a primitive literal; a boolean has kind tIdent.
func (p *patternParser) literal() (literal, error) {
	switch p.tok.kind {
	case tString, tBinary, tHex, tTime, tInt, tFloat:
		l := literal{kind: p.tok.kind, text: p.tok.text}
		p.advance()
		return l, nil
	case tIdent:
		if p.keyword("true") || p.keyword("false") {
			l := literal{kind: tIdent, text: strings.ToLower(p.tok.text)}
			p.advance()
			return l, nil
		}
	}
	return literal{}, p.errorf("want a literal, have %s", p.tok)
}

// path parses an object path.
func (p *patternParser) path() (objPath, error) {
	if p.tok.kind != tIdent {
		return objPath{}, p.errorf("want an object type, have %s", p.tok)
	}
	path := objPath{typ: p.tok.text}
	p.advance()
	if err := p.expectPunct(":"); err != nil {
		return objPath{}, err
	}
	first := true
	for {
		switch {
		case first || p.punct("."):
			if !first {
				p.advance()
			}
			first = false
			switch p.tok.kind {
			case tIdent:
				path.comps = append(path.comps, pathComp{name: p.tok.text})
			case tString:
				path.comps = append(path.comps, pathComp{name: p.tok.text, quoted: true})
			default:
				return objPath{}, p.errorf("want a property name, have %s", p.tok)
			}
			p.advance()
		case p.punct("["):
			p.advance()
			switch {
			case p.punct("*"):
				path.comps = append(path.comps, pathComp{index: "*"})
			case p.tok.kind == tInt:
				path.comps = append(path.comps, pathComp{index: p.tok.text})
			default:
				return objPath{}, p.errorf("want an index or '*', have %s", p.tok)
			}
			p.advance()
			if err := p.expectPunct("]"); err != nil {
				return objPath{}, err
			}
		default:
			return path, nil
		}
	}
}

// ---- evaluation ----

// evalObs appends the terms of o to terms.
func evalObs(o *obsExpr, terms *[]stixTerm) {
	switch {
	case o.qualified:
		*terms = append(*terms, unsupportedTerm("qualifier"))
	case o.op == "":
		evalCmp(o.cmp, terms)
	case o.op == "OR":
		for _, k := range o.kids {
			evalObs(k, terms)
		}
	default: // AND, FOLLOWEDBY
		*terms = append(*terms, unsupportedTerm(o.op))
	}
}

func unsupportedTerm(what string) stixTerm {
	return stixTerm{Unsupported: "stix pattern: " + what}
}

// evalCmp appends the terms of c to terms.
func evalCmp(c *cmpExpr, terms *[]stixTerm) {
	switch c.op {
	case "OR":
		for _, k := range c.kids {
			evalCmp(k, terms)
		}
	case "AND":
		*terms = append(*terms, stixAnd(c))
	default:
		evalTest(c, "", terms)
	}
}

// stixAnd evaluates an AND of comparisons. It is unsupported, but for one
// case that STIX 2.0 exporters (MISP, Talos) write:
//
//	[network-traffic:dst_ref.type = 'ipv4-addr' AND network-traffic:dst_ref.value = '198.51.100.7']
//
// an AND of one "X:R.value" comparison, where R is a reference ("dst_ref",
// "from_ref" …), with only "X:R.type = 'T'" guards on the same object and
// reference, all of the same type T, is read as the value comparison, its
// value being of type T (ipv4-addr, ipv6-addr, domain-name, email-addr).
func stixAnd(c *cmpExpr) stixTerm {
	var tests []*cmpExpr
	var flatten func(c *cmpExpr) bool
	flatten = func(c *cmpExpr) bool {
		switch c.op {
		case "AND":
			for _, k := range c.kids {
				if !flatten(k) {
					return false
				}
			}
			return true
		case "":
			tests = append(tests, c)
			return true
		}
		return false
	}
	unsup := unsupportedTerm("AND")
	if !flatten(c) {
		return unsup
	}
	var value *cmpExpr
	kind := ""
	for _, t := range tests {
		n := len(t.path.comps)
		if n != 2 || t.path.comps[1].index != "" || t.path.comps[1].quoted || t.not {
			return unsup
		}
		switch t.path.comps[1].name {
		case "value":
			if value != nil {
				return unsup
			}
			value = t
		case "type":
			if t.oper != "=" || t.values[0].kind != tString || kind != "" && kind != t.values[0].text {
				return unsup
			}
			kind = t.values[0].text
		default:
			return unsup
		}
	}
	if value == nil || kind == "" {
		return unsup
	}
	ref := value.path.comps[0]
	if !strings.HasSuffix(ref.name, "_ref") || ref.quoted {
		return unsup
	}
	for _, t := range tests {
		if t.path.typ != value.path.typ || t.path.comps[0] != ref {
			return unsup
		}
	}
	var terms []stixTerm
	evalTest(value, kind, &terms)
	if len(terms) != 1 || terms[0].Unsupported != "" {
		return unsup
	}
	return terms[0]
}

// evalTest appends the terms of the test c; kind is the STIX type of a
// reference's value given by a guard, or "".
func evalTest(c *cmpExpr, kind string, terms *[]stixTerm) {
	oper := c.oper
	if c.not {
		oper = "NOT " + oper
	}
	switch oper {
	case "=", "IN", "ISSUBSET":
	default:
		*terms = append(*terms, unsupportedTerm("operator "+oper))
		return
	}
	t, host := pathType(c.path)
	if t == indicator.Invalid && !host {
		*terms = append(*terms, unsupportedTerm("path "+c.path.String()))
		return
	}
	if kind != "" {
		switch {
		case host && (kind == "ipv4-addr" || kind == "ipv6-addr"):
			t, host = indicator.IPv4, false // New(IPv4, …) takes IPv6 too
		case host && kind == "domain-name":
			t, host = indicator.Domain, false
		case t == indicator.Email && kind == "email-addr":
		default:
			*terms = append(*terms, unsupportedTerm("AND"))
			return
		}
	}
	if oper == "ISSUBSET" && !host && !t.IsAddress() {
		*terms = append(*terms, unsupportedTerm("operator ISSUBSET"))
		return
	}
	for _, v := range c.values {
		if v.kind != tString {
			*terms = append(*terms, unsupportedTerm("non-string value"))
			continue
		}
		*terms = append(*terms, stixTerm{Type: t, Host: host, Value: v.text})
	}
}

// pathType returns the indicator type of the values of path, or host for
// a network-traffic reference (an address or a domain name), or Invalid.
func pathType(p objPath) (t indicator.Type, host bool) {
	switch p.key() {
	case "ipv4-addr:value":
		return indicator.IPv4, false
	case "ipv6-addr:value":
		return indicator.IPv6, false
	case "domain-name:value":
		return indicator.Domain, false
	case "url:value":
		return indicator.URL, false
	case "email-addr:value",
		"email-message:from_ref.value", "email-message:sender_ref.value",
		"email-message:to_refs[*].value", "email-message:cc_refs[*].value", "email-message:bcc_refs[*].value":
		return indicator.Email, false
	case "email-message:subject":
		return indicator.EmailSubject, false
	case "file:name":
		return indicator.Filename, false
	case "windows-registry-key:key":
		return indicator.RegKey, false
	case "mutex:name":
		return indicator.Mutex, false
	case "network-traffic:dst_ref.value", "network-traffic:src_ref.value":
		return indicator.Invalid, true
	}
	c := p.comps
	switch {
	case p.typ == "file" && len(c) == 2 && c[0].name == "hashes" && c[1].index == "":
		return hashType(c[1].name), false
	case p.typ == "network-traffic" && len(c) == 4 && c[0].name == "extensions" &&
		c[1].name == "http-request-ext" && c[2].name == "request_header" &&
		strings.EqualFold(c[3].name, "User-Agent") && c[3].index == "":
		return indicator.UserAgent, false
	}
	return indicator.Invalid, false
}

// hashType returns the hash type of a STIX hash algorithm name: "MD5",
// "SHA-1", "SHA-256", "SHA-512", in any case, with or without the hyphen.
func hashType(name string) indicator.Type {
	switch strings.ToUpper(strings.ReplaceAll(name, "-", "")) {
	case "MD5":
		return indicator.MD5
	case "SHA1":
		return indicator.SHA1
	case "SHA256":
		return indicator.SHA256
	case "SHA512":
		return indicator.SHA512
	}
	return indicator.Invalid
}
