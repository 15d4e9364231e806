package index

import (
	"fmt"
	"log/slog"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"elib/index/store"
	"elib/internal/i18n/msg"
	"elib/library/kit"
	"elib/vfs"
)

// Published times (kit.PublishedIndex). Each segment file has beside it a
// published file (store.EncodePublished: one entry per asset of its
// directory), written with the segment at import and reindex. A library
// written before them, or a file lost or damaged, has it rebuilt from the
// segment's asset records at the first need — by any process, read-only
// ones too, since the content follows from the immutable segment — and
// written atomically (vfs.WriteFile), so a process killed meanwhile
// leaves either the whole file or none. The files are not part of the
// manifest; a writer's cleanup removes those of segments that are gone.

// now is the library's clock: Options.Now, else time.Now.
func (l *Library) now() time.Time {
	if l.opts.Now != nil {
		return l.opts.Now()
	}
	return time.Now()
}

// publishedTimes is a segment's published entries, read at the first need.
type publishedTimes struct {
	mu      sync.Mutex
	entries []int64 // nil until read
}

// publishedFile is the published file beside segment file rel.
func publishedFile(rel string) string {
	return strings.TrimSuffix(rel, filepath.Ext(rel)) + ".published"
}

// PublishedTimes returns each asset's published time (zero when it has
// none) and whether it is live, without decoding asset records except
// those whose time the published files cannot hold.
func (l *Library) PublishedTimes(ids []string) ([]time.Time, []bool, error) {
	locs := make([]assetLoc, len(ids))
	live := make([]bool, len(ids))
	segs := map[*segment]bool{}
	l.mu.RLock()
	for i, id := range ids {
		if locs[i], live[i] = l.assets[id]; live[i] {
			segs[locs[i].seg] = true
		}
	}
	l.mu.RUnlock()
	if err := l.readPublishedOf(segs); err != nil {
		return nil, nil, err
	}
	times := make([]time.Time, len(ids))
	for i, loc := range locs {
		if !live[i] {
			continue
		}
		entries, err := l.segmentPublished(loc.seg)
		if err != nil {
			return nil, nil, err
		}
		t, known := kit.PublishedTime(entries[loc.dir])
		if !known {
			rec, err := l.assetRecord(ids[i], loc)
			if err != nil {
				return nil, nil, fmt.Errorf("published times: %w", err)
			}
			t, _ = rec.Asset.Published()
		}
		times[i] = t
	}
	return times, live, nil
}

// readPublishedOf reads the published entries of segs, on the library's
// workers (a library written before published files has each rebuilt).
func (l *Library) readPublishedOf(segs map[*segment]bool) error {
	next := make(chan *segment)
	errs := make(chan error, len(segs))
	var wg sync.WaitGroup
	for range max(1, min(l.opts.Workers, len(segs))) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for s := range next {
				_, err := l.segmentPublished(s)
				errs <- err
			}
		}()
	}
	for s := range segs {
		next <- s
	}
	close(next)
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

// segmentPublished returns the published entries of segment s: its
// published file, else rebuilt from its asset records and written.
func (l *Library) segmentPublished(s *segment) ([]int64, error) {
	p := &s.published
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.entries != nil {
		return p.entries, nil
	}
	dir := s.r.Assets()
	path := filepath.Join(l.dir, publishedFile(s.meta.File))
	b, err := vfs.ReadFile(l.fs, path)
	if err == nil {
		entries, err := store.DecodePublished(b)
		if err == nil && len(entries) == len(dir) {
			p.entries = entries
			return entries, nil
		}
		slog.Debug("published times: rebuilding a damaged file", "file", path, "err", err)
	}
	entries, err := l.rebuildPublished(s)
	if err != nil {
		return nil, err
	}
	if err := vfs.WriteFile(l.fs, path, store.EncodePublished(entries)); err != nil {
		slog.Debug("published times not stored; they are read from the assets again next time", "file", path, "err", err)
	}
	p.entries = entries
	return entries, nil
}

// rebuildPublished reads the published entries of segment s from its
// asset records (records follow the directory's order, block by block).
// A Salvage library's unreadable blocks give PublishedUnknown entries.
func (l *Library) rebuildPublished(s *segment) ([]int64, error) {
	dir := s.r.Assets()
	entries := make([]int64, len(dir))
	var recs []kit.AssetRecord
	block, j := -1, 0
	for k, a := range dir {
		if int(a.Block) != block {
			block, j = int(a.Block), 0
			var err error
			if recs, err = s.r.AssetBlock(block); err != nil {
				if !l.opts.Salvage {
					return nil, fmt.Errorf("published times: %w", err)
				}
				recs = nil
			}
		}
		if recs == nil {
			entries[k] = kit.PublishedUnknown
			continue
		}
		if j >= len(recs) || recs[j].Asset.ID != a.ID || recs[j].FirstRef != a.FirstRef {
			return nil, msg.Errorf("published times: segment %s: %w: asset records do not follow the directory", s.meta.File, store.ErrCorrupt)
		}
		entries[k] = kit.PublishedEntry(recs[j].Asset.Published())
		j++
	}
	return entries, nil
}

// writePublished writes the published file of a new segment s holding
// prep's assets (in directory order) and keeps its entries. A failure only
// costs a rebuild at the first need.
func (l *Library) writePublished(s *segment, prep []kit.Prepared) {
	entries := make([]int64, len(prep))
	for i := range prep {
		entries[i] = kit.PublishedEntry(prep[i].Record.Asset.Published())
	}
	s.published.entries = entries
	path := filepath.Join(l.dir, publishedFile(s.meta.File))
	if err := vfs.WriteFile(l.fs, path, store.EncodePublished(entries)); err != nil {
		slog.Warn("published times not stored; they are rebuilt at the first need", "file", path, "err", err)
	}
}

var _ kit.PublishedIndex = (*Library)(nil)
