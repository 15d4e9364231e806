// Package lsh finds candidate near-duplicates among MinHash signatures with
// locality-sensitive hashing by banding.
//
// A signature of Bands*Rows lanes (from fingerprint/minhash) is cut into
// Bands bands of Rows lanes; Params.BandKeys hashes each band to a 64-bit
// key. Two sets of Jaccard similarity J share at least one band key with
// probability 1-(1-J^Rows)^Bands (Params.Probability), an S-curve whose
// steep part is placed just below the product's 0.62 duplication threshold.
//
// Data enters an Index as (id, band keys) pairs with Add and leaves as the
// ids that share a band key with a query (Query). The index is compact
// (8 bytes per band entry, in sorted runs rather than maps) and persists
// with WriteTo / ReadIndex in a versioned, checksummed binary form that
// loads without re-sorting. Candidates are only candidates: callers verify
// them exactly.
package lsh
