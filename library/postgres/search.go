package postgres

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/blevesearch/bleve/v2/analysis"
	"github.com/jackc/pgx/v5"

	"elib/element"
	"elib/fulltext"
	"elib/fulltext/analysis/zh"
	"elib/library/kit"
)

// analyzer is the elib_zh analyzer bleve indexes with.
type analyzer = analysis.Analyzer

// newAnalyzer loads the elib_zh analyzer (the shared gojieba tokenizer).
func newAnalyzer() (analyzer, error) {
	if err := zh.Warm(); err != nil {
		return nil, err
	}
	an := fulltext.NewMapping().AnalyzerNamed(zh.Name)
	if an == nil {
		return nil, fmt.Errorf("analyzer %s not registered", zh.Name)
	}
	return an, nil
}

// zhAnalyzer returns the library's elib_zh analyzer, loaded once.
func (l *Library) zhAnalyzer() (analyzer, error) {
	l.anMu.Lock()
	defer l.anMu.Unlock()
	if l.an == nil {
		an, err := newAnalyzer()
		if err != nil {
			return nil, err
		}
		l.an = an
	}
	return l.an, nil
}

// analyze returns the analyzer's terms of text, distinct, in order.
func analyze(an analyzer, text string) []string {
	if text == "" {
		return nil
	}
	var out []string
	for _, t := range an.Analyze([]byte(text)) {
		out = append(out, string(t.Term))
	}
	return dedupe(out)
}

func dedupe(ss []string) []string {
	seen := make(map[string]bool, len(ss))
	out := ss[:0]
	for _, s := range ss {
		if s != "" && !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	return out
}

// searchColumns are the elib_elements columns a searchRow fills.
var searchColumns = []string{"lexemes", "text_terms", "title_terms", "filter_terms", "facet_terms", "bpm", "plays", "published"}

// searchRow is what an element's row holds for search (migration 3): the
// elib_zh terms of its text and of its asset's title apart (bleve's
// two-thirds rule holds per field) and together (lexemes, the GIN-indexed
// tsvector), the terms of its filterable fields and facets
// (fulltext.FilterTerms, fulltext.FacetTerms), its BPM, its asset's play
// count and published time (Unix nanoseconds): everything Search needs to
// answer in SQL.
type searchRow struct {
	lexemes, text, title, filter, facet []string
	bpm, plays                          *float64
	published                           *int64
}

// values are the row's values in searchColumns order.
func (r *searchRow) values() []any {
	return []any{r.lexemes, r.text, r.title, r.filter, r.facet, r.bpm, r.plays, r.published}
}

// newSearchRow builds the row of d; title are its asset title's terms.
func newSearchRow(an analyzer, d *fulltext.Doc, title []string) searchRow {
	text := analyze(an, d.Text)
	r := searchRow{
		lexemes: dedupe(append(append([]string{}, text...), title...)),
		text:    text, title: title,
		filter: fulltext.FilterTerms(d), facet: fulltext.FacetTerms(d),
		bpm: d.BPM, plays: d.Plays,
	}
	if r.text == nil {
		r.text = []string{}
	}
	if r.title == nil {
		r.title = []string{}
	}
	if !d.Published.IsZero() {
		ns := unixNanos(d.Published)
		r.published = &ns
	}
	return r
}

// unixNanos is t in Unix nanoseconds, clamped to the int64 range.
func unixNanos(t time.Time) int64 {
	switch {
	case t.Year() < 1678:
		return math.MinInt64 + 1
	case t.Year() > 2261:
		return math.MaxInt64
	}
	return t.UnixNano()
}

// assetRows returns the search rows of a's elements (every element live).
func assetRows(an analyzer, a *element.Asset) []searchRow {
	title := analyze(an, a.Title)
	docs := kit.SearchDocs(a, func(int) bool { return true })
	out := make([]searchRow, len(docs))
	for i := range docs {
		out[i] = newSearchRow(an, &docs[i], title)
	}
	return out
}

// searchRows are the search rows of each prepared asset's elements
// (searchRows(prep)[i][j] for prep[i].Elements[j]). The analysis runs on
// the library's workers, like fingerprinting.
func (l *Library) searchRows(prep []kit.Prepared) ([][]searchRow, error) {
	an, err := l.zhAnalyzer()
	if err != nil {
		return nil, fmt.Errorf("search terms: %w", err)
	}
	out := make([][]searchRow, len(prep))
	var next atomic.Int64
	var wg sync.WaitGroup
	for w := 0; w < max(1, l.opts.Workers); w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1)) - 1
				if i >= len(prep) {
					return
				}
				rows := assetRows(an, &prep[i].Record.Asset)
				out[i] = make([]searchRow, len(prep[i].Elements))
				for j, e := range prep[i].Elements {
					if e.Index >= 1 && e.Index <= len(rows) {
						out[i][j] = rows[e.Index-1]
					}
				}
			}
		}()
	}
	wg.Wait()
	return out, nil
}

// fillSearchColumns completes migration 3 on a database that already holds
// elements: it computes every element's search row from its stored asset
// record, a cursor's chunk at a time, inside the migration's transaction.
func fillSearchColumns(ctx context.Context, tx pgx.Tx, progress func(step string, done, total int)) error {
	var n int64
	if err := tx.QueryRow(ctx, `SELECT count(*) FROM elib_elements e JOIN elib_assets a ON a.id = e.asset_id`).Scan(&n); err != nil || n == 0 {
		return err
	}
	an, err := newAnalyzer()
	if err != nil {
		return fmt.Errorf("search terms: %w", err)
	}
	done := 0
	progress("search terms", 0, int(n))
	if _, err := tx.Exec(ctx, `CREATE TEMP TABLE elib_fill (ref bigint, lexemes text[], text_terms text[], title_terms text[],
		filter_terms text[], facet_terms text[], bpm double precision, plays double precision, published bigint) ON COMMIT DROP;
		DECLARE elib_fill_assets NO SCROLL CURSOR FOR
		SELECT a.record, array_agg(e.ref ORDER BY e.idx), array_agg(e.idx ORDER BY e.idx)
		FROM elib_assets a JOIN elib_elements e ON e.asset_id = a.id GROUP BY a.id, a.record`); err != nil {
		return err
	}
	for {
		rows, err := tx.Query(ctx, `FETCH 500 FROM elib_fill_assets`)
		if err != nil {
			return err
		}
		var fill [][]any
		for rows.Next() {
			var b []byte
			var refs []int64
			var idxs []int32
			if err := rows.Scan(&b, &refs, &idxs); err != nil {
				rows.Close()
				return err
			}
			var rec kit.AssetRecord
			if err := json.Unmarshal(b, &rec); err != nil {
				rows.Close()
				return fmt.Errorf("stored asset: %w", err)
			}
			sr := assetRows(an, &rec.Asset)
			for k, ref := range refs {
				if i := int(idxs[k]); i >= 1 && i <= len(sr) {
					fill = append(fill, append([]any{ref}, sr[i-1].values()...))
				}
			}
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		if len(fill) == 0 {
			break
		}
		done += len(fill)
		progress("search terms", done, int(n))
		if _, err := tx.CopyFrom(ctx, pgx.Identifier{"elib_fill"}, append([]string{"ref"}, searchColumns...), pgx.CopyFromRows(fill)); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `UPDATE elib_elements e SET lexemes = f.lexemes, text_terms = f.text_terms,
			title_terms = f.title_terms, filter_terms = f.filter_terms, facet_terms = f.facet_terms,
			bpm = f.bpm, plays = f.plays, published = f.published
			FROM elib_fill f WHERE e.ref = f.ref; TRUNCATE elib_fill`); err != nil {
			return err
		}
	}
	_, err = tx.Exec(ctx, `CLOSE elib_fill_assets`)
	return err
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

// tsAny is the tsquery matching any term of terms.
func tsAny(terms []string) string {
	q := make([]string, len(terms))
	for i, t := range terms {
		q[i] = tsLexeme(t)
	}
	return "(" + strings.Join(q, " | ") + ")"
}

// maxGateClauses bounds the GIN gate's conjunctions.
const maxGateClauses = 64

// gateQuery is the tsquery the GIN index answers first: elements whose
// terms (text and title together) hold at least j of the query's
// positions, for the largest j <= need whose combinations number at most
// maxGateClauses. Every element the two-thirds rule keeps passes it; the
// rule itself is checked per field afterwards.
func gateQuery(positions [][]string, need int) string {
	n := len(positions)
	j := max(1, min(need, n))
	for j > 1 && binomial(n, j) > maxGateClauses {
		j--
	}
	if j == 1 {
		var all []string
		for _, p := range positions {
			all = append(all, p...)
		}
		return tsAny(all)
	}
	var clauses []string
	comb := make([]int, j)
	for i := range comb {
		comb[i] = i
	}
	for {
		parts := make([]string, j)
		for i, c := range comb {
			parts[i] = tsAny(positions[c])
		}
		clauses = append(clauses, "("+strings.Join(parts, " & ")+")")
		i := j - 1
		for i >= 0 && comb[i] == n-j+i {
			i--
		}
		if i < 0 {
			break
		}
		comb[i]++
		for k := i + 1; k < j; k++ {
			comb[k] = comb[k-1] + 1
		}
	}
	return strings.Join(clauses, " | ")
}

func binomial(n, k int) int {
	r := 1
	for i := 1; i <= k; i++ {
		r = r * (n - k + i) / i
		if r > 1<<20 {
			return r
		}
	}
	return r
}

// sqlArgs collects a statement's arguments and names their placeholders.
type sqlArgs []any

func (a *sqlArgs) add(v any) string {
	*a = append(*a, v)
	return fmt.Sprintf("$%d", len(*a))
}

// pageRow is one hit of the page as the search statement returns it.
type pageRow struct {
	AssetID   string   `json:"asset_id"`
	Idx       int      `json:"idx"`
	Type      int16    `json:"type"`
	Title     string   `json:"title"`
	Text      string   `json:"text"`
	Score     float64  `json:"score"`
	Plays     *float64 `json:"plays"`
	Published *int64   `json:"published"`
	// TextOK and TitleOK: the text (title) holds two thirds of the query.
	TextOK  bool `json:"text_ok"`
	TitleOK bool `json:"title_ok"`
}

// Search runs a full-text query in one SQL statement, with the rules of
// the file library's search (package fulltext): the GIN index on the
// elements' gojieba terms finds the candidates (gateQuery); an element
// matches when its text, or its asset's title, holds at least two thirds
// of the query's word positions (a position matches through any of its
// sub-words), as bleve's query does; type, KEY=VALUE filters
// (fulltext.FilterTerms), BPM and published-time ranges, the sort, the
// page and the facet counts (fulltext.FacetTerms) are computed by the
// database, so only the page and the counts reach the process, which
// highlights the page. Relevance is the number of query positions the
// element holds plus PostgreSQL's ts_rank, ties by element id.
func (l *Library) Search(ctx context.Context, q fulltext.Query) (*fulltext.Result, error) {
	start := time.Now()
	q = q.Normalized()
	if q.Limit <= 0 {
		q.Limit = fulltext.DefaultLimit
	}
	q.Offset = max(q.Offset, 0)
	if q.Sort != "" && !slices.Contains(fulltext.Sorts, q.Sort) {
		return nil, fmt.Errorf("unknown sort %q (want one of %v)", q.Sort, fulltext.Sorts)
	}
	sq := &searchSQL{where: []string{"e.live"}, score: "0::float8", fieldsOK: "false AS text_ok, false AS title_ok"}
	if text := strings.TrimSpace(q.Text); text != "" {
		positions, err := l.queryPositions(text)
		if err != nil {
			return nil, fmt.Errorf("search %q: %w", q.Text, err)
		}
		if len(positions) == 0 {
			return &fulltext.Result{Took: time.Since(start), Facets: facetsIf(q, nil)}, nil
		}
		sq.text(positions)
	}
	sq.filters(q)
	var total int64
	var page []byte
	var fterms []string
	var fcounts []int32
	if err := l.pool.QueryRow(ctx, sq.sql(q), sq.args...).Scan(&total, &page, &fterms, &fcounts); err != nil {
		return nil, wrap(l.desc, "search", err)
	}
	var rows []pageRow
	if page != nil {
		if err := json.Unmarshal(page, &rows); err != nil {
			return nil, fmt.Errorf("search %q: page: %w", q.Text, err)
		}
	}
	// json_agg keeps the subquery's order in practice; the order is
	// restored here so nothing depends on that.
	sort.SliceStable(rows, func(a, b int) bool { return pageLess(&rows[a], &rows[b], q.Sort) })
	res := &fulltext.Result{Total: uint64(total)}
	var err error
	if res.Hits, err = l.searchHits(rows, sq.positions); err != nil {
		return nil, fmt.Errorf("search %q: %w", q.Text, err)
	}
	if q.Facets {
		res.Facets = facetsIf(q, nil)
		for i, ft := range fterms {
			if name, term, ok := fulltext.ParseFacetTerm(ft); ok && i < len(fcounts) {
				res.Facets[name] = append(res.Facets[name], fulltext.FacetCount{Term: term, Count: int(fcounts[i])})
			}
		}
		for _, list := range res.Facets {
			fulltext.SortFacets(list)
		}
	}
	res.Took = time.Since(start)
	return res, nil
}

// searchSQL is the statement of one Search as it is built: its
// arguments, the conditions on elib_elements, the score and field-match
// columns of a text query, and the query's term positions.
type searchSQL struct {
	args            sqlArgs
	where           []string
	score, fieldsOK string
	outer           string
	positions       [][]string
}

// text adds a text query of positions (each a list of alternative terms):
// at least two thirds of them must be in the text or in the title, and the
// score counts those held plus ts_rank.
func (sq *searchSQL) text(positions [][]string) {
	sq.positions = positions
	need := int(math.Ceil(float64(2*len(positions)) / 3))
	sq.where = append(sq.where, "e.tsv @@ "+sq.args.add(gateQuery(positions, need))+"::tsquery")
	var inText, inTitle, inAny, all []string
	for _, p := range positions {
		ph := sq.args.add(p) + "::text[]"
		inText = append(inText, "(e.text_terms && "+ph+")::int")
		inTitle = append(inTitle, "(e.title_terms && "+ph+")::int")
		inAny = append(inAny, "(e.lexemes && "+ph+")::int")
		all = append(all, p...)
	}
	sq.fieldsOK = fmt.Sprintf("(%s) >= %d AS text_ok, (%s) >= %d AS title_ok",
		strings.Join(inText, " + "), need, strings.Join(inTitle, " + "), need)
	sq.outer = "WHERE text_ok OR title_ok"
	sq.score = fmt.Sprintf("(%s)::float8 + ts_rank(e.tsv, %s::tsquery)::float8", strings.Join(inAny, " + "), sq.args.add(tsAny(all)))
}

// filters adds q's type, attribute, BPM and published-time filters.
func (sq *searchSQL) filters(q fulltext.Query) {
	if q.Type != "" {
		typ := strings.ToLower(strings.TrimSpace(q.Type))
		if t, ok := element.ParseType(typ); ok {
			typ = string(t)
		}
		if slices.Contains(element.Types, element.Type(typ)) {
			sq.where = append(sq.where, "e.type = "+sq.args.add(int16(kit.TypeCode(element.Type(typ)))))
		} else {
			sq.where = append(sq.where, "false") // no element has an unknown type
		}
	}
	bpmIn := func(r fulltext.Range) {
		sq.where = append(sq.where, "e.bpm >= "+sq.args.add(r.Lo))
		if r.Hi > 0 {
			sq.where = append(sq.where, "e.bpm <= "+sq.args.add(r.Hi))
		}
	}
	for _, f := range q.Where {
		terms, bpm := f.Terms()
		if bpm != nil {
			bpmIn(*bpm)
			continue
		}
		sq.where = append(sq.where, "e.filter_terms && "+sq.args.add(terms)+"::text[]")
	}
	if q.BPM != nil {
		bpmIn(*q.BPM)
	}
	if !q.Since.IsZero() {
		sq.where = append(sq.where, "e.published >= "+sq.args.add(unixNanos(q.Since)))
	}
	if !q.Until.IsZero() {
		sq.where = append(sq.where, "e.published <= "+sq.args.add(unixNanos(q.Until)))
	}
}

// sql is the statement: the total, the page in q's order and, with
// q.Facets, the facet counts of every match, in one round trip.
func (sq *searchSQL) sql(q fulltext.Query) string {
	order := `score DESC, (asset_id || '#' || idx) COLLATE "C"`
	switch q.Sort {
	case fulltext.SortPlays:
		order = "plays IS NULL, plays DESC, " + order
	case fulltext.SortCreated:
		order = "published IS NULL, published::float8 DESC, " + order
	}
	facetCols, facets := "", `(SELECT NULL::text[] AS terms, NULL::int[] AS counts) f`
	if q.Facets {
		facetCols = ", e.facet_terms"
		facets = `(SELECT array_agg(ft) AS terms, array_agg(n) AS counts FROM
			(SELECT ft, count(*)::int AS n FROM m, unnest(m.facet_terms) AS ft GROUP BY ft) g) f`
	}
	return `WITH m AS MATERIALIZED (SELECT * FROM (
		SELECT e.asset_id, e.idx, e.type, e.title, e.text, e.plays, e.published` + facetCols + `,
			` + sq.score + ` AS score, ` + sq.fieldsOK + `
		FROM elib_elements e WHERE ` + strings.Join(sq.where, " AND ") + `) c ` + sq.outer + `)
	SELECT t.total, p.page, f.terms, f.counts FROM
		(SELECT count(*) AS total FROM m) t,
		(SELECT json_agg(x) AS page FROM (SELECT asset_id, idx, type, title, text, score, plays, published, text_ok, title_ok
			FROM m ORDER BY ` + order + ` LIMIT ` + sq.args.add(q.Limit) + ` OFFSET ` + sq.args.add(q.Offset) + `) x) p,
		` + facets
}

// searchHits turns the page's rows into hits, highlighting the query's
// terms in the fields that matched.
func (l *Library) searchHits(rows []pageRow, positions [][]string) ([]fulltext.Hit, error) {
	an, err := l.zhAnalyzer()
	if err != nil {
		return nil, err
	}
	terms := map[string]bool{}
	for _, p := range positions {
		for _, t := range p {
			terms[t] = true
		}
	}
	var hits []fulltext.Hit
	for _, r := range rows {
		t, _ := kit.TypeOf(byte(r.Type))
		h := fulltext.Hit{ID: element.ElementID(r.AssetID, r.Idx), AssetID: r.AssetID, Type: string(t), Title: r.Title,
			Text: r.Text, Score: r.Score, Plays: r.Plays}
		if r.Published != nil {
			h.Published = time.Unix(0, *r.Published).UTC().Format(time.RFC3339)
		}
		var inText, inTitle map[string]bool
		if r.TextOK {
			inText = terms
		}
		if r.TitleOK {
			inTitle = terms
		}
		if err := fulltext.Highlight(&h, an, inText, inTitle); err != nil {
			return nil, fmt.Errorf("highlight: %w", err)
		}
		hits = append(hits, h)
	}
	return hits, nil
}

// pageLess is the statement's ORDER BY for two rows of a page.
func pageLess(a, b *pageRow, sortBy string) bool {
	key := func(r *pageRow) (float64, bool) {
		switch sortBy {
		case fulltext.SortPlays:
			if r.Plays != nil {
				return *r.Plays, true
			}
		case fulltext.SortCreated:
			if r.Published != nil {
				return float64(*r.Published), true
			}
		}
		return 0, false
	}
	if sortBy == fulltext.SortPlays || sortBy == fulltext.SortCreated {
		x, okx := key(a)
		y, oky := key(b)
		if okx != oky {
			return okx
		}
		if x != y {
			return x > y
		}
	}
	if a.Score != b.Score {
		return a.Score > b.Score
	}
	return element.ElementID(a.AssetID, a.Idx) < element.ElementID(b.AssetID, b.Idx)
}

func facetsIf(q fulltext.Query, docs []*fulltext.Doc) map[string][]fulltext.FacetCount {
	if !q.Facets {
		return nil
	}
	return fulltext.CountFacets(docs)
}
