// Package index is an elib library: the durable element store, the LSH
// candidate index, the anchor index (winnow anchors → elements, for
// partial copies), the boilerplate sentence sketch, the allowlist and the
// full-text index, behind one Library type used by the commands, the check
// pipeline and the server.
//
// Data enters through Import (parsed element.Asset values, fingerprinted in
// parallel with a fingerprint.Engine), Remove, AllowlistAdd/Remove and
// Reindex, and leaves through the read side: Candidates (LSH lookup),
// AnchorHolders (anchor lookup),
// Element/ElementByID (stored fingerprints and text, read from disk on
// demand), Asset, SentenceDF, Search and kit.Stats.
//
// # On disk
//
// A library directory holds manifest.json (see index/manifest: the current
// generation, replaced atomically), a lock file (a writer's exclusive flock),
// segments/seg-NNNNNNNN.els (immutable element-store segments, see
// index/store; one per import batch, carrying the tombstones of the assets
// it replaced or removed) and beside each its published file (the assets'
// published times, derived: see published.go), lsh-G.bin, anchors-G.bin and sketch-G.bin
// (snapshots of the LSH band index, the anchor index and the boilerplate
// sketch, rebuilt from the segments when missing or behind), and fulltext/ (the bleve index of package fulltext,
// rebuildable from the store).
//
// The element store is the source of truth. An import writes its segment,
// then the snapshots, then the manifest — each atomically (temporary file,
// fsync, rename, fsync of the directory) — so a crash at any moment leaves
// the previous or the new generation, never a mix. The full-text index is
// brought up to date after the manifest, and caught up by the next writer
// if a crash interrupted that.
//
// # Concurrency
//
// One writer per library (a non-blocking flock on <dir>/lock), any number of
// readers. Readers never lock: they read one manifest generation and its
// immutable files, which a writer never modifies (a reindex writes a new
// generation beside the old one and swaps the manifest). A read-only
// Library stays at the generation it opened until Refresh moves it to the
// current one (elib serve without a token does so every two seconds).
// Inside a process a Library is safe for concurrent use.
package index
