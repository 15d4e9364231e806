// Package jieba is the bleve tokenizer "elib_jieba": Chinese word
// segmentation with gojieba (through the shared fingerprint/wordseg
// Segmenter) on normalised text, with byte offsets into the original input.
//
// Data enters as the raw field bytes bleve hands to Tokenize and leaves as an
// analysis.TokenStream. The input is cut into runs of letters and digits
// (whitespace, punctuation, symbols and emoji separate runs and never become
// tokens). Each run is normalised with fingerprint/normalize (NFKC,
// Traditional → Simplified including Taiwan/Hong Kong vocabulary, case
// folding), the normalised run is segmented in jieba search mode (words plus
// the dictionary sub-words inside long words), and every token is mapped back
// through the normalisation offset map so Start/End cover exactly what the
// user wrote (highlighting stays right for Traditional or full-width text).
//
// Term is the normalised token text, so Traditional and Simplified spellings
// index the same term. Positions count words: a sub-word takes the position
// of the word that encloses it, so a phrase query whose first term is a
// suffix sub-word or whose last term is a prefix sub-word of a longer word
// still matches (中华人民共和国成立 is found by the phrase 共和国成立).
//
// The tokenizer stores no dictionary paths in the index mapping: it always
// uses segment.Default(), the process-wide shared segmenter.
package jieba
