package verify

import "elib/fingerprint/normalize"

// Test-only helpers: the product compares with a reused Matcher and screens
// with Parts; these are the plain forms the tests use as oracles.

// Compare finds the common runs of >= MinRun countable runes between query
// and lib (both normalised) with a fresh Matcher: the tests' shorthand.
func Compare(query, lib normalize.Text, opts Options) Result {
	var m Matcher
	return m.Compare(query, lib, opts)
}

// Containment returns |a∩b| / |a| of two sorted, deduplicated hash sets
// (0 when a is empty).
func Containment(a, b []uint64) float64 {
	if len(a) == 0 {
		return 0
	}
	return float64(intersect(a, b)) / float64(len(a))
}

// Shared returns how many of lib's MinRun-grams (by position) occur in the
// query; 0 means Compare would find nothing. A shared run of L runes gives
// L-MinRun+1.
func (s *Screen) Shared(lib normalize.Text) int {
	n := 0
	for i := 0; i+s.k <= len(lib.Runes); i++ {
		if _, ok := s.grams[gramHash(lib.Runes[i:i+s.k])]; ok {
			n++
		}
	}
	return n
}
