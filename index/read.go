package index

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"slices"
	"sort"
	"sync/atomic"

	"elib/element"
	"elib/fulltext"
	"elib/index/store"
	"elib/library/kit"
	"elib/vfs"
)

func toStored(e *kit.ElementRecord) *element.Stored {
	return &element.Stored{Ref: e.Ref, ID: e.ID(), AssetID: e.AssetID, Index: e.Index, Type: e.Type,
		Text: e.Text, Title: e.Title, Signature: e.Signature, Shingles: e.Shingles}
}

// Candidates calls fn for every live element sharing an LSH band key with
// keys (an element may be reported more than once). Safe concurrently; fn
// runs with no lock held, so it may call any other method.
func (l *Library) Candidates(keys []uint64, fn func(ref uint32)) error {
	return l.CandidateCounts(keys, func(ref uint32, _ int) { fn(ref) })
}

// CandidateCounts is Candidates that also reports how many LSH bands each
// candidate shares with the query (more bands: more likely a real copy).
// keys may hold several signatures' band keys back to back (see
// lsh.Index.QueryCounts); the counts are then summed over them.
//
// A LazyIndex library reads its candidate indexes at the first lookup,
// whose error that read is.
func (l *Library) CandidateCounts(keys []uint64, fn func(ref uint32, bands int)) error {
	if err := l.ensureIndex(); err != nil {
		return err
	}
	l.mu.RLock()
	idx := l.lsh
	l.mu.RUnlock()
	if idx == nil {
		return nil
	}
	buf := l.hitBuf()
	defer l.hits.Put(buf)
	hits := (*buf)[:0]
	idx.QueryCounts(keys, func(ref uint32, bands int) { hits = append(hits, refHit{ref, bands}) })
	*buf = hits
	for _, h := range l.keepLive(hits) {
		fn(h.ref, h.n)
	}
	return nil
}

// refHit is a ref an index lookup reported, with a number: shared bands
// (CandidateCounts) or the index of the anchor (AnchorHolders).
type refHit struct {
	ref uint32
	n   int
}

// hitBuf returns a scratch slice for an index lookup's hits, from l.hits;
// the caller puts it back when done.
func (l *Library) hitBuf() *[]refHit {
	if buf, ok := l.hits.Get().(*[]refHit); ok {
		return buf
	}
	return new([]refHit)
}

// keepLive drops, in place, the hits whose element is no longer live (the
// indexes keep removed refs until compaction).
func (l *Library) keepLive(hits []refHit) []refHit {
	l.mu.RLock()
	defer l.mu.RUnlock()
	live := hits[:0]
	for _, h := range hits {
		if int(h.ref) < len(l.types) && l.types[h.ref] != 0 {
			live = append(live, h)
		}
	}
	return live
}

// AnchorHolders calls fn(i, ref) for up to limit live elements holding
// anchor hashes[i], and returns how many elements hold each anchor (live
// or not, whatever the limit): a check tells rare anchors from stock ones
// and needs only one verified holder of a stock one. Safe concurrently;
// fn runs with no lock held. Its error is that of loading a LazyIndex
// library's indexes (see CandidateCounts).
func (l *Library) AnchorHolders(hashes []uint64, limit int, fn func(i int, ref uint32)) ([]int, error) {
	return l.anchorHolders(hashes, limit, false, fn)
}

// RareAnchorHolders is AnchorHolders for callers that drop stock anchors:
// an anchor held by more than limit elements (live or not) gives no refs;
// its count is still returned.
func (l *Library) RareAnchorHolders(hashes []uint64, limit int, fn func(i int, ref uint32)) ([]int, error) {
	return l.anchorHolders(hashes, limit, true, fn)
}

func (l *Library) anchorHolders(hashes []uint64, limit int, rareOnly bool, fn func(i int, ref uint32)) ([]int, error) {
	if err := l.ensureIndex(); err != nil {
		return nil, err
	}
	l.mu.RLock()
	idx := l.anchors
	l.mu.RUnlock()
	if idx == nil {
		return make([]int, len(hashes)), nil
	}
	buf := l.hitBuf()
	defer l.hits.Put(buf)
	hits := (*buf)[:0]
	add := func(i int, ref uint32) { hits = append(hits, refHit{ref, i}) }
	var counts []int
	if rareOnly {
		counts = idx.RareHolders(0, hashes, limit, add)
	} else {
		counts = idx.Holders(0, hashes, limit, add)
	}
	*buf = hits
	for _, h := range l.keepLive(hits) {
		fn(h.n, h.ref)
	}
	return counts, nil
}

// AssetOf returns the id of the live asset that element ref belongs to,
// without reading the element: an asset's elements have consecutive refs,
// and each segment lists its assets in ref order.
func (l *Library) AssetOf(ref uint32) (string, bool) {
	l.mu.RLock()
	defer l.mu.RUnlock()
	return l.assetOf(ref)
}

// assetOf is AssetOf under the read lock.
func (l *Library) assetOf(ref uint32) (string, bool) {
	id, a := l.assetEntryOf(ref)
	return id, a != nil
}

// assetEntryOf is assetOf that also returns the asset's entry (nil when
// ref is not live).
func (l *Library) assetEntryOf(ref uint32) (string, *store.AssetEntry) {
	if int(ref) >= len(l.types) || l.types[ref] == 0 {
		return "", nil
	}
	s := l.segmentFor(ref)
	if s == nil || s.damaged {
		return "", nil
	}
	i := s.r.AssetIndex(ref)
	if i < 0 {
		return "", nil
	}
	// A live element's asset is the live version of it: replacing or
	// removing an asset kills its elements (applySegment, killRange).
	a := &s.r.Assets()[i]
	return a.ID, a
}

// AssetsOf returns AssetOf of each ref ("" for an element that is gone).
// It reads memory only: the error is always nil.
func (l *Library) AssetsOf(refs []uint32) ([]string, error) {
	out := make([]string, len(refs))
	l.mu.RLock()
	defer l.mu.RUnlock()
	var last *store.AssetEntry // the asset of the ref before: refs of one asset are consecutive
	for i, ref := range refs {
		if last != nil && ref >= last.FirstRef && ref-last.FirstRef < last.Count && int(ref) < len(l.types) && l.types[ref] != 0 {
			out[i] = last.ID
			continue
		}
		out[i], last = l.assetEntryOf(ref)
	}
	return out, nil
}

// MaxAssetElements returns the most elements one asset holds. An asset's
// elements have consecutive refs, so two refs that many or more apart are
// of different assets.
func (l *Library) MaxAssetElements() int {
	l.mu.RLock()
	defer l.mu.RUnlock()
	n := 0
	for _, s := range l.segs {
		if s.r != nil {
			n = max(n, s.r.MaxAssetElements())
		}
	}
	return n
}

// Prefetch does nothing: the file library reads an element from its
// block cache or one block read, with no round trip to save.
func (l *Library) Prefetch(refs []uint32) error { return nil }

// Element returns the live element ref, reading its block from disk if it
// is not cached.
func (l *Library) Element(ref uint32) (*element.Stored, error) {
	l.mu.RLock()
	if int(ref) >= len(l.types) || l.types[ref] == 0 {
		l.mu.RUnlock()
		return nil, fmt.Errorf("element ref %d: %w", ref, kit.ErrNotFound)
	}
	s := l.segmentFor(ref)
	l.mu.RUnlock()
	if s == nil || s.damaged {
		return nil, fmt.Errorf("element ref %d: %w", ref, kit.ErrNotFound)
	}
	bi := s.r.BlockFor(ref)
	if bi < 0 {
		return nil, fmt.Errorf("element ref %d: %w", ref, kit.ErrNotFound)
	}
	v, err := l.cache.get(cacheKey{seg: s, block: bi}, func() (any, error) {
		recs, err := s.r.ElementRecords(bi)
		if err != nil {
			return nil, err
		}
		return &elementBlock{recs: recs, els: make([]atomic.Pointer[element.Stored], recs.Len())}, nil
	})
	if err != nil {
		return nil, fmt.Errorf("element ref %d: %w", ref, err)
	}
	blk := v.(*elementBlock)
	i := int(ref - s.r.ElementBlocks()[bi].FirstRef)
	if i >= len(blk.els) {
		return nil, fmt.Errorf("element ref %d: %w: block does not hold it", ref, store.ErrCorrupt)
	}
	if e := blk.els[i].Load(); e != nil {
		return e, nil
	}
	rec, err := blk.recs.Element(i)
	if err != nil {
		return nil, fmt.Errorf("element ref %d: %w", ref, err)
	}
	if rec.Ref != ref {
		return nil, fmt.Errorf("element ref %d: %w: block does not hold it", ref, store.ErrCorrupt)
	}
	e := toStored(&rec)
	if !blk.els[i].CompareAndSwap(nil, e) {
		e = blk.els[i].Load() // decoded by another reader meanwhile: share one value
	}
	return e, nil
}

// elementBlock is a cached element block: its records, each decoded the
// first time it is read.
type elementBlock struct {
	recs *store.ElementRecords
	els  []atomic.Pointer[element.Stored]
}

// ElementByID returns the live element "<asset id>#<n>".
func (l *Library) ElementByID(id string) (*element.Stored, error) {
	assetID, n, ok := element.SplitElementID(id)
	if !ok {
		return nil, fmt.Errorf("element %q: %w", id, kit.ErrNotFound)
	}
	l.mu.RLock()
	loc, ok := l.assets[assetID]
	l.mu.RUnlock()
	if !ok || uint32(n) > loc.count {
		return nil, fmt.Errorf("element %q: %w", id, kit.ErrNotFound)
	}
	e, err := l.Element(loc.firstRef + uint32(n-1))
	if err != nil {
		return nil, fmt.Errorf("element %q: %w", id, err)
	}
	return e, nil
}

// Asset returns a copy of the stored asset id.
func (l *Library) Asset(id string) (*element.Asset, error) {
	l.mu.RLock()
	loc, ok := l.assets[id]
	l.mu.RUnlock()
	if !ok {
		return nil, fmt.Errorf("asset %q: %w", id, kit.ErrNotFound)
	}
	rec, err := l.assetRecord(id, loc)
	if err != nil {
		return nil, err
	}
	a := rec.Asset
	a.File = rec.File
	a.Footage = rec.Footage
	a.Elements = append([]element.Element(nil), rec.Asset.Elements...)
	return &a, nil
}

func (l *Library) assetRecord(id string, loc assetLoc) (*kit.AssetRecord, error) {
	s := loc.seg
	v, err := l.cache.get(cacheKey{seg: s, block: int(loc.block), asset: true}, func() (any, error) {
		return s.r.AssetBlock(int(loc.block))
	})
	if err != nil {
		return nil, fmt.Errorf("asset %q: %w", id, err)
	}
	recs := v.([]kit.AssetRecord)
	for i := range recs {
		if recs[i].Asset.ID == id && recs[i].FirstRef == loc.firstRef {
			return &recs[i], nil
		}
	}
	return nil, fmt.Errorf("asset %q: %w: not in its block", id, store.ErrCorrupt)
}

// The reads below answer from memory (the state loaded at open and at
// each Refresh): their error is always nil.

// AssetElements returns the refs of the asset's live elements in order.
func (l *Library) AssetElements(assetID string) ([]uint32, error) {
	l.mu.RLock()
	defer l.mu.RUnlock()
	loc, ok := l.assets[assetID]
	if !ok {
		return nil, nil
	}
	out := make([]uint32, 0, loc.count)
	for r := loc.firstRef; r < loc.firstRef+loc.count; r++ {
		if l.types[r] != 0 {
			out = append(out, r)
		}
	}
	return out, nil
}

// AssetIDs returns the ids of all live assets, sorted (a copy of the
// asset order when a commit kept it: no sort).
func (l *Library) AssetIDs() ([]string, error) {
	l.mu.RLock()
	if o := l.ord; o != nil {
		l.mu.RUnlock()
		return slices.Clone(o.ids), nil
	}
	if out, ok := l.idsInOrder(); ok {
		l.mu.RUnlock()
		return out, nil
	}
	out := make([]string, 0, len(l.assets))
	for id := range l.assets {
		out = append(out, id)
	}
	l.mu.RUnlock()
	sort.Strings(out)
	return out, nil
}

// idsInOrder lists the live assets' ids from the segments' asset
// directories, without sorting them, when the directories hold only
// live assets and, one after another, list them in id order (a library
// imported in id order, never changed); ok is false otherwise. Called
// under l.mu.
func (l *Library) idsInOrder() (ids []string, ok bool) {
	n := 0
	for _, s := range l.segs {
		if s.damaged {
			return nil, false
		}
		n += len(s.assetDir())
	}
	// Every live asset has its entry: as many entries as live assets
	// means every entry is live.
	if n != len(l.assets) {
		return nil, false
	}
	ids = make([]string, 0, n)
	for _, s := range l.segs {
		for _, a := range s.assetDir() {
			if len(ids) > 0 && a.ID <= ids[len(ids)-1] {
				return nil, false
			}
			ids = append(ids, a.ID)
		}
	}
	return ids, true
}

// AssetCount returns the number of live assets.
func (l *Library) AssetCount() (int, error) {
	l.mu.RLock()
	defer l.mu.RUnlock()
	return len(l.assets), nil
}

// ElementCount returns the number of live elements.
func (l *Library) ElementCount() (int, error) {
	l.mu.RLock()
	defer l.mu.RUnlock()
	return l.live, nil
}

// Allowlist returns the library's boilerplate phrases.
func (l *Library) Allowlist() ([]string, error) {
	l.mu.RLock()
	defer l.mu.RUnlock()
	return append([]string(nil), l.man.Allowlist...), nil
}

// SentenceDF estimates in how many assets the normalised sentence with
// hash h occurs (a count-min sketch: never under, rarely over).
func (l *Library) SentenceDF(h uint64) int {
	l.mu.RLock()
	defer l.mu.RUnlock()
	return l.sketch.Count(h)
}

// SentenceDFs returns SentenceDF of each hash.
func (l *Library) SentenceDFs(hashes []uint64) ([]int, error) {
	l.mu.RLock()
	defer l.mu.RUnlock()
	out := make([]int, len(hashes))
	for i, h := range hashes {
		out[i] = l.sketch.Count(h)
	}
	return out, nil
}

// kit.Stats returns counts and disk usage. (The reuse rate is the check's
// figure: see package insight.)
func (l *Library) Stats() (kit.Stats, error) {
	l.mu.RLock()
	st := kit.Stats{Assets: len(l.assets), Elements: l.live, ByType: l.typeCount(), Segments: len(l.segs), Generation: l.man.Generation}
	l.mu.RUnlock()
	st.DiskBytes = vfs.Size(l.fs, l.dir)
	return st, nil
}

// Search runs a full-text query over the library's elements.
func (l *Library) Search(ctx context.Context, q fulltext.Query) (*fulltext.Result, error) {
	if l.opts.LazyFulltext && l.writable() == nil {
		l.wmu.Lock()
		l.mu.RLock()
		behind := l.man.Fulltext.Seq < l.man.LastSeq()
		l.mu.RUnlock()
		var err error
		if behind {
			err = l.catchUpFulltext(ctx)
		}
		l.wmu.Unlock()
		if err != nil {
			return nil, fmt.Errorf("search: %w", err)
		}
	}
	l.mu.Lock()
	if l.ft == nil && l.ftErr == nil {
		ftDir := l.man.Fulltext.Dir
		if ftDir == "" {
			ftDir = fulltextDir
		}
		l.ft, l.ftErr = l.openFulltext(ftDir, fulltext.Options{ReadOnly: l.lock == nil})
	}
	ft, ftErr := l.ft, l.ftErr
	if errors.Is(ftErr, fs.ErrNotExist) {
		l.ftErr = nil // nothing imported yet: try again next time
	}
	l.mu.Unlock()
	if ftErr != nil {
		return nil, fmt.Errorf("search: %w", ftErr)
	}
	return ft.Search(ctx, q)
}
