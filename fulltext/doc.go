// Package fulltext is the full-text search index of a library's elements: a
// bleve (scorch) index whose copy text and titles are analysed with the
// elib_zh analyzer (jieba search-mode words on normalised text, see
// fulltext/analysis), with keyword fields for type, asset id, campaign,
// platform and attr.* attributes.
//
// Data enters as Doc values through Apply (durable bleve batches of
// Options.BatchSize operations; never bleve's unsafe_batch, which loses
// acknowledged batches on kill -9) and leaves as a Result from Search: hits
// with stored text, HTML-escaped fragments highlighted with <mark>…</mark>,
// code-point locations of the matched terms, and facet counts by type,
// campaign and platform.
//
// # Sharing the index between processes
//
// bbolt, under scorch's root.bolt, takes an exclusive flock while a writer
// has the index open and a shared flock for a read-only open; a second
// process that cannot get the lock would wait for ever. This package
// therefore
//
//   - sets bolt_timeout (in the stored index config and on every open), and
//     retries opening in short slices until Options.Timeout (default 5 s),
//     after which the error matches ErrLocked and reads "search index DIR is
//     locked by another process";
//   - holds the writer lock only inside Apply: Apply opens the index,
//     writes its batches and closes it again (under a pace, once a round of
//     bleve's merges in progress ends, at most 2 s). Inside a long Apply the
//     lock is released after every batch once it has been held for a
//     second, with a 60 ms pause so that readers polling for the lock get in;
//   - opens a read-only handle per Search or DocCount and closes it at once,
//     so a long-running reader (elib serve) never starves an import.
//
// So `elib search` and `elib check` work while `elib import` runs in
// another process: they wait at most one batch (about a second) for the
// lock. A process that owns the library for a while (reindex, benchmarks)
// can pass Options.Exclusive to keep the writer open from Open to Close.
// Measured costs of this scheme are in benchmarks/RESULTS.md (## Search).
//
// A new index is built in a temporary directory next to its final place and
// renamed into it, so a crash or two concurrent creators never leave a
// half-made index.
package fulltext
