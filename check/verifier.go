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
	aligners [lanes]verify.Aligner // one per lane of Assist.each
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
	// Every queued key is loaded, so a batch (what is queued) loads on
	// the Assist's lanes at once; accepting stays in queue order.
	for len(v.queue) > 0 {
		batch := v.queue
		v.queue = nil
		if err := v.prefetch(batch); err != nil {
			return err
		}
		loads := v.loadAll(ctx, batch)
		for _, l := range loads {
			if l.err != nil {
				return l.err
			}
			if l.cd != nil {
				if err := v.accept(l.cd, l.shared); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

// loaded is what load returned for one key.
type loaded struct {
	cd     *candidate
	shared int
	err    error
}

// loadAll loads keys on the Assist's lanes.
func (v *verifier) loadAll(ctx context.Context, keys []candKey) []loaded {
	out := make([]loaded, len(keys))
	v.c.opts.Assist.each(len(keys), func(lane, i int) {
		l := &out[i]
		l.cd, l.shared, l.err = v.load(ctx, keys[i], &v.aligners[lane])
	})
	return out
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
//
// load only reads the verifier (al is the caller's lane's): the Assist's
// lanes call it at once.
func (v *verifier) load(ctx context.Context, k candKey, al *verify.Aligner) (*candidate, int, error) {
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
		for _, st := range al.Align(v.whole, cd.norm, v.c.opts.Tuning.Align) {
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
