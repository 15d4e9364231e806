package fulltext

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/analysis/analyzer/custom"
	"github.com/blevesearch/bleve/v2/analysis/token/lowercase"
	"github.com/blevesearch/bleve/v2/analysis/tokenizer/single"
	"github.com/blevesearch/bleve/v2/mapping"
	"github.com/blevesearch/bleve/v2/search"
	"github.com/blevesearch/bleve/v2/search/query"
	bolt "go.etcd.io/bbolt"

	"elib/element"
	"elib/index/analysis/zh"
	"elib/index/fsutil"
)

// Field names in the index.
const (
	FieldText     = "text"
	FieldTitle    = "title"
	FieldType     = "type"
	FieldAssetID  = "asset_id"
	FieldCampaign = "campaign"
	FieldPlatform = "platform"
	// FieldAttrPrefix prefixes attribute fields: attr.camera, attr.bgm_bpm…
	FieldAttrPrefix = "attr."
)

// Defaults of Options.
const (
	DefaultTimeout   = 5 * time.Second
	DefaultBatchSize = 2000
	DefaultLimit     = 10
)

// A writer releases the bbolt lock after holding it this long (between
// chunks of one Apply) and pauses yieldPause so that readers polling for the
// lock (bbolt polls every 50 ms) get their turn.
const (
	maxHold    = time.Second
	yieldPause = 60 * time.Millisecond
	// lockSlice is the bolt_timeout of one open attempt; attempts repeat
	// until Options.Timeout so a cancelled context is noticed quickly.
	lockSlice = 250 * time.Millisecond
)

// Sentinel errors; test with errors.Is.
var (
	// ErrLocked means another process held the index for longer than
	// Options.Timeout.
	ErrLocked = errors.New("locked by another process")
	// ErrReadOnly is returned by Apply on an index opened ReadOnly.
	ErrReadOnly = errors.New("search index opened read-only")
	// ErrClosed is returned after Close.
	ErrClosed = errors.New("search index closed")
)

// Doc is one element as the search index stores it.
type Doc struct {
	// ID is the element id, unique in the library.
	ID string
	// AssetID is the id of the asset the element belongs to.
	AssetID string
	// Type is the element type (hook, conflict, …).
	Type string
	// Text is the element's copy text.
	Text string
	// Title is the asset's title.
	Title string
	// Campaign and Platform come from the asset's metadata; both are facets.
	Campaign, Platform string
	// Attributes are indexed as keyword fields attr.<key> (keys containing
	// "." and empty values are skipped); copy_verbs, a comma-separated
	// list, as one term per verb.
	Attributes map[string]string
	// Meta is the asset's metadata, indexed as keyword fields meta.<key>.
	Meta map[string]string
	// BPM is the element's bgm_bpm, Plays the asset's play count; nil when
	// unknown.
	BPM, Plays *float64
	// Published is the asset's published time (zero when unknown).
	Published time.Time
}

// Options tune Open.
type Options struct {
	// ReadOnly opens for searching only (a shared lock; Apply fails).
	ReadOnly bool
	// Timeout bounds how long an operation waits for another process's
	// lock on the index before failing with ErrLocked (default 5 s).
	Timeout time.Duration
	// BatchSize is the number of operations per durable bleve batch
	// (default 2000).
	BatchSize int
	// Exclusive keeps the index open for writing from Open until Close
	// instead of per Apply: faster for a process that owns the library
	// (reindex, benchmarks), but other processes cannot search meanwhile.
	Exclusive bool
	// Memory, when set, keeps the index in memory under the name dir
	// instead of on disk (a library on a memory file system).
	Memory *Memory
}

// EnsureDefaults fills zero fields with their defaults.
func (o *Options) EnsureDefaults() {
	if o.Timeout <= 0 {
		o.Timeout = DefaultTimeout
	}
	if o.BatchSize <= 0 {
		o.BatchSize = DefaultBatchSize
	}
}

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

// Index is the full-text index of a library's elements. It is safe for
// concurrent use; see the package comment for how it shares the on-disk
// index with other processes.
type Index struct {
	dir  string
	opts Options

	mu     sync.Mutex
	held   bleve.Index // open writer handle (Exclusive, or inside Apply)
	closed bool
	// mem is set for an index of Options.Memory: held is that index, never
	// released or closed here.
	mem bool
}

// SetAnalysisWorkers sets how many goroutines analyse documents for every
// search index of the process (bleve's shared analysis queue, default 4).
// A long-running server sets 1 so an import leaves the other cores to the
// requests it serves. Call it before opening any index: indexes keep the
// queue they were opened with, and the old queue is closed.
func SetAnalysisWorkers(n int) { bleve.Config.SetAnalysisQueueSize(max(1, n)) }

// Open opens the index in dir, creating it with elib's mapping if it does
// not exist (unless opts.ReadOnly, which fails with an error matching
// fs.ErrNotExist).
func Open(dir string, opts Options) (*Index, error) {
	opts.EnsureDefaults()
	x := &Index{dir: dir, opts: opts}
	if opts.Memory != nil {
		bi, err := opts.Memory.open(dir, opts.ReadOnly)
		if err != nil {
			return nil, err
		}
		x.held, x.mem = bi, true
		return x, nil
	}
	exists, err := indexExists(dir)
	if err != nil {
		return nil, err
	}
	if !exists {
		if opts.ReadOnly {
			return nil, fmt.Errorf("search index %s: %w", dir, fs.ErrNotExist)
		}
		if err := create(dir); err != nil {
			return nil, err
		}
	}
	if opts.Exclusive && !opts.ReadOnly {
		bi, err := x.open(context.Background(), false)
		if err != nil {
			return nil, err
		}
		x.held = bi
	}
	return x, nil
}

// Dir returns the index directory.
func (x *Index) Dir() string { return x.dir }

func indexExists(dir string) (bool, error) {
	_, err := os.Stat(filepath.Join(dir, "index_meta.json"))
	if err == nil {
		return true, nil
	}
	if !errors.Is(err, fs.ErrNotExist) {
		return false, fmt.Errorf("search index %s: %w", dir, err)
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return false, nil
		}
		return false, fmt.Errorf("search index %s: %w", dir, err)
	}
	if len(entries) > 0 {
		return false, fmt.Errorf("search index %s: directory exists but holds no index_meta.json", dir)
	}
	return false, nil
}

// create builds an empty index in DIR.tmp-* next to dir and renames it into
// place, so a concurrent creator or a crash never leaves a half-made index
// at dir (the library's writer removes DIR.tmp-* leftovers at open).
func create(dir string) error {
	parent := filepath.Dir(dir)
	if err := os.MkdirAll(parent, 0o755); err != nil {
		return fmt.Errorf("create search index %s: %w", dir, err)
	}
	tmp, err := os.MkdirTemp(parent, filepath.Base(dir)+".tmp-")
	if err != nil {
		return fmt.Errorf("create search index %s: %w", dir, err)
	}
	defer os.RemoveAll(tmp)                // no-op after a successful rename
	if err := os.Remove(tmp); err != nil { // bleve wants to create the directory itself
		return fmt.Errorf("create search index %s: %w", dir, err)
	}
	bi, err := bleve.NewUsing(tmp, NewMapping(), bleve.Config.DefaultIndexType, bleve.Config.DefaultKVStore,
		map[string]interface{}{"bolt_timeout": lockSlice.String()})
	if err != nil {
		return fmt.Errorf("create search index %s: %w", dir, err)
	}
	if err := bi.Close(); err != nil {
		return fmt.Errorf("create search index %s: %w", dir, err)
	}
	_ = os.Remove(dir) // an empty directory left by someone else
	if err := os.Rename(tmp, dir); err != nil {
		if ok, _ := indexExists(dir); ok {
			return nil // another process created it first
		}
		return fmt.Errorf("create search index %s: %w", dir, err)
	}
	if err := fsutil.SyncDir(parent); err != nil {
		return fmt.Errorf("create search index %s: %w", dir, err)
	}
	return nil
}

// NewMapping returns elib's index mapping: Text and Title analysed with
// elib_zh (stored, with term vectors for phrases and highlighting), keyword
// fields for type, asset id, campaign, platform and attr.* (doc values only
// on the faceted ones). It contains no file paths.
func NewMapping() mapping.IndexMapping {
	im := bleve.NewIndexMapping()
	im.DefaultAnalyzer = zh.Name
	im.StoreDynamic = false
	im.DocValuesDynamic = false
	im.IndexDynamic = true

	text := func() *mapping.FieldMapping {
		f := bleve.NewTextFieldMapping()
		f.Analyzer = zh.Name
		f.Store = true
		f.IncludeTermVectors = true
		f.IncludeInAll = false
		f.DocValues = false
		return f
	}
	kw := func(store, docValues bool) *mapping.FieldMapping {
		f := bleve.NewKeywordFieldMapping()
		f.Store = store
		f.DocValues = docValues
		f.IncludeInAll = false
		f.IncludeTermVectors = false
		return f
	}
	if err := im.AddCustomAnalyzer(KeywordAnalyzer, map[string]interface{}{
		"type":          custom.Name,
		"tokenizer":     single.Name,
		"token_filters": []string{lowercase.Name},
	}); err != nil {
		panic(fmt.Sprintf("fulltext mapping: %v", err)) // a static definition: cannot fail
	}
	lowerKW := func(docValues bool) *mapping.FieldMapping {
		f := kw(false, docValues)
		f.Analyzer = KeywordAnalyzer
		return f
	}
	el := bleve.NewDocumentStaticMapping()
	el.AddFieldMappingsAt(FieldText, text())
	el.AddFieldMappingsAt(FieldTitle, text())
	el.AddFieldMappingsAt(FieldType, kw(true, true))
	el.AddFieldMappingsAt(FieldAssetID, kw(true, false))
	el.AddFieldMappingsAt(FieldCampaign, lowerKW(true))
	el.AddFieldMappingsAt(FieldPlatform, lowerKW(true))
	num := func(store bool) *mapping.FieldMapping {
		f := bleve.NewNumericFieldMapping()
		f.Store, f.DocValues, f.IncludeInAll = store, true, false
		return f
	}
	el.AddFieldMappingsAt(FieldBPM, num(false))
	el.AddFieldMappingsAt(FieldPlays, num(true))
	pub := bleve.NewDateTimeFieldMapping()
	pub.Store, pub.DocValues, pub.IncludeInAll = true, true, false
	el.AddFieldMappingsAt(FieldPublished, pub)
	attr := bleve.NewDocumentMapping() // dynamic: any attribute key
	attr.DefaultAnalyzer = KeywordAnalyzer
	attr.AddFieldMappingsAt(element.AttrCamera, lowerKW(true))
	attr.AddFieldMappingsAt(element.AttrSubtitleColor, lowerKW(true))
	el.AddSubDocumentMapping(strings.TrimSuffix(FieldAttrPrefix, "."), attr)
	meta := bleve.NewDocumentMapping() // dynamic: any metadata key
	meta.DefaultAnalyzer = KeywordAnalyzer
	el.AddSubDocumentMapping(strings.TrimSuffix(FieldMetaPrefix, "."), meta)
	im.DefaultMapping = el
	return im
}

// open opens the bleve index, retrying while another process holds the
// lock, for up to opts.Timeout.
func (x *Index) open(ctx context.Context, readOnly bool) (bleve.Index, error) {
	deadline := time.Now().Add(x.opts.Timeout)
	cfg := map[string]interface{}{"bolt_timeout": lockSlice.String()}
	if readOnly {
		cfg["read_only"] = true
	}
	for {
		bi, err := bleve.OpenUsing(x.dir, cfg)
		if err == nil {
			return bi, nil
		}
		if !errors.Is(err, bolt.ErrTimeout) {
			if errors.Is(err, bleve.ErrorIndexPathDoesNotExist) || errors.Is(err, bleve.ErrorIndexMetaMissing) {
				return nil, fmt.Errorf("search index %s: %w", x.dir, fs.ErrNotExist)
			}
			return nil, fmt.Errorf("open search index %s: %w", x.dir, err)
		}
		if ctx.Err() != nil {
			return nil, fmt.Errorf("open search index %s: %w", x.dir, ctx.Err())
		}
		if time.Now().After(deadline) {
			return nil, fmt.Errorf("search index %s is %w (waited %v)", x.dir, ErrLocked, x.opts.Timeout)
		}
	}
}

// Apply indexes docs (replacing documents with the same ID) and deletes
// deleteIDs, in durable bleve batches of at most BatchSize operations.
// Each batch is atomic and survives a crash once Apply moves past it; Apply
// as a whole is not atomic, but re-applying the same input is idempotent.
func (x *Index) Apply(docs []Doc, deleteIDs []string) error {
	if x.opts.ReadOnly {
		return ErrReadOnly
	}
	replaced := make(map[string]bool, len(docs))
	for _, d := range docs {
		replaced[d.ID] = true
	}
	type op struct {
		del string
		doc *Doc
	}
	ops := make([]op, 0, len(docs)+len(deleteIDs))
	for _, id := range deleteIDs {
		if !replaced[id] { // indexing an ID replaces it already
			ops = append(ops, op{del: id})
		}
	}
	for i := range docs {
		if docs[i].ID == "" {
			return fmt.Errorf("apply to search index %s: document %d has no ID", x.dir, i)
		}
		ops = append(ops, op{doc: &docs[i]})
	}
	if len(ops) == 0 {
		return nil
	}

	if err := zh.Warm(); err != nil { // not while holding the lock
		return fmt.Errorf("apply to search index %s: %w", x.dir, err)
	}
	x.mu.Lock()
	defer x.mu.Unlock()
	if x.closed {
		return ErrClosed
	}
	var since time.Time
	release := func() error {
		if x.opts.Exclusive || x.mem || x.held == nil {
			return nil
		}
		err := x.held.Close()
		x.held = nil
		return err
	}
	for start := 0; start < len(ops); start += x.opts.BatchSize {
		if x.held == nil {
			bi, err := x.open(context.Background(), false)
			if err != nil {
				return fmt.Errorf("apply: %w", err)
			}
			x.held, since = bi, time.Now()
		}
		end := min(start+x.opts.BatchSize, len(ops))
		b := x.held.NewBatch()
		for _, o := range ops[start:end] {
			if o.doc == nil {
				b.Delete(o.del)
				continue
			}
			if err := b.Index(o.doc.ID, o.doc.fields()); err != nil {
				_ = release()
				return fmt.Errorf("apply to search index %s: document %s: %w", x.dir, o.doc.ID, err)
			}
		}
		if err := x.held.Batch(b); err != nil {
			_ = release()
			return fmt.Errorf("apply to search index %s: %w", x.dir, err)
		}
		if end < len(ops) && !x.opts.Exclusive && time.Since(since) >= maxHold {
			if err := release(); err != nil {
				return fmt.Errorf("apply to search index %s: %w", x.dir, err)
			}
			time.Sleep(yieldPause)
		}
	}
	if err := release(); err != nil {
		return fmt.Errorf("apply to search index %s: close: %w", x.dir, err)
	}
	return nil
}

// fields is the document bleve indexes for d.
func (d *Doc) fields() map[string]interface{} {
	m := map[string]interface{}{FieldText: d.Text}
	set := func(k, v string) {
		if v != "" {
			m[k] = v
		}
	}
	set(FieldTitle, d.Title)
	set(FieldType, d.Type)
	set(FieldAssetID, d.AssetID)
	set(FieldCampaign, d.Campaign)
	set(FieldPlatform, d.Platform)
	if len(d.Attributes) > 0 {
		attr := make(map[string]interface{}, len(d.Attributes))
		for k, v := range d.Attributes {
			if k != "" && v != "" && !strings.Contains(k, ".") {
				attr[k] = v
				if k == element.AttrCopyVerbs {
					attr[k] = strings.Split(v, ",")
				}
			}
		}
		m[strings.TrimSuffix(FieldAttrPrefix, ".")] = attr
	}
	if len(d.Meta) > 0 {
		meta := make(map[string]interface{}, len(d.Meta))
		for k, v := range d.Meta {
			if k != "" && v != "" && !strings.Contains(k, ".") {
				meta[k] = v
			}
		}
		m[strings.TrimSuffix(FieldMetaPrefix, ".")] = meta
	}
	if d.BPM != nil {
		m[FieldBPM] = *d.BPM
	}
	if d.Plays != nil {
		m[FieldPlays] = *d.Plays
	}
	if !d.Published.IsZero() {
		m[FieldPublished] = d.Published
	}
	return m
}

// with runs fn on an open handle: the held writer if there is one,
// otherwise a read-only handle opened (and closed) for the call.
func (x *Index) with(ctx context.Context, fn func(bleve.Index) error) error {
	x.mu.Lock()
	if x.closed {
		x.mu.Unlock()
		return ErrClosed
	}
	if x.held != nil {
		defer x.mu.Unlock()
		return fn(x.held)
	}
	x.mu.Unlock()
	bi, err := x.open(ctx, true)
	if err != nil {
		return err
	}
	err = fn(bi)
	if cerr := bi.Close(); cerr != nil && err == nil {
		err = fmt.Errorf("close search index %s: %w", x.dir, cerr)
	}
	return err
}

// DocCount returns the number of indexed elements.
func (x *Index) DocCount() (uint64, error) {
	var n uint64
	err := x.with(context.Background(), func(bi bleve.Index) error {
		var err error
		n, err = bi.DocCount()
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("count search index %s: %w", x.dir, err)
	}
	return n, nil
}

// Close releases the index. It is safe to call more than once.
func (x *Index) Close() error {
	x.mu.Lock()
	defer x.mu.Unlock()
	if x.closed {
		return nil
	}
	x.closed = true
	if x.mem {
		x.held = nil
		return nil
	}
	if x.held != nil {
		err := x.held.Close()
		x.held = nil
		if err != nil {
			return fmt.Errorf("close search index %s: %w", x.dir, err)
		}
	}
	return nil
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
