package check

import (
	"cmp"
	"slices"

	"elib/fingerprint"
	"elib/internal/i18n/msg"
)

// candKey names a library element of one source.
type candKey struct {
	src int
	ref uint32
}

// candidates looks up the element signatures, the whole text's and its
// windows' in every source, and returns the candidates sharing at least
// MinBands bands strongest first (most LSH bands shared over all lookups:
// copies share many, chance collisions on stock phrases one), at most
// MaxCandidates.
func (c *Checker) candidates(fps []*fingerprint.Fingerprint, whole *fingerprint.Fingerprint) ([]candKey, error) {
	t := &c.opts.Tuning
	if t.MaxCandidates < 0 {
		return nil, nil
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
	// A source reports each ref once, with all its bands: no summing.
	type scored struct {
		k     candKey
		bands int
	}
	var all []scored
	if len(keys) > 0 {
		for si, s := range c.sources {
			err := s.CandidateCounts(keys, func(ref uint32, bands int) {
				if bands >= t.MinBands {
					all = append(all, scored{candKey{si, ref}, bands})
				}
			})
			if err != nil {
				return nil, msg.Errorf("LSH candidates: %w: %w", ErrRead, err)
			}
		}
	}
	slices.SortFunc(all, func(a, b scored) int {
		if a.bands != b.bands {
			return b.bands - a.bands
		}
		return a.k.compare(b.k)
	})
	order := make([]candKey, 0, min(len(all), t.MaxCandidates))
	for _, s := range all[:min(len(all), t.MaxCandidates)] {
		order = append(order, s.k)
	}
	return order, nil
}

// compare orders keys by source, then reference.
func (k candKey) compare(o candKey) int {
	if k.src != o.src {
		return cmp.Compare(k.src, o.src)
	}
	return cmp.Compare(k.ref, o.ref)
}

func isEmpty(sig []uint32) bool {
	for _, v := range sig {
		if v != 0xFFFFFFFF {
			return false
		}
	}
	return true
}
