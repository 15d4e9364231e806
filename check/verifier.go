package check

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"

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
}

// verifier fetches candidates of one check and keeps those sharing at
// least one MinRun-gram with the whole text, never the checked asset
// itself. A candidate sharing a real run (ExpandRun characters) pulls in
// the rest of its asset: an edited copy may have elements too changed for
// any lookup to propose.
type verifier struct {
	c        *Checker
	file     string
	a        *element.Asset
	screen   *verify.Screen
	selfFile string
	queue    []candKey
	seen     map[candKey]bool // queued or fetched
	asked    map[candKey]bool // announced to its source (Prefetch)
	accepted map[candKey]bool
	expanded map[string]bool // source+asset: its elements are queued
	selfMemo map[string]bool // source+asset: is the checked file itself
	cands    []*candidate
}

func (c *Checker) newVerifier(file string, a *element.Asset, whole *fingerprint.Fingerprint) *verifier {
	v := &verifier{
		c:        c,
		file:     file,
		a:        a,
		screen:   verify.NewScreen(whole.Norm, verify.Options{MinRun: c.engine.Options().MinRun}),
		seen:     map[candKey]bool{},
		asked:    map[candKey]bool{},
		accepted: map[candKey]bool{},
		expanded: map[string]bool{},
		selfMemo: map[string]bool{},
	}
	if a.File != "" {
		if abs, err := filepath.Abs(a.File); err == nil {
			v.selfFile = abs
		}
	}
	return v
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
			v.prefetch(v.queue)
		}
		k := v.queue[0]
		v.queue = v.queue[1:]
		cd, shared, err := v.load(ctx, k)
		if err != nil {
			return err
		}
		if cd != nil {
			v.accept(cd, shared)
		}
	}
	return nil
}

// prefetch announces the keys not announced yet to their sources, one
// call per source, so a source with a round trip per read makes one.
func (v *verifier) prefetch(keys []candKey) {
	refs := make([][]uint32, len(v.c.sources))
	for _, k := range keys {
		if !v.asked[k] {
			v.asked[k] = true
			refs[k.src] = append(refs[k.src], k.ref)
		}
	}
	for si, rs := range refs {
		if len(rs) > 0 {
			v.c.sources[si].Prefetch(rs)
		}
	}
}

// load fetches and screens one candidate: nil when it is gone, the
// checked asset itself, or shares no MinRun-gram with the text; shared
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
		return nil, 0, fmt.Errorf("check %s: library element %d: %w", v.file, k.ref, err)
	}
	if el.AssetID == v.a.ID {
		return nil, 0, nil // never match an asset against itself
	}
	cd := &candidate{src: k.src, ref: k.ref, elem: el, norm: v.c.engine.Normalizer().Normalize(el.Text)}
	shared := v.screen.Shared(cd.norm)
	if shared == 0 {
		return nil, 0, nil
	}
	key := assetKey(k.src, el.AssetID)
	self, known := v.selfMemo[key]
	if !known {
		self = v.isSelf(k.src, el.AssetID)
		v.selfMemo[key] = self
	}
	if self {
		return nil, 0, nil
	}
	return cd, shared, nil
}

// accept adds a verified candidate and queues the rest of its asset when
// it shares a real run.
func (v *verifier) accept(cd *candidate, shared int) {
	v.accepted[candKey{cd.src, cd.ref}] = true
	v.cands = append(v.cands, cd)
	minRun := v.c.engine.Options().MinRun
	key := assetKey(cd.src, cd.elem.AssetID)
	if v.expanded[key] || shared < v.c.opts.Tuning.ExpandRun-minRun+1 {
		return
	}
	v.expanded[key] = true
	for _, ref := range v.c.sources[cd.src].AssetElements(cd.elem.AssetID) {
		nk := candKey{cd.src, ref}
		if !v.seen[nk] {
			v.seen[nk] = true
			v.queue = append(v.queue, nk)
		}
	}
}

// isSelf reports whether a library asset is the checked file itself,
// imported earlier under an id of its own (ids are relative to the import
// root, which need not be the check's root).
func (v *verifier) isSelf(src int, assetID string) bool {
	if v.selfFile == "" {
		return false
	}
	la, err := v.c.sources[src].Asset(assetID)
	return err == nil && la.File == v.selfFile
}

func assetKey(src int, assetID string) string { return fmt.Sprintf("%d\x00%s", src, assetID) }
