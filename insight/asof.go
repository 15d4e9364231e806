package insight

import (
	"fmt"
	"time"

	"elib/check"
	"elib/element"
	"elib/library/kit"
)

// asOf is the library as it stood when an asset was published: assets
// published later are hidden. Stats check each period asset against it, so
// an original is never counted as reusing its own later copies, and every
// reuse points back at material that existed first — what `elib check`
// saw when the asset was new.
type asOf struct {
	kit.Library
	published map[string]time.Time // by asset id; zero: unknown (always visible)
	cutoff    time.Time
}

// Failures passes on the library's count of failed reads (a check.Session
// retries and then fails a check during which one failed).
func (s *asOf) Failures() (uint64, error) {
	if fc, ok := s.Library.(check.FailureCounter); ok {
		return fc.Failures()
	}
	return 0, nil
}

func (s *asOf) visible(assetID string) bool {
	p := s.published[assetID]
	return p.IsZero() || !p.After(s.cutoff)
}

// visibleRefs reports which refs belong to visible live assets (one
// lookup for all).
func (s *asOf) visibleRefs(refs []uint32) []bool {
	out := make([]bool, len(refs))
	for i, id := range s.Library.AssetsOf(refs) {
		out[i] = id != "" && s.visible(id)
	}
	return out
}

// CandidateCounts hides later assets' elements.
func (s *asOf) CandidateCounts(keys []uint64, fn func(ref uint32, bands int)) {
	var refs []uint32
	var counts []int
	s.Library.CandidateCounts(keys, func(ref uint32, bands int) {
		refs, counts = append(refs, ref), append(counts, bands)
	})
	for i, ok := range s.visibleRefs(refs) {
		if ok {
			fn(refs[i], counts[i])
		}
	}
}

// AnchorHolders hides later assets' elements (the counts stay those of the
// whole library: they only rank how common an anchor is).
func (s *asOf) AnchorHolders(hashes []uint64, limit int, fn func(i int, ref uint32)) []int {
	var refs []uint32
	var idx []int
	counts := s.Library.AnchorHolders(hashes, limit, func(i int, ref uint32) {
		refs, idx = append(refs, ref), append(idx, i)
	})
	for j, ok := range s.visibleRefs(refs) {
		if ok {
			fn(idx[j], refs[j])
		}
	}
	return counts
}

// Element reports later assets' elements as not found.
func (s *asOf) Element(ref uint32) (*element.Stored, error) {
	e, err := s.Library.Element(ref)
	if err == nil && !s.visible(e.AssetID) {
		return nil, fmt.Errorf("element ref %d: published after %s: %w", ref, s.cutoff.Format(time.RFC3339), kit.ErrNotFound)
	}
	return e, err
}

// AssetElements hides later assets.
func (s *asOf) AssetElements(assetID string) []uint32 {
	if !s.visible(assetID) {
		return nil
	}
	return s.Library.AssetElements(assetID)
}

// Asset hides later assets.
func (s *asOf) Asset(id string) (*element.Asset, error) {
	if !s.visible(id) {
		return nil, fmt.Errorf("asset %q: %w", id, kit.ErrNotFound)
	}
	return s.Library.Asset(id)
}

// AssetsOf hides later assets.
func (s *asOf) AssetsOf(refs []uint32) []string {
	ids := s.Library.AssetsOf(refs)
	for i, id := range ids {
		if id != "" && !s.visible(id) {
			ids[i] = ""
		}
	}
	return ids
}
