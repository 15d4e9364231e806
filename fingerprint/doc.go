// Package fingerprint turns text into a comparable similarity fingerprint:
// normalised text with an offset map back to the original (normalize),
// gojieba tokens (segment), token shingles (shingle), a MinHash signature
// (minhash) and its LSH band keys (lsh). Candidates found through the band
// keys are verified exactly (verify) so verdicts never rest on sketch noise.
//
// Text enters through Engine.Fingerprint and leaves as a Fingerprint; the
// package knows nothing of files, elements or indexes.
package fingerprint
