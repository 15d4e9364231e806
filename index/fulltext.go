package index

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"

	"elib/element"
	"elib/index/fulltext"
	"elib/index/manifest"
	"elib/index/store"
)

func removeFile(path string) error {
	if err := os.Remove(path); err != nil && !errors.Is(err, os.ErrNotExist) {
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
	a := &rec.Asset
	out := make([]fulltext.Doc, 0, len(a.Elements))
	for i, e := range a.Elements {
		ref := rec.FirstRef + uint32(i)
		if int(ref) >= len(l.types) || l.types[ref] == 0 {
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
	if s.r == nil {
		return s.mem[ref-s.firstRef].ID, true
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
	ft, err := fulltext.Open(filepath.Join(l.dir, dir), fulltext.Options{})
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
	if err := manifest.Write(l.dir, m); err != nil {
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

// catchUpFulltext applies the segments the search index has not seen.
func (l *Library) catchUpFulltext() error {
	var todo []*segment
	for _, s := range l.segs {
		if s.meta.Seq > l.man.Fulltext.Seq && !s.damaged {
			todo = append(todo, s)
		}
	}
	if len(todo) == 0 {
		return nil
	}
	return l.applyFulltext(context.Background(), todo)
}

// memorySearch is Search for an in-memory library: every query word must
// occur in the element's text or title (case-insensitive).
func (l *Library) memorySearch(q fulltext.Query) *fulltext.Result {
	q = q.Normalized()
	words := strings.Fields(strings.ToLower(q.Text))
	typ := element.Type("")
	if q.Type != "" {
		typ, _ = element.ParseType(q.Type)
	}
	limit := q.Limit
	if limit <= 0 {
		limit = fulltext.DefaultLimit
	}
	l.mu.RLock()
	var hits []fulltext.Hit
	var docs []*fulltext.Doc
	for _, s := range l.segs {
		for ai := range s.memAssets {
			rec := &s.memAssets[ai]
			for _, d := range l.docs(rec) {
				if typ != "" && d.Type != string(typ) || !fulltext.Matches(&d, q) {
					continue
				}
				hay := strings.ToLower(d.Text + "\n" + d.Title)
				ok := true
				for _, w := range words {
					ok = ok && strings.Contains(hay, w)
				}
				if ok {
					h := fulltext.Hit{ID: d.ID, AssetID: d.AssetID, Type: d.Type, Title: d.Title, Text: d.Text, Score: 1, Plays: d.Plays}
					if !d.Published.IsZero() {
						h.Published = d.Published.UTC().Format(time.RFC3339)
					}
					hits = append(hits, h)
					docs = append(docs, &d)
				}
			}
		}
	}
	l.mu.RUnlock()
	byID := make([]int, len(hits))
	for i := range byID {
		byID[i] = i
	}
	sort.SliceStable(byID, func(i, j int) bool { return hits[byID[i]].ID < hits[byID[j]].ID })
	sh, sd := make([]fulltext.Hit, len(hits)), make([]*fulltext.Doc, len(hits))
	for i, j := range byID {
		sh[i], sd[i] = hits[j], docs[j]
	}
	hits, docs = sh, sd
	fulltext.SortDocs(hits, docs, q.Sort)
	res := &fulltext.Result{Total: uint64(len(hits))}
	if q.Facets {
		res.Facets = fulltext.CountFacets(docs)
	}
	if q.Offset < len(hits) {
		res.Hits = hits[max(0, q.Offset):min(len(hits), max(0, q.Offset)+limit)]
	}
	return res
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
