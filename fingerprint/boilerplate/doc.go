// Package boilerplate finds text that must not count towards duplication:
// phrases from a library's allowlist (legal disclaimers, brand slogans) and
// sentences that occur in a large share of the library.
//
// Sentences are runs of normalised text between sentence punctuation in the
// original. A library counts, per asset, each distinct sentence hash in a
// Sketch (a count-min sketch of fixed size, so it stays small at millions of
// assets); a check asks the sketch how many assets hold a sentence and masks
// it when the share passes Rule.
package boilerplate
