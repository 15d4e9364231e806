package fulltext

import (
	"elib/internal/i18n/msg"
	"math"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/search/query"

	"elib/element"
)

// Fields and facets of the attribute search (issue 13). Values of attr.*,
// meta.*, campaign and platform are indexed with KeywordAnalyzer: whole
// values, lower-cased, so filters match case-insensitively (#ffd400 finds
// #FFD400).
const (
	// FieldMetaPrefix prefixes the asset's metadata fields: meta.product…
	FieldMetaPrefix = "meta."
	// FieldBPM is the element's bgm_bpm as a number.
	FieldBPM = "bpm"
	// FieldPlays is the asset's play count (meta plays/views/播放量).
	FieldPlays = "plays"
	// FieldPublished is the asset's published time (meta published or
	// created, else the library's import time).
	FieldPublished = "published"
	// KeywordAnalyzer is the analyzer of filterable keyword fields.
	KeywordAnalyzer = "elib_keyword_lower"
)

// Sort orders of Query.Sort.
const (
	SortScore   = "score"   // relevance, best first (the default)
	SortPlays   = "plays"   // the asset's play count, most first
	SortCreated = "created" // published time, newest first
)

// Sorts lists the accepted Query.Sort values.
var Sorts = []string{SortScore, SortPlays, SortCreated}

// Filter is one KEY=VALUE condition of a search: an element attribute
// (camera, subtitle_color, bgm, copy verb…), the element type, or a key of
// its asset's metadata (platform, campaign, product, account, any other).
type Filter struct {
	Key   string `json:"key"`
	Value string `json:"value"`
}

// String is "key=value".
func (f Filter) String() string { return f.Key + "=" + f.Value }

// Range is an inclusive numeric range; a zero Hi means no upper bound.
type Range struct {
	Lo float64 `json:"lo"`
	Hi float64 `json:"hi,omitempty"`
}

// filterAliases maps the keys users write (English, Chinese, singular) to
// the index fields they search. A key not listed searches attr.<key> and
// meta.<key>.
var filterAliases = map[string][]string{
	"type": {FieldType}, "类型": {FieldType}, "元件类型": {FieldType},
	"platform": {FieldPlatform}, "平台": {FieldPlatform}, "投放平台": {FieldPlatform},
	"campaign": {FieldCampaign}, "活动": {FieldCampaign}, "营销活动": {FieldCampaign},
	"camera": {"attr.camera"}, "镜头": {"attr.camera"}, "镜头运动": {"attr.camera"},
	"subtitle_color": {"attr.subtitle_color"}, "subtitle_colour": {"attr.subtitle_color"}, "color": {"attr.subtitle_color"},
	"字幕色": {"attr.subtitle_color"}, "字幕色号": {"attr.subtitle_color"},
	"bgm": {"attr.bgm"}, "音乐": {"attr.bgm"}, "背景音乐": {"attr.bgm"},
	"verb": {"attr.copy_verbs"}, "verbs": {"attr.copy_verbs"}, "copy_verb": {"attr.copy_verbs"},
	"copy_verbs": {"attr.copy_verbs"}, "文案动词": {"attr.copy_verbs"}, "动词": {"attr.copy_verbs"},
	"sfx": {"attr.sfx"}, "音效": {"attr.sfx"}, "shot": {"attr.shot"}, "画面": {"attr.shot"},
	"product": {"meta.product", "meta.产品", "meta.商品", "attr.product"},
	"产品":      {"meta.product", "meta.产品", "meta.商品", "attr.product"},
	"account": {"meta.account", "meta.账号", "meta.达人", "meta.creator"},
	"账号":      {"meta.account", "meta.账号", "meta.达人", "meta.creator"},
}

// numericKeys are filter keys that mean the BPM range.
var numericKeys = map[string]bool{"bpm": true, "bgm_bpm": true, "节拍": true}

// ParseFilter reads "KEY=VALUE" (or KEY:VALUE, KEY：VALUE).
func ParseFilter(s string) (Filter, error) {
	i := strings.IndexAny(s, "=:：")
	if i <= 0 {
		return Filter{}, msg.Errorf("filter %q: want KEY=VALUE (e.g. camera=推近)", s)
	}
	sep := len("=")
	if strings.HasPrefix(s[i:], "：") {
		sep = len("：")
	}
	f := Filter{Key: strings.ToLower(strings.TrimSpace(s[:i])), Value: strings.TrimSpace(s[i+sep:])}
	if f.Key == "" || f.Value == "" {
		return Filter{}, msg.Errorf("filter %q: want KEY=VALUE with neither empty", s)
	}
	if strings.ContainsAny(f.Key, " \t") {
		return Filter{}, msg.Errorf("filter %q: a key has no spaces", s)
	}
	if !KnownFilterKey(f.Key) {
		if strings.Contains(f.Key, ".") {
			return Filter{}, msg.Errorf("filter %q: a key with a dot is meta.KEY or attr.KEY", s)
		}
		return Filter{}, msg.Errorf("filter %q: unknown key %q; known keys: %s (any other metadata or attribute key: meta.KEY=VALUE or attr.KEY=VALUE)",
			s, f.Key, strings.Join(FilterKeys(), ", "))
	}
	if numericKeys[f.Key] {
		if _, err := ParseRange(f.Value); err != nil {
			return Filter{}, msg.Errorf("filter %q: %w", s, err)
		}
	}
	return f, nil
}

// ExtractFilters takes the KEY:VALUE words out of a query text (so
// `camera:推近 防晒` searches 防晒 among elements shot with a push-in): a
// word counts as a filter when its key is a known key (filterAliases) or a
// plain ASCII word. It returns the rest of the text and the filters.
func ExtractFilters(text string) (string, []Filter) {
	var rest []string
	var out []Filter
	for _, w := range strings.Fields(text) {
		i := strings.IndexAny(w, ":：")
		if i > 0 {
			key := strings.ToLower(w[:i])
			if _, known := filterAliases[key]; known || numericKeys[key] || isASCIIWord(key) {
				if f, err := ParseFilter(w); err == nil {
					out = append(out, f)
					continue
				}
			}
		}
		rest = append(rest, w)
	}
	return strings.Join(rest, " "), out
}

func isASCIIWord(s string) bool {
	for _, r := range s {
		if r > unicode.MaxASCII || !(unicode.IsLetter(r) || unicode.IsDigit(r) || r == '_') {
			return false
		}
	}
	return s != ""
}

// ParseRange reads "LO-HI", "LO-" (no upper bound), "-HI" or "N" (exactly N).
func ParseRange(s string) (Range, error) {
	s = strings.TrimSpace(s)
	lo, hi, dash := strings.Cut(s, "-")
	num := func(x string) (float64, error) {
		if x = strings.TrimSpace(x); x == "" {
			return 0, nil
		}
		n, err := strconv.ParseFloat(x, 64)
		if err != nil || n < 0 || math.IsInf(n, 0) || math.IsNaN(n) {
			return 0, msg.Errorf("range %q: %q is not a non-negative number", s, x)
		}
		return n, nil
	}
	a, err := num(lo)
	if err != nil {
		return Range{}, err
	}
	if !dash {
		if lo == "" {
			return Range{}, msg.Errorf("empty range")
		}
		return Range{Lo: a, Hi: a}, nil
	}
	b, err := num(hi)
	if err != nil {
		return Range{}, err
	}
	if lo == "" && hi == "" {
		return Range{}, msg.Errorf("range %q: give LO-HI", s)
	}
	if hi != "" && b < a {
		return Range{}, msg.Errorf("range %q: %v is below %v", s, b, a)
	}
	return Range{Lo: a, Hi: b}, nil
}

// Contains reports whether x lies in r.
func (r Range) Contains(x float64) bool { return x >= r.Lo && (r.Hi == 0 || x <= r.Hi) }

// KnownFilterKey reports whether key is a filter key: one of
// FilterKeys, or meta.KEY / attr.KEY naming any metadata or attribute key.
func KnownFilterKey(key string) bool {
	if _, ok := filterAliases[key]; ok || numericKeys[key] {
		return true
	}
	for _, prefix := range []string{FieldMetaPrefix, FieldAttrPrefix} {
		if rest, ok := strings.CutPrefix(key, prefix); ok {
			return rest != "" && !strings.Contains(rest, ".")
		}
	}
	return false
}

// FilterKeys lists the filter keys with a meaning of their own (English
// first, then Chinese), for messages.
func FilterKeys() []string {
	keys := make([]string, 0, len(filterAliases)+len(numericKeys))
	for k := range filterAliases {
		keys = append(keys, k)
	}
	for k := range numericKeys {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool {
		ai, aj := isASCIIWord(keys[i]), isASCIIWord(keys[j])
		if ai != aj {
			return ai
		}
		return keys[i] < keys[j]
	})
	return keys
}

// filterFields returns the index fields a filter key searches.
func filterFields(key string) []string {
	if f, ok := filterAliases[key]; ok {
		return f
	}
	if strings.HasPrefix(key, FieldMetaPrefix) || strings.HasPrefix(key, FieldAttrPrefix) {
		return []string{key}
	}
	return []string{FieldAttrPrefix + key, FieldMetaPrefix + key}
}

// filterValue is the indexed form of a filter value on field.
func filterValue(field, v string) string {
	if field == FieldType {
		if t, ok := element.ParseType(v); ok {
			return string(t)
		}
	}
	return strings.ToLower(strings.TrimSpace(v))
}

// filterQueries returns the bleve queries of q's filters (all must hold).
func filterQueries(q Query) []query.Query {
	var out []query.Query
	for _, f := range q.Where {
		if numericKeys[f.Key] {
			r, _ := ParseRange(f.Value)
			out = append(out, rangeQuery(r))
			continue
		}
		var alts []query.Query
		for _, field := range filterFields(f.Key) {
			tq := bleve.NewTermQuery(filterValue(field, f.Value))
			tq.SetField(field)
			alts = append(alts, tq)
		}
		if len(alts) == 1 {
			out = append(out, alts[0])
		} else {
			out = append(out, bleve.NewDisjunctionQuery(alts...))
		}
	}
	if q.BPM != nil {
		out = append(out, rangeQuery(*q.BPM))
	}
	if !q.Since.IsZero() || !q.Until.IsZero() {
		incl := true
		dq := bleve.NewDateRangeInclusiveQuery(q.Since, q.Until, &incl, &incl)
		dq.SetField(FieldPublished)
		out = append(out, dq)
	}
	return out
}

func rangeQuery(r Range) query.Query {
	incl := true
	lo := r.Lo
	var hi *float64
	if r.Hi > 0 {
		h := r.Hi
		hi = &h
	}
	nq := bleve.NewNumericRangeInclusiveQuery(&lo, hi, &incl, &incl)
	nq.SetField(FieldBPM)
	return nq
}

// Facet names beyond type, campaign and platform.
const (
	FacetCamera        = "camera"
	FacetSubtitleColor = "subtitle_color"
	FacetBPM           = "bpm"
)

// bpmBands are the BPM facet's ranges: [lo, hi), named as shown.
var bpmBands = []struct {
	Name   string
	Lo, Hi float64
}{{"<90", 0, 90}, {"90-110", 90, 110}, {"110-130", 110, 130}, {"130-150", 130, 150}, {"150+", 150, 0}}

// facetRequests adds the search's facets to req.
func facetRequests(req *bleve.SearchRequest) {
	for _, f := range []string{FieldType, FieldCampaign, FieldPlatform} {
		req.AddFacet(f, bleve.NewFacetRequest(f, 20))
	}
	req.AddFacet(FacetCamera, bleve.NewFacetRequest(FieldAttrPrefix+"camera", 20))
	req.AddFacet(FacetSubtitleColor, bleve.NewFacetRequest(FieldAttrPrefix+"subtitle_color", 20))
	bpm := bleve.NewFacetRequest(FieldBPM, len(bpmBands))
	for _, b := range bpmBands {
		lo := b.Lo
		var hi *float64
		if b.Hi > 0 {
			h := b.Hi
			hi = &h
		}
		bpm.AddNumericRange(b.Name, &lo, hi)
	}
	req.AddFacet(FacetBPM, bpm)
}

// sortOrder is the bleve sort of q.Sort (nil: by score).
func sortOrder(s string) ([]string, error) {
	switch s {
	case "", SortScore:
		return nil, nil
	case SortPlays:
		return []string{"-" + FieldPlays, "-_score", "_id"}, nil
	case SortCreated:
		return []string{"-" + FieldPublished, "-_score", "_id"}, nil
	}
	return nil, msg.Errorf("unknown sort %q (want one of %v)", s, Sorts)
}

// ---- documents held in memory ----

// values returns d's values of an index field, as indexed.
func (d *Doc) values(field string) []string {
	switch {
	case field == FieldType:
		return []string{d.Type}
	case field == FieldPlatform:
		return []string{d.Platform}
	case field == FieldCampaign:
		return []string{d.Campaign}
	case strings.HasPrefix(field, FieldAttrPrefix):
		k := strings.TrimPrefix(field, FieldAttrPrefix)
		v, ok := d.Attributes[k]
		if !ok {
			return nil
		}
		if k == element.AttrCopyVerbs {
			return strings.Split(v, ",")
		}
		return []string{v}
	case strings.HasPrefix(field, FieldMetaPrefix):
		if v, ok := d.Meta[strings.TrimPrefix(field, FieldMetaPrefix)]; ok {
			return []string{v}
		}
	}
	return nil
}

// CountFacets counts docs by type, campaign, platform, camera, subtitle
// colour and BPM band, as Search's facets do.
func CountFacets(docs []*Doc) map[string][]FacetCount {
	counts := map[string]map[string]int{}
	add := func(name, term string) {
		if term == "" {
			return
		}
		if counts[name] == nil {
			counts[name] = map[string]int{}
		}
		counts[name][term]++
	}
	for _, d := range docs {
		add(FieldType, d.Type)
		add(FieldCampaign, strings.ToLower(d.Campaign))
		add(FieldPlatform, strings.ToLower(d.Platform))
		add(FacetCamera, strings.ToLower(d.Attributes["camera"]))
		add(FacetSubtitleColor, strings.ToLower(d.Attributes["subtitle_color"]))
		if d.BPM != nil {
			for _, b := range bpmBands {
				if *d.BPM >= b.Lo && (b.Hi == 0 || *d.BPM < b.Hi) {
					add(FacetBPM, b.Name)
				}
			}
		}
	}
	out := map[string][]FacetCount{}
	for _, name := range []string{FieldType, FieldCampaign, FieldPlatform, FacetCamera, FacetSubtitleColor, FacetBPM} {
		list := []FacetCount{}
		for term, n := range counts[name] {
			list = append(list, FacetCount{Term: term, Count: n})
		}
		sortFacets(list)
		out[name] = list
	}
	return out
}

// sortFacets orders counts most frequent first, then by term.
func sortFacets(list []FacetCount) {
	sort.Slice(list, func(i, j int) bool {
		if list[i].Count != list[j].Count {
			return list[i].Count > list[j].Count
		}
		return list[i].Term < list[j].Term
	})
}

// Normalized returns q with the KEY:VALUE words of its text moved to Where
// (see ExtractFilters).
func (q Query) Normalized() Query {
	text, extra := ExtractFilters(q.Text)
	if len(extra) > 0 {
		q.Text = text
		q.Where = append(append([]Filter(nil), q.Where...), extra...)
	}
	return q
}

// Filters lists q's conditions besides its text, as a user would write
// them: "type=hook", "camera=推近", "bpm=120-130", "since=2026-11-01T00:00:00Z".
func (q Query) Filters() []string {
	var out []string
	if q.Type != "" {
		out = append(out, "type="+q.Type)
	}
	for _, f := range q.Where {
		out = append(out, f.String())
	}
	if q.BPM != nil {
		hi := ""
		if q.BPM.Hi > 0 {
			hi = strconv.FormatFloat(q.BPM.Hi, 'f', -1, 64)
		}
		out = append(out, "bpm="+strconv.FormatFloat(q.BPM.Lo, 'f', -1, 64)+"-"+hi)
	}
	if !q.Since.IsZero() {
		out = append(out, "since="+q.Since.UTC().Format(time.RFC3339))
	}
	if !q.Until.IsZero() {
		out = append(out, "until="+q.Until.UTC().Format(time.RFC3339))
	}
	if q.Sort != "" && q.Sort != SortScore {
		out = append(out, "sort="+q.Sort)
	}
	return out
}

// Describe is Filters joined for a sentence ("" without filters).
func (q Query) Describe() string { return strings.Join(q.Filters(), ", ") }
