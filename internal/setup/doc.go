// Package setup is the command-line set-up shared by iocmatch's programs
// (examples/iocscan, examples/iocserve and the other hosts under
// examples/): the feed, TAXII, allowlist, ageing and matching flags, with
// one set of names, defaults and help texts, and what a host builds from
// them: the loader and match options, the clock, the ageing policy (and
// the encoders' Scorer), the allow options and the live.Options of a
// hot-reloading matcher.
//
//	fs := flag.NewFlagSet("iocserve", flag.ContinueOnError)
//	f := setup.NewFlags("IOCSERVE")  // $IOCSERVE_TAXII_PASSWORD, $IOCSERVE_TAXII_TOKEN
//	f.Register(fs)
//	if err := fs.Parse(args); err != nil { … }
//	cfg, err := f.Config()           // checks the flags: errors name the flag
//	opts, err := cfg.LiveOptions(ctx, os.Stderr)
//	lm, err := live.New(ctx, opts)
//
// The flags (see Flags.Register for their help texts): -feed PATH
// (repeatable), -taxii URL with -taxii-collection, -taxii-user,
// -taxii-password, -taxii-token, -taxii-added-after,
// -taxii-credential-hosts; -strict, -min-confidence N, -now TIME,
// -include GLOB, -exclude GLOB, -max-matches-per-line N (default
// match.DefaultMaxMatchesPerLine, 0: no limit), -public-suffix-subdomains;
// the allowlists (-reserved, default true, -documentation,
// -internal-source, -allowlist, -warninglist, -warninglist-action,
// -suppress-all-warninglists); ageing (-max-age, -decay); and -reload
// DURATION (0: load once).
//
// The package is internal to the module path github.com/iocmatch/iocmatch,
// so the example modules under examples/ (their import paths start with
// it) may import it; programs outside cannot.
package setup
