package winnow

import (
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestAnchors(t *testing.T) {
	assert.Empty(t, Anchors(nil, []rune("短文本")), "shorter than K")
	text := []rune("点击下方链接今天直播间立减五十元再送同款小样三支")
	as := Anchors(nil, text)
	require.NotEmpty(t, as)
	for i, a := range as {
		assert.Equal(t, gramHash(text[a.Pos:a.Pos+K]), a.Hash)
		if i > 0 {
			assert.Greater(t, a.Pos, as[i-1].Pos, "in order, each position once")
			assert.LessOrEqual(t, a.Pos-as[i-1].Pos, Window, "no gap wider than a window")
		}
	}
	// Stable across processes: a fixed value.
	assert.Equal(t, uint64(0x09ddde403155a3fa), gramHash([]rune("点击下方链")))
	// Separators are never anchors.
	for _, a := range Anchors(nil, []rune("今天直播间\x00立减五十元")) {
		assert.NotContains(t, string([]rune("今天直播间\x00立减五十元")[a.Pos:a.Pos+K]), "\x00")
	}
}

// FuzzSharedRunSharesAnAnchor checks the winnowing guarantee: a run of
// K+Window-1 runes copied into another text gives both a common anchor.
func FuzzSharedRunSharesAnAnchor(f *testing.F) {
	f.Add(uint64(1), 10, 3, 7)
	f.Add(uint64(7), 25, 0, 0)
	f.Fuzz(func(t *testing.T, seed uint64, runLen, before, after int) {
		rng := rand.New(rand.NewPCG(seed, 1))
		runLen = K + Window - 1 + abs(runLen)%40
		before, after = abs(before)%50, abs(after)%50
		alphabet := []rune("的一是在不了有和人这中大为上个国我以要他时来用们生到作地于出就分对成会可主发年动同工也能下过子说产种面而方后多定行学法所民得经十三之进着等部度家电力里如水化高自二理起小物现实加量都两体制机当使点从业本去把性好应开它合还因由其些然前外天政四日那社义事平形相全表间样与关各重新线内数正心反你明看原又么利比或但质气第向道命此变条只没结解问意建月公无系军很情者最立代想已通并提直题党程展五果料象员革位入常文总次品式活设及管特件长求老头基资边流路级少图山统接知较将组见计别她手角期根论运农指几九区强放决西被干做必战先回则任取据处队南给色光门即保治北造百规热领七海口东导器压志世金增争济阶油思术极交受联什认六共权收证改清己美再采转更单风切打白教速花带安场身车例真务具万每目至达走积示议声报斗完类八离华名确才科张信马节话米整空元况今集温传土许步群广石记需段研界拉林律叫且究观越织装影算低持音众书布复容儿须际商非验连断深难近矿千周委素技备半办青省列习响约支般史感劳便团往酸历市克何除消构府称太准精值号率族维划选标写存候毛亲快效斯院查江型眼王按格养易置派层片始却专状育厂京识适属圆包火住调满县局照参红细引听该铁价严")
		gen := func(n int) []rune {
			out := make([]rune, n)
			for i := range out {
				out[i] = alphabet[rng.IntN(len(alphabet))]
			}
			return out
		}
		run := gen(runLen)
		a := append(append(gen(before), run...), gen(after)...)
		b := append(append(gen(after), run...), gen(before)...)
		inA := map[uint64]bool{}
		for _, x := range Hashes(a) {
			inA[x] = true
		}
		for _, x := range Hashes(b) {
			if inA[x] {
				return
			}
		}
		t.Fatalf("no common anchor for a shared run of %d runes", runLen)
	})
}

func abs(x int) int {
	if x < 0 {
		return -x
	}
	return x
}

// TestEditAnchorsSurviveEdits: a library text's edit anchors are found
// among the EditGrams of a copy with a character changed every five, and
// are never equal to a K-gram anchor.
func TestEditAnchorsSurviveEdits(t *testing.T) {
	lib := []rune("熬夜追剧第二天脸色暗沉得像没睡醒粉底越涂越卡粉下午两点就开始脱妆同事还问我是不是生病了我连续用了二十八天这瓶精华早上起来摸脸是软软的")
	edited := append([]rune(nil), lib...)
	for i := 4; i < len(edited); i += 5 {
		edited[i]++
	}
	probe := map[uint64]bool{}
	for _, g := range EditGrams(nil, edited) {
		probe[g.Hash] = true
	}
	exact := map[uint64]bool{}
	for _, a := range Anchors(nil, lib) {
		exact[a.Hash] = true
	}
	found := 0
	anchors := EditAnchors(nil, lib)
	require.NotEmpty(t, anchors)
	for _, a := range anchors {
		assert.False(t, exact[a.Hash], "edit anchors are salted")
		if probe[a.Hash] {
			found++
		}
	}
	assert.GreaterOrEqual(t, found, 2, "of %d edit anchors", len(anchors))
	assert.Empty(t, Anchors(nil, edited[:0]))
}

// TestEditAnchorsOfShortTexts: a hook-length text holds enough edit
// anchors for an edited copy of it to be found by several — at least one
// per EditMinWindow+… grams, not the one or two a 16-gram window leaves —
// while a long text keeps its 16-gram window (libraries written before
// keep their anchors).
func TestEditAnchorsOfShortTexts(t *testing.T) {
	long := []rune("熬夜追剧第二天脸色暗沉得像没睡醒粉底越涂越卡粉下午两点就开始脱妆同事还问我是不是生病了我连续用了二十八天这瓶精华早上起来摸脸是软软的")
	for _, tc := range []struct {
		text string
		min  int
	}{
		{"带娃出门，推车比孩子还重？", 3},
		{"冬天早上起床最痛苦的就是脸干得起皮", 4},
		{"这台空气炸锅不用一滴油，鸡翅二十分钟外酥里嫩，洗起来也方便", 5},
	} {
		runes := []rune(tc.text)
		assert.GreaterOrEqual(t, len(EditAnchors(nil, runes)), tc.min, tc.text)
		assert.Greater(t, len(EditAnchors(nil, runes)), len(winnowGrams(nil, editHashes(runes), EditWindow)), "denser than a long text's window: %s", tc.text)
	}
	hs := editHashes(long)
	require.GreaterOrEqual(t, len(hs), 3*EditWindow)
	assert.Equal(t, winnowGrams(nil, hs, EditWindow), EditAnchors(nil, long), "a long text winnows over EditWindow grams")
	for n := 0; n < 200; n++ {
		w := editWindow(n)
		assert.True(t, w >= EditMinWindow && w <= EditWindow, "window %d for %d grams", w, n)
		assert.LessOrEqual(t, w, editWindow(n+1), "the window never narrows as a text grows")
	}
}
