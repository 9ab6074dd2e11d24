// Command natsworker scales iocmatch out on NATS JetStream: any number of
// identical workers consume log lines from one stream through one
// durable pull consumer that they share, match every line with a live
// matcher (package live) and publish the enriched matches (package
// encode: native JSON lines or ECS) to an output subject. Every worker
// holds the whole indicator set; the broker partitions the lines.
//
//	nats-server -js &
//	natsworker -publish-feeds ./feeds          # put the feed files into the IOCFEEDS bucket
//	natsworker &  natsworker &  natsworker &   # three workers
//	natsworker -publish-lines access.log       # or any producer: nats pub logs.web '…'
//	nats sub iocmatch.matches                  # or read the MATCHES stream
//
// # Delivery
//
// At least once, no match lost: a worker fetches batches (-batch) from
// the durable consumer (-consumer, explicit ack, -ack-wait,
// -max-ack-pending), publishes one output message per line with matches
// to -subject-out and acks that line only after JetStream acknowledged
// the output (a line without matches is acked at once). A worker killed
// before its acks leaves its lines unacknowledged: JetStream redelivers
// them after -ack-wait to the other workers. The output message of a line
// carries the header Nats-Msg-Id "STREAM:SEQ" (the input stream and the
// line's stream sequence), so a redelivered line's output has the same id
// and the output stream's duplicate window (-dup-window, longer than
// -ack-wait) stores it once; a subscriber of the subject may see it twice,
// always with the same id. SIGINT or SIGTERM stops a worker after its
// batch in flight: its outputs acknowledged, its inputs acked, flushed.
//
// # Output
//
// -format json (the default): the message body is the native JSON of
// package encode, one object per match and line ("file" is the input
// subject, "line" the input's stream sequence), newline-separated.
// -format ecs: one ECS event (package encode). Headers: Nats-Msg-Id,
// Iocmatch-Stream, Iocmatch-Seq, Iocmatch-Subject, Iocmatch-Worker.
//
// # Feeds
//
// The feed files live in a JetStream object store bucket (-bucket,
// IOCFEEDS). Every worker watches it, mirrors its objects into its
// -feeds-dir (a temporary directory by default; files there that are not
// in the bucket are removed) and reloads its matcher after each change,
// so that one put (`natsworker -publish-feeds DIR` or `nats object put
// IOCFEEDS FILE`) updates the whole fleet. Local -feed paths are read
// besides the bucket's. A reload that fails (a broken feed) keeps the
// current set. The feed, TAXII, allowlist, ageing and matching flags are
// iocscan's and iocserve's (package internal/setup: -feed, -taxii …,
// -reserved, -warninglist …, -max-age, -decay, -min-confidence, -reload
// for watching the -feed files): indicators in reserved ranges are
// suppressed, the feeds' warninglists apply, and indicators age out by
// the defaults of package age.
//
// # Your own cluster
//
// -nats takes the cluster's URLs, comma-separated
// (nats://user:pass@a:4222,nats://b:4222; tls:// for TLS), -creds a
// credentials file. Run as many workers as the lines need, on any
// machines: each holds the whole set, the consumer spreads the lines
// (at most -max-ack-pending in flight over all of them). Replicas, limits
// and retention of the streams are the operator's: create LOGS, MATCHES
// and IOCFEEDS (and the consumer) as the cluster needs (e.g. Replicas:
// 3) and run the workers with -create=false, or let -create make
// single-replica ones.
//
// -create (the default) creates the input stream, the output stream, the
// consumer and the bucket when they do not exist; an existing stream or
// bucket is used as it is, the consumer is created or updated with the
// worker's settings (every worker must use the same).
package main
