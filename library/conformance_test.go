package library_test

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"elib/check"
	"elib/corpus"
	"elib/element"
	"elib/fingerprint/boilerplate"
	"elib/fingerprint/normalize"
	"elib/fingerprint/winnow"
	"elib/fingerprint/wordseg"
	"elib/fulltext"
	"elib/internal/elibtest"
	"elib/library"
	"elib/library/kit"
	"elib/library/postgres/pgtest"
)

func TestMain(m *testing.M) {
	code := m.Run()
	pgtest.StopShared()
	os.Exit(code)
}

// backend opens an empty writable library of one kind.
type backend struct {
	name string
	open func(t *testing.T) kit.Library
}

// locations make an empty location of each registered scheme: a new
// backend registers its scheme and adds its line here, and the behaviour
// tests run against it (TestEverySchemeIsConformanceTested fails until
// it does).
var locations = map[string]func(t *testing.T) string{
	"memory":   func(*testing.T) string { return library.MemoryLocation },
	"file":     func(t *testing.T) string { return filepath.Join(t.TempDir(), "lib") },
	"postgres": func(t *testing.T) string { return pgtest.Database(t) },
}

// backends are the libraries every behaviour test runs against: one per
// registered scheme, opened through the registry.
func backends() []backend {
	var out []backend
	for _, s := range library.Schemes() {
		loc, ok := locations[s.Name]
		if !ok {
			continue
		}
		out = append(out, backend{s.Name, func(t *testing.T) kit.Library { return openAt(t, loc(t)) }})
	}
	return out
}

func TestEverySchemeIsConformanceTested(t *testing.T) {
	var names []string
	for _, s := range library.Schemes() {
		names = append(names, s.Name)
		assert.Contains(t, locations, s.Name, "scheme %s has no line in locations", s.Name)
	}
	assert.ElementsMatch(t, []string{"file", "memory", "postgres"}, names)
}

func TestSchemeOf(t *testing.T) {
	for _, tc := range []struct {
		location, scheme, describe, short string
		root                              bool
	}{
		{"/srv/elib", "file", "/srv/elib", "elib", true},
		{"memory:", "memory", "in-memory library", "memory", false},
		{"postgres://u:secret@db/elib", "postgres", "postgres://u:xxxxx@db/elib", "elib", false},
		{"PostgreSQL:///team?host=/run/postgresql", "postgres", "", "team", false},
	} {
		s, err := library.SchemeOf(tc.location)
		require.NoError(t, err)
		assert.Equal(t, tc.scheme, s.Name, tc.location)
		if tc.describe != "" {
			assert.Equal(t, tc.describe, library.Describe(tc.location))
		}
		assert.NotContains(t, library.Describe(tc.location), "secret")
		assert.Equal(t, tc.short, library.ShortName(tc.location), tc.location)
		assert.Equal(t, tc.root, library.Root(tc.location) != "", tc.location)
	}
	assert.Equal(t, "/srv", library.Root("/srv/elib"))
}

func openAt(t *testing.T, location string) kit.Library {
	t.Helper()
	ctx := context.Background()
	require.NoError(t, library.Init(ctx, location))
	l, err := library.Open(ctx, location, library.Options{Engine: elibtest.Engine(t), Workers: 2})
	require.NoError(t, err)
	t.Cleanup(func() { l.Close() })
	return l
}

// each runs fn against every backend.
func each(t *testing.T, fn func(t *testing.T, l kit.Library)) {
	for _, b := range backends() {
		t.Run(b.name, func(t *testing.T) { fn(t, b.open(t)) })
	}
}

// script, sampleAssets and the runs are the shared library test fixture.
var (
	script       = elibtest.Script
	sampleAssets = elibtest.SampleAssets
)

const (
	hookRun  = elibtest.HookRun
	convRun  = elibtest.ConvRun
	testiRun = elibtest.TestiRun
	hookCook = elibtest.HookCook
	storyCar = elibtest.StoryCar
)

// candidates returns the element ids sharing an LSH band with text.
func candidates(t *testing.T, l kit.Library, text string) map[string]bool {
	t.Helper()
	e := elibtest.Engine(t)
	keys := e.BandKeys(nil, e.Fingerprint(text).Signature)
	out := map[string]bool{}
	l.CandidateCounts(keys, func(ref uint32, _ int) {
		el, err := l.Element(ref)
		require.NoError(t, err)
		out[el.ID] = true
	})
	return out
}

func TestImportAndRead(t *testing.T) {
	each(t, func(t *testing.T, l kit.Library) {
		ctx := context.Background()
		res, err := l.Import(ctx, sampleAssets())
		require.NoError(t, err)
		assert.Equal(t, kit.ImportResult{Assets: 3, Elements: 7}, res)
		assert.Equal(t, 3, elibtest.Must(l.AssetCount()))
		assert.Equal(t, 7, elibtest.Must(l.ElementCount()))
		assert.Equal(t, []string{"car/c.txt", "cook/b.txt", "run/a.txt"}, elibtest.Must(l.AssetIDs()))

		a, err := l.Asset("cook/b.txt")
		require.NoError(t, err)
		assert.Equal(t, "牛排锅", a.Title)
		assert.Equal(t, hookCook, a.Elements[0].Text)
		_, err = l.Asset("nope")
		assert.ErrorIs(t, err, kit.ErrNotFound)

		e, err := l.ElementByID("run/a.txt#3")
		require.NoError(t, err)
		assert.Equal(t, convRun, e.Text)
		assert.Equal(t, element.Type("conversion"), e.Type)
		assert.Equal(t, "跑鞋", e.Title)
		assert.NotEmpty(t, e.Signature)
		assert.NotEmpty(t, e.Shingles)
		assert.Equal(t, []string{"run/a.txt", ""}, elibtest.Must(l.AssetsOf([]uint32{e.Ref, 1 << 30})))
		l.Prefetch([]uint32{e.Ref, 1 << 30}) // a hint: unknown refs are no error
		assert.Len(t, elibtest.Must(l.AssetElements("run/a.txt")), 3)
		_, err = l.ElementByID("run/a.txt#9")
		assert.ErrorIs(t, err, kit.ErrNotFound)

		assert.True(t, candidates(t, l, convRun)["run/a.txt#3"])
		assert.Empty(t, candidates(t, l, "完全无关的一段文字，讲的是天气和云彩的变化"))

		// Anchors: a sentence of the copy text is held by its element.
		norm := elibtest.Engine(t).Normalizer().Normalize(storyCar)
		hashes := anchorHashes(norm.Runes)
		require.NotEmpty(t, hashes)
		held := map[string]bool{}
		counts := elibtest.Must(l.AnchorHolders(hashes, 4, func(i int, ref uint32) {
			el, err := l.Element(ref)
			require.NoError(t, err)
			held[el.ID] = true
		}))
		assert.True(t, held["car/c.txt#1"])
		assert.Len(t, counts, len(hashes))
	})
}

func TestReplaceAndRemove(t *testing.T) {
	each(t, func(t *testing.T, l kit.Library) {
		ctx := context.Background()
		_, err := l.Import(ctx, sampleAssets())
		require.NoError(t, err)
		res, err := l.Import(ctx, []element.Asset{script("run/a.txt", "跑鞋", "hook", hookRun)})
		require.NoError(t, err)
		assert.Equal(t, 1, res.Replaced)
		assert.Equal(t, 3, elibtest.Must(l.AssetCount()))
		assert.Equal(t, 5, elibtest.Must(l.ElementCount()))
		assert.False(t, candidates(t, l, convRun)["run/a.txt#3"], "a replaced element is gone")

		n, err := l.Remove(ctx, "cook/b.txt", "car/c.txt#2", "missing.txt")
		assert.ErrorIs(t, err, kit.ErrNotFound)
		assert.Contains(t, err.Error(), "missing.txt")
		assert.Equal(t, 2, n)
		assert.Equal(t, 2, elibtest.Must(l.AssetCount()))
		assert.Equal(t, 2, elibtest.Must(l.ElementCount()))
		assert.Equal(t, []uint32{elibtest.Must(l.AssetElements("car/c.txt"))[0]}, elibtest.Must(l.AssetElements("car/c.txt")))
		_, err = l.ElementByID("car/c.txt#2")
		assert.ErrorIs(t, err, kit.ErrNotFound)
		assert.Empty(t, candidates(t, l, hookCook))
	})
}

func TestAllowlistAndSentences(t *testing.T) {
	each(t, func(t *testing.T, l kit.Library) {
		require.NoError(t, l.AllowlistAdd(" 理性消费 ", "品牌口号", "", "品牌口号"))
		assert.Equal(t, []string{"品牌口号", "理性消费"}, elibtest.Must(l.Allowlist()))
		require.NoError(t, l.AllowlistRemove("品牌口号"))
		assert.Equal(t, []string{"理性消费"}, elibtest.Must(l.Allowlist()))

		// A sentence shared by two assets has a document frequency of 2.
		shared := "今天下单立减五十元限时三天"
		ctx := context.Background()
		_, err := l.Import(ctx, []element.Asset{
			script("x/1.txt", "一", "conversion", shared+"，快来抢购吧朋友们"),
			script("x/2.txt", "二", "conversion", shared+"，库存不多了要抓紧"),
		})
		require.NoError(t, err)
		norm := elibtest.Engine(t).Normalizer().Normalize(shared + "，快来抢购吧朋友们")
		hashes := sentences(t, shared+"，快来抢购吧朋友们", norm)
		assert.Equal(t, 2, slices.Max(elibtest.Must(l.SentenceDFs(hashes))))
		_, err = l.Remove(ctx, "x/2.txt")
		require.NoError(t, err)
		assert.Equal(t, 1, slices.Max(elibtest.Must(l.SentenceDFs(hashes))))
	})
}

func TestSearch(t *testing.T) {
	each(t, func(t *testing.T, l kit.Library) {
		ctx := context.Background()
		_, err := l.Import(ctx, sampleAssets())
		require.NoError(t, err)
		res, err := l.Search(ctx, fulltext.Query{Text: "膝盖", Type: "hook"})
		require.NoError(t, err)
		require.Equal(t, uint64(1), res.Total)
		assert.Equal(t, "run/a.txt#1", res.Hits[0].ID)
		assert.Contains(t, res.Hits[0].Fragments[0], "<mark>膝盖</mark>")

		res, err = l.Search(ctx, fulltext.Query{Text: "下单", Facets: true, Limit: 10})
		require.NoError(t, err)
		var ids []string
		for _, h := range res.Hits {
			ids = append(ids, h.ID)
		}
		sort.Strings(ids)
		assert.Equal(t, []string{"car/c.txt#2", "cook/b.txt#2", "run/a.txt#3"}, ids)
		assert.Equal(t, []fulltext.FacetCount{{Term: "conversion", Count: 3}}, res.Facets["type"])

		res, err = l.Search(ctx, fulltext.Query{Text: "下单", Where: []fulltext.Filter{{Key: "platform", Value: "快手"}}})
		require.NoError(t, err)
		assert.Zero(t, res.Total)

		_, err = l.Remove(ctx, "run/a.txt")
		require.NoError(t, err)
		res, err = l.Search(ctx, fulltext.Query{Text: "膝盖"})
		require.NoError(t, err)
		assert.Zero(t, res.Total)
	})
}

func TestStatsAndReindex(t *testing.T) {
	each(t, func(t *testing.T, l kit.Library) {
		ctx := context.Background()
		assets := sampleAssets()
		copyRun := script("copy/a.txt", "抄", "hook", hookRun, "conversion", convRun)
		_, err := l.Import(ctx, append(assets, copyRun))
		require.NoError(t, err)
		st, err := l.Stats()
		require.NoError(t, err)
		assert.Equal(t, 4, st.Assets)
		assert.Equal(t, 9, st.Elements)
		assert.Equal(t, map[element.Type]int{"hook": 3, "testimonial": 1, "conversion": 4, "story": 1}, st.ByType)
		assert.Positive(t, st.DiskBytes)

		_, err = l.Remove(ctx, "car/c.txt#1")
		require.NoError(t, err)
		require.NoError(t, l.Reindex(ctx, kit.ReindexOptions{}))
		assert.Equal(t, 4, elibtest.Must(l.AssetCount()))
		assert.Equal(t, 8, elibtest.Must(l.ElementCount()))
		assert.True(t, candidates(t, l, convRun)["run/a.txt#3"])
		res, err := l.Search(ctx, fulltext.Query{Text: "膝盖"})
		require.NoError(t, err)
		assert.Equal(t, uint64(3), res.Total)
	})
}

// TestCheckIdentical: the check gives the same JSON on every backend for
// the embedded sample library.
func TestCheckIdentical(t *testing.T) {
	lib, err := corpus.SampleAssets()
	require.NoError(t, err)
	probes := []element.Asset{
		script("p/copy.txt", "", "hook", lib[0].Elements[0].Text, "conversion", lib[1].Elements[len(lib[1].Elements)-1].Text),
		script("p/new.txt", "", "hook", "周末带孩子去郊外露营，帐篷搭好以后发现忘了带防潮垫"),
		lib[2],
	}
	var outs []string
	for _, b := range backends() {
		t.Run(b.name, func(t *testing.T) {
			l := b.open(t)
			ctx := context.Background()
			_, err := l.Import(ctx, lib)
			require.NoError(t, err)
			require.NoError(t, l.AllowlistAdd(corpus.Allowlist()...))
			c, err := check.New(elibtest.Engine(t), check.Options{}, l)
			require.NoError(t, err)
			var rs []*check.Result
			for i := range probes {
				r, err := c.Check(ctx, probes[i].ID, &probes[i])
				require.NoError(t, err)
				rs = append(rs, r)
			}
			out, err := json.Marshal(rs)
			require.NoError(t, err)
			outs = append(outs, string(out))
		})
	}
	for i := 1; i < len(outs); i++ {
		assert.JSONEq(t, outs[0], outs[i], "backend %d", i)
	}
}

func TestReadOnlyRefusesWrites(t *testing.T) {
	for name, loc := range map[string]func(t *testing.T) string{
		"file":     func(t *testing.T) string { return filepath.Join(t.TempDir(), "lib") },
		"postgres": func(t *testing.T) string { return pgtest.Database(t) },
	} {
		t.Run(name, func(t *testing.T) {
			ctx := context.Background()
			where := loc(t)
			require.NoError(t, library.Init(ctx, where))
			assert.ErrorIs(t, library.Init(ctx, where), kit.ErrExists)
			l, err := library.Open(ctx, where, library.Options{ReadOnly: true})
			require.NoError(t, err)
			defer l.Close()
			_, err = l.Import(ctx, sampleAssets())
			assert.ErrorIs(t, err, kit.ErrReadOnly)
			assert.ErrorIs(t, l.AllowlistAdd("x"), kit.ErrReadOnly)
		})
	}
}

func anchorHashes(runes []rune) []uint64 { return winnow.Hashes(runes) }

func sentences(t *testing.T, text string, norm normalize.Text) []uint64 {
	var out []uint64
	for _, s := range boilerplate.Sentences(text, norm, elibtest.Engine(t).Options().MinRun) {
		out = append(out, s.Hash)
	}
	return out
}

func TestPacks(t *testing.T) {
	each(t, func(t *testing.T, l kit.Library) {
		ps, ok := l.(kit.PackStore)
		require.True(t, ok)
		assert.Empty(t, elibtest.Must(ps.Packs()))
		id, err := ps.PackAdd(kit.Pack{Title: "跑鞋模板", From: "run/a.txt", Created: "2026-12-01T00:00:00Z",
			Elements: []kit.PackElement{{ElementID: "run/a.txt#1", Type: "hook", Text: hookRun}}})
		require.NoError(t, err)
		assert.Equal(t, "pack-1", id)
		id2, err := ps.PackAdd(kit.Pack{ID: "mine", From: "x"})
		require.NoError(t, err)
		assert.Equal(t, "mine", id2)
		_, err = ps.PackAdd(kit.Pack{ID: "mine"})
		assert.ErrorIs(t, err, kit.ErrPackExists)
		p, err := ps.Pack("pack-1")
		require.NoError(t, err)
		assert.Equal(t, "跑鞋模板", p.Title)
		assert.Equal(t, hookRun, p.Elements[0].Text)
		var ids []string
		for _, p := range elibtest.Must(ps.Packs()) {
			ids = append(ids, p.ID)
		}
		assert.Equal(t, []string{"pack-1", "mine"}, ids)
		require.NoError(t, ps.PackRemove("pack-1"))
		assert.ErrorIs(t, ps.PackRemove("pack-1"), kit.ErrNotFound)
		_, err = ps.Pack("pack-1")
		assert.ErrorIs(t, err, kit.ErrNotFound)
		id, err = ps.PackAdd(kit.Pack{From: "y"})
		require.NoError(t, err)
		assert.Equal(t, "pack-1", id)
	})
}

// TestReindexFrom: `reindex --from DIR` rebuilds the library from the files
// under DIR on every backend: the stored assets are replaced by the
// directory's, a file that does not parse is named by Damage and skipped,
// and search, candidates and the allowlist follow.
func TestReindexFrom(t *testing.T) {
	dir := t.TempDir()
	require.NoError(t, os.MkdirAll(filepath.Join(dir, "shoes"), 0o755))
	files := map[string]string{
		"shoes/run.md":  "# 新跑鞋\n【钩子】" + hookRun + "\n【转化】" + convRun + "\n",
		"camp.md":       "【钩子】周末带孩子去郊外露营，帐篷搭好以后发现忘了带防潮垫\n",
		"broken.json":   `{"id": "x", "elements": [`,
		"dup/camp.json": `{"id": "camp.md", "title": "重复", "text": "同一个编号的第二份素材不应该被收进来"}`,
	}
	for name, text := range files {
		require.NoError(t, os.MkdirAll(filepath.Dir(filepath.Join(dir, name)), 0o755))
		require.NoError(t, os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644))
	}
	each(t, func(t *testing.T, l kit.Library) {
		ctx := context.Background()
		_, err := l.Import(ctx, sampleAssets())
		require.NoError(t, err)
		require.NoError(t, l.AllowlistAdd("理性消费"))

		// A cancelled rebuild changes nothing.
		cancelled, cancel := context.WithCancel(ctx)
		cancel()
		require.Error(t, l.Reindex(cancelled, kit.ReindexOptions{From: dir}))
		assert.Equal(t, []string{"car/c.txt", "cook/b.txt", "run/a.txt"}, elibtest.Must(l.AssetIDs()))

		require.NoError(t, l.Reindex(ctx, kit.ReindexOptions{From: dir}))
		assert.Equal(t, []string{"camp.md", "shoes/run.md"}, elibtest.Must(l.AssetIDs()))
		assert.Equal(t, 3, elibtest.Must(l.ElementCount()))
		damage := strings.Join(l.Damage(), "\n")
		assert.Contains(t, damage, "broken.json")
		assert.Contains(t, damage, "duplicate asset id camp.md")
		a, err := l.Asset("shoes/run.md")
		require.NoError(t, err)
		assert.Equal(t, "新跑鞋", a.Title)
		assert.True(t, candidates(t, l, convRun)["shoes/run.md#2"])
		assert.Equal(t, []string{"理性消费"}, elibtest.Must(l.Allowlist()))

		res, err := l.Search(ctx, fulltext.Query{Text: "膝盖"})
		require.NoError(t, err)
		require.Equal(t, uint64(1), res.Total)
		assert.Equal(t, "shoes/run.md#1", res.Hits[0].ID)
		res, err = l.Search(ctx, fulltext.Query{Text: "牛排"})
		require.NoError(t, err)
		assert.Zero(t, res.Total, "the stored assets are gone")
	})
}

// searchAssets are the assets of TestSearchIdentical: the two-thirds rule
// per field (an element holding one of three query words, two of three,
// one in its text and one in its title), metadata and attributes to
// filter, sort and facet on.
func searchAssets() []element.Asset {
	mk := func(id, title string, meta map[string]any, parts ...any) element.Asset {
		a := element.Asset{ID: id, Title: title, Meta: meta}
		for i := 0; i+2 < len(parts)+1; i += 3 {
			a.Elements = append(a.Elements, element.Element{Type: element.Type(parts[i].(string)), Text: parts[i+1].(string),
				Attributes: parts[i+2].(map[string]any)})
		}
		a.Reoffset()
		return a
	}
	attrs := func(camera string, bpm any, color string) map[string]any {
		m := map[string]any{"camera": camera, "subtitle_color": color}
		if bpm != nil {
			m["bgm_bpm"] = bpm
		}
		return m
	}
	return []element.Asset{
		mk("s/one.txt", "通勤包", map[string]any{"platform": "抖音", "campaign": "双11", "plays": "1.2万", "published": "2026-11-01"},
			"hook", "跑步的时候膝盖疼怎么办", attrs("推近", 128, "#FFD400"),
			"conversion", "点击链接下单，今天立减五十元", attrs("固定", 90, "#ffffff")),
		mk("s/two.txt", "运动", map[string]any{"platform": "快手", "campaign": "双11", "plays": 5000, "published": "2026-11-05 20:00"},
			"hook", "膝盖不疼的跑鞋，今晚直播间见", attrs("拉远", 150, "#FFD400"),
			"testimonial", "我穿了三个月跑鞋，亲测好评", attrs("推近", nil, "#FFD400")),
		mk("s/three.txt", "跑鞋", map[string]any{"platform": "抖音", "campaign": "年货节", "plays": "3w", "published": "2026-10-20"},
			"hook", "膝盖保护真的很重要", attrs("推近", 110, "#00FF00"),
			"conversion", "直播间下单送袜子，限时三天", attrs("晃动", 128, "#ffd400")),
		mk("s/four.txt", "", map[string]any{"platform": "Douyin", "plays": "800", "created": "2026-11-10T08:00:00+08:00"},
			"story", "新款跑鞋今晚直播间首发，我等了一年", attrs("推近", "135", "#FFD400"),
			"other", "顺手点个关注，下单前先看评论区", attrs("固定", nil, "")),
		mk("s/five.txt", "厨房好物", map[string]any{"platform": "小红书", "campaign": "双11", "product": "牛排锅", "published": "2026-11-20"},
			"hook", "千万别再用普通锅煎牛排了", attrs("上摇", 100, ""),
			"conversion", "点击下方链接下单，新人专享价", attrs("推近", 128, "#FFD400")),
		// A story longer than the highlighter's 200-character fragments.
		mk("s/six.txt", "长故事", map[string]any{"published": "2026-09-01"},
			"story", strings.Repeat("那年冬天我在北方的小城里开了一家面馆，", 12)+"后来跑步伤了膝盖，才明白休息的意义。", attrs("固定", nil, "")),
	}
}

// TestSearchIdentical: the same searches give the same answers on every
// backend — totals, hits (with their text, title, plays, published time
// and highlighted fragments), facet counts, the order of --sort plays and
// --sort created, and offset paging — with the two-thirds rule applied per
// field as bleve applies it.
func TestSearchIdentical(t *testing.T) {
	queries := []struct {
		name string
		q    fulltext.Query
		// ids are the hits expected (any order), when the case pins them.
		ids []string
	}{
		{name: "2 of 3 words hit, 1 of 3 and 1 text + 1 title miss", q: fulltext.Query{Text: "膝盖 跑鞋 直播间"},
			ids: []string{"s/four.txt#1", "s/two.txt#1"}},
		{name: "one word", q: fulltext.Query{Text: "膝盖"},
			ids: []string{"s/one.txt#1", "s/six.txt#1", "s/three.txt#1", "s/two.txt#1"}},
		{name: "title only", q: fulltext.Query{Text: "厨房好物"},
			ids: []string{"s/five.txt#1", "s/five.txt#2"}},
		{name: "facets", q: fulltext.Query{Text: "下单", Facets: true}},
		{name: "match all with facets", q: fulltext.Query{Facets: true}},
		{name: "filters combined", q: fulltext.Query{Text: "下单", Type: "转化",
			Where: []fulltext.Filter{{Key: "平台", Value: "抖音"}, {Key: "color", Value: "#ffd400"}}},
			ids: []string{"s/three.txt#2"}},
		{name: "filter words in the text", q: fulltext.Query{Text: "camera:推近 bpm:120-140", Facets: true},
			ids: []string{"s/five.txt#2", "s/four.txt#1", "s/one.txt#1"}},
		{name: "bpm range and since", q: fulltext.Query{BPM: &fulltext.Range{Lo: 100},
			Since: time.Date(2026, 11, 2, 0, 0, 0, 0, time.UTC)}},
		{name: "until", q: fulltext.Query{Until: time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC), Facets: true}},
		{name: "product alias", q: fulltext.Query{Where: []fulltext.Filter{{Key: "product", Value: "牛排锅"}}},
			ids: []string{"s/five.txt#1", "s/five.txt#2"}},
		{name: "unknown type", q: fulltext.Query{Text: "下单", Type: "nonsense"}},
		{name: "no match", q: fulltext.Query{Text: "跑鞋", Where: []fulltext.Filter{{Key: "platform", Value: "微博"}}, Facets: true}},
		{name: "sort plays", q: fulltext.Query{Text: "膝盖 下单 跑鞋 直播间 链接", Sort: fulltext.SortPlays}},
		{name: "sort plays all", q: fulltext.Query{Sort: fulltext.SortPlays, Limit: 100}},
		{name: "sort created", q: fulltext.Query{Where: []fulltext.Filter{{Key: "camera", Value: "推近"}}, Sort: fulltext.SortCreated, Limit: 100}},
	}
	type answer struct {
		Total  uint64
		IDs    []string // sorted unless the query sorts by plays or time
		Hits   map[string]fulltext.Hit
		Facets map[string][]fulltext.FacetCount
		Pages  []string // every hit once, paging by 2
	}
	answers := map[string][]answer{}
	for _, b := range backends() {
		t.Run(b.name, func(t *testing.T) {
			l := b.open(t)
			ctx := context.Background()
			_, err := l.Import(ctx, searchAssets())
			require.NoError(t, err)
			for _, c := range queries {
				q := c.q
				q.Limit = 100
				res, err := l.Search(ctx, q)
				require.NoError(t, err, c.name)
				a := answer{Total: res.Total, Hits: map[string]fulltext.Hit{}, Facets: res.Facets}
				for _, h := range res.Hits {
					a.IDs = append(a.IDs, h.ID)
					h.Score = 0
					a.Hits[h.ID] = h
				}
				if c.q.Sort == "" {
					sort.Strings(a.IDs)
				}
				if c.ids != nil {
					assert.Equal(t, c.ids, a.IDs, c.name)
				}
				q.Limit = 2
				for q.Offset = 0; q.Offset < int(res.Total)+2; q.Offset += 2 {
					page, err := l.Search(ctx, q)
					require.NoError(t, err, c.name)
					assert.Equal(t, res.Total, page.Total, c.name)
					assert.LessOrEqual(t, len(page.Hits), 2)
					for _, h := range page.Hits {
						a.Pages = append(a.Pages, h.ID)
					}
				}
				assert.Len(t, a.Pages, int(res.Total), "%s: paging gives every hit once", c.name)
				if c.q.Sort != "" {
					assert.Equal(t, a.IDs, a.Pages, "%s: pages follow the order", c.name)
				}
				sort.Strings(a.Pages)
				answers[c.name] = append(answers[c.name], a)
			}
		})
	}
	for _, c := range queries {
		as := answers[c.name]
		for i := 1; i < len(as); i++ {
			assert.Equal(t, as[0], as[i], "%s: backend %d vs memory", c.name, i)
		}
	}
}

// TestSearchIdenticalOnSample: random queries over the embedded sample
// library — pieces of its own copy text and titles, joined into queries of
// one to five words that elements hold in part, with random filters and
// sorts — give every backend the same totals, hits, fragments and facets.
func TestSearchIdenticalOnSample(t *testing.T) {
	lib, err := corpus.SampleAssets()
	require.NoError(t, err)
	seg, err := wordseg.Default()
	require.NoError(t, err)
	rng := rand.New(rand.NewPCG(7, 8))
	// words are the words (as jieba cuts them) of a random element's text,
	// or of its asset's title.
	words := func() []string {
		a := lib[rng.IntN(len(lib))]
		text := a.Elements[rng.IntN(len(a.Elements))].Text
		if rng.IntN(4) == 0 && a.Title != "" {
			text = a.Title
		}
		var out []string
		for _, w := range seg.Cut(text) {
			if utf8.RuneCountInString(w) >= 2 {
				out = append(out, w)
			}
		}
		if len(out) == 0 {
			return []string{"下单"}
		}
		return out
	}
	var queries []fulltext.Query
	for i := 0; i < 300; i++ {
		// One to four words of one element, one of them often replaced by
		// a word of another: hits, near misses, other elements' partial
		// matches.
		from := words()
		text := make([]string, 1+rng.IntN(4))
		for j := range text {
			text[j] = from[rng.IntN(len(from))]
		}
		if rng.IntN(2) == 0 {
			other := words()
			text[rng.IntN(len(text))] = other[rng.IntN(len(other))]
		}
		q := fulltext.Query{Text: strings.Join(text, " "), Limit: 1000, Facets: rng.IntN(2) == 0}
		switch rng.IntN(6) {
		case 0:
			q.Type = []string{"hook", "conversion", "证言", "story"}[rng.IntN(4)]
		case 1:
			q.Where = []fulltext.Filter{{Key: "platform", Value: []string{"抖音", "小红书", "快手"}[rng.IntN(3)]}}
		case 2:
			q.Sort = []string{fulltext.SortPlays, fulltext.SortCreated}[rng.IntN(2)]
		case 3:
			q.Text = ""
			q.Where = []fulltext.Filter{{Key: "camera", Value: []string{"推近", "固定", "拉远"}[rng.IntN(3)]}}
		}
		queries = append(queries, q)
	}
	var outs [][]string
	for _, b := range backends() {
		t.Run(b.name, func(t *testing.T) {
			l := b.open(t)
			ctx := context.Background()
			_, err := l.Import(ctx, lib)
			require.NoError(t, err)
			var out []string
			found, multi := 0, 0 // queries with hits; of them with several words
			for _, q := range queries {
				res, err := l.Search(ctx, q)
				require.NoError(t, err, q.Text)
				byID := map[string]fulltext.Hit{}
				for _, h := range res.Hits {
					h.Score = 0
					byID[h.ID] = h
				}
				var order []string
				if q.Sort != "" {
					// Sorted by plays or time: the order of hits with
					// distinct keys is the same; ties go by relevance.
					for _, h := range res.Hits {
						key := h.Published
						if q.Sort == fulltext.SortPlays {
							key = "none"
							if h.Plays != nil {
								key = fmt.Sprint(*h.Plays)
							}
						}
						order = append(order, key)
					}
				}
				b, err := json.Marshal([]any{q.Text, res.Total, byID, res.Facets, order})
				require.NoError(t, err)
				out = append(out, string(b))
				if res.Total > 0 {
					found++
					if strings.Contains(q.Text, " ") {
						multi++
					}
				}
			}
			t.Logf("%d of %d queries find something, %d of them with several words", found, len(queries), multi)
			assert.Greater(t, found, 150, "the queries find something")
			assert.Greater(t, multi, 90, "multi-word queries find something")
			outs = append(outs, out)
		})
	}
	for i := 1; i < len(outs); i++ {
		for j := range outs[0] {
			assert.JSONEq(t, outs[0][j], outs[i][j], "backend %d, query %d %q", i, j, queries[j].Text)
		}
	}
}

func TestBatcherPipelinesInOrder(t *testing.T) {
	each(t, func(t *testing.T, l kit.Library) {
		ctx := context.Background()
		assets := sampleAssets()
		changed := assets[0]
		changed.Elements = changed.Elements[:1] // the same id again, later, with fewer elements
		var committed []string
		b := library.NewBatcher(l, 2, func(input string, _, _ int) {
			committed = append(committed, input)
			// An input is reported only once its batch is in the library.
			assert.Contains(t, elibtest.Must(l.AssetIDs()), map[string]string{"a": assets[0].ID, "b": assets[1].ID, "c": assets[2].ID, "a2": changed.ID}[input])
		})
		require.NoError(t, b.Add(ctx, "a", assets[:1]))
		require.NoError(t, b.Add(ctx, "b", assets[1:2]))
		require.NoError(t, b.Add(ctx, "c", assets[2:]))
		require.NoError(t, b.Add(ctx, "a2", []element.Asset{changed}))
		require.NoError(t, b.Flush(ctx))
		assert.Equal(t, []string{"a", "b", "c", "a2"}, committed)
		want := 0
		for _, a := range assets[1:] {
			want += len(a.Elements)
		}
		assert.Equal(t, kit.ImportResult{Assets: 4, Elements: want + 1 + len(assets[0].Elements), Replaced: 1}, b.Result)
		assert.Equal(t, want+1, elibtest.Must(l.ElementCount()), "the later version of the re-imported asset wins")
		require.NoError(t, b.Flush(ctx), "flushing nothing is fine")
	})
}

func TestBatcherReportsAFailedBatch(t *testing.T) {
	each(t, func(t *testing.T, l kit.Library) {
		ctx := context.Background()
		assets := sampleAssets()
		var committed []string
		b := library.NewBatcher(l, 1, func(input string, _, _ int) { committed = append(committed, input) })
		require.NoError(t, b.Add(ctx, "good", assets[:1]))
		bad := assets[1]
		bad.ID = "" // refused when prepared
		err := b.Add(ctx, "bad", []element.Asset{bad})
		require.Error(t, err)
		assert.Contains(t, err.Error(), "no id")
		assert.Equal(t, []string{"good"}, committed, "the batch before the bad one committed and was reported")
		assert.Equal(t, []string{assets[0].ID}, elibtest.Must(l.AssetIDs()))
	})
}

func TestPrepareImportTouchesNothing(t *testing.T) {
	each(t, func(t *testing.T, l kit.Library) {
		ctx := context.Background()
		gen := elibtest.Must(l.Generation())
		p, err := l.PrepareImport(ctx, sampleAssets())
		require.NoError(t, err)
		assert.Equal(t, 0, elibtest.Must(l.ElementCount()))
		assert.Equal(t, gen, elibtest.Must(l.Generation()))
		res, err := l.ImportPrepared(ctx, p)
		require.NoError(t, err)
		assert.Equal(t, kit.ImportResult{Assets: 3, Elements: 7}, res)
		assert.Equal(t, []string{"car/c.txt", "cook/b.txt", "run/a.txt"}, elibtest.Must(l.AssetIDs()))
	})
}

func TestDefaultBatchElements(t *testing.T) {
	for _, tc := range []struct {
		location string
		want     int
	}{
		{"/srv/elib", 2000},
		{".elib", 2000},
		{"postgres://u@db/elib", 20000},
		{"postgresql:///elib?host=/run/postgresql", 20000},
	} {
		assert.Equal(t, tc.want, library.DefaultBatchElements(tc.location), tc.location)
	}
}

// TestAssetsOfConsecutiveRefs: AssetsOf over every element ref in order —
// the neighbours of one asset, of the next, of a removed one — names the
// asset of each live ref and "" for a removed one, as single lookups do.
func TestAssetsOfConsecutiveRefs(t *testing.T) {
	each(t, func(t *testing.T, l kit.Library) {
		ctx := context.Background()
		_, err := l.Import(ctx, sampleAssets())
		require.NoError(t, err)
		want := map[uint32]string{}
		var refs []uint32
		for _, id := range elibtest.Must(l.AssetIDs()) {
			for _, ref := range elibtest.Must(l.AssetElements(id)) {
				want[ref] = id
				refs = append(refs, ref)
			}
		}
		for _, ref := range elibtest.Must(l.AssetElements("cook/b.txt")) {
			want[ref] = ""
		}
		_, err = l.Remove(ctx, "cook/b.txt")
		require.NoError(t, err)
		slices.Sort(refs)
		got := elibtest.Must(l.AssetsOf(refs))
		for i, ref := range refs {
			assert.Equal(t, want[ref], got[i], "ref %d", ref)
			assert.Equal(t, want[ref], elibtest.Must(l.AssetsOf([]uint32{ref}))[0], "ref %d alone", ref)
		}
	})
}
