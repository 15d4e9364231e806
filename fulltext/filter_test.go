package fulltext_test

import (
	"context"
	"sort"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"elib/fulltext"
)

func fp(x float64) *float64 { return &x }

func day(s string) time.Time {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		panic(err)
	}
	return t
}

// filterDocs carry the attributes, metadata and results filters act on.
var filterDocs = []fulltext.Doc{
	{ID: "p1#1", AssetID: "p1", Type: "hook", Text: "防晒涂了还是晒黑？", Platform: "抖音", Campaign: "夏日",
		Attributes: map[string]string{"camera": "推近", "subtitle_color": "#FFD400", "bgm_bpm": "128", "copy_verbs": "涂,晒"},
		Meta:       map[string]string{"product": "防晒乳", "account": "小美"}, BPM: fp(128), Plays: fp(120000), Published: day("2026-11-20")},
	{ID: "p1#2", AssetID: "p1", Type: "conversion", Text: "点击小黄车下单", Platform: "抖音", Campaign: "夏日",
		Attributes: map[string]string{"camera": "固定"},
		Meta:       map[string]string{"product": "防晒乳", "account": "小美"}, Plays: fp(120000), Published: day("2026-11-20")},
	{ID: "p2#1", AssetID: "p2", Type: "hook", Text: "你是不是也怕晒黑", Platform: "Douyin",
		Attributes: map[string]string{"camera": "推近", "subtitle_color": "#ffffff", "bgm": "夏日海风"},
		Meta:       map[string]string{"产品": "防晒乳"}, BPM: fp(95), Plays: fp(5000), Published: day("2026-10-02")},
	{ID: "p3#1", AssetID: "p3", Type: "hook", Text: "冬天嘴唇干裂怎么办", Platform: "小红书",
		Attributes: map[string]string{"camera": "拉远", "copy_verbs": "涂"},
		Meta:       map[string]string{"product": "润唇膏"}, BPM: fp(150), Published: day("2026-08-15")},
	{ID: "p4#1", AssetID: "p4", Type: "story", Text: "我在云南种了七年葡萄"},
}

func TestSearchFilters(t *testing.T) {
	x, _ := openTemp(t, fulltext.Options{})
	require.NoError(t, x.Apply(filterDocs, nil))
	ctx := context.Background()
	tests := []struct {
		name string
		q    fulltext.Query
		want []string // sorted ids
	}{
		{"camera as KEY:VALUE in the text", fulltext.Query{Text: "camera:推近"}, []string{"p1#1", "p2#1"}},
		{"Chinese key", fulltext.Query{Text: "镜头：推近"}, []string{"p1#1", "p2#1"}},
		{"where camera", fulltext.Query{Where: []fulltext.Filter{{Key: "camera", Value: "拉远"}}}, []string{"p3#1"}},
		{"subtitle colour ignores case", fulltext.Query{Where: []fulltext.Filter{{Key: "subtitle_color", Value: "#ffd400"}}}, []string{"p1#1"}},
		{"one copy verb of a list", fulltext.Query{Where: []fulltext.Filter{{Key: "verb", Value: "涂"}}}, []string{"p1#1", "p3#1"}},
		{"bgm", fulltext.Query{Where: []fulltext.Filter{{Key: "bgm", Value: "夏日海风"}}}, []string{"p2#1"}},
		{"platform ignores case", fulltext.Query{Where: []fulltext.Filter{{Key: "platform", Value: "douyin"}}}, []string{"p2#1"}},
		{"campaign", fulltext.Query{Where: []fulltext.Filter{{Key: "campaign", Value: "夏日"}}}, []string{"p1#1", "p1#2"}},
		{"product through its Chinese meta key", fulltext.Query{Where: []fulltext.Filter{{Key: "product", Value: "防晒乳"}}}, []string{"p1#1", "p1#2", "p2#1"}},
		{"any meta key", fulltext.Query{Where: []fulltext.Filter{{Key: "account", Value: "小美"}}}, []string{"p1#1", "p1#2"}},
		{"filters and", fulltext.Query{Where: []fulltext.Filter{{Key: "camera", Value: "推近"}, {Key: "platform", Value: "抖音"}}}, []string{"p1#1"}},
		{"bpm range inclusive", fulltext.Query{BPM: &fulltext.Range{Lo: 120, Hi: 150}}, []string{"p1#1", "p3#1"}},
		{"bpm open range", fulltext.Query{BPM: &fulltext.Range{Lo: 100}}, []string{"p1#1", "p3#1"}},
		{"bpm as a where key", fulltext.Query{Where: []fulltext.Filter{{Key: "bpm", Value: "90-100"}}}, []string{"p2#1"}},
		{"since", fulltext.Query{Since: day("2026-10-01")}, []string{"p1#1", "p1#2", "p2#1"}},
		{"since and until", fulltext.Query{Since: day("2026-08-01"), Until: day("2026-10-31")}, []string{"p2#1", "p3#1"}},
		{"text and filter", fulltext.Query{Text: "晒黑", Where: []fulltext.Filter{{Key: "camera", Value: "推近"}}}, []string{"p1#1", "p2#1"}},
		{"type and filter", fulltext.Query{Type: "conversion", Where: []fulltext.Filter{{Key: "product", Value: "防晒乳"}}}, []string{"p1#2"}},
		{"nothing", fulltext.Query{Where: []fulltext.Filter{{Key: "camera", Value: "晃动"}}}, []string{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.q.Limit = 50
			res, err := x.Search(ctx, tt.q)
			require.NoError(t, err)
			got := hitIDs(res)
			sort.Strings(got)
			assert.Equal(t, tt.want, got)
			// The in-memory library applies the same rules.
			q := tt.q.Normalized()
			mem := []string{}
			for i := range filterDocs {
				d := &filterDocs[i]
				if fulltext.Matches(d, q) && (q.Type == "" || d.Type == q.Type) && (q.Text == "" || len(got) > 0) {
					mem = append(mem, d.ID)
				}
			}
			if tt.q.Text == "" || q.Text == "" {
				assert.Equal(t, tt.want, mem, "Matches agrees with the index")
			}
		})
	}
}

func TestSearchSortAndFacets(t *testing.T) {
	x, _ := openTemp(t, fulltext.Options{})
	require.NoError(t, x.Apply(filterDocs, nil))
	ctx := context.Background()
	res, err := x.Search(ctx, fulltext.Query{Type: "hook", Sort: fulltext.SortPlays, Limit: 10, Facets: true})
	require.NoError(t, err)
	assert.Equal(t, []string{"p1#1", "p2#1", "p3#1"}, hitIDs(res), "most played first, unknown plays last")
	require.NotNil(t, res.Hits[0].Plays)
	assert.Equal(t, 120000.0, *res.Hits[0].Plays)
	assert.Equal(t, "2026-11-20T00:00:00Z", res.Hits[0].Published)
	assert.ElementsMatch(t, []fulltext.FacetCount{{Term: "推近", Count: 2}, {Term: "拉远", Count: 1}}, res.Facets[fulltext.FacetCamera])
	assert.ElementsMatch(t, []fulltext.FacetCount{{Term: "#ffd400", Count: 1}, {Term: "#ffffff", Count: 1}}, res.Facets[fulltext.FacetSubtitleColor])
	assert.ElementsMatch(t, []fulltext.FacetCount{{Term: "90-110", Count: 1}, {Term: "110-130", Count: 1}, {Term: "150+", Count: 1}}, res.Facets[fulltext.FacetBPM])
	assert.ElementsMatch(t, []fulltext.FacetCount{{Term: "抖音", Count: 1}, {Term: "douyin", Count: 1}, {Term: "小红书", Count: 1}}, res.Facets["platform"])

	res, err = x.Search(ctx, fulltext.Query{Sort: fulltext.SortCreated, Limit: 10})
	require.NoError(t, err)
	assert.Equal(t, []string{"p1#1", "p1#2", "p2#1", "p3#1", "p4#1"}, hitIDs(res), "newest first, undated last")

	// The in-memory helpers give the same facets and order.
	var docs []*fulltext.Doc
	var hits []fulltext.Hit
	for i := range filterDocs {
		if filterDocs[i].Type == "hook" {
			docs = append(docs, &filterDocs[i])
			hits = append(hits, fulltext.Hit{ID: filterDocs[i].ID})
		}
	}
	facets := fulltext.CountFacets(docs)
	assert.ElementsMatch(t, res2terms(facets[fulltext.FacetBPM]), []string{"90-110", "110-130", "150+"})
	fulltext.SortDocs(hits, docs, fulltext.SortPlays)
	assert.Equal(t, "p1#1", hits[0].ID)
	assert.Equal(t, "p3#1", hits[2].ID)

	_, err = x.Search(ctx, fulltext.Query{Sort: "random"})
	assert.Error(t, err)
}

func res2terms(fc []fulltext.FacetCount) []string {
	var out []string
	for _, f := range fc {
		out = append(out, f.Term)
	}
	return out
}

func TestParseFilterAndRange(t *testing.T) {
	f, err := fulltext.ParseFilter("Camera=推近")
	require.NoError(t, err)
	assert.Equal(t, fulltext.Filter{Key: "camera", Value: "推近"}, f)
	f, err = fulltext.ParseFilter("字幕色：#FFD400")
	require.NoError(t, err)
	assert.Equal(t, fulltext.Filter{Key: "字幕色", Value: "#FFD400"}, f)
	for _, bad := range []string{"", "=x", "camera=", "a.b=c", "bpm=fast"} {
		_, err := fulltext.ParseFilter(bad)
		assert.Error(t, err, bad)
	}
	for in, want := range map[string]fulltext.Range{"120-130": {Lo: 120, Hi: 130}, "128": {Lo: 128, Hi: 128}, "120-": {Lo: 120}, "-90": {Lo: 0, Hi: 90}} {
		r, err := fulltext.ParseRange(in)
		require.NoError(t, err, in)
		assert.Equal(t, want, r, in)
	}
	for _, bad := range []string{"", "-", "130-120", "a-b", "-5-3"} {
		_, err := fulltext.ParseRange(bad)
		assert.Error(t, err, bad)
	}
	rest, fs := fulltext.ExtractFilters("防晒 camera:推近 链接：点击 平台:抖音")
	assert.Equal(t, "防晒 链接：点击", rest, "an unknown Chinese key stays text")
	assert.Equal(t, []fulltext.Filter{{Key: "camera", Value: "推近"}, {Key: "平台", Value: "抖音"}}, fs)
}

func FuzzParseFilter(f *testing.F) {
	for _, s := range []string{"camera=推近", "bpm=120-130", "字幕色：#FFD400", "a=", "=b", "x:y:z"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		flt, err := fulltext.ParseFilter(s)
		if err != nil {
			return
		}
		if flt.Key == "" || flt.Value == "" {
			t.Fatalf("%q: empty key or value accepted: %+v", s, flt)
		}
		again, err := fulltext.ParseFilter(flt.String())
		if err != nil || again != flt {
			t.Fatalf("%q: String does not round-trip: %+v %v", s, again, err)
		}
	})
}

func FuzzParseRange(f *testing.F) {
	for _, s := range []string{"120-130", "128", "120-", "-90", "a", "1e400"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		r, err := fulltext.ParseRange(s)
		if err == nil && (r.Lo < 0 || r.Hi < 0 || r.Hi > 0 && r.Hi < r.Lo) {
			t.Fatalf("%q: bad range %+v", s, r)
		}
	})
}

// TestUnknownFilterKey (issue 24 item 8): a --where key that means nothing
// is an error naming the known keys (it used to find nothing, silently);
// any other metadata or attribute key is written meta.KEY or attr.KEY.
func TestUnknownFilterKey(t *testing.T) {
	_, err := fulltext.ParseFilter("cmaera=特写")
	require.Error(t, err)
	for _, want := range []string{`unknown key "cmaera"`, "camera", "platform", "subtitle_color", "镜头", "平台", "meta.KEY=VALUE"} {
		assert.Contains(t, err.Error(), want)
	}
	_, err = fulltext.ParseFilter("镜位=特写")
	assert.ErrorContains(t, err, "known keys")
	f, err := fulltext.ParseFilter("meta.达人=小美")
	require.NoError(t, err)
	assert.Equal(t, fulltext.Filter{Key: "meta.达人", Value: "小美"}, f)
	_, err = fulltext.ParseFilter("meta.=x")
	assert.Error(t, err)

	x, _ := openTemp(t, fulltext.Options{})
	require.NoError(t, x.Apply(filterDocs, nil))
	res, err := x.Search(context.Background(), fulltext.Query{Where: []fulltext.Filter{{Key: "meta.account", Value: "小美"}}, Limit: 10})
	require.NoError(t, err)
	assert.Equal(t, uint64(2), res.Total, "meta.KEY searches that metadata key")
	res, err = x.Search(context.Background(), fulltext.Query{Where: []fulltext.Filter{{Key: "attr.camera", Value: "拉远"}}, Limit: 10})
	require.NoError(t, err)
	assert.Equal(t, uint64(1), res.Total, "attr.KEY searches that attribute")
}
