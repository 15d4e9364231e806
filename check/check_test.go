package check_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"elib/check"
	"elib/element"
	"elib/index"
	"elib/internal/elibtest"
	"elib/library/kit"
)

func asset(id string, texts ...string) element.Asset {
	a := element.Asset{ID: id}
	types := []element.Type{element.Hook, element.Conflict, element.Testimonial, element.Conversion}
	for i, t := range texts {
		a.Elements = append(a.Elements, element.Element{Type: types[i%len(types)], Text: t, Line: i + 1})
	}
	a.Reoffset()
	return a
}

var libraryAssets = []element.Asset{
	asset("lib/serum.md",
		"熬夜追剧第二天，脸色暗沉得像没睡醒？",
		"粉底越涂越卡粉，下午两点就开始脱妆，同事还问我是不是生病了。",
		"我连续用了二十八天这瓶精华，早上起来摸脸是软软的，上妆服帖了很多。",
		"点击下方链接，今天直播间立减五十，再送同款小样三支。以上为个人真实使用感受，效果因人而异。"),
	asset("lib/kettle.md",
		"冬天早上烧水要等好久？",
		"老式水壶烧开要十分钟，壶底一层厚厚的水垢，怎么刷都刷不掉。",
		"这台恒温水壶五分钟就能烧开一壶，还能保温在四十五度冲奶粉。",
		"戳小黄车，限时到手价一百二十九，坏了包换。"),
}

func newChecker(t *testing.T, allow ...string) *check.Checker {
	eng := elibtest.Engine(t)
	lib, err := index.Memory(context.Background(), eng, libraryAssets)
	require.NoError(t, err)
	require.NoError(t, lib.AllowlistAdd(allow...))
	c, err := check.New(eng, check.Options{}, lib)
	require.NoError(t, err)
	return c
}

func TestCheckVerdicts(t *testing.T) {
	c := newChecker(t, "以上为个人真实使用感受，效果因人而异。")
	serum := libraryAssets[0]
	tests := []struct {
		name    string
		asset   element.Asset
		verdict string
		minDup  float64
		maxDup  float64
	}{
		{"verbatim copy", asset("new/copy.md", textsOf(serum)...), check.Reject, 0.99, 1},
		{"traditional copy", asset("new/trad.md",
			"熬夜追劇第二天，臉色暗沉得像沒睡醒？",
			"粉底越塗越卡粉，下午兩點就開始脫妝，同事還問我是不是生病了。",
			"我連續用了二十八天這瓶精華，早上起來摸臉是軟軟的，上妝服帖了很多。",
			"點擊下方鏈接，今天直播間立減五十，再送同款小樣三支。"), check.Reject, 0.95, 1},
		{"one element reused", asset("new/one.md",
			"换季皮肤又干又痒怎么办？",
			"粉底越涂越卡粉，下午两点就开始脱妝，同事还问我是不是生病了。",
			"我家孩子用了这款面霜一个冬天，脸蛋再也没有皴过，洗完澡抹一点就够。",
			"今晚八点开播，拍一发二，库存只有三百套，手慢无。"), check.Pass, 0.15, 0.45},
		{"original with allowlisted disclaimer", asset("new/orig.md",
			"换季皮肤又干又痒怎么办？",
			"北方的暖气一开，脸上起皮，抹什么都搓泥，出门被风一吹又红又疼。",
			"我家孩子用了这款面霜一个冬天，脸蛋再也没有皴过，洗完澡抹一点就够。",
			"今晚八点开播，拍一发二，库存只有三百套。以上为个人真实使用感受，效果因人而异。"), check.Pass, 0, 0},
		{"the library asset itself", serum, check.Pass, 0, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, err := c.Check(context.Background(), tt.asset.ID, &tt.asset)
			require.NoError(t, err)
			assert.Equal(t, tt.verdict, res.Verdict)
			assert.GreaterOrEqual(t, res.Duplication, tt.minDup)
			assert.LessOrEqual(t, res.Duplication, tt.maxDup)
			require.Len(t, res.Elements, len(tt.asset.Elements))
			for i, e := range res.Elements {
				assert.Equal(t, tt.asset.Elements[i].Start, e.Start)
				for _, m := range e.Matches {
					assert.NotEqual(t, tt.asset.ID, m.AssetID)
					for _, s := range m.Spans {
						assert.True(t, 0 <= s.Start && s.Start < s.End && s.End <= len([]rune(e.Text)), "span %+v in %q", s, e.Text)
					}
				}
			}
		})
	}
}

func TestCheckThresholdIsStrict(t *testing.T) {
	c := newChecker(t)
	copyAsset := asset("new/copy.md", textsOf(libraryAssets[1])...)
	res, err := c.Check(context.Background(), copyAsset.ID, &copyAsset)
	require.NoError(t, err)
	require.Equal(t, 1.0, res.Duplication)

	eng := elibtest.Engine(t)
	lib, err := index.Memory(context.Background(), eng, libraryAssets)
	require.NoError(t, err)
	strict, err := check.New(eng, check.Options{Threshold: 1}, lib)
	require.NoError(t, err)
	res, err = strict.Check(context.Background(), copyAsset.ID, &copyAsset)
	require.NoError(t, err)
	assert.Equal(t, check.Pass, res.Verdict, "duplication equal to the threshold passes")
}

func TestCheckSpansPointAtWhatTheUserWrote(t *testing.T) {
	c := newChecker(t)
	// Full-width digits, inserted spaces and emoji around a copied run.
	text := "🔥老式水壶烧开要十分钟，壶底 一层厚厚的水垢！！"
	a := asset("new/spaced.md", text)
	res, err := c.Check(context.Background(), a.ID, &a)
	require.NoError(t, err)
	require.NotEmpty(t, res.Elements[0].Matches)
	m := res.Elements[0].Matches[0]
	assert.Equal(t, "lib/kettle.md", m.AssetID)
	rs := []rune(text)
	lib := []rune(libraryAssets[1].Elements[1].Text)
	for _, s := range m.Spans {
		got := strings.ReplaceAll(string(rs[s.Start:s.End]), " ", "")
		assert.Contains(t, string(lib[s.LibraryStart:s.LibraryEnd]), strings.Trim(got, "，"))
	}
}

func textsOf(a element.Asset) []string {
	out := make([]string, len(a.Elements))
	for i, e := range a.Elements {
		out[i] = e.Text
	}
	return out
}

// vanishing is a library whose elements are all removed between the LSH
// lookup and the element read, as when a writer replaces an asset during a
// check.
type vanishing struct{ *index.Library }

func (v vanishing) Element(ref uint32) (*element.Stored, error) {
	return nil, fmt.Errorf("element ref %d: %w", ref, kit.ErrNotFound)
}

func TestCheckSkipsElementsRemovedDuringTheCheck(t *testing.T) {
	eng := elibtest.Engine(t)
	lib, err := index.Memory(context.Background(), eng, libraryAssets)
	require.NoError(t, err)
	c, err := check.New(eng, check.Options{}, vanishing{lib})
	require.NoError(t, err)
	copied := asset("new/copy.md", textsOf(libraryAssets[0])...)
	res, err := c.Check(context.Background(), "new/copy.md", &copied)
	require.NoError(t, err, "a vanished candidate is skipped, not an error")
	assert.Equal(t, check.Pass, res.Verdict)
	assert.Zero(t, res.Duplication)
}

// TestAnchorsFindPartsOfALongElement: a script that takes two sentences
// of a long library element into otherwise new copy shares too few
// shingles with it for LSH, but the anchors find it; two stock phrases
// that many library elements hold do not make a match.
func TestAnchorsFindPartsOfALongElement(t *testing.T) {
	eng := elibtest.Engine(t)
	long := asset("lib/story.md",
		"去年冬天我一个人搬到北方的小城，暖气还没来，晚上冷得睡不着。楼下便利店的阿姨塞给我一个暖手宝，说是她女儿留下的。"+
			"那一晚我抱着它，第一次觉得这座城市也有温度。后来我每次路过便利店都会买一杯热豆浆，和阿姨聊上几句家常。")
	assets := []element.Asset{long}
	for i := 0; i < 8; i++ { // a stock phrase held by eight elements
		assets = append(assets, asset(fmt.Sprintf("lib/stock-%d.md", i),
			fmt.Sprintf("第%d批新品点击下方小黄车立即抢购，第%d场今天直播间全场包邮到家。", i, i))) // no whole sentence in common
	}
	lib, err := index.Memory(context.Background(), eng, assets)
	require.NoError(t, err)

	partial := asset("new/partial.md",
		"楼下便利店的阿姨塞给我一个暖手宝，这是我这周最想分享的小事。公司楼下新开了一家面包店，"+
			"每天早上七点就排起长队，老板说面粉都是自己磨的。那一晚我抱着它，第一次觉得这座城市也有温度。")
	for _, tc := range []struct {
		name    string
		opts    check.Options
		matched bool
	}{
		{"anchors on", check.Options{}, true},
		{"anchors off", check.Options{Tuning: check.Tuning{AnchorMinShared: -1, ClauseRun: -1, EditMinShared: -1}}, false},
	} {
		c, err := check.New(eng, tc.opts, lib)
		require.NoError(t, err)
		res, err := c.Check(context.Background(), "new/partial.md", &partial)
		require.NoError(t, err)
		found := false
		for _, m := range res.Elements[0].Matches {
			found = found || m.AssetID == "lib/story.md"
		}
		assert.Equal(t, tc.matched, found, tc.name)
		if tc.matched {
			assert.InDelta(t, 0.45, res.Duplication, 0.15, "the two copied sentences, not the rest")
		}
	}

	stock := asset("new/stock.md", "这款保温杯我从秋天用到现在，早上灌的热水到下午还烫嘴，杯盖拧得特别紧，放在包里从来没漏过水。"+
		"点击下方小黄车立即抢购。办公室的同事看我天天用，也跟着买了两个，说冬天出门终于不用买热饮了。"+
		"颜色有四种可以选，我最喜欢这个奶白色，配什么衣服都好看。今天直播间全场包邮到家。")
	c, err := check.New(eng, check.Options{}, lib)
	require.NoError(t, err)
	res, err := c.Check(context.Background(), "new/stock.md", &stock)
	require.NoError(t, err)
	// The two stock clauses (11 characters each, no whole sentence in
	// common) are copied clauses and count, but one verified holder of
	// each is enough: not all eight, and nothing else of the text.
	stockSources := 0
	for _, m := range res.Elements[0].Matches {
		if strings.HasPrefix(m.AssetID, "lib/stock-") {
			stockSources++
		}
	}
	assert.LessOrEqual(t, stockSources, 2)
	assert.Equal(t, 22, res.Copied, "the two stock clauses only")
}

// TestAnchorsAddUpOverAnAsset: a paraphrase keeps one short piece of each
// element of its source script. No element alone shares two anchors with
// it, but the script does: its elements become candidates and the pieces
// are matched.
func TestAnchorsAddUpOverAnAsset(t *testing.T) {
	eng := elibtest.Engine(t)
	src := asset("lib/kettle.md",
		"冬天早上烧水要等好久，老式水壶烧开要十分钟。",
		"壶底一层厚厚的水垢，怎么刷都刷不掉，看着就闹心。",
		"这台恒温水壶五分钟就能烧开一壶，还能保温冲奶粉。")
	lib, err := index.Memory(context.Background(), eng, []element.Asset{src})
	require.NoError(t, err)
	para := asset("new/para.md",
		"天气一冷起床就想喝热的，老式水壶烧开要十分钟实在太慢。",
		"家里老人总说水垢对身体不好，壶底一层厚厚的水垢真的很难清理。",
		"后来换了新的电器，周末在家也能随时喝上热茶。")
	c, err := check.New(eng, check.Options{}, lib)
	require.NoError(t, err)
	res, err := c.Check(context.Background(), "new/para.md", &para)
	require.NoError(t, err)
	var matched []string
	for _, e := range res.Elements {
		for _, m := range e.Matches {
			matched = append(matched, m.ElementID)
		}
	}
	assert.Contains(t, matched, "lib/kettle.md#1")
	assert.Contains(t, matched, "lib/kettle.md#2")
	assert.Greater(t, res.Duplication, 0.2)
}
