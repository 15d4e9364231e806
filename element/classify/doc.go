// Package classify places unlabelled copy text into element types (hook,
// conflict, story, testimonial, conversion).
//
// Data enters as a sequence of Units (sentences of a plain script or cues of
// a subtitle file, optionally with times) and leaves as one type name per
// unit. The model is small and data-driven: a cue lexicon with weights
// (cues.tsv, embedded), position and time priors from the usual script
// template (hook ≈ 3 s, conflict ≈ 8 s, testimonial ≈ 15 s, conversion the
// rest), a narrative prior for stories, and a Viterbi pass over type
// transitions that keeps the usual order (hook first, conversion last).
//
// The package knows nothing of files or of the element model; it speaks in
// the JSON type names ("hook", "conflict", …) so element can depend on it.
package classify
