package insight

import (
	"fmt"
	"time"

	"elib/element"
	"elib/index"
)

// asOf is the library as it stood when an asset was published: assets
// published later are hidden. Stats check each period asset against it, so
// an original is never counted as reusing its own later copies, and every
// reuse points back at material that existed first — what `elib check`
// saw when the asset was new.
type asOf struct {
	Library
	published map[string]time.Time // by asset id; zero: unknown (always visible)
	cutoff    time.Time
}

func (s *asOf) visible(assetID string) bool {
	p := s.published[assetID]
	return p.IsZero() || !p.After(s.cutoff)
}

func (s *asOf) visibleRef(ref uint32) bool {
	id, ok := s.Library.AssetOf(ref)
	return ok && s.visible(id)
}

// CandidateCounts hides later assets' elements.
func (s *asOf) CandidateCounts(keys []uint64, fn func(ref uint32, bands int)) {
	s.Library.CandidateCounts(keys, func(ref uint32, bands int) {
		if s.visibleRef(ref) {
			fn(ref, bands)
		}
	})
}

// AnchorHolders hides later assets' elements (the counts stay those of the
// whole library: they only rank how common an anchor is).
func (s *asOf) AnchorHolders(hashes []uint64, limit int, fn func(i int, ref uint32)) []int {
	return s.Library.AnchorHolders(hashes, limit, func(i int, ref uint32) {
		if s.visibleRef(ref) {
			fn(i, ref)
		}
	})
}

// Element reports later assets' elements as not found.
func (s *asOf) Element(ref uint32) (*index.StoredElement, error) {
	e, err := s.Library.Element(ref)
	if err == nil && !s.visible(e.AssetID) {
		return nil, fmt.Errorf("element ref %d: published after %s: %w", ref, s.cutoff.Format(time.RFC3339), index.ErrNotFound)
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
		return nil, fmt.Errorf("asset %q: %w", id, index.ErrNotFound)
	}
	return s.Library.Asset(id)
}

// AssetOf hides later assets.
func (s *asOf) AssetOf(ref uint32) (string, bool) {
	id, ok := s.Library.AssetOf(ref)
	if !ok || !s.visible(id) {
		return "", false
	}
	return id, true
}
