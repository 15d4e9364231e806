package index

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"

	"elib/fingerprint/footage"
	"elib/index/manifest"
	"elib/library/kit"
)

// The footage fingerprints of video assets (package fingerprint/footage)
// are stored in each asset's record (kit.AssetRecord.Footage), the
// source of truth, and indexed in memory by a footage.Index that an Open
// builds from footage-G.bin — a snapshot of every live video's stored
// fingerprint, written atomically like the LSH and sketch snapshots and
// named by the manifest — plus the records of the later segments that
// hold footage (manifest.Segment.Footage). A crash at any moment leaves
// the previous or the new manifest, and each names a complete snapshot or
// none.

// footageSnapshotEvery: a writer persists the footage snapshot again once
// this many video assets were stored since the last one; an Open reads
// the rest from the segments' records. A small import into a large video
// library does not rewrite the whole file (~2 KB a minute of video).
var footageSnapshotEvery = 256

// footageMagic starts a footage snapshot.
const footageMagic = "elibftg1"

// footageEntry is one video of a footage snapshot.
type footageEntry struct {
	id  string
	seq uint64 // segment holding the asset's record
	fp  []byte // footage.Fingerprint.Encode
}

// errFootageSnapshot reports a footage snapshot that does not parse.
var errFootageSnapshot = errors.New("corrupt footage snapshot")

// encodeFootageSnapshot writes entries: the magic, their count, then per
// entry its id, segment and fingerprint, each length-prefixed.
func encodeFootageSnapshot(w io.Writer, entries []footageEntry) error {
	b := append([]byte(nil), footageMagic...)
	b = binary.AppendUvarint(b, uint64(len(entries)))
	for _, e := range entries {
		b = binary.AppendUvarint(b, uint64(len(e.id)))
		b = append(b, e.id...)
		b = binary.AppendUvarint(b, e.seq)
		b = binary.AppendUvarint(b, uint64(len(e.fp)))
		b = append(b, e.fp...)
		if len(b) > 1<<20 {
			if _, err := w.Write(b); err != nil {
				return err
			}
			b = b[:0]
		}
	}
	_, err := w.Write(b)
	return err
}

// decodeFootageSnapshot reads encodeFootageSnapshot's bytes; the
// fingerprints are checked when decoded.
func decodeFootageSnapshot(b []byte) ([]footageEntry, error) {
	if len(b) < len(footageMagic) || string(b[:len(footageMagic)]) != footageMagic {
		return nil, fmt.Errorf("%w: bad magic", errFootageSnapshot)
	}
	b = b[len(footageMagic):]
	next := func() (uint64, error) {
		v, n := binary.Uvarint(b)
		if n <= 0 {
			return 0, fmt.Errorf("%w: truncated", errFootageSnapshot)
		}
		b = b[n:]
		return v, nil
	}
	bytesOf := func() ([]byte, error) {
		n, err := next()
		if err != nil {
			return nil, err
		}
		if n > uint64(len(b)) {
			return nil, fmt.Errorf("%w: truncated", errFootageSnapshot)
		}
		v := b[:n:n]
		b = b[n:]
		return v, nil
	}
	count, err := next()
	if err != nil {
		return nil, err
	}
	if count > uint64(len(b)) {
		return nil, fmt.Errorf("%w: bad count", errFootageSnapshot)
	}
	out := make([]footageEntry, 0, count)
	for range count {
		id, err := bytesOf()
		if err != nil {
			return nil, err
		}
		seq, err := next()
		if err != nil {
			return nil, err
		}
		fp, err := bytesOf()
		if err != nil {
			return nil, err
		}
		out = append(out, footageEntry{id: string(id), seq: seq, fp: fp})
	}
	if len(b) != 0 {
		return nil, fmt.Errorf("%w: trailing bytes", errFootageSnapshot)
	}
	return out, nil
}

// countFootage is how many kit.Prepared assets carry footage.
func countFootage(prep []kit.Prepared) int {
	n := 0
	for i := range prep {
		if len(prep[i].Record.Footage) > 0 {
			n++
		}
	}
	return n
}

// loadFootage builds the footage index from the snapshot and the records
// of the segments after it; an unusable snapshot is damage, and then
// every segment's records are read.
func (l *Library) loadFootage() error {
	l.footage = footage.NewIndex()
	l.footage.Bulk()
	l.footageSeq = map[string]uint64{}
	var covered uint64
	if s := l.man.Footage; s != nil {
		b, err := l.readSnapshot(s)
		var entries []footageEntry
		if err == nil {
			entries, err = decodeFootageSnapshot(b)
		}
		if err != nil {
			if errors.Is(err, os.ErrNotExist) && l.opts.ReadOnly {
				return fmt.Errorf("open library %s: %w", l.dir, err) // retried: a reindex swapped generations
			}
			l.damage = append(l.damage, fmt.Sprintf("footage snapshot unusable, rebuilt from the store: %v", err))
		} else {
			covered = s.Seq
			for _, e := range entries {
				l.addFootage(e.id, e.seq, e.fp)
			}
		}
	}
	for _, s := range l.segs {
		if s.damaged || s.meta.Seq <= covered || s.meta.Footage == 0 {
			continue
		}
		err := l.eachAsset(s, func(rec *kit.AssetRecord) error {
			l.addFootage(rec.Asset.ID, s.meta.Seq, rec.Footage)
			return nil
		})
		if err != nil {
			return fmt.Errorf("open library %s: %w", l.dir, err)
		}
	}
	l.footage.Compact()
	return nil
}

// addFootage indexes the stored fingerprint b of asset id, whose record is
// in segment seq, if that record is the asset's live one.
func (l *Library) addFootage(id string, seq uint64, b []byte) {
	if len(b) == 0 {
		return
	}
	loc, ok := l.assets[id]
	if !ok || loc.seg == nil || loc.seg.meta.Seq != seq {
		return
	}
	if err := l.footage.AddEncoded(id, b); err != nil {
		l.damage = append(l.damage, fmt.Sprintf("footage of asset %s: %v", id, err))
		return
	}
	l.footageSeq[id] = seq
}

// dropDeadFootage removes the videos whose indexed record is no longer
// their asset's live one (removed or replaced). The caller holds l.mu.
func (l *Library) dropDeadFootage() {
	for id, seq := range l.footageSeq {
		if loc, ok := l.assets[id]; !ok || loc.seg == nil || loc.seg.meta.Seq != seq {
			l.footage.Remove(id)
			delete(l.footageSeq, id)
		}
	}
}

// applyFootage brings the footage index up to date with a committed
// segment s of the writer's own: the assets it ended leave, its records
// with footage enter. The caller holds l.mu.
func (l *Library) applyFootage(s *segment, prep []kit.Prepared, ended map[string]assetLoc) {
	for id := range ended {
		if _, ok := l.footageSeq[id]; ok {
			l.footage.Remove(id)
			delete(l.footageSeq, id)
		}
	}
	for i := range prep {
		l.addFootage(prep[i].Record.Asset.ID, s.meta.Seq, prep[i].Record.Footage)
	}
}

// applyFootageRecords is applyFootage for segments another process
// committed (Refresh's fast path): recs are their records.
func (l *Library) applyFootageRecords(seq uint64, recs []kit.AssetRecord) {
	l.dropDeadFootage()
	for i := range recs {
		l.addFootage(recs[i].Asset.ID, seq, recs[i].Footage)
	}
}

// snapshotFootage persists the footage index for the generation being
// committed (m) when it holds footageSnapshotEvery video assets the last
// snapshot does not cover, or always with force; the caller holds l.mu.
func (l *Library) snapshotFootage(m *manifest.Manifest, force bool) error {
	var covered uint64
	if m.Footage != nil {
		covered = m.Footage.Seq
	}
	uncovered := 0
	for _, s := range m.Segments {
		if s.Seq > covered {
			uncovered += s.Footage
		}
	}
	if !force && (uncovered == 0 || uncovered < footageSnapshotEvery) {
		return nil
	}
	var entries []footageEntry
	l.footage.Each(func(id string, f *footage.Fingerprint) {
		entries = append(entries, footageEntry{id: id, seq: l.footageSeq[id], fp: f.Encode()})
	})
	snap, err := l.writeSnapshot(fmt.Sprintf("footage-%08d.bin", m.Generation), m.LastSeq(), func(w io.Writer) error {
		return encodeFootageSnapshot(w, entries)
	})
	if err != nil {
		return fmt.Errorf("persist footage fingerprints: %w", err)
	}
	m.Footage = snap
	return nil
}

// FootageLookup finds the live library videos whose footage the probed
// fingerprint q shows (see footage.Index.Lookup). The index is in
// memory: the error is always nil.
func (l *Library) FootageLookup(q *footage.Fingerprint, opts footage.LookupOptions) (footage.Result, error) {
	l.mu.RLock()
	x := l.footage
	l.mu.RUnlock()
	if x == nil {
		return footage.Result{Frames: len(q.Frames)}, nil
	}
	return x.Lookup(q, opts), nil
}

// FootageVideos is the number of live video assets with footage
// fingerprints (from memory: the error is always nil).
func (l *Library) FootageVideos() (int, error) {
	l.mu.RLock()
	defer l.mu.RUnlock()
	if l.footage == nil {
		return 0, nil
	}
	return l.footage.Len(), nil
}
