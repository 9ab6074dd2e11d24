// Package iocmatchproc is the iocmatch processor for Benthos
// (github.com/redpanda-data/benthos/v4, v4.60.0): a batch processor
// "iocmatch" that matches messages against threat-intelligence
// indicators of compromise, and enriches, filters or annotates those that
// match. Importing the package registers it in Benthos's global
// environment (Register for another environment); the command in the
// parent directory is a Benthos binary with it.
//
//	pipeline:
//	  processors:
//	    - iocmatch:
//	        feeds: [ /etc/iocmatch/feeds ]          # files and directories, any iocmatch format
//	        warninglists: [ /opt/misp-warninglists/lists ]
//	        fields: [ url.original, source.ip ]     # or none: the whole raw message
//	        mode: enrich                            # enrich | filter | annotate
//
// # The set
//
// The processor holds a live.Matcher: at start it loads the feeds
// (loader), applies the allowlists (allow: reserved ranges on by default,
// the warninglists and Zeek whitelist rows found among the feeds, the
// configured warninglists and plain allowlists), the max ages and the
// decay model (age: max_age over age.DefaultMaxAge, a string as
// iocscan's -max-age or a map of type to duration, "off" for none; decay
// a MISP model name or file) and compiles them (match, with
// min_confidence); a config error or a feed that cannot be read fails the
// processor's construction, with the field and the cause in the error
// ("iocmatch: max_age: …"). In the background it checks the feed files
// every reload_period (5 s; 0s: never) and rebuilds on a change, and every
// rebuild_period (0s: never) whatever; a failed rebuild keeps the current
// set (and counts iocmatch_reloads{result="failed"}). Each batch takes the
// current set once (one atomic load). Close stops the reloads.
//
// # Matching
//
// With fields empty (the default), the message's raw bytes are matched
// (iocmatch matches a JSON line on its decoded strings). With fields,
// the message is parsed as JSON and each dot path (url.original: nested
// objects, or a flat key "url.original" as some shippers write ECS) is
// matched when it holds a string or an array of strings; other values are
// skipped, and a message that is not JSON gets an error (Benthos's error
// handling: catch, try, dead-letter outputs) and is passed on unchanged.
// At most max_matches_per_message (100) matches are kept per message, the
// first ones in field order and by offset. With min_score (and a decay
// model) the matches of an entry scoring below it are dropped at match
// time (entries the model does not score, such as hashes under NIDS
// Simple, are kept).
//
// # Output
//
// Every message with matches gets the metadata iocmatch_matches (the
// count, an int), iocmatch_types, iocmatch_indicators and iocmatch_fields
// (distinct, comma-separated, in match order). Then by mode:
//
//   - enrich: the ECS threat.enrichments of the matches
//     (encode.Encoder.AppendEnrichment: indicator.*, matched.atomic,
//     matched.field = the field path or "message", matched.type,
//     matched.occurred, iocmatch.type/start/end/text/score/tags/lists) are
//     appended to the document's threat.enrichments (created when
//     missing; a "threat" that is not an object is an error). A raw
//     message that is not a JSON object becomes the ECS-shaped
//     {"message": RAW, "threat": {"enrichments": [...]}}. Messages
//     without matches pass unchanged.
//   - filter: as enrich, and messages without matches are dropped (a
//     message with an error is kept, so that it is not lost silently).
//   - annotate: the content is left alone; the enrichments array is in the
//     metadata iocmatch_enrichments (a JSON string).
//
// # Metrics and hits
//
// Through Benthos's metrics (the metrics section of the config:
// json_api, logger …): iocmatch_matches (counter, label type: the
// iocmatch type), iocmatch_messages_matched (counter), iocmatch_reloads
// (counter, label result: ok, failed), iocmatch_indicators (gauge: the
// entries of the current set). Hits are also counted per indicator in a
// hits.Stats (Processor.Stats), rebound to every new set, and written to
// hits_file on Close when set (restored from it at start): the input of
// package sightings and roi.
//
// # Cost
//
// A message without a match costs the processor AppendMatches on its
// bytes (no allocation) and the batch's bookkeeping; a message with
// matches costs, besides, the metadata, the enrichments (from the
// Encoder's per-entry cache) and, in enrich mode, the new content. The
// figures are in the README of the parent directory (BenchmarkStream,
// BenchmarkProcessBatch, BenchmarkAppendMatches).
package iocmatchproc
