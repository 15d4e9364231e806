package check

import (
	"cmp"
	"context"
	"math"
	mathbits "math/bits"
	"slices"

	"elib/fingerprint"
	"elib/fingerprint/verify"
	"elib/fingerprint/winnow"
	"elib/internal/i18n/msg"
	"elib/internal/radix"
)

// anchorLookup holds the checked text's anchors (outside boilerplate) and,
// per source, who holds them. One lookup serves both anchor uses:
// paraphrase evidence (rare anchors only) and clause search (all).
type anchorLookup struct {
	// pos is the first position in the whole normalised text of each
	// distinct anchor.
	pos []int
	// bySource[s].holders[i] are up to ClauseHolders live elements of
	// source s holding anchor i; counts[i] is how many hold it in all.
	bySource []anchorHolders
}

type anchorHolders struct {
	holders [][]uint32
	counts  []int
}

// lookupAnchors finds the distinct winnow anchors of the whole text that
// lie outside boilerplate (masks: per element; the whole text is their
// concatenation) and looks them up in every source.
func (c *Checker) lookupAnchors(whole *fingerprint.Fingerprint, masks [][]bool) (*anchorLookup, error) {
	t := &c.opts.Tuning
	look := &anchorLookup{bySource: make([]anchorHolders, len(c.sources))}
	if t.AnchorMinShared < 0 && t.ClauseRun < 0 {
		return look, nil
	}
	var boiler []bool
	for _, m := range masks {
		boiler = append(boiler, m...)
	}
	inBoilerplate := func(pos int) bool {
		for i := pos; i < pos+winnow.K && i < len(boiler); i++ {
			if boiler[i] {
				return true
			}
		}
		return false
	}
	var buf [128]winnow.Anchor
	var hashes []uint64
	seen := map[uint64]bool{}
	for _, a := range winnow.Anchors(buf[:0], whole.Norm.Runes) {
		if !seen[a.Hash] && !inBoilerplate(a.Pos) {
			seen[a.Hash] = true
			hashes = append(hashes, a.Hash)
			look.pos = append(look.pos, a.Pos)
		}
	}
	if len(hashes) == 0 {
		return look, nil
	}
	limit := max(t.ClauseHolders, t.AnchorMaxPostings)
	for si, s := range c.sources {
		h := anchorHolders{holders: make([][]uint32, len(hashes))}
		var err error
		h.counts, err = s.AnchorHolders(hashes, limit, func(i int, ref uint32) {
			h.holders[i] = append(h.holders[i], ref)
		})
		if err != nil {
			return nil, msg.Errorf("anchor holders: %w: %w", ErrRead, err)
		}
		look.bySource[si] = h
	}
	return look, nil
}

// anchorHeldAt lays look over the whole text's n runes: at the start of
// each looked-up anchor, how many library elements hold it (summed over
// the sources); -1 elsewhere.
func anchorHeldAt(look *anchorLookup, n int) []int {
	held := make([]int, n)
	for k := range held {
		held[k] = -1
	}
	for j, p := range look.pos {
		if p >= n {
			continue
		}
		held[p] = 0
		for _, h := range look.bySource {
			if j < len(h.counts) {
				held[p] += h.counts[j]
			}
		}
	}
	return held
}

// anchorCandidates returns the library elements, not already in chosen,
// that hold several separate parts of the checked text (see
// Tuning.AnchorMinShared): paraphrase evidence. Only anchors held by at
// most AnchorMaxPostings elements count; evidence adds up over the
// elements of one library asset. Most shared anchors first.
func (c *Checker) anchorCandidates(look *anchorLookup, chosen []candKey) ([]candKey, error) {
	t := &c.opts.Tuning
	if t.AnchorMinShared < 0 {
		return nil, nil
	}
	taken := make(map[candKey]bool, len(chosen))
	for _, k := range chosen {
		taken[k] = true
	}
	type evidence struct{ n, lo, hi int }
	hits := map[candKey]*evidence{}
	for si, h := range look.bySource {
		for i, refs := range h.holders {
			if h.counts[i] > t.AnchorMaxPostings {
				continue // a stock phrase: no evidence
			}
			p := look.pos[i]
			for _, ref := range refs {
				k := candKey{si, ref}
				if taken[k] {
					continue
				}
				e := hits[k]
				if e == nil {
					e = &evidence{lo: p, hi: p}
					hits[k] = e
				}
				e.n++
				e.lo, e.hi = min(e.lo, p), max(e.hi, p)
			}
		}
	}
	// Evidence adds up over the elements of one asset.
	keys := make([]candKey, 0, len(hits))
	for k := range hits {
		keys = append(keys, k)
	}
	assets, err := c.assetsOf(keys)
	if err != nil {
		return nil, err
	}
	byAsset := map[assetKey]*evidence{}
	owner := make(map[candKey]*evidence, len(hits))
	for j, k := range keys {
		e, id := hits[k], assets[j]
		if id == "" {
			owner[k] = e // gone since the lookup: judged alone
			continue
		}
		a := byAsset[assetKey{k.src, id}]
		if a == nil {
			a = &evidence{lo: e.lo, hi: e.hi}
			byAsset[assetKey{k.src, id}] = a
		}
		a.n += e.n
		a.lo, a.hi = min(a.lo, e.lo), max(a.hi, e.hi)
		owner[k] = a
	}
	type shared struct {
		k candKey
		n int
	}
	var strong []shared
	for k, e := range owner {
		if e.n >= t.AnchorMinShared && e.hi-e.lo >= t.AnchorSpan {
			strong = append(strong, shared{k, e.n})
		}
	}
	slices.SortFunc(strong, func(a, b shared) int {
		if a.n != b.n {
			return b.n - a.n
		}
		return a.k.compare(b.k)
	})
	out := make([]candKey, 0, min(len(strong), t.MaxAnchorCandidates))
	for _, s := range strong[:min(len(strong), t.MaxAnchorCandidates)] {
		out = append(out, s.k)
	}
	return out, nil
}

// assetsOf looks up the asset of every key, one lookup per source ("" for
// an element gone since), in the keys' order.
func (c *Checker) assetsOf(keys []candKey) ([]string, error) {
	out := make([]string, len(keys))
	var refs []uint32
	var at []int
	for si, s := range c.sources {
		refs, at = refs[:0], at[:0]
		for j, k := range keys {
			if k.src == si {
				refs = append(refs, k.ref)
				at = append(at, j)
			}
		}
		if len(refs) == 0 {
			continue
		}
		ids, err := s.AssetsOf(refs)
		if err != nil {
			return nil, msg.Errorf("assets of candidates: %w: %w", ErrRead, err)
		}
		for i, id := range ids {
			out[at[i]] = id
		}
	}
	return out, nil
}

// clauseSources makes every shared clause count, however many sources the
// text draws on and however little each gives: for each anchor of the
// text that no verified candidate holds, holders are fetched — those
// holding the most open anchors first, then those of the rarest anchors;
// four holders of a rare anchor, two of a stock one, ClauseTries in all,
// and no more once eight fetches in a row found no clause (the text's
// remaining anchors are stock phrases) — until one shares a run of
// ClauseRun characters with the text. Such a holder is a source like any
// other (its asset is pulled in, all its runs count); a holder sharing
// only a stock phrase is not. One verified holder covers every anchor
// inside its clause runs, so a clause held by thousands of elements costs
// one fetch.
func (c *Checker) clauseSources(ctx context.Context, v *verifier, whole *fingerprint.Fingerprint, look *anchorLookup) error {
	t := &c.opts.Tuning
	if t.ClauseRun < 0 || len(look.pos) == 0 {
		return nil
	}
	const rareTries, stockTries, maxMisses, prefetchAhead = 4, 2, 8, 16
	misses := 0
	budget := t.ClauseTries
	clause := verify.Options{MinRun: t.ClauseRun}
	var m verify.Matcher
	for si, h := range look.bySource {
		covered := make([]bool, len(look.pos))
		for i, refs := range h.holders {
			for _, ref := range refs {
				if v.accepted[candKey{si, ref}] {
					covered[i] = true
					break
				}
			}
		}
		// Open anchors by holder, holders of the most open anchors first.
		byRef := map[uint32][]int{}
		for i, refs := range h.holders {
			if covered[i] {
				continue
			}
			for _, ref := range refs {
				if !v.seen[candKey{si, ref}] {
					byRef[ref] = append(byRef[ref], i)
				}
			}
		}
		// Rarest first among holders of as many open anchors: a rare
		// anchor's few holders are all worth a try.
		type holder struct {
			ref          uint32
			open, rarest int
		}
		order := make([]holder, 0, len(byRef))
		for ref, open := range byRef {
			r := math.MaxInt
			for _, i := range open {
				r = min(r, h.counts[i])
			}
			order = append(order, holder{ref, len(open), r})
		}
		slices.SortFunc(order, func(a, b holder) int {
			if a.open != b.open {
				return b.open - a.open
			}
			if a.rarest != b.rarest {
				return cmp.Compare(a.rarest, b.rarest)
			}
			return cmp.Compare(a.ref, b.ref)
		})
		refs := make([]uint32, len(order))
		for i, o := range order {
			refs[i] = o.ref
		}
		// A rare anchor's holders get a few tries; a stock anchor's
		// clause is usually held whole by any holder, so fewer.
		maxTries := func(i int) int {
			if h.counts[i] <= t.ClauseHolders {
				return rareTries
			}
			return stockTries
		}
		tries := make([]int, len(look.pos))
		for r, ref := range refs {
			if budget <= 0 || misses >= maxMisses {
				return nil
			}
			open := false
			for _, i := range byRef[ref] {
				open = open || (!covered[i] && tries[i] < maxTries(i))
			}
			if !open {
				continue
			}
			budget--
			for _, i := range byRef[ref] {
				tries[i]++
			}
			k := candKey{si, ref}
			v.seen[k] = true
			if !v.asked[k] {
				// This holder and the next few: one read for several tries.
				ahead := make([]candKey, 0, prefetchAhead)
				for _, next := range refs[r:min(len(refs), r+prefetchAhead)] {
					ahead = append(ahead, candKey{si, next})
				}
				if err := v.prefetch(ahead); err != nil {
					return err
				}
			}
			cd, shared, err := v.load(ctx, k)
			if err != nil {
				return err
			}
			if cd == nil {
				misses++
				continue
			}
			var runs []verify.Run
			if cd.reach.Shared >= t.ClauseRun-v.c.engine.Options().MinRun+1 {
				// (a run of ClauseRun characters shares that many grams)
				runs = m.Compare(whole.Norm, cd.norm, clause).Runs
			}
			if len(runs) == 0 {
				misses++
				continue // a stock phrase, not a clause
			}
			misses = 0
			for _, i := range byRef[ref] {
				covered[i] = true
			}
			for i, p := range look.pos {
				for _, r := range runs {
					if r.Start <= p && p+winnow.K <= r.End {
						covered[i] = true
					}
				}
			}
			if err := v.accept(cd, shared); err != nil {
				return err
			}
			if err := v.run(ctx, nil); err != nil { // the asset it pulled in
				return err
			}
		}
	}
	return nil
}

// editCandidates returns the library elements, not already in chosen,
// that hold at least EditMinShared distinct edit anchors of the checked
// text (winnow.EditGrams outside boilerplate, at least EditK runes apart
// in all): candidates for an edited copy, whose edits left no exact run
// for the other lookups. Anchors held by more than EditMaxPostings
// elements are stock trigrams, no evidence. Most shared first, at most
// MaxEditCandidates.
func (c *Checker) editCandidates(whole *fingerprint.Fingerprint, masks [][]bool, look *anchorLookup, chosen []candKey) ([]candKey, error) {
	t := &c.opts.Tuning
	if t.EditMinShared < 0 {
		return nil, nil
	}
	var boiler []bool
	for _, m := range masks {
		boiler = append(boiler, m...)
	}
	// Where the library holds a 5-gram of the text, the text is there
	// as written: exact lookups find it, trigram probes are not needed.
	skip := slices.Clone(boiler)
	for i, p := range look.pos {
		for _, h := range look.bySource {
			if h.counts[i] > 0 {
				for k := p; k < p+winnow.K && k < len(skip); k++ {
					skip[k] = true
				}
				break
			}
		}
	}
	sc, _ := c.edits.Get().(*editScratch)
	if sc == nil {
		sc = new(editScratch)
	}
	defer c.edits.Put(sc)
	sc.grams = winnow.EditGrams(sc.grams[:0], whole.Norm.Runes)
	hashes, pos := probes(sc.grams, skip)
	if len(hashes) == 0 {
		return nil, nil
	}
	taken := make(map[candKey]bool, len(chosen))
	for _, k := range chosen {
		taken[k] = true
	}
	// n anchors held, rare of them held by at most rareHolders elements,
	// at query positions lo..hi.
	type evidence struct{ n, rare, lo, hi int }
	const rareHolders = 8
	// A holding is one element holding one anchor, packed to sort fast:
	// source, element, rare flag, anchor.
	const rareBit = 1 << 23
	if len(hashes) >= rareBit || len(c.sources) > 255 {
		return nil, nil // never: a check has a few hundred anchors
	}
	held := sc.held[:0]
	defer func() { sc.held, sc.spare = held[:0], sc.spare[:0] }()
	for si, s := range c.sources {
		start := len(held)
		counts, err := rareAnchorHolders(s, hashes, t.EditMaxPostings, func(i int, ref uint32) {
			held = append(held, uint64(si)<<56|uint64(ref)<<24|uint64(i))
		})
		if err != nil {
			return nil, msg.Errorf("edit anchor holders: %w: %w", ErrRead, err)
		}
		kept := held[:start]
		for _, h := range held[start:] {
			n := counts[h&(rareBit-1)]
			if n > t.EditMaxPostings {
				continue
			}
			if n <= rareHolders {
				h |= rareBit
			}
			kept = append(kept, h)
		}
		held = kept
	}
	// Per element: group the holdings by element, sum each group. An
	// element holding one common anchor adds nothing worth an asset lookup.
	held, sc.spare = radix.SortHigh(held, sc.spare, 24)
	var keys []candKey
	var own []evidence // per key
	for j := 0; j < len(held); {
		elem := held[j] >> 24
		k, e := candKey{int(elem >> 32), uint32(elem)}, evidence{lo: math.MaxInt, hi: -1}
		for ; j < len(held) && held[j]>>24 == elem; j++ {
			if held[j]&rareBit != 0 {
				e.rare++
			}
			p := pos[held[j]&(rareBit-1)]
			e.n++
			e.lo, e.hi = min(e.lo, p), max(e.hi, p)
		}
		if (e.n >= 2 || e.rare >= 1) && !taken[k] {
			keys = append(keys, k)
			own = append(own, e)
		}
	}
	passes := func(e evidence) bool {
		return e.hi-e.lo >= winnow.EditK && (e.n >= t.EditMinShared || e.rare >= t.EditMinShared-1)
	}
	kept := c.dropLoners(keys, func(j int) bool { return passes(own[j]) })
	for i, j := range kept {
		keys[i], own[i] = keys[j], own[j]
	}
	keys, own = keys[:len(kept)], own[:len(kept)]
	// Evidence adds up over the elements of one asset: an edited script
	// keeps a few anchors in each of its elements.
	assets, err := c.assetsOf(keys)
	if err != nil {
		return nil, err
	}
	byAsset := make(map[assetKey]*evidence, len(keys)/4)
	owner := make([]*evidence, len(keys))
	totals := make([]evidence, 0, len(keys)) // per asset; never grown, so pointers stay
	for j, k := range keys {
		e, id := &own[j], assets[j]
		if id == "" {
			owner[j] = e // gone since the lookup: judged alone
			continue
		}
		var a *evidence
		if j > 0 && keys[j-1].src == k.src && assets[j-1] == id {
			a = owner[j-1] // keys are in ref order: an asset's elements are mostly neighbours
		} else if a = byAsset[assetKey{k.src, id}]; a == nil {
			totals = append(totals, evidence{lo: e.lo, hi: e.hi})
			a = &totals[len(totals)-1]
			byAsset[assetKey{k.src, id}] = a
		}
		a.n += e.n
		a.rare += e.rare
		a.lo, a.hi = min(a.lo, e.lo), max(a.hi, e.hi)
		owner[j] = a
	}
	// Fewer anchors do when they are rare: a short edited clause holds
	// few, chance collisions are mostly common trigrams.
	var all []int // indices into keys
	for j := range keys {
		if passes(*owner[j]) {
			all = append(all, j)
		}
	}
	slices.SortFunc(all, func(x, y int) int {
		if a, b := owner[x].n, owner[y].n; a != b {
			return b - a
		}
		if a, b := own[x].n, own[y].n; a != b {
			return b - a
		}
		return keys[x].compare(keys[y])
	})
	// Elements holding the very same anchors hold the same (stock)
	// phrase: two of them are enough, as in clause search.
	const perEvidence = 2
	same := map[evidence]int{}
	var out []candKey
	for _, j := range all {
		if e := own[j]; same[e] < perEvidence && len(out) < t.MaxEditCandidates {
			same[e]++
			out = append(out, keys[j])
		}
	}
	return out, nil
}

// editScratch is editCandidates' memory, reused check after check: the
// text's edit grams and the holdings of its probes.
type editScratch struct {
	grams []winnow.Anchor
	held  []uint64
	spare []uint64 // the radix sort's other buffer
}

// rareHolderSource is a Source that can skip the holders of stock
// anchors (index.Library): a lookup that drops them anyway need not
// receive them.
type rareHolderSource interface {
	RareAnchorHolders(hashes []uint64, limit int, fn func(i int, ref uint32)) ([]int, error)
}

// rareAnchorHolders is s.AnchorHolders where only the holders of anchors
// held by at most limit elements are used.
func rareAnchorHolders(s Source, hashes []uint64, limit int, fn func(i int, ref uint32)) ([]int, error) {
	if r, ok := s.(rareHolderSource); ok {
		return r.RareAnchorHolders(hashes, limit, fn)
	}
	return s.AnchorHolders(hashes, limit, fn)
}

// assetBound is a Source that knows the most elements one of its assets
// holds (an asset's elements having consecutive refs); 0 is unknown.
type assetBound interface{ MaxAssetElements() int }

// dropLoners drops, from keys in (source, ref) order and their evidence,
// those that can share their asset with no other key — none of the same
// source lies within the source's largest asset — and whose own evidence
// does not pass: their asset's evidence would be theirs alone, so looking
// the asset up changes nothing. Sources without the bound keep every key.
func (c *Checker) dropLoners(keys []candKey, passes func(j int) bool) []int {
	bound := make([]uint32, len(c.sources))
	for si, s := range c.sources {
		if b, ok := s.(assetBound); ok {
			bound[si] = uint32(b.MaxAssetElements())
		}
	}
	near := func(a, b candKey) bool { return a.src == b.src && b.ref-a.ref < bound[a.src] }
	var kept []int
	for j, k := range keys {
		if bound[k.src] == 0 || passes(j) ||
			(j > 0 && near(keys[j-1], k)) || (j+1 < len(keys) && near(k, keys[j+1])) {
			kept = append(kept, j)
		}
	}
	return kept
}

// probes returns each gram not at a skipped position once, at its first
// position, sorted by hash so the lookups walk the index in order. A gram
// is packed with its position into one word (the hash's top bits, then
// the position) to sort without a comparison function; grams whose hashes
// agree in those top bits are one probe, as the index tells them apart by
// fewer bits still.
func probes(grams []winnow.Anchor, skip []bool) (hashes []uint64, pos []int) {
	shift := uint(mathbits.Len(uint(len(skip))))
	hashAt := make([]uint64, len(skip))
	packed := make([]uint64, 0, len(grams))
	for _, g := range grams {
		if !skip[g.Pos] && !skip[g.Pos+winnow.EditK-1] {
			hashAt[g.Pos] = g.Hash
			packed = append(packed, g.Hash>>shift<<shift|uint64(g.Pos))
		}
	}
	slices.Sort(packed)
	for i, p := range packed {
		if i > 0 && p>>shift == packed[i-1]>>shift {
			continue
		}
		at := int(p & (1<<shift - 1))
		hashes, pos = append(hashes, hashAt[at]), append(pos, at)
	}
	return hashes, pos
}
