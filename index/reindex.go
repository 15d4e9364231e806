package index

import (
	"context"
	"elib/internal/i18n/msg"
	"fmt"
	"io"
	"sort"
	"strings"

	"elib/element"
	"elib/fingerprint/boilerplate"
	"elib/fingerprint/lsh"
	"elib/fulltext"
	"elib/index/manifest"
	"elib/library/kit"
)

// reindexChunk is the number of elements per segment a reindex writes.
const reindexChunk = 20_000

// Reindex rebuilds the whole library — fingerprints, LSH index, boilerplate
// sketch, full-text index — with the current engine, compacting the store
// (tombstoned elements are dropped and refs renumbered). The new generation
// is written beside the old one and swapped in atomically through the
// manifest, so readers keep working throughout. Problems met (damaged
// blocks, unparsable files) are listed by Damage afterwards.
func (l *Library) Reindex(ctx context.Context, opts kit.ReindexOptions) error {
	if err := l.writable(); err != nil {
		return msg.Errorf("reindex: %w", err)
	}
	if l.engine == nil {
		return msg.New("reindex: library opened without a fingerprint engine")
	}
	if opts.Workers <= 0 {
		opts.Workers = l.opts.Workers
	}
	l.wmu.Lock()
	defer l.wmu.Unlock()

	l.mu.RLock()
	old := l.man.Clone()
	total := l.live
	l.mu.RUnlock()

	b := &rebuild{l: l, opts: opts, m: manifest.New(), params: l.engine.Bands()}
	b.m.Generation = old.Generation + 1
	b.m.NextSeq = old.NextSeq
	b.m.Allowlist = old.Allowlist
	b.m.Packs = old.Packs
	b.m.Fingerprint = fingerprintInfo(l.engine)
	b.lsh = lsh.NewIndex(b.params)
	b.anchors = newAnchorIndex()
	b.sketch = boilerplate.NewSketch()
	b.total = total
	if !l.opts.NoFulltext {
		b.m.Fulltext.Dir = fmt.Sprintf("%s-%08d", fulltextDir, b.m.Generation)
		ft, err := l.openFulltext(b.m.Fulltext.Dir, fulltext.Options{Exclusive: true})
		if err != nil {
			return msg.Errorf("reindex: %w", err)
		}
		b.ft = ft
		defer ft.Close()
	} else {
		// No search index this generation; the next writer builds it.
		b.m.Fulltext.Dir = fmt.Sprintf("%s-%08d", fulltextDir, b.m.Generation)
	}

	var err error
	if opts.From != "" {
		err = b.fromDir(ctx, opts.From)
	} else {
		err = b.fromStore(ctx)
	}
	if err == nil {
		err = b.flush(ctx)
	}
	if err != nil {
		b.abort()
		return msg.Errorf("reindex: %w", err)
	}
	if b.ft != nil {
		if err := b.ft.Close(); err != nil {
			b.abort()
			return msg.Errorf("reindex: %w", err)
		}
		b.m.Fulltext.Seq = b.m.LastSeq()
	}
	return b.swap()
}

// rebuild is the state of one Reindex.
type rebuild struct {
	l       *Library
	opts    kit.ReindexOptions
	m       *manifest.Manifest
	params  lsh.Params
	lsh     *lsh.Index
	anchors *lsh.Index
	sketch  *boilerplate.Sketch
	ft      *fulltext.Index
	pending []element.Asset
	nPend   int
	done    int
	total   int
	live    int
	assets  int
	damage  []string
	files   []string
	// footage are the rebuilt video assets' footage, for the snapshot.
	footage []footageEntry
}

func (b *rebuild) add(ctx context.Context, a element.Asset) error {
	b.pending = append(b.pending, a)
	b.nPend += len(a.Elements)
	if b.nPend >= reindexChunk {
		return b.flush(ctx)
	}
	return nil
}

// flush fingerprints the pending assets and writes them as one segment.
func (b *rebuild) flush(ctx context.Context) error {
	if len(b.pending) == 0 {
		return nil
	}
	l := b.l
	prep, err := l.prepare(ctx, b.pending, b.opts.Workers, nil)
	if err != nil {
		return err
	}
	seq := b.m.NextSeq
	b.m.NextSeq++
	s := &segment{firstRef: b.m.NextRef}
	ref := b.m.NextRef
	var keys []uint64
	for i := range prep {
		prep[i].Record.FirstRef = ref
		for j := range prep[i].Elements {
			prep[i].Elements[j].Ref = ref
			keys = b.params.BandKeys(keys[:0], prep[i].Elements[j].Signature)
			b.lsh.Add(ref, keys)
			b.anchors.AddKeys(ref, 0, prep[i].Anchors[j])
			ref++
		}
		b.sketch.Add(prep[i].Record.Sentences)
	}
	for i := range prep {
		if fp := prep[i].Record.Footage; len(fp) > 0 {
			b.footage = append(b.footage, footageEntry{id: prep[i].Record.Asset.ID, seq: seq, fp: fp})
		}
	}
	s.n = ref - s.firstRef
	s.meta = manifest.Segment{Seq: seq, FirstRef: s.firstRef, Elements: int(s.n), Assets: len(prep), Footage: countFootage(prep)}
	if err := l.writeSegment(s, prep, nil); err != nil {
		return err
	}
	s.r.Close()
	b.files = append(b.files, s.meta.File, publishedFile(s.meta.File))
	b.m.Segments = append(b.m.Segments, s.meta)
	b.m.NextRef = ref
	b.live += int(s.n)
	b.assets += len(prep)
	if b.ft != nil {
		var docs []fulltext.Doc
		for i := range prep {
			docs = append(docs, docsOf(&prep[i].Record)...)
		}
		if err := b.ft.ApplyContext(ctx, docs, nil); err != nil {
			return err
		}
	}
	b.done += int(s.n)
	if b.opts.Progress != nil {
		b.opts.Progress(b.done, max(b.total, b.done))
	}
	b.pending, b.nPend = b.pending[:0], 0
	return nil
}

// docsOf is docs for a freshly rebuilt record (every element live).
func docsOf(rec *kit.AssetRecord) []fulltext.Doc {
	tmp := &Library{types: make([]byte, rec.FirstRef+uint32(len(rec.Asset.Elements)))}
	for i := range rec.Asset.Elements {
		tmp.types[rec.FirstRef+uint32(i)] = 1
	}
	return tmp.docs(rec)
}

// fromStore feeds every live stored asset (only its live elements).
func (b *rebuild) fromStore(ctx context.Context) error {
	l := b.l
	l.mu.RLock()
	segs := append([]*segment(nil), l.segs...)
	l.mu.RUnlock()
	carried := map[string]bool{}
	defer func() {
		// Name every live asset no readable record was found for (a
		// damaged block, or a record whose id does not read back as the
		// id it is filed under), so nothing is dropped silently.
		l.mu.RLock()
		named := strings.Join(l.damage, "\n")
		var lost []string
		for id, loc := range l.assets {
			if !carried[id] && loc.seg != nil && !loc.seg.damaged && !strings.Contains(named, "lost asset "+id+" (") {
				lost = append(lost, id)
			}
		}
		l.mu.RUnlock()
		sort.Strings(lost)
		for _, id := range lost {
			b.damage = append(b.damage, fmt.Sprintf("lost asset %q: no readable stored record with that id, not carried over", id))
		}
	}()
	for _, s := range segs {
		if s.damaged {
			continue
		}
		var recs []kit.AssetRecord
		l.mu.RLock()
		err := l.eachAsset(s, func(rec *kit.AssetRecord) error {
			r := *rec
			r.Asset.Footage = rec.Footage
			r.Asset.Elements = nil
			for i, e := range rec.Asset.Elements {
				if l.types[rec.FirstRef+uint32(i)] != 0 {
					r.Asset.Elements = append(r.Asset.Elements, e)
				}
			}
			carried[rec.Asset.ID] = true
			if len(r.Asset.Elements) > 0 {
				r.Asset.Reoffset()
				recs = append(recs, r)
			}
			return nil
		})
		l.mu.RUnlock()
		if err != nil {
			return err
		}
		for i := range recs {
			if err := b.add(ctx, recs[i].Asset); err != nil {
				return err
			}
		}
	}
	return nil
}

// fromDir feeds the assets parsed from the files under dir; files that do
// not parse are listed as damage.
func (b *rebuild) fromDir(ctx context.Context, dir string) error {
	return kit.ReadDir(ctx, dir, b.l.engine.Segmenter(), func(a element.Asset) error { return b.add(ctx, a) },
		func(problem string) { b.damage = append(b.damage, problem) })
}

func (b *rebuild) abort() {
	for _, f := range b.files {
		_ = b.l.removeFile(f)
	}
}

// swap persists the new generation's snapshots and manifest, then reloads
// the library from it and removes the old generation's files.
func (b *rebuild) swap() error {
	l := b.l
	l.mu.Lock()
	defer l.mu.Unlock()
	b.m.Assets, b.m.Elements = b.assets, b.live
	// Write the snapshots through a throwaway view of the new state.
	tmp := &Library{dir: l.dir, fs: l.fs, lsh: b.lsh, anchors: b.anchors, sketch: b.sketch, live: b.live}
	if err := tmp.snapshotLSH(b.m, true); err != nil {
		b.abort()
		return msg.Errorf("reindex: %w", err)
	}
	if err := tmp.snapshotSketch(b.m); err != nil {
		b.abort()
		return msg.Errorf("reindex: %w", err)
	}
	if len(b.footage) > 0 {
		// An Open then reads the footage from one file, not from every
		// record.
		snap, err := tmp.writeSnapshot(fmt.Sprintf("footage-%08d.bin", b.m.Generation), b.m.LastSeq(), func(w io.Writer) error {
			return encodeFootageSnapshot(w, b.footage)
		})
		if err != nil {
			b.abort()
			return msg.Errorf("reindex: persist footage fingerprints: %w", err)
		}
		b.m.Footage = snap
	}
	if err := manifest.WriteFS(l.fs, l.dir, b.m); err != nil {
		b.abort()
		return msg.Errorf("reindex: %w", err)
	}
	damage := append(append([]string(nil), l.damage...), b.damage...)
	if l.ft != nil {
		l.ft.Close()
		l.ft = nil
	}
	l.closeSegments()
	l.cache.reset()
	salvage := l.opts.Salvage
	l.opts.Salvage = false
	err := l.load()
	l.opts.Salvage = salvage
	l.damage = append(damage, l.damage...)
	if err != nil {
		return msg.Errorf("reindex: reload: %w", err)
	}
	l.cleanup()
	return nil
}

var _ io.Writer = (*countWriter)(nil)
