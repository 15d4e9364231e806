// Package winnow picks anchors from normalised text: hashes of character
// k-grams selected by winnowing (Schleimer, Wilkerson and Aiken, "Winnowing:
// local algorithms for document fingerprinting", SIGMOD 2003). Two texts
// that share a run of at least K+Window-1 runes share at least one anchor,
// whatever surrounds the run, so an index of anchors finds library
// elements that contain part of a checked text — paraphrases and collages
// whose whole-element similarity is too low for MinHash LSH.
package winnow

// K is the k-gram length in runes: the shortest run exact verification
// counts as copied (fingerprint.Options.MinRun's default).
const K = 5

// Window is the number of consecutive k-grams each anchor is chosen from:
// every shared run of K+Window-1 = 10 runes (a run long enough to pull a
// candidate's whole asset into a check) yields a shared anchor. Density is
// about 2/(Window+1) anchors per rune.
const Window = 6

// Anchor is a selected k-gram: its hash and the rune offset where it starts.
type Anchor struct {
	Hash uint64
	Pos  int
}

// Anchors appends the anchors of runes to dst in order of position. Text
// shorter than K runes has none. A k-gram containing rune 0 (a separator
// callers may put between texts) is never selected. Hashes are stable
// across processes and machines.
func Anchors(dst []Anchor, runes []rune) []Anchor {
	n := len(runes) - K + 1
	if n <= 0 {
		return dst
	}
	hs := make([]uint64, n)
	for i := range hs {
		hs[i] = gramHash(runes[i : i+K])
	}
	return winnowGrams(dst, hs, Window)
}

// winnowGrams appends the rightmost minimum of every window of w
// consecutive gram hashes (each once), skipping the "no gram" maximum.
func winnowGrams(dst []Anchor, hs []uint64, w int) []Anchor {
	const none = ^uint64(0)
	n := len(hs)
	if n == 0 {
		return dst
	}
	last := -1
	for start := 0; ; start++ {
		end := min(start+w, n)
		m := start
		for j := start + 1; j < end; j++ {
			if hs[j] <= hs[m] { // rightmost minimum: fewer anchors on ties
				m = j
			}
		}
		if m != last && hs[m] != none {
			dst = append(dst, Anchor{Hash: hs[m], Pos: m})
			last = m
		}
		if end == n {
			return dst
		}
	}
}

// gramHash hashes K runes (FNV-1a over the code points, then a 64-bit
// finaliser); a gram with a 0 rune hashes to the maximum, never a minimum
// that could be selected over real text in its window.
func gramHash(g []rune) uint64 {
	h := uint64(14695981039346656037)
	for _, r := range g {
		if r == 0 {
			return ^uint64(0)
		}
		h ^= uint64(r)
		h *= 1099511628211
	}
	h ^= h >> 33
	h *= 0xff51afd7ed558ccd
	h ^= h >> 33
	h *= 0xc4ceb9fe1a85ec53
	h ^= h >> 33
	if h == ^uint64(0) {
		h--
	}
	return h
}

// Hashes returns the distinct anchor hashes of runes, K-gram anchors and
// edit anchors (what a library stores per element).
func Hashes(runes []rune) []uint64 {
	var buf [64]Anchor
	as := EditAnchors(Anchors(buf[:0], runes), runes)
	out := make([]uint64, 0, len(as))
	seen := make(map[uint64]bool, len(as))
	for _, a := range as {
		if !seen[a.Hash] {
			seen[a.Hash] = true
			out = append(out, a.Hash)
		}
	}
	return out
}
