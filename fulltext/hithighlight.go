package fulltext

import (
	"sync"

	"github.com/blevesearch/bleve/v2/analysis"
	"github.com/blevesearch/bleve/v2/document"
	"github.com/blevesearch/bleve/v2/registry"
	"github.com/blevesearch/bleve/v2/search"
	"github.com/blevesearch/bleve/v2/search/highlight"
)

// Highlight fills h's Fragments and Locations as Search does, for a hit
// found by another backend (library/postgres): textTerms and titleTerms
// are the query terms matched in h.Text and h.Title (none for a field that
// did not satisfy the query: bleve reports no locations there). an is the
// elib_zh analyzer; the locations are its tokens, the fragments come from
// this package's highlighter, so both match the bleve index's exactly.
func Highlight(h *Hit, an analysis.Analyzer, textTerms, titleTerms map[string]bool) error {
	hl, err := sharedHighlighter()
	if err != nil {
		return err
	}
	doc := document.NewDocument(h.ID)
	doc.AddField(document.NewTextField(FieldText, nil, []byte(h.Text)))
	if h.Title != "" {
		doc.AddField(document.NewTextField(FieldTitle, nil, []byte(h.Title)))
	}
	dm := &search.DocumentMatch{ID: h.ID, Locations: search.FieldTermLocationMap{}}
	for field, in := range map[string]struct {
		text  string
		terms map[string]bool
	}{FieldText: {h.Text, textTerms}, FieldTitle: {h.Title, titleTerms}} {
		if len(in.terms) == 0 || in.text == "" {
			continue
		}
		tlm := search.TermLocationMap{}
		for _, t := range an.Analyze([]byte(in.text)) {
			if in.terms[string(t.Term)] {
				tlm[string(t.Term)] = append(tlm[string(t.Term)], &search.Location{
					Pos: uint64(t.Position), Start: uint64(t.Start), End: uint64(t.End)})
			}
		}
		if len(tlm) > 0 {
			dm.Locations[field] = tlm
		}
	}
	frags := map[string][]string{}
	for _, field := range []string{FieldText, FieldTitle} {
		frags[field] = hl.BestFragmentsInField(dm, doc, field, 1)
	}
	h.Fragments = frags[FieldText]
	if len(h.Fragments) == 0 {
		h.Fragments = frags[FieldTitle]
	}
	h.Locations = codePointRanges(h.Text, dm.Locations[FieldText])
	return nil
}

// sharedHighlighter returns the HighlighterName highlighter, built once
// (it holds no state between calls).
var sharedHighlighter = sync.OnceValues(func() (highlight.Highlighter, error) {
	return registry.NewCache().HighlighterNamed(HighlighterName)
})
