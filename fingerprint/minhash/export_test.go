package minhash

// Test-only helpers: the check never estimates Jaccard from signatures (it
// verifies candidates exactly), so the estimator lives with the tests.

// Similarity is the Jaccard estimate: the share of equal lanes. It is 0
// when the lengths differ, when the signatures are empty (length 0), or when
// either is the signature of the empty set (all lanes Empty), because an
// empty set has no fingerprint to share.
func Similarity(a, b []uint32) float64 {
	if len(a) != len(b) || len(a) == 0 {
		return 0
	}
	b = b[:len(a)]
	eq := 0
	emptyA, emptyB := true, true
	for i, v := range a {
		w := b[i]
		if v == w {
			eq++
		}
		emptyA = emptyA && v == Empty
		emptyB = emptyB && w == Empty
	}
	if emptyA || emptyB {
		return 0
	}
	return float64(eq) / float64(len(a))
}

// IsEmpty reports whether sig is the signature of the empty set (or has no lanes).
func IsEmpty(sig []uint32) bool {
	for _, v := range sig {
		if v != Empty {
			return false
		}
	}
	return true
}
