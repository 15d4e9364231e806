package postgres

import (
	"context"
	"encoding/json"
	"fmt"
	"html"
	"math"
	"sort"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/blevesearch/bleve/v2/analysis"

	"elib/element"
	"elib/index"
	"elib/index/analysis/zh"
	"elib/index/fulltext"
	"elib/index/store"
)

// analyzer is the elib_zh analyzer bleve indexes with.
type analyzer = analysis.Analyzer

// zhAnalyzer returns the shared elib_zh analyzer.
func (l *Library) zhAnalyzer() (analyzer, error) {
	l.anMu.Lock()
	defer l.anMu.Unlock()
	if l.an == nil {
		if err := zh.Warm(); err != nil {
			return nil, err
		}
		an := fulltext.NewMapping().AnalyzerNamed(zh.Name)
		if an == nil {
			return nil, fmt.Errorf("analyzer %s not registered", zh.Name)
		}
		l.an = an
	}
	return l.an, nil
}

// terms returns the analyzer's terms of text (nil when it cannot load).
func (l *Library) terms(text string) []string {
	an, err := l.zhAnalyzer()
	if err != nil || text == "" {
		return nil
	}
	var out []string
	for _, t := range an.Analyze([]byte(text)) {
		out = append(out, string(t.Term))
	}
	return out
}

// queryPositions groups the query's terms by position (search mode gives
// a word and its sub-words at one position), as the bleve query does.
func (l *Library) queryPositions(text string) ([][]string, error) {
	an, err := l.zhAnalyzer()
	if err != nil {
		return nil, err
	}
	var positions [][]string
	last := -1
	for _, t := range an.Analyze([]byte(text)) {
		if t.Position != last {
			positions = append(positions, nil)
			last = t.Position
		}
		positions[len(positions)-1] = append(positions[len(positions)-1], string(t.Term))
	}
	return positions, nil
}

// tsLexeme quotes a term for tsquery input.
func tsLexeme(t string) string {
	return "'" + strings.ReplaceAll(strings.ReplaceAll(t, `\`, `\\`), "'", "''") + "'"
}

// Search runs a full-text query: the tsvector of the elements' gojieba
// terms (GIN) finds the elements holding any query word; an element
// matches, as in the bleve index, when it holds at least two thirds of the
// query's word positions; filters, sort, facets and highlighting follow
// the same rules as the file library's search (package fulltext).
func (l *Library) Search(ctx context.Context, q fulltext.Query) (*fulltext.Result, error) {
	start := time.Now()
	q = q.Normalized()
	if q.Limit <= 0 {
		q.Limit = fulltext.DefaultLimit
	}
	q.Offset = max(q.Offset, 0)
	text := strings.TrimSpace(q.Text)
	var positions [][]string
	sql := `SELECT e.ref, e.asset_id, e.idx, e.lexemes, 0::real FROM elib_elements e WHERE e.live`
	args := []any{}
	if text != "" {
		var err error
		positions, err = l.queryPositions(text)
		if err != nil {
			return nil, fmt.Errorf("search %q: %w", q.Text, err)
		}
		if len(positions) == 0 {
			return &fulltext.Result{Took: time.Since(start), Facets: facetsIf(q, nil)}, nil
		}
		var alts []string
		for _, p := range positions {
			for _, t := range p {
				alts = append(alts, tsLexeme(t))
			}
		}
		args = append(args, strings.Join(alts, " | "))
		sql = `SELECT e.ref, e.asset_id, e.idx, e.lexemes, ts_rank(e.tsv, $1::tsquery) FROM elib_elements e WHERE e.live AND e.tsv @@ $1::tsquery`
	}
	if q.Type != "" {
		typ := strings.ToLower(strings.TrimSpace(q.Type))
		if t, ok := element.ParseType(typ); ok {
			typ = string(t)
		}
		args = append(args, int16(store.TypeCode(element.Type(typ))))
		sql += fmt.Sprintf(" AND e.type = $%d", len(args))
	}
	rows, err := l.pool.Query(ctx, sql, args...)
	if err != nil {
		return nil, wrap(l.desc, "search", err)
	}
	type match struct {
		ref     int64
		assetID string
		idx     int
		score   float64
	}
	need := int(math.Ceil(float64(2*len(positions)) / 3))
	var matches []match
	for rows.Next() {
		var m match
		var lex []string
		var rank float32
		if err := rows.Scan(&m.ref, &m.assetID, &m.idx, &lex, &rank); err != nil {
			rows.Close()
			return nil, wrap(l.desc, "search", err)
		}
		if len(positions) > 0 {
			have := make(map[string]bool, len(lex))
			for _, t := range lex {
				have[t] = true
			}
			hit := 0
			for _, p := range positions {
				for _, t := range p {
					if have[t] {
						hit++
						break
					}
				}
			}
			if hit < need {
				continue
			}
			m.score = float64(hit) + float64(rank)
		}
		matches = append(matches, m)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, wrap(l.desc, "search", err)
	}
	// Filters need the assets' metadata and attributes.
	docs, err := l.matchDocs(ctx, len(matches), func(i int) (string, int) { return matches[i].assetID, matches[i].idx })
	if err != nil {
		return nil, err
	}
	var hits []fulltext.Hit
	var kept []*fulltext.Doc
	order := make([]int, len(matches))
	for i := range order {
		order[i] = i
	}
	sort.SliceStable(order, func(a, b int) bool {
		ma, mb := matches[order[a]], matches[order[b]]
		if ma.score != mb.score {
			return ma.score > mb.score
		}
		return store.ElementID(ma.assetID, ma.idx) < store.ElementID(mb.assetID, mb.idx)
	})
	for _, i := range order {
		d := docs[i]
		if d == nil || !fulltext.Matches(d, q) {
			continue
		}
		h := fulltext.Hit{ID: d.ID, AssetID: d.AssetID, Type: d.Type, Title: d.Title, Text: d.Text, Score: matches[i].score, Plays: d.Plays}
		if !d.Published.IsZero() {
			h.Published = d.Published.UTC().Format(time.RFC3339)
		}
		hits = append(hits, h)
		kept = append(kept, d)
	}
	fulltext.SortDocs(hits, kept, q.Sort)
	res := &fulltext.Result{Total: uint64(len(hits)), Facets: facetsIf(q, kept)}
	if q.Offset < len(hits) {
		res.Hits = hits[q.Offset:min(len(hits), q.Offset+q.Limit)]
	}
	terms := map[string]bool{}
	for _, p := range positions {
		for _, t := range p {
			terms[t] = true
		}
	}
	for i := range res.Hits {
		l.highlight(&res.Hits[i], terms)
	}
	res.Took = time.Since(start)
	return res, nil
}

func facetsIf(q fulltext.Query, docs []*fulltext.Doc) map[string][]fulltext.FacetCount {
	if !q.Facets {
		return nil
	}
	return fulltext.CountFacets(docs)
}

// matchDocs builds the search document of each of n matches (asset id and
// 1-based element index from at) from the assets' stored records.
func (l *Library) matchDocs(ctx context.Context, n int, at func(i int) (string, int)) ([]*fulltext.Doc, error) {
	want := map[string]bool{}
	for i := 0; i < n; i++ {
		id, _ := at(i)
		want[id] = true
	}
	ids := make([]string, 0, len(want))
	for id := range want {
		ids = append(ids, id)
	}
	byID := map[string]*fulltext.Doc{}
	if len(ids) > 0 {
		rows, err := l.pool.Query(ctx, `SELECT record FROM elib_assets WHERE id = ANY($1)`, ids)
		if err != nil {
			return nil, wrap(l.desc, "search", err)
		}
		for rows.Next() {
			var b []byte
			if err := rows.Scan(&b); err != nil {
				rows.Close()
				return nil, wrap(l.desc, "search", err)
			}
			var rec store.AssetRecord
			if err := json.Unmarshal(b, &rec); err != nil {
				rows.Close()
				return nil, fmt.Errorf("search: stored asset: %w", err)
			}
			for _, d := range index.SearchDocs(&rec.Asset, func(int) bool { return true }) {
				d := d
				byID[d.ID] = &d
			}
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, wrap(l.desc, "search", err)
		}
	}
	out := make([]*fulltext.Doc, n)
	for i := range out {
		id, idx := at(i)
		out[i] = byID[store.ElementID(id, idx)]
	}
	return out, nil
}

// highlight fills the hit's fragments and locations: the text (or the
// title when only it matched), HTML-escaped, with every analyzer token
// that is a query term wrapped in <mark>…</mark>.
func (l *Library) highlight(h *fulltext.Hit, terms map[string]bool) {
	if len(terms) == 0 {
		return
	}
	spans := l.termSpans(h.Text, terms)
	src := h.Text
	if len(spans) == 0 {
		if ts := l.termSpans(h.Title, terms); len(ts) > 0 {
			src, spans = h.Title, ts
		} else {
			return
		}
	} else {
		h.Locations = spans
	}
	var b strings.Builder
	rs := []rune(src)
	at := 0
	for _, s := range spans {
		b.WriteString(html.EscapeString(string(rs[at:s[0]])))
		b.WriteString("<mark>" + html.EscapeString(string(rs[s[0]:s[1]])) + "</mark>")
		at = s[1]
	}
	b.WriteString(html.EscapeString(string(rs[at:])))
	h.Fragments = []string{b.String()}
}

// termSpans returns the merged code-point ranges of text's tokens that are
// query terms.
func (l *Library) termSpans(text string, terms map[string]bool) [][2]int {
	an, err := l.zhAnalyzer()
	if err != nil || text == "" {
		return nil
	}
	var spans [][2]int
	for _, t := range an.Analyze([]byte(text)) {
		if !terms[string(t.Term)] || t.Start < 0 || t.End > len(text) {
			continue
		}
		s := utf8.RuneCountInString(text[:t.Start])
		spans = append(spans, [2]int{s, s + utf8.RuneCountInString(text[t.Start:t.End])})
	}
	sort.Slice(spans, func(i, j int) bool { return spans[i][0] < spans[j][0] })
	var out [][2]int
	for _, s := range spans {
		if n := len(out); n > 0 && s[0] <= out[n-1][1] {
			out[n-1][1] = max(out[n-1][1], s[1])
			continue
		}
		out = append(out, s)
	}
	return out
}
