// Package segment benchmarks elib's segmenter wrapper
// (fingerprint/wordseg Tokenize) against raw gojieba Cut on the same real
// text, to keep the wrapper's overhead (run splitting, offsets, filtering)
// within 15 % of the raw call. Text comes from ../testdata/poetry-sample.txt
// or, if absent, from the dev library at ../../../shared/dev/split_truth.json;
// the benchmarks skip when neither exists.
package segment
