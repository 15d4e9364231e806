// Package shingle turns a token sequence into a set of 64-bit shingle
// hashes, the input of MinHash signatures.
//
// Data enters as the token texts of one element (normally the segmenter's
// words of normalised text) and leaves as a sorted, deduplicated []uint64
// of xxhash values (stable across processes and machines). Token shingles
// and the character n-gram fallback for short texts use separate hash
// domains.
//
// Choice of the default size (Options.Size = 1, i.e. word unigrams).
// Measured with TestMeasureShingleSize (ELIB_MEASURE=1 go test -run Measure
// -v ./fingerprint/shingle) on /work/shared/dev: Jaccard between new assets
// and their main library source, whole asset text, normalised, segmented
// with the marketing dictionary (character fallback off):
//
//	n  recipe d (light edit, 24)   recipe f (paraphrase, 12)   unrelated (175)
//	   min  p25  median  max        min  median  max            median  max
//	1  0.55 0.64 0.69    0.77       0.25 0.34    0.38           0.07    0.13
//	2  0.35 0.50 0.56    0.65       0.14 0.19    0.25           0.00    0.02
//	3  0.24 0.40 0.45    0.58       0.07 0.14    0.18           0.00    0.01
//
// Only n = 1 keeps lightly edited copies (synonym swaps on 10–40 % of the
// words) around and above the 0.62 line that LSH is tuned for; with n = 2
// a single swapped word breaks two shingles and the median copy falls to
// 0.56. Unrelated pairs stay low with n = 1 (max 0.13), and candidates are
// verified exactly afterwards (package verify), so the weaker selectivity
// of unigrams costs only some extra verification. Hence DefaultSize = 1;
// pass Size: 2 for a more selective index.
package shingle
