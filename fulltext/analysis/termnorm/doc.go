// Package termnorm is the bleve token filter "elib_normalize": it rewrites
// every token's term with fingerprint/normalize (NFKC, Traditional →
// Simplified with Taiwan/Hong Kong vocabulary, case folding, punctuation and
// symbols dropped) and removes tokens that normalise to nothing.
//
// Data enters as an analysis.TokenStream from any tokenizer and leaves as the
// same stream with normalised terms; Start, End, Position and Type are kept,
// so highlighting still points at the original text. Normalising a term that
// is already normalised (as elib_jieba emits them) is a cheap no-op for
// Simplified text, so the filter is safe to chain after any tokenizer.
package termnorm
