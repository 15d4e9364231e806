package index

import (
	"context"
	"errors"
	"os"
	"path/filepath"

	"elib/fulltext"
	"elib/index/manifest"
	"elib/library/kit"
)

// removeFile removes rel (relative to the library directory) if it exists.
func (l *Library) removeFile(rel string) error {
	if err := l.fs.Remove(filepath.Join(l.dir, rel)); err != nil && !errors.Is(err, os.ErrNotExist) {
		return err
	}
	return nil
}

// docs turns the live elements of an asset record into search documents.
func (l *Library) docs(rec *kit.AssetRecord) []fulltext.Doc {
	return kit.SearchDocs(&rec.Asset, func(i int) bool {
		ref := rec.FirstRef + uint32(i)
		return int(ref) < len(l.types) && l.types[ref] != 0
	})
}

// rawElementID returns the id of element ref whether or not it is still
// live (tombstoned elements need their ids deleted from the search index).
func (l *Library) rawElementID(ref uint32) (string, bool) {
	l.mu.RLock()
	s := l.segmentFor(ref)
	l.mu.RUnlock()
	if s == nil || s.damaged {
		return "", false
	}
	bi := s.r.BlockFor(ref)
	if bi < 0 {
		return "", false
	}
	els, err := s.r.ElementBlock(bi)
	if err != nil {
		return "", false
	}
	i := int(ref - s.r.ElementBlocks()[bi].FirstRef)
	if i >= len(els) {
		return "", false
	}
	return els[i].ID(), true
}

// fulltextIndex returns the writer's full-text index handle.
func (l *Library) fulltextIndex() (*fulltext.Index, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.ft != nil {
		return l.ft, nil
	}
	dir := l.man.Fulltext.Dir
	if dir == "" {
		dir = fulltextDir
	}
	ft, err := l.openFulltext(dir, fulltext.Options{})
	if err != nil {
		return nil, err
	}
	l.ft, l.ftErr = ft, nil
	return ft, nil
}

// applyFulltext applies segments (in order) to the search index and then
// records in the manifest that they are applied. The caller holds l.wmu.
func (l *Library) applyFulltext(ctx context.Context, segs []*segment) error {
	ft, err := l.fulltextIndex()
	if err != nil {
		return err
	}
	var last uint64
	for _, s := range segs {
		if err := ctx.Err(); err != nil {
			return err
		}
		if err := l.applySegmentFulltext(ctx, ft, s); err != nil {
			return err
		}
		last = s.meta.Seq
	}
	l.mu.RLock()
	m := l.man.Clone()
	l.mu.RUnlock()
	if last <= m.Fulltext.Seq {
		return nil
	}
	m.Fulltext.Seq = last
	if m.Fulltext.Dir == "" {
		m.Fulltext.Dir = fulltextDir
	}
	m.Generation++
	if err := manifest.WriteFS(l.fs, l.dir, m); err != nil {
		return err
	}
	l.mu.Lock()
	l.man = m
	l.mu.Unlock()
	return nil
}

func (l *Library) applySegmentFulltext(ctx context.Context, ft *fulltext.Index, s *segment) error {
	var dels []string
	for _, t := range s.tombstones() {
		for r := t.FirstRef; r < t.FirstRef+t.Count; r++ {
			if id, ok := l.rawElementID(r); ok {
				dels = append(dels, id)
			}
		}
	}
	var docs []fulltext.Doc
	l.mu.RLock()
	err := l.eachAsset(s, func(rec *kit.AssetRecord) error {
		docs = append(docs, l.docs(rec)...)
		return nil
	})
	l.mu.RUnlock()
	if err != nil {
		return err
	}
	return ft.ApplyContext(ctx, docs, dels)
}

// openFulltext opens the full-text index in rel (relative to the library
// directory): on disk beside a durable FS's files, else in memory.
func (l *Library) openFulltext(rel string, opts fulltext.Options) (*fulltext.Index, error) {
	opts.Memory = l.memSearch
	return fulltext.Open(filepath.Join(l.dir, rel), opts)
}

// catchUpFulltext applies the segments the search index has not seen,
// until ctx is done. The caller holds l.wmu.
func (l *Library) catchUpFulltext(ctx context.Context) error {
	var todo []*segment
	l.mu.RLock()
	segs := l.segs
	l.mu.RUnlock()
	for _, s := range segs {
		if s.meta.Seq > l.man.Fulltext.Seq && !s.damaged {
			todo = append(todo, s)
		}
	}
	if len(todo) == 0 {
		return nil
	}
	return l.applyFulltext(ctx, todo)
}
