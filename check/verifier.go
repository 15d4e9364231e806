package check

import (
	"context"
	"elib/internal/i18n/msg"
	"errors"

	"elib/element"
	"elib/fingerprint"
	"elib/fingerprint/normalize"
	"elib/fingerprint/verify"
)

// candidate is a library element under verification.
type candidate struct {
	src  int
	ref  uint32
	elem *element.Stored
	norm normalize.Text
	// reach tells which elements of the checked asset it can match.
	reach verify.Reach
	own   bool // of the checked asset's own published version
}

// minAlignBigrams is the fewest character bigrams a library element must
// share with the checked text to be aligned with it: an edited stretch of
// 12 characters with 3 edits shares at least 5 (the q-gram lemma).
const minAlignBigrams = 5

// verifier fetches candidates of one check and keeps those sharing at
// least one MinRun-gram with the whole text, never the checked asset
// itself (self.skip). A candidate sharing a real run (ExpandRun characters) pulls in
// the rest of its asset: an edited copy may have elements too changed for
// any lookup to propose.
type verifier struct {
	c        *Checker
	file     string
	a        *element.Asset
	screen   *verify.PartScreen
	whole    normalize.Text
	aligner  verify.Aligner
	self     *selfMatch
	queue    []candKey
	seen     map[candKey]bool // queued or fetched
	asked    map[candKey]bool // announced to its source (Prefetch)
	accepted map[candKey]bool
	expanded map[assetKey]bool // its elements are queued
	cands    []*candidate
}

func (c *Checker) newVerifier(file string, a *element.Asset, fps []*fingerprint.Fingerprint, whole *fingerprint.Fingerprint, self *selfMatch) *verifier {
	parts := make([]normalize.Text, len(fps))
	for i, fp := range fps {
		parts[i] = fp.Norm
	}
	return &verifier{
		c:        c,
		file:     file,
		a:        a,
		screen:   verify.NewPartScreen(whole.Norm, parts, verify.Options{MinRun: c.engine.Options().MinRun}),
		whole:    whole.Norm,
		self:     self,
		seen:     map[candKey]bool{},
		asked:    map[candKey]bool{},
		accepted: map[candKey]bool{},
		expanded: map[assetKey]bool{},
	}
}

// run verifies order and everything the accepted candidates pull in.
func (v *verifier) run(ctx context.Context, order []candKey) error {
	for _, k := range order {
		if !v.seen[k] {
			v.seen[k] = true
			v.queue = append(v.queue, k)
		}
	}
	for len(v.queue) > 0 {
		if !v.asked[v.queue[0]] {
			if err := v.prefetch(v.queue); err != nil {
				return err
			}
		}
		k := v.queue[0]
		v.queue = v.queue[1:]
		cd, shared, err := v.load(ctx, k)
		if err != nil {
			return err
		}
		if cd != nil {
			if err := v.accept(cd, shared); err != nil {
				return err
			}
		}
	}
	return nil
}

// prefetch announces the keys not announced yet to their sources, one
// call per source, so a source with a round trip per read makes one.
func (v *verifier) prefetch(keys []candKey) error {
	refs := make([][]uint32, len(v.c.sources))
	for _, k := range keys {
		if !v.asked[k] {
			v.asked[k] = true
			refs[k.src] = append(refs[k.src], k.ref)
		}
	}
	for si, rs := range refs {
		if len(rs) > 0 {
			if err := v.c.sources[si].Prefetch(rs); err != nil {
				return msg.Errorf("check %s: prefetch library elements: %w: %w", v.file, ErrRead, err)
			}
		}
	}
	return nil
}

// load fetches and screens one candidate: nil when it is gone, the
// input itself, or shares no MinRun-gram with the text; shared
// is how many of its MinRun-grams the text holds.
func (v *verifier) load(ctx context.Context, k candKey) (*candidate, int, error) {
	if err := ctx.Err(); err != nil {
		return nil, 0, err
	}
	src := v.c.sources[k.src]
	el, err := src.Element(k.ref)
	if errors.Is(err, element.ErrNotFound) {
		return nil, 0, nil // removed or replaced by a writer since the lookup
	}
	if err != nil {
		return nil, 0, msg.Errorf("check %s: library element %d: %w: %w", v.file, k.ref, ErrRead, err)
	}
	if el.AssetID == v.a.ID && v.self.skip[k.src] {
		return nil, 0, nil // the input itself
	}
	cd := &candidate{src: k.src, ref: k.ref, elem: el, norm: v.c.normalized(el.Text), own: el.AssetID == v.a.ID}
	cd.reach = v.screen.Reach(cd.norm, minAlignBigrams)
	shared := cd.reach.Shared
	minRun := v.c.engine.Options().MinRun
	if shared < v.c.opts.Tuning.ExpandRun-minRun+1 && cd.reach.SharedBigrams >= minAlignBigrams {
		// An edited copy shares few exact runs: its aligned stretches
		// decide, as if they were runs of their matched characters.
		for _, st := range v.aligner.Align(v.whole, cd.norm, v.c.opts.Tuning.Align) {
			shared = max(shared, st.Matched()-minRun+1)
		}
	}
	if shared <= 0 {
		return nil, 0, nil
	}
	return cd, shared, nil
}

// accept adds a verified candidate and queues the rest of its asset when
// it shares a real run.
func (v *verifier) accept(cd *candidate, shared int) error {
	v.accepted[candKey{cd.src, cd.ref}] = true
	v.cands = append(v.cands, cd)
	minRun := v.c.engine.Options().MinRun
	key := assetKey{cd.src, cd.elem.AssetID}
	if v.expanded[key] || shared < v.c.opts.Tuning.ExpandRun-minRun+1 || len(v.expanded) >= v.c.opts.Tuning.MaxExpansions {
		return nil
	}
	v.expanded[key] = true
	refs, err := v.c.sources[cd.src].AssetElements(cd.elem.AssetID)
	if err != nil {
		return msg.Errorf("check %s: elements of library asset %s: %w: %w", v.file, cd.elem.AssetID, ErrRead, err)
	}
	for _, ref := range refs {
		nk := candKey{cd.src, ref}
		if !v.seen[nk] {
			v.seen[nk] = true
			v.queue = append(v.queue, nk)
		}
	}
	return nil
}

// assetKey names a library asset of one source.
type assetKey struct {
	src int
	id  string
}
