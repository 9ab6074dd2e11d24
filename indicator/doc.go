// Package indicator is the model of an indicator of compromise (IOC): its
// Type, its canonical Value and the Meta a source gives it.
//
// Values are always held in canonical form, so that the same indicator from
// two feeds is one value: build indicators with New (type known), ParseAs
// (type known, value possibly defanged) or Parse (type inferred from the
// value, defanged or not). Invalid values give an *Error whose message quotes
// the input.
//
//	ind, err := indicator.Parse("hxxps://Evil[.]example:443/a?b=1#frag")
//	// ind.Type == indicator.URL, ind.Value == "https://evil.example/a?b=1"
//
// The text names of the types ("ipv4", "domain", "email-subject" …) are the
// ones used everywhere in iocmatch: output, flags and docs. ParseType also
// accepts the names MISP, STIX and Zeek use.
//
// The package depends on nothing else of iocmatch's but internal helpers.
package indicator
