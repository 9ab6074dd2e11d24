package iocmatchproc

import (
	"fmt"
	"os"
	"sort"
	"strings"
	"time"

	"github.com/redpanda-data/benthos/v4/public/service"

	"github.com/iocmatch/iocmatch/age"
	"github.com/iocmatch/iocmatch/allow"
	"github.com/iocmatch/iocmatch/loader"
)

// Name is the name the processor is registered under.
const Name = "iocmatch"

// The output modes (field mode).
const (
	ModeEnrich   = "enrich"
	ModeFilter   = "filter"
	ModeAnnotate = "annotate"
)

// The metadata keys the processor sets on a message with matches.
const (
	MetaMatches     = "iocmatch_matches"     // the number of matches (an int)
	MetaTypes       = "iocmatch_types"       // their iocmatch types, distinct, comma-separated
	MetaIndicators  = "iocmatch_indicators"  // their canonical values, distinct, comma-separated
	MetaFields      = "iocmatch_fields"      // the fields they were found in, distinct, comma-separated
	MetaEnrichments = "iocmatch_enrichments" // annotate mode: the threat.enrichments array, JSON
)

// Defaults of the config fields.
const (
	DefaultReloadPeriod          = 5 * time.Second
	DefaultMaxMatchesPerMessage  = 100
	defaultReloadPeriodText      = "5s"
	defaultRebuildPeriodText     = "0s"
	fieldFeeds, fieldAllowlists  = "feeds", "allowlists"
	fieldWarninglists            = "warninglists"
	fieldReserved, fieldDocRange = "reserved", "documentation_ranges"
	fieldInternal                = "internal_sources"
	fieldSuppressAll             = "suppress_all_warninglists"
	fieldMaxAge, fieldDecay      = "max_age", "decay"
	fieldReload, fieldRebuild    = "reload_period", "rebuild_period"
	fieldMinConf, fieldMinScore  = "min_confidence", "min_score"
	fieldFields, fieldMode       = "fields", "mode"
	fieldMaxMatches              = "max_matches_per_message"
	fieldHitsFile                = "hits_file"
)

// ConfigSpec returns the config spec of the iocmatch processor.
func ConfigSpec() *service.ConfigSpec {
	return service.NewConfigSpec().
		Beta().
		Categories("Utility").
		Summary("Matches messages against threat-intelligence indicators of compromise (IOCs) with iocmatch, and enriches, filters or annotates the messages that match.").
		Description(`
Loads the indicators of the feeds (plain lists, CSV, STIX 2.x, MISP, Zeek intel, Suricata datasets: detected by content),
applies the allowlists (reserved ranges, MISP warninglists found among the feeds or given, plain allowlists),
the max ages and the decay model, compiles them into an immutable matcher and reloads it in the background
when a feed file changes (checked every `+"`reload_period`"+`): a failed reload keeps the current set.

Each message is matched on the fields listed in `+"`fields`"+` (dot paths into its JSON document), or as a whole
raw message when `+"`fields`"+` is empty (JSON messages are matched on their decoded strings).

Modes:

- `+"`enrich`"+` (default): adds ECS `+"`threat.enrichments`"+` (one element per match: `+"`indicator.*`"+`, `+"`matched.*`"+`
  with `+"`matched.field`"+` the field matched, `+"`iocmatch.*`"+`) to messages with matches, appended to an existing array;
  a raw message that is not a JSON object becomes `+"`{\"message\": RAW, \"threat\": {\"enrichments\": [...]}}`"+`.
  Messages without matches pass unchanged.
- `+"`filter`"+`: as `+"`enrich`"+`, and drops the messages without matches.
- `+"`annotate`"+`: leaves the content alone and sets the metadata only, `+"`"+MetaEnrichments+"`"+` included.

In every mode a message with matches gets the metadata `+"`"+MetaMatches+"`"+` (count), `+"`"+MetaTypes+"`"+`, `+"`"+MetaIndicators+"`"+`
and `+"`"+MetaFields+"`"+` (comma-separated, distinct).

Metrics: `+"`iocmatch_matches`"+` (counter, label `+"`type`"+`), `+"`iocmatch_messages_matched`"+` (counter),
`+"`iocmatch_reloads`"+` (counter, label `+"`result`"+`: ok, failed), `+"`iocmatch_indicators`"+` (gauge: entries of the current set).`).
		Field(service.NewStringListField(fieldFeeds).
			Description("Feed files and directories (read recursively, format detected by content, gzip read transparently).").
			Example([]string{"/etc/iocmatch/feeds"})).
		Field(service.NewBoolField(fieldReserved).
			Description("Suppress address and CIDR indicators in reserved, non-globally-reachable ranges (10/8, 127/8, fc00::/7 …).").
			Default(true)).
		Field(service.NewBoolField(fieldDocRange).
			Description("Also suppress indicators in the documentation ranges (192.0.2.0/24, 198.51.100.0/24, 203.0.113.0/24, 2001:db8::/32).").
			Default(false).Advanced()).
		Field(service.NewStringListField(fieldInternal).
			Description("Sources (feed names) whose indicators the reserved and documentation ranges keep.").
			Default([]string{}).Advanced()).
		Field(service.NewStringListField(fieldAllowlists).
			Description("Plain-list files of values never to match: addresses and CIDRs by containment, domains with their subdomains.").
			Default([]string{}).Example([]string{"/etc/iocmatch/allow.txt"})).
		Field(service.NewStringListField(fieldWarninglists).
			Description("MISP warninglist files or directories to apply, besides those found among the feeds. A false-positive list suppresses its values, another annotates them (tag `warninglist:ID`).").
			Default([]string{}).Example([]string{"/opt/misp-warninglists/lists"})).
		Field(service.NewBoolField(fieldSuppressAll).
			Description("Every warninglist suppresses (but the threat lists: sinkholes, hosting ranges …), instead of annotating those that are not false-positive lists.").
			Default(false).Advanced()).
		Field(service.NewAnyField(fieldMaxAge).
			Description("Max age per indicator type since its last sighting, over the defaults (ip 30d, domain and url 180d, hash 365d …): a string `TYPE=DURATION[,…]` as iocscan's -max-age, or a map of TYPE to DURATION; types ipv4, domain, sha256 … or ip, hash, all; durations 30d, 2w, 12h. `off`: no max age. Undated indicators never age.").
			Default("").Examples("ip=14d,domain=90d", map[string]any{"ip": "14d", "domain": "90d"}, "off")).
		Field(service.NewStringField(fieldDecay).
			Description("A MISP decaying model by name (`NIDS Simple`, `Phishing`, `Vishing`) or a MISP model JSON file: an indicator whose score falls below the model's threshold stops matching, and every enrichment carries its score (`iocmatch.score`). Empty: no scores.").
			Default("").Examples("NIDS Simple")).
		Field(service.NewDurationField(fieldReload).
			Description("How often the feed files are checked for a change (size, time, inode; a changed file triggers a rebuild in the background). `0s`: never.").
			Default(defaultReloadPeriodText)).
		Field(service.NewDurationField(fieldRebuild).
			Description("When above 0s, rebuild from every feed that often even without a change.").
			Default(defaultRebuildPeriodText).Advanced()).
		Field(service.NewIntField(fieldMinConf).
			Description("Drop indicators of a confidence below this (0-100) at compile time; indicators of unknown confidence are kept.").
			Default(0)).
		Field(service.NewFloatField(fieldMinScore).
			Description("With `decay`: drop the matches whose decay score (0-100) is below this, at match time. 0: keep all.").
			Default(0.0)).
		Field(service.NewStringListField(fieldFields).
			Description("Dot paths of the JSON fields to match (strings, or arrays of strings); the matches' `matched.field` is the path. Empty: the whole raw message.").
			Default([]string{}).Example([]string{"url.original", "source.ip", "destination.ip", "dns.question.name"})).
		Field(service.NewStringEnumField(fieldMode, ModeEnrich, ModeFilter, ModeAnnotate).
			Description("`enrich`: add ECS threat.enrichments to messages with matches; `filter`: the same, and drop messages without matches; `annotate`: set the metadata only.").
			Default(ModeEnrich)).
		Field(service.NewIntField(fieldMaxMatches).
			Description("At most this many matches per message (the first ones, in field order and by offset); the metadata count is of those kept.").
			Default(DefaultMaxMatchesPerMessage)).
		Field(service.NewStringField(fieldHitsFile).
			Description("When set, the hit statistics (per indicator: count, first and last hit) are written to this JSON file on close, restored from it at start.").
			Default("").Advanced()).
		Example("Enrich stdin lines", "Reads log lines from stdin and writes those with matches, enriched with ECS threat.enrichments, to stdout.", `
input:
  stdin: {}
pipeline:
  processors:
    - iocmatch:
        feeds: [ ./feeds ]
        mode: filter
output:
  stdout: {}
`).
		Example("ECS events", "Matches selected fields of JSON events and keeps all events, the matching ones enriched.", `
pipeline:
  processors:
    - iocmatch:
        feeds: [ /etc/iocmatch/feeds ]
        warninglists: [ /opt/misp-warninglists/lists ]
        fields: [ url.original, source.ip, destination.ip, dns.question.name ]
        max_age: ip=14d
        decay: NIDS Simple
        min_score: 30
`)
}

// config is a parsed config.
type config struct {
	feeds, fields []string
	allow         allow.Options
	warninglists  []string
	age           age.Options
	reload        time.Duration
	rebuild       time.Duration
	minConf       int
	minScore      float64
	mode          string
	maxMatches    int
	hitsFile      string
}

// parseConfig checks and converts the config; errors name the field.
func parseConfig(pc *service.ParsedConfig) (*config, error) {
	c := &config{}
	var err error
	fail := func(field string, err error) (*config, error) {
		return nil, fmt.Errorf("iocmatch: %s: %w", field, err)
	}
	if c.feeds, err = pc.FieldStringList(fieldFeeds); err != nil {
		return fail(fieldFeeds, err)
	}
	if len(c.feeds) == 0 {
		return fail(fieldFeeds, fmt.Errorf("no feed given: a list of feed files or directories"))
	}
	reserved, err := pc.FieldBool(fieldReserved)
	if err != nil {
		return fail(fieldReserved, err)
	}
	c.allow.NoReserved = !reserved
	if c.allow.Documentation, err = pc.FieldBool(fieldDocRange); err != nil {
		return fail(fieldDocRange, err)
	}
	if c.allow.InternalSources, err = pc.FieldStringList(fieldInternal); err != nil {
		return fail(fieldInternal, err)
	}
	if c.allow.Allowlists, err = pc.FieldStringList(fieldAllowlists); err != nil {
		return fail(fieldAllowlists, err)
	}
	for _, path := range c.allow.Allowlists {
		if _, err := os.Stat(path); err != nil {
			return fail(fieldAllowlists, err)
		}
	}
	if c.allow.SuppressAll, err = pc.FieldBool(fieldSuppressAll); err != nil {
		return fail(fieldSuppressAll, err)
	}
	if c.warninglists, err = pc.FieldStringList(fieldWarninglists); err != nil {
		return fail(fieldWarninglists, err)
	}
	for _, path := range c.warninglists {
		res, err := loader.Load(path, loader.Options{Format: loader.FormatWarninglist})
		if err != nil {
			return fail(fieldWarninglists, err)
		}
		if len(res.Warninglists) == 0 {
			return fail(fieldWarninglists, fmt.Errorf("%s: no warninglist read", path))
		}
		c.allow.Warninglists = append(c.allow.Warninglists, res.Warninglists...)
	}

	maxAge, err := maxAgeString(pc)
	if err != nil {
		return fail(fieldMaxAge, err)
	}
	if err := c.age.SetMaxAge(maxAge); err != nil {
		return fail(fieldMaxAge, err)
	}
	decay, err := pc.FieldString(fieldDecay)
	if err != nil {
		return fail(fieldDecay, err)
	}
	if err := c.age.SetDecay(decay); err != nil {
		return fail(fieldDecay, err)
	}
	if c.reload, err = pc.FieldDuration(fieldReload); err != nil {
		return fail(fieldReload, err)
	}
	if c.reload < 0 {
		return fail(fieldReload, fmt.Errorf("negative: %v", c.reload))
	}
	if c.rebuild, err = pc.FieldDuration(fieldRebuild); err != nil {
		return fail(fieldRebuild, err)
	}
	if c.rebuild < 0 {
		return fail(fieldRebuild, fmt.Errorf("negative: %v", c.rebuild))
	}
	if c.minConf, err = pc.FieldInt(fieldMinConf); err != nil {
		return fail(fieldMinConf, err)
	}
	if c.minConf < 0 || c.minConf > 100 {
		return fail(fieldMinConf, fmt.Errorf("%d is not within 0-100", c.minConf))
	}
	if c.minScore, err = pc.FieldFloat(fieldMinScore); err != nil {
		return fail(fieldMinScore, err)
	}
	if c.minScore < 0 || c.minScore > 100 {
		return fail(fieldMinScore, fmt.Errorf("%v is not within 0-100", c.minScore))
	}
	if c.minScore > 0 && decay == "" {
		return fail(fieldMinScore, fmt.Errorf("needs a decay model (field %s): without one there is no score", fieldDecay))
	}
	if c.fields, err = pc.FieldStringList(fieldFields); err != nil {
		return fail(fieldFields, err)
	}
	for _, f := range c.fields {
		if f == "" || strings.HasPrefix(f, ".") || strings.HasSuffix(f, ".") || strings.Contains(f, "..") {
			return fail(fieldFields, fmt.Errorf("%q is not a dot path (a.b.c)", f))
		}
	}
	if c.mode, err = pc.FieldString(fieldMode); err != nil {
		return fail(fieldMode, err)
	}
	switch c.mode {
	case ModeEnrich, ModeFilter, ModeAnnotate:
	default:
		return fail(fieldMode, fmt.Errorf("%q is not enrich, filter or annotate", c.mode))
	}
	if c.maxMatches, err = pc.FieldInt(fieldMaxMatches); err != nil {
		return fail(fieldMaxMatches, err)
	}
	if c.maxMatches < 1 {
		return fail(fieldMaxMatches, fmt.Errorf("%d: must be at least 1", c.maxMatches))
	}
	if c.hitsFile, err = pc.FieldString(fieldHitsFile); err != nil {
		return fail(fieldHitsFile, err)
	}
	return c, nil
}

// maxAgeString is the max_age field as a -max-age string: a string as
// it is, a map as TYPE=DURATION items (sorted by type).
func maxAgeString(pc *service.ParsedConfig) (string, error) {
	v, err := pc.FieldAny(fieldMaxAge)
	if err != nil {
		return "", err
	}
	switch x := v.(type) {
	case nil:
		return "", nil
	case string:
		return x, nil
	case map[string]any:
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		items := make([]string, len(keys))
		for i, k := range keys {
			d, ok := x[k].(string)
			if !ok {
				return "", fmt.Errorf("%s: the duration %v is not a string such as 30d", k, x[k])
			}
			if strings.ContainsAny(k, "=,") || strings.ContainsAny(d, "=,") {
				return "", fmt.Errorf("%s: %q: neither may hold = or ,", k, d)
			}
			items[i] = k + "=" + d
		}
		if len(items) == 0 {
			return "", nil
		}
		return strings.Join(items, ","), nil
	default:
		return "", fmt.Errorf("%v: neither a string TYPE=DURATION[,…] nor a map of TYPE to DURATION", v)
	}
}
