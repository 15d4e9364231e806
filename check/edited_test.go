package check_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
	"unicode"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"elib/check"
	"elib/element"
	"elib/index"
	"elib/internal/elibtest"
)

// edit rewrites every CJK character at positions ≡ every-1 (mod every) of
// each text: kind "sub" replaces it, "ins" adds a filler after it, "del"
// drops it, "swap" replaces it and the one before (a two-character word).
func edit(texts []string, every int, kind string) []string {
	const fillers = "的了超很也就呀哦"
	fr := []rune(fillers)
	out := make([]string, len(texts))
	k := 0
	for i, t := range texts {
		var b strings.Builder
		rs := []rune(t)
		for j := 0; j < len(rs); j++ {
			r := rs[j]
			if !unicode.Is(unicode.Han, r) {
				b.WriteRune(r)
				continue
			}
			k++
			if k%every != 0 {
				b.WriteRune(r)
				continue
			}
			switch kind {
			case "sub":
				b.WriteRune(r + 1)
			case "ins":
				b.WriteRune(r)
				b.WriteRune(fr[k%len(fr)])
			case "del":
			case "swap":
				// The previous character was written; replace the pair.
				s := []rune(b.String())
				if n := len(s); n > 0 && unicode.Is(unicode.Han, s[n-1]) {
					s[n-1]++
					b.Reset()
					b.WriteString(string(s))
				}
				b.WriteRune(r + 1)
			}
		}
		out[i] = b.String()
	}
	return out
}

// TestEditedCopies pins SPEC §4 "edited copies count": a library script
// edited every few characters is still the script when there is at most
// one edit per four characters, whatever the kind of edit.
func TestEditedCopies(t *testing.T) {
	c := newChecker(t)
	serum := textsOf(libraryAssets[0])
	for _, every := range []int{3, 4, 6, 8} {
		for _, kind := range []string{"sub", "ins", "del", "swap"} {
			t.Run(fmt.Sprintf("%s every %d", kind, every), func(t *testing.T) {
				a := asset("new/edited.md", edit(serum, every, kind)...)
				res, err := c.Check(context.Background(), a.ID, &a)
				require.NoError(t, err)
				// One edit per three characters is more than one per four,
				// except an insertion: three kept, one added, four columns.
				// A two-character swap every six is one edit per six.
				counts := every >= 4 || kind == "ins"
				if kind == "swap" {
					counts = every >= 6
				}
				if counts {
					assert.Equal(t, check.Reject, res.Verdict, "duplication %.3f", res.Duplication)
					assert.True(t, hasEdited(res), "reported as an edited copy")
				} else {
					assert.Less(t, res.Duplication, 0.3)
				}
			})
		}
	}
}

func hasEdited(res *check.Result) bool {
	for _, e := range res.Elements {
		for _, m := range e.Matches {
			for _, s := range m.Spans {
				if s.Kind == check.KindEdited {
					return len(s.Edits) > 0
				}
			}
		}
	}
	return false
}

// TestEditedCollage: one edited clause from each of four scripts is as
// duplicated as one edited copy (the union over sources), and another
// writer's text sharing eight stock phrases in another order passes.
func TestEditedCollage(t *testing.T) {
	eng := elibtest.Engine(t)
	sources := []element.Asset{
		asset("lib/a.md", "冬天早上起床最痛苦的就是脸干得起皮，抹什么面霜都搓泥，上妆以后一整天都卡粉。"),
		asset("lib/b.md", "这台空气炸锅不用一滴油，鸡翅二十分钟外酥里嫩，洗起来也方便，内胆一冲就干净。"),
		asset("lib/c.md", "孩子写作业总是坐不住，换了这张升降学习桌以后，腰背挺直了，一坐就是一个小时。"),
		asset("lib/d.md", "露营最怕晚上冷，这个睡袋零下五度也能睡得暖和，收起来只有一个水杯那么大。"),
		asset("lib/stock.md", "这款牛肉干口感细腻，入口即化，肉质鲜嫩，香辣可口，回味无穷，老少皆宜，营养丰富，方便携带，是追剧必备的零食。"),
	}
	lib, err := index.Memory(context.Background(), eng, sources)
	require.NoError(t, err)
	c, err := check.New(eng, check.Options{}, lib)
	require.NoError(t, err)

	var clauses []string
	for _, s := range sources[:4] {
		clauses = append(clauses, edit(textsOf(s), 5, "sub")[0])
	}
	collage := asset("new/collage.md", strings.Join(clauses, ""))
	res, err := c.Check(context.Background(), collage.ID, &collage)
	require.NoError(t, err)
	assert.Equal(t, check.Reject, res.Verdict, "duplication %.3f", res.Duplication)
	got := map[string]bool{}
	for _, s := range res.Sources() {
		got[s.AssetID] = true
	}
	for _, s := range sources[:4] {
		assert.True(t, got[s.ID], "source %s found", s.ID)
	}

	other := asset("new/other.md", "追剧的时候我总要备一包，老少皆宜，方便携带。朋友尝了说营养丰富，回味无穷，"+
		"我倒觉得最难得的是肉质鲜嫩，香辣可口却不上火，入口即化的那种，口感细腻到不像牛肉干。")
	res, err = c.Check(context.Background(), other.ID, &other)
	require.NoError(t, err)
	assert.Equal(t, check.Pass, res.Verdict, "duplication %.3f", res.Duplication)
}

// TestEditedCopyProperty: k scattered edits in an n-character copy leave
// duplication at least (n-2k)/n when n/k >= 4.
func TestEditedCopyProperty(t *testing.T) {
	c := newChecker(t)
	serum := textsOf(libraryAssets[0])
	r := rand.New(rand.NewPCG(7, 11))
	for trial := 0; trial < 40; trial++ {
		every := 4 + r.IntN(5)
		texts := make([]string, len(serum))
		n, k := 0, 0
		for i, t := range serum {
			var b strings.Builder
			j := 0
			for _, ch := range t {
				if !unicode.Is(unicode.Han, ch) {
					b.WriteRune(ch)
					continue
				}
				n++
				j++
				if j%every == r.IntN(every) && j > 1 {
					k++
					switch r.IntN(3) {
					case 0:
						b.WriteRune(ch + 1)
					case 1:
						b.WriteRune(ch)
						b.WriteRune('的')
					}
					continue
				}
				b.WriteRune(ch)
			}
			texts[i] = b.String()
		}
		if k == 0 || n/k < 4 {
			continue
		}
		a := asset("new/prop.md", texts...)
		res, err := c.Check(context.Background(), a.ID, &a)
		require.NoError(t, err)
		assert.GreaterOrEqual(t, res.Duplication, float64(n-2*k)/float64(n)-0.001, "trial %d: n=%d k=%d %v", trial, n, k, texts)
	}
}

// TestEditedShortElements: a hook-length library element (one sentence,
// what creators replace first) edited every six characters is still
// found and rejected: short elements hold enough edit anchors (with the
// 16-gram window of long texts, 11 of these 18 were missed).
func TestEditedShortElements(t *testing.T) {
	eng := elibtest.Engine(t)
	hooks := []string{
		"冬天早上起床最痛苦的就是脸干得起皮，抹什么都搓泥。",
		"孩子写作业总是坐不住，十分钟就要起来喝一次水。",
		"露营最怕晚上冷，半夜被冻醒的滋味谁懂啊。",
		"带娃出门推车比孩子还重，上个地铁手忙脚乱。",
		"你家的空调滤网多久没洗了，吹出来的都是灰。",
		"熬夜追剧第二天脸色暗沉得像没睡醒一样。",
	}
	var sources []element.Asset
	for i, h := range hooks {
		sources = append(sources, asset(fmt.Sprintf("lib/hook-%d.md", i), h))
	}
	lib, err := index.Memory(context.Background(), eng, sources)
	require.NoError(t, err)
	c, err := check.New(eng, check.Options{}, lib)
	require.NoError(t, err)
	for i, h := range hooks {
		for _, kind := range []string{"sub", "ins", "del"} {
			a := asset("new/hook.md", edit([]string{h}, 6, kind)...)
			res, err := c.Check(context.Background(), a.ID, &a)
			require.NoError(t, err)
			assert.Equal(t, check.Reject, res.Verdict, "hook %d %s: %q duplication %.3f", i, kind, a.Elements[0].Text, res.Duplication)
		}
	}
}

// TestEditedStockFormula: a sales formula that several library scripts
// use in the same order (今天到手价…点击…下单，再送一个…) aligns with each of
// them like an edited copy, but it is stock phrasing, not a copy: with
// the stock rule no edited span counts it; without it (StockHolders < 0)
// it does. An edited copy of a script's own wording still counts.
func TestEditedStockFormula(t *testing.T) {
	eng := elibtest.Engine(t)
	lib, err := index.Memory(context.Background(), eng, []element.Asset{
		asset("lib/clip.md", "导航的时候，你的手机放在哪里？", "今天到手价只要39.9，点击小黄车下单，再送一个备用夹头，适配百分之九十五的车型。"),
		asset("lib/bag.md", "今天到手价只要59，点击小黄车下单，再送一个收纳袋，宝宝出门带着刚刚好。"),
		asset("lib/cloth.md", "今天到手价只要129，点击小黄车下单，再送一个清洁布，厨房里的油污一擦就掉。"),
		asset("lib/cup.md", "今天到手价只要49，点击小黄车下单，再送一个杯刷，办公室里天天用得上。"),
		asset("lib/lamp.md", "今天到手价只要89，点击小黄车下单，再送一个挂钩，床头墙上都能装。"),
		asset("lib/mat.md", "今天到手价只要69，点击小黄车下单，再送一个收纳网，后备箱一下就整齐了。"),
		asset("lib/fridge.md", "这台车载冰箱只有十五升，放在后排脚下刚好，制冷很快，半小时就能把饮料冰透。"),
	})
	require.NoError(t, err)
	// The hook is copied as is, so the clip script's other element, the
	// formula, is verified too (its asset is expanded).
	formula := asset("new/formula.md", "导航的时候，你的手机放在哪里？", "今天到手价399，点击链接下单，再送一个车载电源线，夏天自驾游的家人们可以安排上。")
	edited := asset("new/fridge.md", "这台车载的冰箱只有十五升，放在后排的脚下刚好，制冷超很快，半小时就能把饮料都冰透。")
	for _, tc := range []struct {
		name         string
		stockHolders int
		a            element.Asset
		wantEdited   bool
	}{
		{"a stock formula is not an edited copy", 0, formula, false},
		{"without the stock rule it is", -1, formula, true},
		{"an edited copy of a script's own wording counts", 0, edited, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, err := check.New(eng, check.Options{Tuning: check.Tuning{StockHolders: tc.stockHolders}}, lib)
			require.NoError(t, err)
			res, err := c.Check(context.Background(), tc.a.ID, &tc.a)
			require.NoError(t, err)
			assert.Equal(t, tc.wantEdited, hasEdited(res), "duplication %.3f", res.Duplication)
		})
	}
}
