package fulltext

import (
	"context"
	"fmt"
	"math"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/mapping"
	"github.com/blevesearch/bleve/v2/search"
	"github.com/blevesearch/bleve/v2/search/query"

	"elib/element"
	"elib/fulltext/analysis/zh"
)

// Query is a search request.
type Query struct {
	// Text is the user's query; empty matches every element.
	Text string
	// Type restricts hits to one element type (English or Chinese name).
	Type string
	// Limit is the number of hits (default 10); Offset skips hits.
	Limit, Offset int
	// Facets asks for counts by type, campaign, platform, camera,
	// subtitle colour and BPM band.
	Facets bool
	// Where holds KEY=VALUE filters, all of which must hold (see Filter);
	// KEY:VALUE words of Text are added to them.
	Where []Filter
	// BPM keeps elements whose bgm_bpm lies in the range.
	BPM *Range
	// Since and Until keep elements of assets published in [Since, Until]
	// (zero: unbounded).
	Since, Until time.Time
	// Sort is SortScore (default), SortPlays or SortCreated.
	Sort string
}

// Hit is one matching element.
type Hit struct {
	ID      string `json:"id"`
	AssetID string `json:"asset_id"`
	Type    string `json:"type"`
	Title   string `json:"title"`
	// Score is bleve's relevance score.
	Score float64 `json:"score"`
	// Text is the element's copy text.
	Text string `json:"text"`
	// Fragments are highlighted excerpts of Text (or of Title when only
	// the title matched): HTML-escaped, matches wrapped in <mark>…</mark>.
	Fragments []string `json:"fragments"`
	// Locations are code-point ranges [start, end) of matched terms in
	// Text, sorted; overlapping matches (a word and its sub-words) are
	// merged into one range.
	Locations [][2]int `json:"locations"`
	// Plays is the asset's play count and Published its published time
	// (RFC 3339), when known: what --sort plays|created orders by.
	Plays     *float64 `json:"plays,omitempty"`
	Published string   `json:"published,omitempty"`
	// Attributes are the element's attributes (camera, subtitle_color,
	// copy_verbs…), so a hit found by --where camera=特写 shows 特写;
	// AddAttributes fills them from the library's stored assets.
	Attributes map[string]any `json:"attributes,omitempty"`
}

// AddAttributes fills each hit's Attributes from its element in the
// asset that asset returns (read once per asset). A hit whose asset
// cannot be read keeps none; the first read error is returned after all
// hits are tried.
func (r *Result) AddAttributes(asset func(id string) (*element.Asset, error)) error {
	assets := map[string]*element.Asset{}
	var first error
	for i := range r.Hits {
		h := &r.Hits[i]
		id, n, ok := element.SplitElementID(h.ID)
		if !ok {
			continue
		}
		a, seen := assets[id]
		if !seen {
			var err error
			if a, err = asset(id); err != nil && first == nil {
				first = fmt.Errorf("attributes of %s: %w", h.ID, err)
			}
			assets[id] = a
		}
		if a != nil && n >= 1 && n <= len(a.Elements) && len(a.Elements[n-1].Attributes) > 0 {
			h.Attributes = a.Elements[n-1].Attributes
		}
	}
	return first
}

// FacetCount is one facet value and the number of matching elements.
type FacetCount struct {
	Term  string `json:"term"`
	Count int    `json:"count"`
}

// Response is the JSON form of a search, shared by `elib search --format
// json` and the HTTP API's GET /v1/search: never-null lists, the time in
// milliseconds.
type Response struct {
	Query  string                  `json:"query"`
	Total  uint64                  `json:"total"`
	TookMs float64                 `json:"took_ms"`
	Hits   []Hit                   `json:"hits"`
	Facets map[string][]FacetCount `json:"facets"`
	// Filters are the search's conditions besides the text (Query.Filters).
	Filters []string `json:"filters,omitempty"`
}

// NewResponse builds the JSON form of r for the query text.
func NewResponse(query string, r *Result) Response {
	out := Response{Query: query, Total: r.Total, TookMs: float64(r.Took.Microseconds()) / 1000,
		Hits: make([]Hit, 0, len(r.Hits)), Facets: map[string][]FacetCount{}}
	for _, h := range r.Hits {
		if h.Fragments == nil {
			h.Fragments = []string{}
		}
		if h.Locations == nil {
			h.Locations = [][2]int{}
		}
		out.Hits = append(out.Hits, h)
	}
	for name, counts := range r.Facets {
		out.Facets[name] = append([]FacetCount{}, counts...)
	}
	return out
}

// Result is the answer to a Query.
type Result struct {
	// Total is the number of matching elements (not only those in Hits).
	Total uint64
	// Took is the search time.
	Took time.Duration
	Hits []Hit
	// Facets maps "type", "campaign" and "platform" to counts, most
	// frequent first; nil unless Query.Facets.
	Facets map[string][]FacetCount
}

// Search runs q.
func (x *Index) Search(ctx context.Context, q Query) (*Result, error) {
	if q.Limit <= 0 {
		q.Limit = DefaultLimit
	}
	if q.Offset < 0 {
		q.Offset = 0
	}
	if err := zh.Warm(); err != nil { // not while holding the lock
		return nil, fmt.Errorf("search %q: %w", q.Text, err)
	}
	q = q.Normalized()
	order, err := sortOrder(q.Sort)
	if err != nil {
		return nil, err
	}
	var res *Result
	err = x.with(ctx, func(bi bleve.Index) error {
		bq, err := buildQuery(bi.Mapping(), q)
		if err != nil {
			return err
		}
		req := bleve.NewSearchRequestOptions(bq, q.Limit, q.Offset, false)
		req.Fields = []string{FieldText, FieldTitle, FieldType, FieldAssetID, FieldPlays, FieldPublished}
		req.IncludeLocations = true
		req.Highlight = bleve.NewHighlightWithStyle(HighlighterName)
		req.Highlight.Fields = []string{FieldText, FieldTitle}
		if order != nil {
			req.SortBy(order)
		}
		if q.Facets {
			facetRequests(req)
		}
		sr, err := bi.SearchInContext(ctx, req)
		if err != nil {
			return err
		}
		res = convert(sr, q.Facets)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("search %q: %w", q.Text, err)
	}
	return res, nil
}

// buildQuery turns the user's text into a bleve query. The text is analysed
// with elib_zh; for Chinese a plain OR of words matches far too much and an
// AND of words misses paraphrases, so the query is a disjunction of
//   - the text as a phrase in Text (boost 4) and in Title (boost 2), and
//   - the words in Text and in Title, at least ⌈2/3⌉ of the word positions
//     present (a position matches through any of its sub-words),
//
// conjoined with a term filter on Type.
func buildQuery(m mapping.IndexMapping, q Query) (query.Query, error) {
	var main query.Query
	text := strings.TrimSpace(q.Text)
	if text == "" {
		main = bleve.NewMatchAllQuery()
	} else {
		an := m.AnalyzerNamed(zh.Name)
		if an == nil {
			return nil, fmt.Errorf("analyzer %s not registered", zh.Name)
		}
		tokens := an.Analyze([]byte(text))
		if len(tokens) == 0 {
			main = bleve.NewMatchNoneQuery()
		} else {
			var positions [][]string
			last := -1
			for _, t := range tokens {
				if t.Position != last {
					positions = append(positions, nil)
					last = t.Position
				}
				positions[len(positions)-1] = append(positions[len(positions)-1], string(t.Term))
			}
			phraseText := bleve.NewMatchPhraseQuery(text)
			phraseText.SetField(FieldText)
			phraseText.Analyzer = zh.Name
			phraseText.SetBoost(4)
			phraseTitle := bleve.NewMatchPhraseQuery(text)
			phraseTitle.SetField(FieldTitle)
			phraseTitle.Analyzer = zh.Name
			phraseTitle.SetBoost(2)
			main = bleve.NewDisjunctionQuery(phraseText, phraseTitle,
				wordsQuery(FieldText, positions), wordsQuery(FieldTitle, positions))
		}
	}
	conj := []query.Query{main}
	if q.Type != "" {
		typ := strings.ToLower(strings.TrimSpace(q.Type))
		if t, ok := element.ParseType(typ); ok {
			typ = string(t)
		}
		tq := bleve.NewTermQuery(typ)
		tq.SetField(FieldType)
		conj = append(conj, tq)
	}
	conj = append(conj, filterQueries(q)...)
	if len(conj) == 1 {
		return main, nil
	}
	return bleve.NewConjunctionQuery(conj...), nil
}

// wordsQuery matches documents whose field holds the words of at least
// ⌈2n/3⌉ of the n query positions.
func wordsQuery(field string, positions [][]string) query.Query {
	groups := make([]query.Query, 0, len(positions))
	for _, alts := range positions {
		terms := make([]query.Query, 0, len(alts))
		for _, a := range alts {
			tq := bleve.NewTermQuery(a)
			tq.SetField(field)
			terms = append(terms, tq)
		}
		if len(terms) == 1 {
			groups = append(groups, terms[0])
		} else {
			groups = append(groups, bleve.NewDisjunctionQuery(terms...))
		}
	}
	d := bleve.NewDisjunctionQuery(groups...)
	d.SetMin(math.Ceil(float64(2*len(positions)) / 3))
	return d
}

// convert maps bleve's result to ours.
func convert(sr *bleve.SearchResult, facets bool) *Result {
	res := &Result{Total: sr.Total, Took: sr.Took, Hits: make([]Hit, 0, len(sr.Hits))}
	for _, h := range sr.Hits {
		hit := Hit{
			ID:      h.ID,
			Score:   h.Score,
			Text:    str(h.Fields[FieldText]),
			Title:   str(h.Fields[FieldTitle]),
			Type:    str(h.Fields[FieldType]),
			AssetID: str(h.Fields[FieldAssetID]),
		}
		if n, ok := h.Fields[FieldPlays].(float64); ok {
			hit.Plays = &n
		}
		hit.Published = str(h.Fields[FieldPublished])
		hit.Fragments = h.Fragments[FieldText]
		if len(hit.Fragments) == 0 {
			hit.Fragments = h.Fragments[FieldTitle]
		}
		hit.Locations = codePointRanges(hit.Text, h.Locations[FieldText])
		res.Hits = append(res.Hits, hit)
	}
	if facets {
		res.Facets = map[string][]FacetCount{}
		for name, fr := range sr.Facets {
			counts := []FacetCount{}
			for _, t := range fr.Terms.Terms() {
				counts = append(counts, FacetCount{Term: t.Term, Count: t.Count})
			}
			for _, r := range fr.NumericRanges {
				if r.Count > 0 {
					counts = append(counts, FacetCount{Term: r.Name, Count: r.Count})
				}
			}
			sortFacets(counts)
			res.Facets[name] = counts
		}
	}
	return res
}

func str(v interface{}) string {
	switch s := v.(type) {
	case string:
		return s
	case []interface{}:
		if len(s) > 0 {
			return str(s[0])
		}
	}
	return ""
}

// codePointRanges converts byte-offset term locations into sorted
// code-point ranges of text, overlapping ones (a word and its sub-words)
// merged.
func codePointRanges(text string, tlm search.TermLocationMap) [][2]int {
	if len(tlm) == 0 {
		return nil
	}
	var byteRanges [][2]int
	for _, locs := range tlm {
		for _, l := range locs {
			if int(l.End) <= len(text) && l.Start < l.End {
				byteRanges = append(byteRanges, [2]int{int(l.Start), int(l.End)})
			}
		}
	}
	byteRanges = mergeSpans(byteRanges)
	out := make([][2]int, 0, len(byteRanges))
	for _, r := range byteRanges {
		out = append(out, [2]int{
			utf8.RuneCountInString(text[:r[0]]),
			utf8.RuneCountInString(text[:r[1]]),
		})
	}
	return out
}
