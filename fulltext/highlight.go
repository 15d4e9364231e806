package fulltext

import (
	"fmt"
	"sort"

	"github.com/blevesearch/bleve/v2/registry"
	"github.com/blevesearch/bleve/v2/search"
	"github.com/blevesearch/bleve/v2/search/highlight"
	htmlFormatter "github.com/blevesearch/bleve/v2/search/highlight/format/html"
	simpleFragmenter "github.com/blevesearch/bleve/v2/search/highlight/fragmenter/simple"
	simpleHighlighter "github.com/blevesearch/bleve/v2/search/highlight/highlighter/simple"
	index "github.com/blevesearch/bleve_index_api"
)

// HighlighterName is the bleve highlighter Search uses: bleve's "html"
// highlighter (escaped text, <mark>…</mark>) fed with the field's term
// locations minus those nested inside another one. bleve v2.6.1 merges
// overlapping locations by taking the later one's end, so a word followed
// by its own jieba sub-word (防晒霜 0-9, 防晒 0-6) would shrink to the
// sub-word and highlight only 防晒.
const HighlighterName = "elib_html"

// nestedFreeHighlighter wraps a highlighter, dropping nested locations.
type nestedFreeHighlighter struct {
	highlight.Highlighter
}

func (h nestedFreeHighlighter) BestFragmentsInField(dm *search.DocumentMatch, doc index.Document, field string, num int) []string {
	tlm := dm.Locations[field]
	if len(tlm) < 2 {
		return h.Highlighter.BestFragmentsInField(dm, doc, field, num)
	}
	cp := *dm
	cp.Locations = make(search.FieldTermLocationMap, len(dm.Locations))
	for f, m := range dm.Locations {
		cp.Locations[f] = m
	}
	cp.Locations[field] = dropNested(tlm)
	frags := h.Highlighter.BestFragmentsInField(&cp, doc, field, num)
	dm.Fragments = cp.Fragments // the highlighter stores its result there
	return frags
}

// dropNested returns a copy of tlm without locations that lie inside
// another location (same array positions), and without duplicates.
func dropNested(tlm search.TermLocationMap) search.TermLocationMap {
	type loc struct {
		term string
		l    *search.Location
	}
	var all []loc
	for term, ls := range tlm {
		for _, l := range ls {
			all = append(all, loc{term, l})
		}
	}
	sort.Slice(all, func(i, j int) bool {
		a, b := all[i].l, all[j].l
		if c := compareArrayPositions(a.ArrayPositions, b.ArrayPositions); c != 0 {
			return c < 0
		}
		if a.Start != b.Start {
			return a.Start < b.Start
		}
		if a.End != b.End {
			return a.End > b.End
		}
		return all[i].term < all[j].term
	})
	out := make(search.TermLocationMap, len(tlm))
	var maxEnd uint64
	var lastAP search.ArrayPositions
	for i, x := range all {
		if i > 0 && x.l.ArrayPositions.Equals(lastAP) && x.l.End <= maxEnd {
			continue // nested in (or equal to) an earlier location
		}
		if i == 0 || !x.l.ArrayPositions.Equals(lastAP) {
			maxEnd = 0
		}
		lastAP = x.l.ArrayPositions
		maxEnd = max(maxEnd, x.l.End)
		out[x.term] = append(out[x.term], x.l)
	}
	return out
}

func compareArrayPositions(a, b search.ArrayPositions) int {
	for i := 0; i < len(a) && i < len(b); i++ {
		if a[i] != b[i] {
			if a[i] < b[i] {
				return -1
			}
			return 1
		}
	}
	return len(a) - len(b)
}

func init() {
	if err := registry.RegisterHighlighter(HighlighterName,
		func(config map[string]interface{}, cache *registry.Cache) (highlight.Highlighter, error) {
			fragmenter, err := cache.FragmenterNamed(simpleFragmenter.Name)
			if err != nil {
				return nil, fmt.Errorf("%s highlighter: %w", HighlighterName, err)
			}
			formatter, err := cache.FragmentFormatterNamed(htmlFormatter.Name)
			if err != nil {
				return nil, fmt.Errorf("%s highlighter: %w", HighlighterName, err)
			}
			return nestedFreeHighlighter{simpleHighlighter.NewHighlighter(fragmenter, formatter, simpleHighlighter.DefaultSeparator)}, nil
		}); err != nil {
		panic(err)
	}
}

// mergeSpans sorts spans and merges those that overlap (not those that only
// touch, so adjacent words stay separate).
func mergeSpans(spans [][2]int) [][2]int {
	sort.Slice(spans, func(i, j int) bool {
		if spans[i][0] != spans[j][0] {
			return spans[i][0] < spans[j][0]
		}
		return spans[i][1] < spans[j][1]
	})
	out := spans[:0]
	for _, s := range spans {
		if n := len(out); n > 0 && s[0] < out[n-1][1] {
			out[n-1][1] = max(out[n-1][1], s[1])
			continue
		}
		out = append(out, s)
	}
	return out
}
