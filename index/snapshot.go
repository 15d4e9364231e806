package index

import (
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"

	"github.com/cespare/xxhash/v2"

	"elib/element"
	"elib/fingerprint/boilerplate"
	"elib/fingerprint/lsh"
	"elib/fingerprint/normalize"
	"elib/fingerprint/winnow"
	"elib/index/manifest"
	"elib/library/kit"
	"elib/vfs"
)

// lshSnapshotEvery: a writer persists the LSH index again once this many
// elements were added since the last snapshot; Open adds the rest from the
// segments' signatures. This bounds the extra work of an Open (decoding at
// most this many element records, ~0.3 s) while a small import into a
// large library does not rewrite the whole LSH file (~256 bytes/element).
const lshSnapshotEvery = 50_000

// openSnapshots opens the current generation's snapshot files right after
// the manifest is read: a writer may delete them as soon as it commits the
// next generation, and an open file stays readable after that.
func (l *Library) openSnapshots() {
	l.snapFiles = map[string]vfs.File{}
	for _, s := range []*manifest.Snapshot{l.man.LSH, l.man.Anchors, l.man.Sketch, l.man.Footage} {
		if s == nil {
			continue
		}
		if f, err := l.fs.Open(filepath.Join(l.dir, s.File)); err == nil {
			l.snapFiles[s.File] = f
		}
	}
}

func (l *Library) closeSnapshots() {
	for _, f := range l.snapFiles {
		f.Close()
	}
	l.snapFiles = nil
}

// readSnapshot reads a derived file and checks it against the manifest.
// The buffer is allocated once at the file's size: growing it as the
// file arrives would touch several times that size of fresh memory.
func (l *Library) readSnapshot(s *manifest.Snapshot) ([]byte, error) {
	path := filepath.Join(l.dir, s.File)
	f, ok := l.snapFiles[s.File]
	if !ok {
		return nil, fmt.Errorf("open %s: %w", path, os.ErrNotExist)
	}
	st, err := f.Stat()
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	if st.Size() != s.Size {
		return nil, fmt.Errorf("%s: checksum mismatch", path)
	}
	b := make([]byte, s.Size)
	if _, err := io.ReadFull(io.NewSectionReader(f, 0, s.Size), b); err != nil {
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	want, err := manifest.ParseHash(s.XXHash)
	if err != nil || xxhash.Sum64(b) != want {
		return nil, fmt.Errorf("%s: checksum mismatch", path)
	}
	return b, nil
}

// writeSnapshot writes a derived file atomically and returns its record.
func (l *Library) writeSnapshot(name string, seq uint64, write func(w io.Writer) error) (*manifest.Snapshot, error) {
	h := xxhash.New()
	var size int64
	err := vfs.Write(l.fs, filepath.Join(l.dir, name), func(w io.Writer) error {
		cw := &countWriter{w: io.MultiWriter(w, h)}
		err := write(cw)
		size = cw.n
		return err
	})
	if err != nil {
		return nil, err
	}
	return &manifest.Snapshot{File: name, Size: size, XXHash: manifest.HashString(h.Sum64()), Seq: seq}, nil
}

type countWriter struct {
	w io.Writer
	n int64
}

func (c *countWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += int64(n)
	return n, err
}

// loadLSH loads the persisted LSH index and adds the segments it does not
// cover; without a usable snapshot it rebuilds the index from every segment.
func (l *Library) loadLSH() error {
	var covered, anchorsCovered uint64
	l.lsh, l.anchors = nil, nil
	// The two snapshots (~260 and ~110 MB at 1M elements) are read and
	// checksummed in parallel.
	type loaded struct {
		idx *lsh.Index
		err error
	}
	anchorsc := make(chan loaded, 1)
	if s := l.man.Anchors; s != nil {
		go func() {
			idx, err := l.readIndexSnapshot(s)
			anchorsc <- loaded{idx, err}
		}()
	} else {
		anchorsc <- loaded{}
	}
	var lshIdx *lsh.Index
	var lshErr error
	if s := l.man.LSH; s != nil {
		lshIdx, lshErr = l.readIndexSnapshot(s)
	}
	a := <-anchorsc // before any return: the reader uses the snapshot files
	if s := l.man.LSH; s != nil {
		if lshErr != nil {
			if errors.Is(lshErr, os.ErrNotExist) && l.opts.ReadOnly {
				return fmt.Errorf("open library %s: %w", l.dir, lshErr) // retried: a reindex swapped generations
			}
			l.damage = append(l.damage, fmt.Sprintf("LSH snapshot unusable, rebuilt from the store: %v", lshErr))
		} else {
			l.lsh, covered = lshIdx, s.Seq
		}
	}
	if a.idx != nil || a.err != nil {
		s, idx, err := l.man.Anchors, a.idx, a.err
		if err != nil {
			if errors.Is(err, os.ErrNotExist) && l.opts.ReadOnly {
				return fmt.Errorf("open library %s: %w", l.dir, err)
			}
			l.damage = append(l.damage, fmt.Sprintf("anchor snapshot unusable, rebuilt from the store: %v", err))
		} else {
			l.anchors, anchorsCovered = idx, s.Seq
		}
	}
	if l.lsh == nil {
		l.lsh = lsh.NewIndex(l.params)
		covered = 0
	}
	if l.anchors == nil {
		l.anchors = newAnchorIndex()
		anchorsCovered = 0
		if l.man.Anchors == nil && l.opts.ReadOnly && len(l.segs) > 0 {
			slog.Warn("this library has no saved anchor index yet; it is built at every open until a writer saves it (elib import or elib reindex)", "library", l.dir)
		}
	}
	// The segments' entries are added at once, one sorted run per band
	// (lsh.Batch): a band of a loaded snapshot keeps its large run and
	// gains a small one, merged in the background (mergeCaughtUp).
	var keys []uint64
	batch, anchorBatch := lsh.NewBatch(l.params.Bands), lsh.NewBatch(1)
	flush := func() {
		l.lsh.AddBatch(batch)
		l.anchors.AddBatch(anchorBatch)
	}
	added := false
	norm := l.normalizer()
	for _, s := range l.segs {
		doLSH, doAnchors := s.meta.Seq > covered, s.meta.Seq > anchorsCovered
		if s.damaged || !doLSH && !doAnchors {
			continue
		}
		added = true
		// Tombstones of this segment hit elements an older snapshot or
		// segment holds: those of the batch are added first.
		tombs := s.tombstones()
		if len(tombs) > 0 {
			flush()
		}
		for _, t := range tombs {
			for r := t.FirstRef; r < t.FirstRef+t.Count; r++ {
				if doLSH {
					l.lsh.Remove(r)
				}
				if doAnchors {
					l.anchors.Remove(r)
				}
			}
		}
		err := l.eachElement(s, func(e *element.Stored) {
			if int(e.Ref) >= len(l.types) || l.types[e.Ref] == 0 {
				return
			}
			if doLSH {
				keys = l.params.BandKeys(keys[:0], e.Signature)
				batch.Add(e.Ref, keys)
			}
			if doAnchors {
				anchorBatch.AddKeys(e.Ref, 0, winnow.Hashes(norm.Normalize(e.Text).Runes))
			}
		})
		if err != nil {
			return fmt.Errorf("open library %s: %w", l.dir, err)
		}
	}
	flush()
	if added {
		l.caughtUp = mergeCaughtUp(l.lsh, l.anchors)
	}
	return nil
}

// mergeCaughtUp merges each band's runs of the indexes into one in the
// background and returns a channel closed when it is done. An Open leaves
// the segments its snapshots do not cover as a second run per band,
// which doubles a lookup's cache misses (RESULTS, "## LSH"); merging
// them before the Open returns would cost every one-shot command that
// (~0.5 s of CPU at 1M elements) for a single check.
func mergeCaughtUp(indexes ...*lsh.Index) <-chan struct{} {
	done := make(chan struct{})
	go func() {
		defer close(done)
		for _, x := range indexes {
			x.Merge()
		}
	}()
	return done
}

// readIndexSnapshot reads an lsh.Index persisted as snapshot s, streaming
// the file through the decoder and its checksum at once: the index's own
// arrays are the only copy made of it (hundreds of MB at 1M elements).
// A file that fails the manifest's checksum is reported as such, as
// readSnapshot does, even when decoding it failed first.
func (l *Library) readIndexSnapshot(s *manifest.Snapshot) (*lsh.Index, error) {
	path := filepath.Join(l.dir, s.File)
	f, ok := l.snapFiles[s.File]
	if !ok {
		return nil, fmt.Errorf("open %s: %w", path, os.ErrNotExist)
	}
	h := xxhash.New()
	seen := &countWriter{w: h}
	// One byte past the manifest's size: a longer file is found.
	r := io.TeeReader(io.NewSectionReader(f, 0, s.Size+1), seen)
	idx, decodeErr := lsh.ReadIndexSize(r, s.Size)
	if _, err := io.Copy(io.Discard, r); err != nil {
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	want, err := manifest.ParseHash(s.XXHash)
	if err != nil || seen.n != s.Size || h.Sum64() != want {
		return nil, fmt.Errorf("%s: checksum mismatch", path)
	}
	if decodeErr != nil {
		return nil, decodeErr
	}
	return idx, nil
}

// newAnchorIndex returns an empty anchor index: one band of winnow hashes.
func newAnchorIndex() *lsh.Index { return lsh.NewIndex(lsh.Params{Bands: 1, Rows: 1}) }

// normalizer returns the engine's normaliser, or a library-owned one when
// the library was opened without an engine (anchors need no tokenizer).
func (l *Library) normalizer() *normalize.Normalizer {
	if l.engine != nil {
		return l.engine.Normalizer()
	}
	l.normOnce.Do(func() { l.norm = normalize.Shared() })
	return l.norm
}

// eachElement decodes every element block of s in order. With Salvage, a
// damaged block is recorded and skipped.
func (l *Library) eachElement(s *segment, fn func(e *element.Stored)) error {
	for i := range s.r.ElementBlocks() {
		els, err := s.r.ElementBlock(i)
		if err != nil {
			if l.opts.Salvage {
				l.damage = append(l.damage, err.Error())
				continue
			}
			return err
		}
		for j := range els {
			fn(toStored(&els[j]))
		}
	}
	return nil
}

// eachAsset decodes every asset block of s and calls fn for each record
// that is still live. With Salvage, damaged blocks are recorded and the ids
// of the assets they held are listed as lost.
func (l *Library) eachAsset(s *segment, fn func(rec *kit.AssetRecord) error) error {
	for i := 0; i < s.r.NumAssetBlocks(); i++ {
		recs, err := s.r.AssetBlock(i)
		if err != nil {
			if !l.opts.Salvage {
				return err
			}
			lost := 0
			for _, a := range s.r.Assets() {
				if a.Block == uint32(i) {
					if loc, ok := l.assets[a.ID]; ok && loc.seg == s && loc.firstRef == a.FirstRef {
						l.damage = append(l.damage, fmt.Sprintf("lost asset %s (%s)", a.ID, s.r.Path()))
						lost++
					}
				}
			}
			l.damage = append(l.damage, fmt.Sprintf("%v (%d live assets lost)", err, lost))
			continue
		}
		for j := range recs {
			if l.isLiveAsset(&recs[j]) {
				if err := fn(&recs[j]); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

func (l *Library) isLiveAsset(rec *kit.AssetRecord) bool {
	loc, ok := l.assets[rec.Asset.ID]
	return ok && loc.firstRef == rec.FirstRef
}

// loadSketch loads the boilerplate sketch, or rebuilds it from the stored
// assets when the snapshot is missing or behind.
func (l *Library) loadSketch() error {
	l.sketch = boilerplate.NewSketch()
	if s := l.man.Sketch; s != nil && s.Seq == l.man.LastSeq() {
		b, err := l.readSnapshot(s)
		if err == nil {
			err = l.sketch.UnmarshalBinary(b)
		}
		if err == nil {
			return nil
		}
		if errors.Is(err, os.ErrNotExist) && l.opts.ReadOnly {
			return fmt.Errorf("open library %s: %w", l.dir, err)
		}
		l.damage = append(l.damage, fmt.Sprintf("boilerplate sketch unusable, rebuilt from the store: %v", err))
		l.sketch = boilerplate.NewSketch()
	}
	for _, s := range l.segs {
		if s.damaged {
			continue
		}
		err := l.eachAsset(s, func(rec *kit.AssetRecord) error {
			l.sketch.Add(rec.Sentences)
			return nil
		})
		if err != nil {
			return fmt.Errorf("open library %s: %w", l.dir, err)
		}
	}
	return nil
}

// snapshotLSH decides whether to persist the LSH index for the generation
// being committed (m) and does so; the caller holds l.mu.
func (l *Library) snapshotLSH(m *manifest.Manifest, force bool) error {
	uncovered := 0
	var coveredSeq uint64
	if m.LSH != nil {
		coveredSeq = m.LSH.Seq
	}
	if m.Anchors == nil || m.Anchors.Seq < coveredSeq {
		coveredSeq = 0 // the anchors are behind: write both
		if m.Anchors != nil {
			coveredSeq = m.Anchors.Seq
		}
	}
	for _, s := range m.Segments {
		if s.Seq > coveredSeq {
			uncovered += s.Elements
		}
	}
	if !force && m.LSH != nil && m.Anchors != nil && uncovered < lshSnapshotEvery {
		return nil
	}
	snap, err := l.writeSnapshot(fmt.Sprintf("lsh-%08d.bin", m.Generation), m.LastSeq(), func(w io.Writer) error {
		_, err := l.lsh.WriteTo(w)
		return err
	})
	if err != nil {
		return fmt.Errorf("persist LSH index: %w", err)
	}
	m.LSH = snap
	snap, err = l.writeSnapshot(fmt.Sprintf("anchors-%08d.bin", m.Generation), m.LastSeq(), func(w io.Writer) error {
		_, err := l.anchors.WriteTo(w)
		return err
	})
	if err != nil {
		return fmt.Errorf("persist anchor index: %w", err)
	}
	m.Anchors = snap
	return nil
}

// snapshotSketch persists the boilerplate sketch for generation m; the
// caller holds l.mu.
func (l *Library) snapshotSketch(m *manifest.Manifest) error {
	b, err := l.sketch.MarshalBinary()
	if err != nil {
		return fmt.Errorf("persist boilerplate sketch: %w", err)
	}
	snap, err := l.writeSnapshot(fmt.Sprintf("sketch-%08d.bin", m.Generation), m.LastSeq(), func(w io.Writer) error {
		_, err := w.Write(b)
		return err
	})
	if err != nil {
		return fmt.Errorf("persist boilerplate sketch: %w", err)
	}
	m.Sketch = snap
	return nil
}
