package fulltext

import (
	"math/rand/v2"
	"slices"
	"sort"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// randomDoc draws a document from a small vocabulary with the cases the
// filter rules treat specially: case and spaces in values, copy verbs as a
// list, Chinese keys, aliases, empty values, a BPM or none.
func randomDoc(r *rand.Rand) *Doc {
	pick := func(vs ...string) string { return vs[r.IntN(len(vs))] }
	d := &Doc{Type: pick("hook", "conversion", "story", ""), Campaign: pick("双11", "Sale", " sale", ""),
		Platform: pick("抖音", "Douyin", "douyin ", ""), Attributes: map[string]string{}, Meta: map[string]string{}}
	for _, k := range []string{"camera", "subtitle_color", "copy_verbs", "product", "Camera", "bgm"} {
		if r.IntN(2) == 0 {
			d.Attributes[k] = pick("推近", "#FFD400", "#ffd400", "下单,点击", "点击", "", " 拉远 ", "a=b")
		}
	}
	for _, k := range []string{"product", "产品", "account", "达人", "platform", "a=b", "x"} {
		if r.IntN(2) == 0 {
			d.Meta[k] = pick("跑鞋", "Nike", "nike", "b=c", "", "抖音")
		}
	}
	if r.IntN(2) == 0 {
		b := float64(80 + r.IntN(80))
		d.BPM = &b
	}
	return d
}

func randomFilter(r *rand.Rand) Filter {
	pick := func(vs ...string) string { return vs[r.IntN(len(vs))] }
	return Filter{
		Key: pick("type", "类型", "platform", "campaign", "camera", "镜头", "color", "字幕色", "verb", "product",
			"产品", "account", "x", "a", "bgm", "bpm", "subtitle_color", "copy_verbs"),
		Value: pick("hook", "钩子", "抖音", "douyin", "双11", "sale", "推近", "#ffd400", "#FFD400", "点击", "下单",
			"跑鞋", "nike", "NIKE ", "b=c", "b", "拉远", "100-130", "120", "-100", "x-y"),
	}
}

// TestFilterTermsMatchRule: a document satisfies a filter exactly when its
// FilterTerms hold one of the filter's Terms (or its BPM lies in the
// filter's range) — the rule Matches applies, as set membership.
func TestFilterTermsMatchRule(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	matched := 0
	for i := 0; i < 20000; i++ {
		d, f := randomDoc(r), randomFilter(r)
		want := Matches(d, Query{Where: []Filter{f}})
		terms, bpm := f.Terms()
		got := false
		switch {
		case bpm != nil:
			got = d.BPM != nil && bpm.Contains(*d.BPM)
		default:
			have := FilterTerms(d)
			for _, t := range terms {
				got = got || slices.Contains(have, t)
			}
		}
		require.Equal(t, want, got, "doc %+v filter %v terms %v have %v", d, f, terms, FilterTerms(d))
		if want {
			matched++
		}
	}
	assert.Greater(t, matched, 500, "the draw exercises matches")
}

// TestFacetTermsCount: counting FacetTerms over documents gives CountFacets.
func TestFacetTermsCount(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	for round := 0; round < 200; round++ {
		var docs []*Doc
		counts := map[string]map[string]int{}
		for i := r.IntN(30); i >= 0; i-- {
			d := randomDoc(r)
			docs = append(docs, d)
			for _, ft := range FacetTerms(d) {
				name, term, ok := ParseFacetTerm(ft)
				require.True(t, ok, ft)
				if counts[name] == nil {
					counts[name] = map[string]int{}
				}
				counts[name][term]++
			}
		}
		want := CountFacets(docs)
		for name, list := range want {
			got := []FacetCount{}
			for term, n := range counts[name] {
				got = append(got, FacetCount{Term: term, Count: n})
			}
			SortFacets(got)
			require.Equal(t, list, got, name)
		}
	}
}

func TestParseFacetTerm(t *testing.T) {
	for _, tc := range []struct {
		in, name, term string
		ok             bool
	}{
		{fieldTerm("camera", "推近"), "camera", "推近", true},
		{fieldTerm("bpm", "90-110"), "bpm", "90-110", true},
		{fieldTerm("a=b", "c=d"), "a=b", "c=d", true},
		{fieldTerm("type", ""), "type", "", true},
		{"6:camera推近", "", "", false},
		{"9:camera=x", "", "", false},
		{"x:camera=x", "", "", false},
		{"-1:=x", "", "", false},
		{"", "", "", false},
	} {
		name, term, ok := ParseFacetTerm(tc.in)
		assert.Equal(t, tc.ok, ok, tc.in)
		assert.Equal(t, tc.name, name, tc.in)
		assert.Equal(t, tc.term, term, tc.in)
	}
}

// FuzzParseFacetTerm: parsing never panics, and what it accepts is what
// fieldTerm makes of its parts.
func FuzzParseFacetTerm(f *testing.F) {
	for _, s := range []string{fieldTerm("camera", "推近"), fieldTerm("bpm", "150+"), "3:abc", "0:=", "99:x=y"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		name, term, ok := ParseFacetTerm(s)
		if ok && fieldTerm(name, term) != s {
			// Leading zeros or a plus sign in the length parse too; the
			// parts must still re-encode to a term naming the same parts.
			n2, t2, ok2 := ParseFacetTerm(fieldTerm(name, term))
			if !ok2 || n2 != name || t2 != term {
				t.Fatalf("%q -> %q %q does not round-trip", s, name, term)
			}
		}
	})
}

// The search rules on documents held in memory, for the tests that
// compare them with bleve's.

// Matches reports whether d satisfies q's filters (not its text).
func Matches(d *Doc, q Query) bool {
	for _, f := range q.Where {
		if numericKeys[f.Key] {
			r, _ := ParseRange(f.Value)
			if d.BPM == nil || !r.Contains(*d.BPM) {
				return false
			}
			continue
		}
		ok := false
		for _, field := range filterFields(f.Key) {
			want := filterValue(field, f.Value)
			for _, have := range d.values(field) {
				ok = ok || filterValue(field, have) == want
			}
		}
		if !ok {
			return false
		}
	}
	if q.BPM != nil && (d.BPM == nil || !q.BPM.Contains(*d.BPM)) {
		return false
	}
	if !q.Since.IsZero() && (d.Published.IsZero() || d.Published.Before(q.Since)) {
		return false
	}
	if !q.Until.IsZero() && (d.Published.IsZero() || d.Published.After(q.Until)) {
		return false
	}
	return true
}

// SortDocs orders hits of docs (same order, same length) by q.Sort; ties
// keep their order.
func SortDocs(hits []Hit, docs []*Doc, sortBy string) {
	idx := make([]int, len(hits))
	for i := range idx {
		idx[i] = i
	}
	key := func(d *Doc) (float64, bool) {
		switch sortBy {
		case SortPlays:
			if d.Plays != nil {
				return *d.Plays, true
			}
		case SortCreated:
			if !d.Published.IsZero() {
				return float64(d.Published.UnixNano()), true
			}
		}
		return 0, false
	}
	if sortBy == "" || sortBy == SortScore {
		return
	}
	sort.SliceStable(idx, func(a, b int) bool {
		x, okx := key(docs[idx[a]])
		y, oky := key(docs[idx[b]])
		if okx != oky {
			return okx
		}
		return x > y
	})
	h2, d2 := make([]Hit, len(hits)), make([]*Doc, len(docs))
	for i, j := range idx {
		h2[i], d2[i] = hits[j], docs[j]
	}
	copy(hits, h2)
	copy(docs, d2)
}
