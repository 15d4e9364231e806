package index

import (
	"context"
	"elib/internal/i18n/msg"
	"fmt"
	"log/slog"
	"path/filepath"
	"sort"
	"strings"

	"elib/element"
	"elib/fingerprint/lsh"
	"elib/index/manifest"
	"elib/index/store"
	"elib/library/kit"
)

// writable reports why the library cannot be written, if it cannot.
func (l *Library) writable() error {
	l.mu.RLock()
	defer l.mu.RUnlock()
	switch {
	case l.closed:
		return msg.New("library closed")
	case l.lock == nil:
		return msg.Errorf("library %s: %w", l.dir, kit.ErrReadOnly)
	}
	return nil
}

// Import stores assets, replacing assets with the same id (so importing the
// same file again is idempotent). Elements are fingerprinted in parallel.
// When Import returns without error the batch is durable: it survives a
// crash and is visible to every later Open.
func (l *Library) Import(ctx context.Context, assets []element.Asset) (kit.ImportResult, error) {
	p, err := l.PrepareImport(ctx, assets)
	if err != nil {
		return kit.ImportResult{}, err
	}
	return l.ImportPrepared(ctx, p)
}

// PrepareImport validates and fingerprints assets for ImportPrepared
// without touching the library, so it may run while another batch is
// being stored.
func (l *Library) PrepareImport(ctx context.Context, assets []element.Asset) (kit.PreparedImport, error) {
	if err := l.writable(); err != nil {
		return kit.PreparedImport{}, msg.Errorf("import: %w", err)
	}
	if l.engine == nil {
		return kit.PreparedImport{}, msg.New("import: library opened without a fingerprint engine")
	}
	if err := l.Compatible(l.engine); err != nil {
		return kit.PreparedImport{}, msg.Errorf("import: %w", err)
	}
	batch, err := kit.ImportBatch(assets)
	if err != nil {
		return kit.PreparedImport{}, msg.Errorf("import: %w", err)
	}
	prep, err := l.prepare(ctx, batch, l.opts.Workers, l.opts.Progress)
	if err != nil {
		return kit.PreparedImport{}, msg.Errorf("import: %w", err)
	}
	return kit.PreparedImport{Assets: prep}, nil
}

// ImportPrepared stores a batch PrepareImport kit.Prepared, as Import does.
func (l *Library) ImportPrepared(ctx context.Context, p kit.PreparedImport) (kit.ImportResult, error) {
	if err := l.writable(); err != nil {
		return kit.ImportResult{}, msg.Errorf("import: %w", err)
	}
	l.wmu.Lock()
	defer l.wmu.Unlock()
	if err := l.Compatible(l.engine); err != nil {
		return kit.ImportResult{}, msg.Errorf("import: %w", err)
	}
	if err := ctx.Err(); err != nil {
		return kit.ImportResult{}, msg.Errorf("import: %w", err)
	}
	res, err := l.commit(ctx, p.Assets, nil)
	if err != nil {
		return res, msg.Errorf("import: %w", err)
	}
	return res, nil
}

// prepare fingerprints every element of assets with workers goroutines.
func (l *Library) prepare(ctx context.Context, assets []element.Asset, workers int, progress func(done, total int)) ([]kit.Prepared, error) {
	return kit.Prepare(ctx, l.engine, assets, kit.PrepareOptions{Workers: workers, Progress: progress, Now: l.now()})
}

// commit stores one batch — new assets (replacing same-id ones) and extra
// tombstones — as a new segment and generation. The caller holds l.wmu.
func (l *Library) commit(ctx context.Context, prep []kit.Prepared, removals []store.Tombstone) (kit.ImportResult, error) {
	var res kit.ImportResult
	l.mu.RLock()
	m := l.man.Clone()
	tombs := append([]store.Tombstone(nil), removals...)
	replacedLoc := map[string]assetLoc{}
	ver := l.assetsVer // the asset map replacedLoc is read from
	for i := range prep {
		if loc, ok := l.assets[prep[i].Record.Asset.ID]; ok {
			replacedLoc[prep[i].Record.Asset.ID] = loc
			tombs = append(tombs, store.Tombstone{AssetID: prep[i].Record.Asset.ID, FirstRef: loc.firstRef, Count: loc.count})
			res.Replaced++
		}
	}
	for _, t := range removals {
		if loc, ok := l.assets[t.AssetID]; ok && loc.firstRef == t.FirstRef && loc.count == t.Count {
			replacedLoc[t.AssetID] = loc
		}
	}
	l.mu.RUnlock()

	// Sentences of whole assets going away leave the boilerplate sketch.
	var oldSentences [][]uint64
	for id, loc := range replacedLoc {
		rec, err := l.assetRecord(id, loc)
		if err != nil {
			return res, err
		}
		oldSentences = append(oldSentences, rec.Sentences)
	}
	gone, keepOrder := l.goneEntries(replacedLoc, len(removals) == 0)

	ref := m.NextRef
	for i := range prep {
		prep[i].Record.FirstRef = ref
		for j := range prep[i].Elements {
			prep[i].Elements[j].Ref = ref
			ref++
		}
		res.Assets++
		res.Elements += len(prep[i].Elements)
	}
	seq := m.NextSeq
	m.NextSeq++
	m.Generation++
	s := &segment{firstRef: m.NextRef, n: ref - m.NextRef}
	s.meta = manifest.Segment{Seq: seq, FirstRef: m.NextRef, Elements: res.Elements, Assets: res.Assets, Tombstones: len(tombs), Footage: countFootage(prep)}
	if err := l.writeSegment(s, prep, tombs); err != nil {
		return res, err
	}
	m.NextRef = ref
	m.Segments = append(m.Segments, s.meta)
	if l.engine != nil && len(prep) > 0 {
		// Compatible passed: the options are equal or the library was empty.
		m.Fingerprint = fingerprintInfo(l.engine)
	}

	l.mu.Lock()
	if l.engine != nil && len(prep) > 0 && l.params != l.engine.Bands() && l.live == 0 {
		l.params = l.engine.Bands()
		l.lsh = lsh.NewIndex(l.params)
	}
	l.segs = append(l.segs, s)
	ord := l.ord
	if !keepOrder || ver != l.assetsVer {
		ord = nil
	}
	for _, t := range tombs {
		for r := t.FirstRef; r < t.FirstRef+t.Count; r++ {
			l.lsh.Remove(r)
			l.anchors.Remove(r)
		}
	}
	l.applySegment(s)
	if ord != nil {
		l.ord = ord.withCommit(gone, prep, s.published.entries)
	}
	var keys []uint64
	for i := range prep {
		for j := range prep[i].Elements {
			e := &prep[i].Elements[j]
			keys = l.params.BandKeys(keys[:0], e.Signature)
			l.lsh.Add(e.Ref, keys)
			l.anchors.AddKeys(e.Ref, 0, prep[i].Anchors[j])
		}
	}
	for _, h := range oldSentences {
		l.sketch.Remove(h)
	}
	for i := range prep {
		l.sketch.Add(prep[i].Record.Sentences)
	}
	l.applyFootage(s, prep, replacedLoc)
	m.Assets, m.Elements = len(l.assets), l.live
	l.mu.Unlock()

	prev := l.man
	l.mu.RLock()
	err := l.snapshotLSH(m, false)
	if err == nil {
		err = l.snapshotSketch(m)
	}
	if err == nil {
		err = l.snapshotFootage(m, false)
	}
	l.mu.RUnlock()
	if err == nil {
		err = manifest.WriteFS(l.fs, l.dir, m)
	}
	if err != nil {
		return res, msg.Errorf("commit generation %d: %w", m.Generation, err)
	}
	l.mu.Lock()
	l.man = m
	l.mu.Unlock()
	l.removeStaleSnapshots(prev, m)
	l.mergeLater(ctx)

	if !l.opts.NoFulltext && !l.opts.LazyFulltext {
		if err := l.applyFulltext(ctx, []*segment{s}); err != nil && ctx.Err() == nil {
			// (Stopped by its context, the caller reports that.)
			slog.Warn("search index not updated; the next import or elib reindex catches it up", "err", err)
		}
	}
	return res, nil
}

// writeSegment writes the new segment file and its published file and
// opens it for reading.
func (l *Library) writeSegment(s *segment, prep []kit.Prepared, tombs []store.Tombstone) error {
	rel := filepath.ToSlash(filepath.Join(segmentsDir, fmt.Sprintf("seg-%08d.Elements", s.meta.Seq)))
	path := filepath.Join(l.dir, rel)
	w, err := store.Create(l.fs, path, s.firstRef)
	if err != nil {
		return err
	}
	for i := range prep {
		for j := range prep[i].Elements {
			if err := w.AddElement(&prep[i].Elements[j]); err != nil {
				w.Abort()
				return err
			}
		}
	}
	for i := range prep {
		if err := w.AddAsset(&prep[i].Record); err != nil {
			w.Abort()
			return err
		}
	}
	for _, t := range tombs {
		w.AddTombstone(t)
	}
	info, err := w.Commit()
	if err != nil {
		return err
	}
	r, err := store.Open(l.fs, path, l.dec)
	if err != nil {
		return err
	}
	s.r = r
	s.meta.File = rel
	s.meta.Size = info.Size
	s.meta.XXHash = manifest.HashString(info.Sum)
	l.writePublished(s, prep)
	return nil
}

// removeStaleSnapshots deletes the snapshot files of prev that m no longer uses.
func (l *Library) removeStaleSnapshots(prev, m *manifest.Manifest) {
	for _, pair := range [][2]*manifest.Snapshot{{prev.LSH, m.LSH}, {prev.Anchors, m.Anchors}, {prev.Sketch, m.Sketch}, {prev.Footage, m.Footage}} {
		if pair[0] != nil && (pair[1] == nil || pair[1].File != pair[0].File) {
			_ = l.removeFile(pair[0].File)
		}
	}
}

// Remove deletes assets (by asset id) or single elements (by element id
// "<asset id>#<n>") and returns how many it removed. Unknown ids are
// reported in an error matching kit.ErrNotFound after the known ones are
// removed.
func (l *Library) Remove(ctx context.Context, assetOrElementIDs ...string) (int, error) {
	if err := l.writable(); err != nil {
		return 0, msg.Errorf("remove: %w", err)
	}
	l.wmu.Lock()
	defer l.wmu.Unlock()
	var tombs []store.Tombstone
	var missing []string
	seen := map[string]bool{}
	l.mu.RLock()
	for _, id := range assetOrElementIDs {
		if seen[id] {
			continue
		}
		seen[id] = true
		if loc, ok := l.assets[id]; ok {
			tombs = append(tombs, store.Tombstone{AssetID: id, FirstRef: loc.firstRef, Count: loc.count})
			continue
		}
		if aid, n, ok := element.SplitElementID(id); ok {
			if loc, ok := l.assets[aid]; ok && !seen[aid] && uint32(n) <= loc.count && l.types[loc.firstRef+uint32(n-1)] != 0 {
				tombs = append(tombs, store.Tombstone{AssetID: aid, FirstRef: loc.firstRef + uint32(n-1), Count: 1})
				continue
			}
		}
		missing = append(missing, id)
	}
	l.mu.RUnlock()
	if len(tombs) > 0 {
		if _, err := l.commit(ctx, nil, tombs); err != nil {
			return 0, msg.Errorf("remove: %w", err)
		}
	}
	if len(missing) > 0 {
		return len(tombs), msg.Errorf("remove %s: %w", strings.Join(missing, ", "), kit.ErrNotFound)
	}
	return len(tombs), nil
}

// AllowlistAdd adds boilerplate phrases (trimmed; empty and duplicate
// phrases are ignored).
func (l *Library) AllowlistAdd(phrases ...string) error {
	return l.editAllowlist(func(cur map[string]bool) {
		for _, p := range phrases {
			if p = strings.TrimSpace(p); p != "" {
				cur[p] = true
			}
		}
	})
}

// AllowlistRemove removes boilerplate phrases.
func (l *Library) AllowlistRemove(phrases ...string) error {
	return l.editAllowlist(func(cur map[string]bool) {
		for _, p := range phrases {
			delete(cur, strings.TrimSpace(p))
		}
	})
}

func (l *Library) editAllowlist(edit func(map[string]bool)) error {
	if err := l.writable(); err != nil {
		return msg.Errorf("allowlist: %w", err)
	}
	l.wmu.Lock()
	defer l.wmu.Unlock()
	l.mu.RLock()
	m := l.man.Clone()
	l.mu.RUnlock()
	cur := map[string]bool{}
	for _, p := range m.Allowlist {
		cur[p] = true
	}
	edit(cur)
	m.Allowlist = m.Allowlist[:0]
	for p := range cur {
		m.Allowlist = append(m.Allowlist, p)
	}
	sort.Strings(m.Allowlist)
	m.Generation++
	if err := manifest.WriteFS(l.fs, l.dir, m); err != nil {
		return msg.Errorf("allowlist: %w", err)
	}
	l.mu.Lock()
	l.man = m
	l.mu.Unlock()
	return nil
}
