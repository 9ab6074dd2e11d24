// Package age ages and scores indicators over time: max ages per type and
// per source, and MISP's polynomial decay score, applied between loading
// (package loader, package allow) and compiling (match.Compile), and the
// score at match time for the output (package encode). It imports
// indicator, and match for the match-time entry score; nothing below it
// imports it.
//
// # Last sighting
//
// An indicator's last sighting (LastSighting) is its LastSeen, else its
// FirstSeen, else its ValidFrom. An indicator with none of them never
// ages out and never decays: its score is its base score. (The MISP
// loader counts the Sighting arrays of an event's attributes as
// sightings: see package loader.)
//
// # Max age
//
// An indicator whose last sighting is older than its max age does not
// match: its expiry is last sighting + max age. The max age is the
// source's (Options.SourceMaxAge, by Meta.Source) if given, else the
// type's (Options.MaxAge); 0 means none. The zero Options ages nothing;
// DefaultMaxAge gives the field's practice, which iocscan turns on by
// default: addresses (ipv4, ipv6, cidr) 30 days; domains, URLs, e-mail
// addresses and user agents 180 days; e-mail subjects 90 days; hashes,
// file names, registry keys, mutexes and other strings 365 days.
//
// # Decay
//
// A Model is MISP's polynomial decaying model
// (https://www.misp-project.org/misp-training/a.5-decaying-indicators.pdf,
// arXiv:1902.03914): an indicator of base score B last sighted t ago
// scores
//
//	score = B × (1 − (t/τ)^(1/δ))
//
// clamped to [0, 100] (B at t ≤ 0, 0 from t ≥ τ), τ the lifetime and δ
// the decay speed. B is the indicator's confidence when known, else the
// model's default base score. Below the model's threshold the indicator
// is decayed and does not match: from τ × (1 − threshold/B)^δ after its
// last sighting on (Model.DecayAfter), the instant its score falls to the
// threshold (MISP calls it decayed an instant later, once below); at once
// when B is not above the threshold; never with a threshold of 0. For
// NIDS Simple at base 80, one day after the last sighting the score is
// 72.70, and it falls below 30 after 46.875 days.
//
// The shipped models are MISP's defaults (github.com/MISP/misp-decaying-
// models), found by LookupModel: "NIDS Simple Decaying Model" ("NIDS
// Simple": τ 120 days, δ 2, threshold 30, default base 80), "Phishing
// model" ("phishing": τ 3 days, δ 2.3, threshold 30, default base 80: it
// decays at base 80 after 10.7 hours) and "Vishing model" ("vishing": τ
// 10 days, δ 2.3, threshold 30, default base 80). MISP ships no other
// default model. ParseModel and ReadModelFile read a MISP decaying-model
// JSON file for user-defined ones. A Policy takes a default model
// (Options.Model), models per type (Options.TypeModels) over it, and per
// source (Options.SourceModels) over those; with none, nothing is scored.
// Options.SetModel applies one model as MISP does: to the types of its
// MISP attribute types (NIDS Simple and Phishing: addresses, domains and
// URLs; hashes are not scored), or to every type when it names none.
//
// # Compile time: Apply
//
// A max age and a decay threshold are each an instant after which the
// indicator stops matching. Policy.Apply drops the indicators already
// past one at the Policy's clock (counted per source and per reason in
// the Report, with examples), and sets the ValidUntil of the others to
// the earliest of their own ValidUntil, their expiry and their decay
// instant. The Matcher checks validity windows at match time
// (match.Options.Now; an entry of several records matches while one of
// them is valid: match merges their windows), so each indicator stops
// matching when the clock passes its instant, between reloads too, at no
// cost to lines without matches (the clock is read once per line with a
// match on an entry that has a window).
//
// # Match time: Score
//
// Policy.Score gives the score of one record at an instant, and
// Policy.EntryScore that of an entry of a Matcher: the highest score of
// its records valid at that instant. Neither allocates; package encode
// writes the score in its output through its Scorer interface, which
// *Policy implements.
//
// # iocscan helpers
//
// ParseMaxAge parses "TYPE=DURATION[,…]" (-max-age; types by
// indicator.ParseType, plus ip, hash and all), MergeMaxAge puts it over
// DefaultMaxAge, ParseDuration takes "30d", "1.5d", "2w", "1d12h" besides
// Go durations, and ParseModelFlag a shipped model's name or a model
// file's path (-decay), for Options.SetModel.
//
// # Cost
//
// New is a few map copies. Apply costs per indicator a few map look-ups
// (the source's max age and model) and, with a model, one math.Pow: about
// 110 ns per indicator with DefaultMaxAge and NIDS Simple, copying the
// indicator included (BenchmarkApply, AMD EPYC VM, 2 shared cores,
// go1.26), no allocation per indicator; the Report is a map entry per
// source and a few examples. Score is a map look-up when source models
// are set, and one math.Pow: about 16 ns (BenchmarkScore); EntryScore is
// one Score per record of the entry, about 30 ns per record
// (BenchmarkEntryScore). Neither allocates. A Policy holds its options
// only: a few hundred bytes.
package age
