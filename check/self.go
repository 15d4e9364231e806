package check

import (
	"context"
	"elib/internal/i18n/msg"
	"errors"
	"slices"
	"time"

	"elib/element"
	"elib/fingerprint"
)

// OwnVersion names the library asset stored under the checked asset's id
// with another text: the asset's own published version, checked against
// like any other source (SPEC §3, self-matches).
type OwnVersion struct {
	AssetID   string `json:"asset_id"`
	Published string `json:"published,omitempty"`
}

// selfMatch is what the sources hold under the checked asset's id, by
// source: skip[s] means source s's asset of that id is never a candidate
// (the input itself, or --exclude-self).
type selfMatch struct {
	skip      []bool
	identical bool
	own       *OwnVersion
}

// findSelf looks the checked asset's id up in every source, from the ids
// and texts the sources keep (never a decode per candidate). The batch of
// --cross holds the input itself; a library asset with the same id and the
// same normalised text is the input already published; one with another
// text is its own published version and stays a candidate unless
// ExcludeSelf.
func (c *Checker) findSelf(ctx context.Context, a *element.Asset, fps []*fingerprint.Fingerprint) (*selfMatch, error) {
	sm := &selfMatch{skip: make([]bool, len(c.sources))}
	if a.ID == "" {
		return sm, nil
	}
	var mine []rune
	for _, fp := range fps {
		mine = append(mine, fp.Norm.Runes...)
	}
	firstBatch := len(c.sources) - c.opts.BatchSources
	for si, s := range c.sources {
		if si >= firstBatch {
			sm.skip[si] = true
			continue
		}
		refs, err := s.AssetElements(a.ID)
		if err != nil {
			return nil, msg.Errorf("check %s: elements of its library version: %w: %w", a.ID, ErrRead, err)
		}
		if len(refs) == 0 {
			continue
		}
		if c.opts.ExcludeSelf {
			sm.skip[si] = true
			continue
		}
		same, err := c.sameText(ctx, s, refs, mine)
		if err != nil {
			return nil, msg.Errorf("check %s: its library version: %w", a.ID, err)
		}
		if same {
			sm.skip[si] = true
			sm.identical = true
			continue
		}
		if sm.own == nil {
			sm.own = &OwnVersion{AssetID: a.ID}
			la, err := s.Asset(a.ID)
			if err != nil && !errors.Is(err, element.ErrNotFound) {
				return nil, msg.Errorf("check %s: its library version: %w: %w", a.ID, ErrRead, err)
			}
			if err == nil {
				if t, ok := la.Published(); ok {
					sm.own.Published = t.UTC().Format(time.RFC3339)
				}
			}
		}
	}
	return sm, nil
}

// sameText reports whether the elements refs of source s, normalised and
// concatenated, are the runes mine.
func (c *Checker) sameText(ctx context.Context, s Source, refs []uint32, mine []rune) (bool, error) {
	if err := s.Prefetch(refs); err != nil {
		return false, msg.Errorf("prefetch: %w: %w", ErrRead, err)
	}
	var theirs []rune
	for _, ref := range refs {
		if err := ctx.Err(); err != nil {
			return false, err
		}
		el, err := s.Element(ref)
		if errors.Is(err, element.ErrNotFound) {
			return false, nil // replaced meanwhile
		}
		if err != nil {
			return false, msg.Errorf("element %d: %w: %w", ref, ErrRead, err)
		}
		theirs = append(theirs, c.normalized(el.Text).Runes...)
		if len(theirs) > len(mine) {
			return false, nil
		}
	}
	return slices.Equal(theirs, mine), nil
}
