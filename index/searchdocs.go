package index

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"elib/element"
	"elib/index/fulltext"
	"elib/index/manifest"
	"elib/index/store"
)

// removeFile removes rel (relative to the library directory) if it exists.
func (l *Library) removeFile(rel string) error {
	if err := l.fs.Remove(filepath.Join(l.dir, rel)); err != nil && !errors.Is(err, os.ErrNotExist) {
		return err
	}
	return nil
}

// metaKeys are the metadata keys (English and Chinese column names) that
// fill the search index's campaign and platform facets.
var metaKeys = map[string][]string{
	"campaign": {"campaign", "活动", "营销活动", "投放活动"},
	"platform": {"platform", "平台", "投放平台"},
}

func metaString(meta map[string]any, field string) string {
	for _, k := range metaKeys[field] {
		if v, ok := meta[k]; ok && v != nil {
			return valueString(v)
		}
	}
	return ""
}

func valueString(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case []any:
		parts := make([]string, 0, len(x))
		for _, p := range x {
			parts = append(parts, valueString(p))
		}
		return strings.Join(parts, ",")
	case []string:
		return strings.Join(x, ",")
	default:
		return fmt.Sprint(v)
	}
}

// docs turns the live elements of an asset record into search documents.
func (l *Library) docs(rec *store.AssetRecord) []fulltext.Doc {
	return SearchDocs(&rec.Asset, func(i int) bool {
		ref := rec.FirstRef + uint32(i)
		return int(ref) < len(l.types) && l.types[ref] != 0
	})
}

// SearchDocs turns the elements i of asset a for which live(i) holds into
// the documents every library backend searches (text, title, type,
// attributes, metadata, BPM, plays, published time).
func SearchDocs(a *element.Asset, live func(i int) bool) []fulltext.Doc {
	out := make([]fulltext.Doc, 0, len(a.Elements))
	for i, e := range a.Elements {
		if !live(i) {
			continue
		}
		d := fulltext.Doc{ID: store.ElementID(a.ID, i+1), AssetID: a.ID, Type: string(e.Type), Text: e.Text, Title: a.Title,
			Campaign: metaString(a.Meta, "campaign"), Platform: metaString(a.Meta, "platform")}
		if len(e.Attributes) > 0 {
			d.Attributes = make(map[string]string, len(e.Attributes))
			for k, v := range e.Attributes {
				d.Attributes[k] = valueString(v)
			}
		}
		assetFacts(&d, a, &e)
		out = append(out, d)
	}
	return out
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
		if err := l.applySegmentFulltext(ft, s); err != nil {
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

func (l *Library) applySegmentFulltext(ft *fulltext.Index, s *segment) error {
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
	err := l.eachAsset(s, func(rec *store.AssetRecord) error {
		docs = append(docs, l.docs(rec)...)
		return nil
	})
	l.mu.RUnlock()
	if err != nil {
		return err
	}
	return ft.Apply(docs, dels)
}

// openFulltext opens the full-text index in rel (relative to the library
// directory): on disk beside a durable FS's files, else in memory.
func (l *Library) openFulltext(rel string, opts fulltext.Options) (*fulltext.Index, error) {
	opts.Memory = l.memSearch
	return fulltext.Open(filepath.Join(l.dir, rel), opts)
}

// catchUpFulltext applies the segments the search index has not seen. The
// caller holds l.wmu.
func (l *Library) catchUpFulltext() error {
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
	return l.applyFulltext(context.Background(), todo)
}

// assetFacts fills the search document's metadata, BPM, play count and
// published time, the fields search filters and sorts on.
func assetFacts(d *fulltext.Doc, a *element.Asset, e *element.Element) {
	if len(a.Meta) > 0 {
		d.Meta = make(map[string]string, len(a.Meta))
		for k, v := range a.Meta {
			if v != nil {
				d.Meta[k] = valueString(v)
			}
		}
	}
	if v, ok := e.Attributes[element.AttrBGMBPM]; ok && v != nil {
		if n, err := strconv.ParseFloat(strings.TrimSpace(valueString(v)), 64); err == nil {
			d.BPM = &n
		}
	}
	if n, ok := a.Plays(); ok {
		d.Plays = &n
	}
	if t, ok := a.Published(); ok {
		d.Published = t
	}
}
