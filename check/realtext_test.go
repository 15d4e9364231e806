package check_test

import (
	"context"
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

// realLibrary is product copy in the style of real shop descriptions:
// each asset a few sentences, several sharing stock phrases (百搭, 简约大方)
// the way unrelated originals do.
var realLibrary = []element.Asset{
	asset("shop/coat.txt", "这款羊毛大衣采用双面呢工艺，手感柔软细腻，穿在身上轻盈又保暖，简约大方的版型让你在通勤路上也能保持优雅。"),
	asset("shop/kettle.txt", "恒温电水壶五分钟就能烧开一整壶水，内胆是食品级的不锈钢材质，四十五度保温冲奶粉特别方便，宝妈们夜里再也不用等水凉了。"),
	asset("shop/serum.txt", "精华液质地清爽好吸收，连续使用二十八天，肌肤明显变得透亮有光泽，早上上妆也更加服帖，敏感肌也可以放心使用。"),
	asset("shop/shoes.txt", "鞋底采用加厚的橡胶材质，防滑耐磨，走在湿滑的路面上也很稳，鞋面透气网布设计，长时间行走脚也不会闷热出汗。"),
	asset("shop/lamp.txt", "护眼台灯采用无频闪的光源，三档色温可以随意调节，孩子晚上写作业眼睛不容易疲劳，底座还带有手机无线充电功能。"),
	asset("shop/bag.txt", "双肩包内部有多个分隔收纳层，笔记本电脑和充电器都能分开放好，背带加宽加厚，长时间背着肩膀也不会酸痛。"),
	asset("shop/tea.txt", "这款高山乌龙茶生长在海拔一千二百米的云雾茶园里，汤色金黄透亮，入口回甘明显，冲泡七次依然留有淡淡的兰花香。"),
	asset("shop/pan.txt", "不粘锅的锅底是五层复合结构，受热均匀不糊锅，煎鸡蛋不用放油也不会粘，燃气灶和电磁炉都可以使用。"),
	asset("shop/phone.txt", "适用于iPhone15ProMax的磁吸手机壳，官网同款MagSafe磁吸圈，型号KX2024A88，跌落测试两米不碎。"),
	asset("shop/kids.txt", "来自加拿大的童帽品牌flapjackkids2019新款，60支贡缎全棉刺绣，官方网址www.flapjackkids.com有售后保障。"),
	// Unrelated originals that share only stock phrases with the above.
	asset("shop/scarf.txt", "围巾的颜色非常百搭，简约大方的格纹设计，冬天搭配大衣或者羽绒服都很好看。"),
	asset("shop/shirt.txt", "衬衫版型简约大方，面料挺括不易皱，上班约会都很百搭，让你更加自信。"),
}

func realChecker(t *testing.T, opts check.Options) *check.Checker {
	t.Helper()
	eng := elibtest.Engine(t)
	lib, err := index.Memory(context.Background(), eng, realLibrary)
	require.NoError(t, err)
	c, err := check.New(eng, opts, lib)
	require.NoError(t, err)
	return c
}

// clauseOf returns the i-th comma-separated clause of a library asset.
func clauseOf(id string, i int) string {
	for _, a := range realLibrary {
		if a.ID == id {
			return strings.FieldsFunc(a.Elements[0].Text, func(r rune) bool { return r == '，' || r == '。' })[i]
		}
	}
	panic("no asset " + id)
}

func sentenceOf(id string) string {
	for _, a := range realLibrary {
		if a.ID == id {
			return a.Elements[0].Text
		}
	}
	panic("no asset " + id)
}

// TestEveryCopiedClauseCounts pins issue 10's cases: a collage of clauses
// of five sources, one-character edits at the start, middle and end, a
// sentence appended, a hashtag first line and a title-only file.
func TestEveryCopiedClauseCounts(t *testing.T) {
	c := realChecker(t, check.Options{})
	kettle := sentenceOf("shop/kettle.txt")
	edit := func(s string, at int, r rune) string {
		rs := []rune(s)
		rs[at] = r
		return string(rs)
	}
	collage := strings.Join([]string{
		clauseOf("shop/coat.txt", 0), clauseOf("shop/kettle.txt", 1), clauseOf("shop/shoes.txt", 4),
		clauseOf("shop/lamp.txt", 2), clauseOf("shop/pan.txt", 3)}, "，") + "。"
	tests := []struct {
		name, file, input string
		verdict           string
		minDup, maxDup    float64
		sources           int // distinct library assets matched, at least
	}{
		{"collage of clauses from five assets", "collage.txt", collage, check.Reject, 0.95, 1, 5},
		{"first character changed", "first.txt", edit(kettle, 0, '旧'), check.Reject, 0.9, 1, 1},
		{"middle character changed", "middle.txt", edit(kettle, 20, '铁'), check.Reject, 0.85, 1, 1},
		{"last character changed", "last.txt", edit(kettle, len([]rune(kettle))-2, '热'), check.Reject, 0.9, 1, 1},
		{"sentence appended", "appended.txt", kettle + "今天天气不错，适合出门走走。", check.Reject, 0.75, 0.85, 1},
		{"hashtag first line", "tag.txt", "#好物推荐 #宝妈必备\n" + kettle, check.Reject, 0.8, 1, 1},
		{"title-only file", "title.txt", "# " + sentenceOf("shop/tea.txt"), check.Reject, 0.99, 1, 1},
		{"original sharing stock phrases", "orig.txt",
			"这条连衣裙的碎花图案很百搭，简约大方的收腰设计显得人特别瘦，周末去公园野餐穿正合适。", check.Pass, 0, 0.3, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			assets, err := element.Parse(tc.file, []byte(tc.input), element.ParseOptions{})
			require.NoError(t, err)
			require.Len(t, assets, 1)
			res, err := c.Check(context.Background(), tc.file, &assets[0])
			require.NoError(t, err)
			assert.Equal(t, tc.verdict, res.Verdict, "duplication %.4f", res.Duplication)
			assert.GreaterOrEqual(t, res.Duplication, tc.minDup)
			assert.LessOrEqual(t, res.Duplication, tc.maxDup)
			assert.GreaterOrEqual(t, len(res.Sources()), tc.sources, "every source is attributed")
		})
	}
}

// TestClauseSearchNeedsNoLSH: with LSH proposing nothing (no candidates
// verified from it) the clause search alone finds every copied clause.
func TestClauseSearchNeedsNoLSH(t *testing.T) {
	c := realChecker(t, check.Options{Tuning: check.Tuning{MaxCandidates: -1, AnchorMinShared: -1}})
	text := clauseOf("shop/bag.txt", 1) + "，我周末常背着它去爬山，" + clauseOf("shop/tea.txt", 0) + "。"
	a := asset("new/mix.txt", text)
	res, err := c.Check(context.Background(), a.ID, &a)
	require.NoError(t, err)
	got := map[string]bool{}
	for _, s := range res.Sources() {
		got[s.AssetID] = true
	}
	assert.Equal(t, map[string]bool{"shop/bag.txt": true, "shop/tea.txt": true}, got)
}

// TestEditBreaksOnlyTheRunsItTouches is the property of SPEC §4: an edit
// of k characters lowers the copied count by at most what the copied runs
// through the edits held, wherever the edits fall.
func TestEditBreaksOnlyTheRunsItTouches(t *testing.T) {
	c := realChecker(t, check.Options{})
	rng := rand.New(rand.NewPCG(10, 62))
	ids := []string{"shop/coat.txt", "shop/kettle.txt", "shop/serum.txt", "shop/shoes.txt", "shop/lamp.txt", "shop/bag.txt", "shop/tea.txt", "shop/pan.txt", "shop/phone.txt", "shop/kids.txt"}
	filler := []rune("我们家附近新开的小店周末人特别多大家都排着队")
	for trial := 0; trial < 120; trial++ {
		// Two whole library sentences around a new clause.
		i, j := rng.IntN(len(ids)), rng.IntN(len(ids))
		base := []rune(sentenceOf(ids[i]) + string(filler[:8+rng.IntN(10)]) + "。" + sentenceOf(ids[j]))
		before, covered := copiedRunes(t, c, string(base))
		k := 1 + rng.IntN(2)
		edited := slicesClone(base)
		var broken []int // positions whose covered interval the edits break
		for e := 0; e < k; e++ {
			p := rng.IntN(len(edited))
			for !countable(edited[p]) {
				p = (p + 1) % len(edited)
			}
			switch rng.IntN(3) {
			case 0: // substitute
				edited[p] = '鑫'
			case 1: // delete
				edited = append(edited[:p], edited[p+1:]...)
			default: // insert
				edited = append(edited[:p], append([]rune{'鑫'}, edited[p:]...)...)
			}
			broken = append(broken, p)
		}
		after, _ := copiedRunes(t, c, string(edited))
		// What the runs through the edit positions held (in the base
		// text's coordinates; a shifted position still falls in or next
		// to the same interval, so take both neighbours' intervals).
		lost := 0
		seen := map[int]bool{}
		for _, p := range broken {
			for _, q := range []int{p - 1, p, p + 1} {
				if lo, hi, ok := intervalAt(covered, q); ok && !seen[lo] {
					seen[lo] = true
					for x := lo; x < hi; x++ {
						if countable(base[x]) {
							lost++
						}
					}
				}
			}
		}
		assert.GreaterOrEqual(t, after, before-lost,
			"trial %d: %d edits at %v in %q: copied %d -> %d, broken runs held %d", trial, k, broken, string(base), before, after, lost)
	}
}

// copiedRunes checks text as one element and returns the copied countable
// characters and which code points lie inside a matched span.
func copiedRunes(t *testing.T, c *check.Checker, text string) (int, []bool) {
	t.Helper()
	a := asset("new/edit.txt", text)
	res, err := c.Check(context.Background(), a.ID, &a)
	require.NoError(t, err)
	covered := make([]bool, len([]rune(text)))
	for _, e := range res.Elements {
		for _, m := range e.Matches {
			for _, s := range m.Spans {
				for x := e.Start + s.Start; x < e.Start+s.End; x++ {
					covered[x] = true
				}
			}
		}
	}
	return res.Copied, covered
}

// intervalAt returns the maximal covered interval holding position p.
func intervalAt(covered []bool, p int) (int, int, bool) {
	if p < 0 || p >= len(covered) || !covered[p] {
		return 0, 0, false
	}
	lo, hi := p, p
	for lo > 0 && covered[lo-1] {
		lo--
	}
	for hi < len(covered) && covered[hi] {
		hi++
	}
	return lo, hi, true
}

func countable(r rune) bool {
	return unicode.Is(unicode.Han, r) || unicode.IsLetter(r) || unicode.IsDigit(r)
}

func slicesClone(rs []rune) []rune { return append([]rune(nil), rs...) }
