// Package zh is the bleve analyzer "elib_zh" used for elib's Chinese copy
// text: the elib_jieba tokenizer (jieba search-mode segmentation on
// normalised text, offsets into the original) followed by the
// elib_normalize and to_lower token filters.
//
// Data enters as field bytes and leaves as terms in normalised Simplified,
// lower-case form with word positions; the same analyzer runs at index and
// at query time, so a Traditional, full-width or upper-case query finds
// Simplified, half-width, lower-case text and the other way round.
//
// Normalisation happens before tokenising (inside elib_jieba) rather than
// only as a filter on terms, because jieba's dictionary is Simplified:
// Traditional text segmented as written falls apart into single characters
// and regional vocabulary (檔案 → 文件) would never meet its Simplified form.
// The filters make the analyzer robust if the tokenizer is ever swapped.
//
// Importing this package registers all three components.
package zh
