package insight

import (
	"elib/internal/i18n/msg"
	"sync"
	"time"

	"elib/element"
	"elib/fingerprint/boilerplate"
	"elib/library/kit"
)

// asOf is the library as it stood when an asset was published: assets
// published later are hidden. Stats check each period asset against it, so
// an original is never counted as reusing its own later copies, and every
// reuse points back at material that existed first — what `elib check`
// saw when the asset was new.
//
// Nothing published later shows, not even in counts: the anchor holder
// counts and the asset count the check reads are those of the visible
// material (anchor counts capped at asOfCountCap), so an asset's judgement
// is fixed once everything published before it is in the library —
// computed at import, it stays what a check today computes (issue 25).
// The one library-wide figure left is the sentence frequency of the
// boilerplate rule (a sketch that cannot tell when a sentence was
// added): the decisions taken on it are recorded (sentences) and a
// stored outcome whose decisions the sketch no longer gives is stale.
type asOf struct {
	kit.Library
	published func(string) time.Time // by asset id; zero: unknown (always visible)
	cutoff    time.Time
	// refs, when set, remembers the published times by ref (shared by
	// the views over one timeline); cut is cutoff as an entry, used
	// when byRef.
	refs  *refTimes
	cut   int64
	byRef bool
	// whole: the cutoff is at or after every published time of the
	// timeline, so nothing is hidden and the view passes the library's
	// reads on unfiltered (an import's own batch, the newest assets).
	whole     bool
	assets    int // visible assets (AssetCount)
	rule      boilerplate.Rule
	mu        sync.Mutex
	sentences map[uint64]bool // sentence hash → common, as the check saw them
}

// moveTo sets the view to the library as of cutoff on timeline tl,
// forgetting the decisions of the check before.
func (s *asOf) moveTo(tl *timeline, cutoff time.Time) {
	s.published, s.refs = tl.get, tl.refs
	s.cutoff, s.assets = cutoff, tl.upTo(cutoff)
	s.cut, s.byRef = cutoffEntry(cutoff)
	s.byRef = s.byRef && s.refs != nil
	s.whole = tl.hidesNothing(cutoff)
	s.mu.Lock()
	s.sentences = nil
	s.mu.Unlock()
}

// asOfCountCap caps the anchor holder counts the as-of view reports: far
// above every threshold the check compares counts with (7, 8, 16, 64), it
// only ranks stock anchors alike, and spares enumerating the holders of
// anchors a library holds hundreds of thousands of times.
const asOfCountCap = 128

// AssetCount is the number of visible assets, counted when the view was
// made: the error is always nil.
func (s *asOf) AssetCount() (int, error) { return s.assets, nil }

// SentenceDFs passes the library's sentence frequencies on and records
// the decisions the check takes on them.
func (s *asOf) SentenceDFs(hashes []uint64) ([]int, error) {
	dfs, err := s.Library.SentenceDFs(hashes)
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.sentences == nil {
		s.sentences = map[uint64]bool{}
	}
	for i, h := range hashes {
		s.sentences[h] = s.rule.Common(dfs[i], s.assets)
	}
	return dfs, nil
}

func (s *asOf) visible(assetID string) bool {
	if s.whole {
		return true
	}
	p := s.published(assetID)
	return p.IsZero() || !p.After(s.cutoff)
}

// visibleRefs reports which refs belong to visible live assets (one
// lookup for all the refs whose time is not remembered yet).
func (s *asOf) visibleRefs(refs []uint32) ([]bool, error) {
	out := make([]bool, len(refs))
	if !s.byRef {
		ids, err := s.Library.AssetsOf(refs)
		if err != nil {
			return nil, err
		}
		for i, id := range ids {
			out[i] = id != "" && s.visible(id)
		}
		return out, nil
	}
	var miss []uint32
	var at []int
	for i, ref := range refs {
		e, ok := s.refs.get(ref)
		if !ok {
			miss, at = append(miss, ref), append(at, i)
			continue
		}
		out[i] = e == kit.PublishedNone || e <= s.cut
	}
	if len(miss) == 0 {
		return out, nil
	}
	ids, err := s.Library.AssetsOf(miss)
	if err != nil {
		return nil, err
	}
	for k, id := range ids {
		if id == "" {
			continue // removed: not remembered
		}
		p := s.published(id)
		s.refs.put(miss[k], kit.PublishedEntry(p, true))
		out[at[k]] = s.visible(id)
	}
	return out, nil
}

// MaxAssetElements is the library's largest asset, when it tells it (0:
// unknown): hiding assets makes none larger. The check uses it to skip
// asset lookups that cannot change its answer.
func (s *asOf) MaxAssetElements() int { return maxAssetElements(s.Library) }

// maxAssetElements returns lib's largest asset, or 0 when lib does not
// tell it.
func maxAssetElements(lib kit.Library) int {
	if b, ok := lib.(interface{ MaxAssetElements() int }); ok {
		return b.MaxAssetElements()
	}
	return 0
}

// CandidateCounts hides later assets' elements (a whole view has none to
// hide, and the library reports live elements only).
func (s *asOf) CandidateCounts(keys []uint64, fn func(ref uint32, bands int)) error {
	if s.whole {
		return s.Library.CandidateCounts(keys, fn)
	}
	var refs []uint32
	var counts []int
	err := s.Library.CandidateCounts(keys, func(ref uint32, bands int) {
		refs, counts = append(refs, ref), append(counts, bands)
	})
	if err != nil {
		return err
	}
	visible, err := s.visibleRefs(refs)
	if err != nil {
		return err
	}
	for i, ok := range visible {
		if ok {
			fn(refs[i], counts[i])
		}
	}
	return nil
}

// AnchorHolders reports the first limit visible holders of each anchor
// (in ref order, as the library lists them) and counts the visible ones,
// up to asOfCountCap.
func (s *asOf) AnchorHolders(hashes []uint64, limit int, fn func(i int, ref uint32)) ([]int, error) {
	fetch := max(limit, asOfCountCap+asOfCountCap/2)
	holders := make([][]uint32, len(hashes))
	totals, err := s.holders(hashes, fetch, holders)
	if err != nil {
		return nil, err
	}
	visible := make([][]uint32, len(hashes))
	var again []int // anchors whose first holders hide too many later ones
	for i := range hashes {
		if visible[i], err = s.keepVisible(holders[i]); err != nil {
			return nil, err
		}
		if totals[i] > fetch && len(visible[i]) < max(limit, asOfCountCap) {
			again = append(again, i)
		}
	}
	if len(again) > 0 {
		sub := make([]uint64, len(again))
		most := 0
		for j, i := range again {
			sub[j] = hashes[i]
			most = max(most, totals[i])
		}
		all := make([][]uint32, len(sub))
		if _, err := s.holders(sub, most, all); err != nil {
			return nil, err
		}
		for j, i := range again {
			if visible[i], err = s.keepVisible(all[j]); err != nil {
				return nil, err
			}
		}
	}
	counts := make([]int, len(hashes))
	for i, refs := range visible {
		counts[i] = min(len(refs), asOfCountCap)
		for _, ref := range refs[:min(limit, len(refs))] {
			fn(i, ref)
		}
	}
	return counts, nil
}

// holders lists up to limit holders of each anchor (live ones, in ref
// order) and returns the library's counts.
func (s *asOf) holders(hashes []uint64, limit int, out [][]uint32) ([]int, error) {
	return s.Library.AnchorHolders(hashes, limit, func(i int, ref uint32) {
		out[i] = append(out[i], ref)
	})
}

// keepVisible drops, in place, the refs of later or removed assets. A
// whole view keeps every ref: the library lists live elements only
// (check.Source), and none is later.
func (s *asOf) keepVisible(refs []uint32) ([]uint32, error) {
	if len(refs) == 0 || s.whole {
		return refs, nil
	}
	ok, err := s.visibleRefs(refs)
	if err != nil {
		return nil, err
	}
	kept := refs[:0]
	for j, r := range refs {
		if ok[j] {
			kept = append(kept, r)
		}
	}
	return kept, nil
}

// decisions returns the boilerplate decisions the check took.
func (s *asOf) decisions() map[uint64]bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.sentences
}

// Element reports later assets' elements as not found.
func (s *asOf) Element(ref uint32) (*element.Stored, error) {
	e, err := s.Library.Element(ref)
	if err == nil && !s.visible(e.AssetID) {
		return nil, msg.Errorf("element ref %d: published after %s: %w", ref, s.cutoff.Format(time.RFC3339), kit.ErrNotFound)
	}
	return e, err
}

// AssetElements hides later assets.
func (s *asOf) AssetElements(assetID string) ([]uint32, error) {
	if !s.visible(assetID) {
		return nil, nil
	}
	return s.Library.AssetElements(assetID)
}

// Asset hides later assets.
func (s *asOf) Asset(id string) (*element.Asset, error) {
	if !s.visible(id) {
		return nil, msg.Errorf("asset %q: %w", id, kit.ErrNotFound)
	}
	return s.Library.Asset(id)
}

// AssetsOf hides later assets.
func (s *asOf) AssetsOf(refs []uint32) ([]string, error) {
	ids, err := s.Library.AssetsOf(refs)
	if err != nil {
		return nil, err
	}
	for i, id := range ids {
		if id != "" && !s.visible(id) {
			ids[i] = ""
		}
	}
	return ids, nil
}
