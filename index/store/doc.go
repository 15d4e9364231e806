// Package store is the on-disk element store of an elib library: immutable
// segment files, each holding the full assets of one import batch (so a
// reindex can rebuild everything), one record per element (id, type, text,
// fingerprint shingles and MinHash signature), and the tombstones of the
// assets that batch replaced or removed.
//
// A segment is a 16-byte header, a run of independently checksummed
// blocks — element blocks of about 4 KiB stored as they are (format
// version 2; version 1, still read, compressed them), asset blocks of
// about 16 KiB compressed with zstd — a compressed footer (block index with a checksum per block, asset directory, element
// types, tombstones) and a fixed 32-byte trailer that locates and checksums
// the footer. Readers keep only the footer in memory and decode a block on
// demand, so resident memory stays a few bytes per element; on the OS file
// system they copy a block out of a read-only mapping of the file
// (vfs.Mapping) instead of reading it with a system call.
//
// Data enters through Writer (AddElement, AddAsset, AddTombstone, Commit —
// the file appears atomically and durably or not at all) and leaves through
// Reader (Open, ElementRecords, ElementBlock, AssetBlock).
package store
