package winnow

// Edit anchors find edited copies (洗稿): a text edited every few
// characters keeps no run of K runes, but most of its short runs survive.
// The library winnows EditK-grams over EditWindow consecutive grams (about
// 2/(EditWindow+1) anchors per rune); a checked text probes every one of
// its EditK-grams (EditGrams), so a library anchor is found whenever its
// EditK runes survive the edits, whatever was changed around them. Their
// hashes are salted, never equal to a K-gram anchor's.

// EditK is the edit anchors' gram length: three runes survive an edit
// every four characters.
const EditK = 3

// EditWindow is how many consecutive EditK-grams one edit anchor is chosen
// from in a long text. A shorter one (fewer than 3×EditWindow grams: a
// hook, a conflict) winnows over a third of its grams, at least
// EditMinWindow, so that it holds enough anchors for an edited copy of it
// to be found by several.
const EditWindow = 16

// EditMinWindow is the narrowest edit-anchor window.
const EditMinWindow = 4

// editWindow is the winnowing window for a text of n EditK-grams.
func editWindow(n int) int {
	return min(EditWindow, max(EditMinWindow, n/3))
}

// editSalt separates edit anchor hashes from K-gram anchor hashes.
const editSalt = 0x6a09e667f3bcc909

// EditAnchors appends the winnowed edit anchors of runes to dst, in order
// of position (what a library stores per element, with Anchors).
func EditAnchors(dst []Anchor, runes []rune) []Anchor {
	hs := editHashes(runes)
	return winnowGrams(dst, hs, editWindow(len(hs)))
}

// EditGrams appends every EditK-gram of runes (what a checked text probes).
func EditGrams(dst []Anchor, runes []rune) []Anchor {
	for i, h := range editHashes(runes) {
		if h != ^uint64(0) {
			dst = append(dst, Anchor{Hash: h, Pos: i})
		}
	}
	return dst
}

func editHashes(runes []rune) []uint64 {
	n := len(runes) - EditK + 1
	if n <= 0 {
		return nil
	}
	hs := make([]uint64, n)
	for i := range hs {
		if h := gramHash(runes[i : i+EditK]); h != ^uint64(0) {
			hs[i] = mix(h ^ editSalt)
		} else {
			hs[i] = h
		}
	}
	return hs
}

// mix is a 64-bit finaliser; it never returns the maximum (the "no gram"
// marker).
func mix(h uint64) uint64 {
	h ^= h >> 33
	h *= 0xff51afd7ed558ccd
	h ^= h >> 33
	if h == ^uint64(0) {
		h--
	}
	return h
}
