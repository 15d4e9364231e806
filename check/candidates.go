package check

import (
	"sort"

	"elib/fingerprint"
)

// candKey names a library element of one source.
type candKey struct {
	src int
	ref uint32
}

// candidates looks up the element signatures, the whole text's and its
// windows' in every source, and returns the candidates strongest first
// (most LSH bands shared over all lookups: copies share many, chance
// collisions on stock phrases one), at most MaxCandidates.
func (c *Checker) candidates(fps []*fingerprint.Fingerprint, whole *fingerprint.Fingerprint) []candKey {
	t := &c.opts.Tuning
	if t.MaxCandidates < 0 {
		return nil
	}
	// All signatures' band keys go back to back into one lookup per source.
	bands := c.engine.Bands().Bands
	windows := c.engine.Windows(whole, t.WindowTokens, t.WindowStride)
	keys := make([]uint64, 0, (len(fps)+1+len(windows))*bands)
	add := func(sig []uint32) {
		if isEmpty(sig) {
			return
		}
		n := len(keys)
		if keys = c.engine.BandKeys(keys, sig); len(keys)-n != bands {
			keys = keys[:n] // a short signature would shift later keys' bands
		}
	}
	for _, fp := range fps {
		add(fp.Signature)
	}
	add(whole.Signature)
	for _, w := range windows {
		add(w.Signature)
	}
	score := map[candKey]int{}
	if len(keys) > 0 {
		for si, s := range c.sources {
			s.CandidateCounts(keys, func(ref uint32, bands int) {
				score[candKey{si, ref}] += bands
			})
		}
	}
	order := make([]candKey, 0, len(score))
	for k := range score {
		order = append(order, k)
	}
	sort.Slice(order, func(i, j int) bool {
		if score[order[i]] != score[order[j]] {
			return score[order[i]] > score[order[j]]
		}
		return order[i].less(order[j])
	})
	if len(order) > t.MaxCandidates {
		order = order[:t.MaxCandidates]
	}
	return order
}

func (k candKey) less(o candKey) bool {
	if k.src != o.src {
		return k.src < o.src
	}
	return k.ref < o.ref
}

func isEmpty(sig []uint32) bool {
	for _, v := range sig {
		if v != 0xFFFFFFFF {
			return false
		}
	}
	return true
}
