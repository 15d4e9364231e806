// Package postgres is the PostgreSQL library backend: the same library as
// the file library of package index (assets, elements with their
// signatures and shingles, LSH band postings, anchor postings, allowlist,
// boilerplate sentence statistics, full-text search over the gojieba tokens
// bleve uses), in a database that many importers and check servers share.
//
// # Schema
//
// Versioned by migrations (schema.go) that Init runs; Open refuses a
// database whose schema is newer than the binary. Tables:
//
//   - elib_meta: schema version, fingerprint options, generation and live
//     counts;
//   - elib_assets: one row per live asset, its record (JSON of
//     kit.AssetRecord), distinct sentence hashes and published time
//     (migration 7, kit.PublishedIndex);
//   - elib_elements: one row per element (ref from a sequence, never
//     reused): text, signature, shingles, anchors, live flag, and what
//     search needs (migration 3, searchRow): the gojieba terms of text and
//     title together (lexemes, a generated tsvector with a GIN index) and
//     apart, filter and facet terms (fulltext.FilterTerms, FacetTerms; GIN
//     on the filter terms), BPM, plays, published time;
//   - elib_lsh and elib_anchors: postings (band<<32 | top 32 bits of the
//     key, ref) — the key the in-memory lsh.Index compares — with a btree;
//   - elib_sentence_df: in how many live assets each sentence occurs (exact;
//     the file library estimates it with a count-min sketch);
//   - elib_allowlist.
//
// # Search
//
// Search is one SQL statement: the GIN index gives the elements holding
// enough of the query's word positions, the two-thirds rule is checked per
// field (text or title) as bleve checks it, filters are array overlaps
// with the filter terms, and the database sorts, pages and counts facets;
// the process receives the page and the counts and highlights the page
// with the file library's highlighter (fulltext.Highlight).
//
// # Consistency
//
// An import, a remove or an allowlist edit is one transaction, serialised
// with other writers by a transaction-scoped advisory lock (fingerprinting,
// the expensive part, runs in parallel across importers), and
// bumps the generation and NOTIFYs elib_changes (Changes follows them); a
// killed import leaves nothing. Within an import the next chunk is
// fingerprinted while the database stores the previous one, and the
// postings are stored last, sorted by key; across imports,
// PrepareImport fingerprints a batch while ImportPrepared stores the
// previous one (library.Batcher). Reads query the tables
// directly, in batches (Prefetch, SentenceDFs, AssetsOf), so every check
// sees every committed change at once; a lost connection fails the call
// in flight and the pool reconnects.
package postgres
