package index

import (
	"context"
	"errors"
	"io/fs"
	"log/slog"
	"time"

	"elib/element"
	"elib/fingerprint/winnow"
	"elib/fulltext"
	"elib/index/manifest"
	"elib/internal/i18n/msg"
	"elib/library/kit"
)

// retireDelay is how long a segment or search-index handle replaced by
// Refresh stays open: readers take a segment under the library's lock but
// read its file after releasing it, so closing at once could fail a read
// in flight.
const retireDelay = time.Minute

// retiredItem is a segment or search index a Refresh replaced, and when.
type retiredItem struct {
	at  time.Time
	seg *segment
	ft  *fulltext.Index
}

// Refresh brings a read-only library up to date with the generation that
// another process (elib import, remove, reindex, allowlist) committed since
// Open or the last Refresh, and reports whether anything changed. A
// long-running reader (elib serve without a token) calls it periodically.
//
// When the manifest's generation is the one loaded, Refresh only reads the
// manifest. Otherwise it builds the new state beside the current one —
// taking over the open segments the new generation still lists, opening
// and verifying only new ones — and swaps it in at once, so readers see
// either the old or the new state, never a mix. Segments and the search
// index handle that are no longer used are closed by a Refresh at least a
// minute later, or by Close. On error the library keeps its current state.
//
// Refresh is safe concurrently with every read method and with itself. For
// a writable or in-memory library, which is always current, it does
// nothing and returns false.
func (l *Library) Refresh() (bool, error) {
	if !l.opts.ReadOnly {
		return false, nil
	}
	l.wmu.Lock()
	defer l.wmu.Unlock()
	l.mu.RLock()
	closed, gen, old := l.closed, l.man.Generation, l.segs
	l.mu.RUnlock()
	if closed {
		return false, msg.Errorf("refresh library %s: library closed", l.dir)
	}
	if err := l.closeRetired(time.Now(), false); err != nil {
		slog.Warn("close a replaced search index", "err", err)
	}
	m, err := manifest.ReadFS(l.fs, l.dir)
	if err != nil {
		return false, msg.Errorf("refresh library %s: %w", l.dir, err)
	}
	if m.Generation == gen {
		return false, nil
	}
	// The appended fast path updates the candidate indexes in place.
	if err := l.loadIndexLocked(); err != nil {
		return false, msg.Errorf("refresh library %s: %w", l.dir, err)
	}

	if ok, err := l.refreshAppended(m, old); ok || err != nil {
		if err != nil {
			return false, msg.Errorf("refresh library %s: %w", l.dir, err)
		}
		return true, nil
	}

	reuse := make(map[uint64]*segment, len(old))
	for _, s := range old {
		if !s.damaged {
			reuse[s.meta.Seq] = s
		}
	}
	next := &Library{dir: l.dir, fs: l.fs, opts: l.opts, engine: l.engine, dec: l.dec, cache: l.cache}
	// As in Open: a writer swapping generations may delete the files of
	// the manifest just read; the next manifest then names the new ones.
	for attempt := 0; ; attempt++ {
		err := next.loadState(reuse)
		if err == nil {
			break
		}
		next.closeNewSegments(reuse)
		next.closeLazyIndex()
		if attempt >= 4 || !errors.Is(err, fs.ErrNotExist) {
			return false, msg.Errorf("refresh: %w", err)
		}
	}

	inUse := make(map[*segment]bool, len(next.segs))
	for _, s := range next.segs {
		inUse[s] = true
	}
	l.mu.Lock()
	l.man, l.params, l.segs, l.lsh, l.anchors = next.man, next.params, next.segs, next.lsh, next.anchors
	l.lazyIndex = next.lazyIndex // (LazyIndex) loaded at the next lookup
	l.types, l.live, l.assets = next.types, next.live, next.assets
	l.ord, l.assetsVer = nil, l.assetsVer+1
	l.sketch, l.damage = next.sketch, next.damage
	l.footage, l.footageSeq = next.footage, next.footageSeq
	ft := l.ft
	// Search reopens the search index lazily, at the new generation's
	// directory (a reindex builds a new one).
	l.ft, l.ftErr = nil, nil
	l.mu.Unlock()

	now := time.Now()
	for _, s := range old {
		if !inUse[s] && s.r != nil {
			l.retired = append(l.retired, retiredItem{at: now, seg: s})
		}
	}
	if ft != nil {
		l.retired = append(l.retired, retiredItem{at: now, ft: ft})
	}
	return true, nil
}

// closeNewSegments closes the segments of a failed loadState that it
// opened itself (not those taken from reuse).
func (l *Library) closeNewSegments(reuse map[uint64]*segment) {
	for _, s := range l.segs {
		if s != nil && s.r != nil && reuse[s.meta.Seq] != s {
			s.r.Close()
		}
	}
	l.segs = nil
}

// closeRetired closes what Refresh retired at least retireAfter before
// now, or everything when all is set. The caller holds l.wmu.
func (l *Library) closeRetired(now time.Time, all bool) error {
	after := l.retireAfter
	if after <= 0 {
		after = retireDelay
	}
	var firstErr error
	kept := l.retired[:0]
	for _, r := range l.retired {
		if !all && now.Sub(r.at) < after {
			kept = append(kept, r)
			continue
		}
		if r.seg != nil {
			r.seg.r.Close()
			l.cache.drop(r.seg)
		}
		if r.ft != nil {
			if err := r.ft.Close(); err != nil && firstErr == nil {
				firstErr = err
			}
		}
	}
	clear(l.retired[len(kept):])
	l.retired = kept
	return firstErr
}

// refreshAppended is Refresh's fast path for the common change: the new
// manifest lists the loaded segments unchanged and appends new ones (an
// import, a remove, an allowlist edit). It applies only the new segments to
// the current state, the way the writer's own commit does — tombstones,
// records, LSH entries, boilerplate sketch — instead of rebuilding
// everything from the snapshots: on a 1M-element library a full rebuild
// takes seconds and a second copy of the LSH index in memory. It reports
// false, changing nothing, when the new generation is not such an append
// (a reindex) or the state has damage; Refresh then rebuilds. The caller
// holds l.wmu.
func (l *Library) refreshAppended(m *manifest.Manifest, old []*segment) (bool, error) {
	if len(m.Segments) < len(old) || paramsOf(m) != l.params {
		return false, nil
	}
	for i, s := range old {
		if s.damaged || m.Segments[i] != s.meta {
			return false, nil
		}
	}
	l.mu.RLock()
	damaged := len(l.damage) > 0
	l.mu.RUnlock()
	if damaged {
		return false, nil
	}

	// Off the lock: open and verify the new segment files and decode all
	// that will be applied — element signatures, asset records, and the
	// sentences of assets the new tombstones end — so that applying it
	// under the lock cannot fail half-way. Only Refresh changes a
	// read-only library's state, and it holds l.wmu, so l.assets can be
	// read here.
	type pending struct {
		seg     *segment
		els     []*element.Stored
		anchors [][]uint64 // per element of els
		recs    []kit.AssetRecord
		drop    [][]uint64 // sentences of the assets its tombstones end
	}
	var add []*pending
	fail := func(err error) (bool, error) {
		for _, p := range add {
			p.seg.r.Close()
		}
		if errors.Is(err, fs.ErrNotExist) {
			return false, nil // a writer swapped generations: rebuild
		}
		return false, err
	}
	probe := &Library{dir: l.dir, fs: l.fs, opts: l.opts, dec: l.dec}
	recorded := map[string]*kit.AssetRecord{} // by new segments, by asset id
	ended := map[string]bool{}                // loaded assets ended by new tombstones
	for _, sm := range m.Segments[len(old):] {
		s, err := probe.openSegment(sm)
		if err != nil {
			return fail(err)
		}
		p := &pending{seg: s}
		add = append(add, p)
		if !l.opts.SkipVerify {
			if err := probe.verifySegment(s, sm); err != nil {
				return fail(err)
			}
		}
		norm := l.normalizer()
		if err := probe.eachElement(s, func(e *element.Stored) {
			p.els = append(p.els, e)
			p.anchors = append(p.anchors, winnow.Hashes(norm.Normalize(e.Text).Runes))
		}); err != nil {
			return fail(err)
		}
		for _, t := range s.tombstones() {
			if rec, ok := recorded[t.AssetID]; ok && rec.FirstRef == t.FirstRef {
				p.drop = append(p.drop, rec.Sentences)
				delete(recorded, t.AssetID)
				continue
			}
			l.mu.RLock()
			loc, ok := l.assets[t.AssetID]
			l.mu.RUnlock()
			if !ok || ended[t.AssetID] || loc.firstRef != t.FirstRef || loc.count != t.Count {
				continue
			}
			rec, err := l.assetRecord(t.AssetID, loc)
			if err != nil {
				return fail(err)
			}
			p.drop = append(p.drop, rec.Sentences)
			ended[t.AssetID] = true
		}
		for i := 0; i < s.r.NumAssetBlocks(); i++ {
			recs, err := s.r.AssetBlock(i)
			if err != nil {
				return fail(err)
			}
			p.recs = append(p.recs, recs...)
		}
		for i := range p.recs {
			recorded[p.recs[i].Asset.ID] = &p.recs[i]
		}
	}

	if len(probe.damage) > 0 {
		return fail(nil) // unreadable blocks: let the full rebuild record them
	}

	l.mu.Lock()
	defer l.mu.Unlock()
	var keys []uint64
	for _, p := range add {
		for _, sentences := range p.drop {
			l.sketch.Remove(sentences)
		}
		for _, t := range p.seg.tombstones() {
			for r := t.FirstRef; r < t.FirstRef+t.Count; r++ {
				l.lsh.Remove(r)
				l.anchors.Remove(r)
			}
		}
		l.segs = append(l.segs, p.seg)
		l.applySegment(p.seg)
		for i, e := range p.els {
			if int(e.Ref) < len(l.types) && l.types[e.Ref] != 0 {
				keys = l.params.BandKeys(keys[:0], e.Signature)
				l.lsh.Add(e.Ref, keys)
				l.anchors.AddKeys(e.Ref, 0, p.anchors[i])
			}
		}
		for i := range p.recs {
			if l.isLiveAsset(&p.recs[i]) {
				l.sketch.Add(p.recs[i].Sentences)
			}
		}
		l.applyFootageRecords(p.seg.meta.Seq, p.recs)
	}
	l.man = m
	if l.ft != nil {
		// Search reopens the index lazily at the new state.
		l.retired = append(l.retired, retiredItem{at: time.Now(), ft: l.ft})
		l.ft, l.ftErr = nil, nil
	}
	l.appended++
	l.mergeLater(context.Background()) // (its goroutine waits for l.mu)
	return true, nil
}
