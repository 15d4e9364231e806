package check

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"elib/element"
	"elib/fingerprint/winnow"
	"elib/index"
	"elib/internal/elibtest"
)

// TestAnchorsIgnoreBoilerplate: a slogan and a disclaimer on the allowlist
// are no evidence that a script borrowed from the library element that
// also carries them; the same text without the allowlist is.
func TestAnchorsIgnoreBoilerplate(t *testing.T) {
	eng := elibtest.Engine(t)
	const slogan, disclaimer = "爱车如家，安心每一程，品质出行从这里开始。", "本视频由品牌方合作发布，具体优惠以活动页面公示为准。"
	libAsset := element.Asset{ID: "lib/car.md", Elements: []element.Element{{Type: element.Conversion,
		Text: slogan + "这款车载香薰放在出风口，开空调的时候整个车里都是淡淡的木质香。" + disclaimer}}}
	libAsset.Reoffset()
	checked := element.Asset{ID: "new/orig.md", Elements: []element.Element{{Type: element.Conversion,
		Text: slogan + "周末带孩子去郊外露营，后备箱塞满了帐篷和烧烤架，一路上听着歌特别开心。" + disclaimer}}}
	checked.Reoffset()

	for _, tc := range []struct {
		name      string
		allowlist []string
		want      bool
	}{
		{"allowlisted", []string{slogan, disclaimer}, false},
		{"not allowlisted", nil, true},
	} {
		lib, err := index.Memory(context.Background(), eng, []element.Asset{libAsset})
		require.NoError(t, err)
		require.NoError(t, lib.AllowlistAdd(tc.allowlist...))
		c, err := New(eng, Options{}, lib)
		require.NoError(t, err)
		fps, whole := c.fingerprint(&checked)
		masks, err := c.boilerplateMasks(&checked, fps)
		require.NoError(t, err)
		look, err := c.lookupAnchors(whole, masks)
		require.NoError(t, err)
		got, err := c.anchorCandidates(look, nil)
		require.NoError(t, err)
		assert.Equal(t, tc.want, len(got) == 1, tc.name)
	}
}

// TestProbesAreEachGramOnceAtItsFirstPosition: probes equals the plain
// rule — grams at unskipped positions, by hash, each once at its lowest
// position — on random texts with repeated grams.
func TestProbesAreEachGramOnceAtItsFirstPosition(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	for range 200 {
		n := 3 + r.IntN(600)
		runes := make([]rune, n)
		for i := range runes {
			runes[i] = rune('一' + r.IntN(8)) // few distinct runes: many repeats
		}
		skip := make([]bool, n)
		for i := range skip {
			skip[i] = r.IntN(5) == 0
		}
		grams := winnow.EditGrams(nil, runes)
		first := map[uint64]int{}
		for _, g := range grams {
			if skip[g.Pos] || skip[g.Pos+winnow.EditK-1] {
				continue
			}
			if p, ok := first[g.Hash]; !ok || g.Pos < p {
				first[g.Hash] = g.Pos
			}
		}
		var want []uint64
		for h := range first {
			want = append(want, h)
		}
		slices.Sort(want)
		hashes, pos := probes(grams, skip)
		require.Equal(t, want, hashes)
		for i, h := range hashes {
			assert.Equal(t, first[h], pos[i])
		}
	}
}

// bandsSource reports fixed band counts for every lookup.
type bandsSource struct {
	*index.Library
	bands map[uint32]int
}

func (s bandsSource) CandidateCounts(_ []uint64, fn func(ref uint32, bands int)) error {
	for ref, n := range s.bands {
		fn(ref, n)
	}
	return nil
}

// TestCandidatesShareMinBands: LSH candidates sharing fewer than MinBands
// bands in all are not proposed; the others come strongest first.
func TestCandidatesShareMinBands(t *testing.T) {
	eng := elibtest.Engine(t)
	var assets []element.Asset
	for i := range 4 {
		a := element.Asset{ID: fmt.Sprintf("lib/%d.md", i), Elements: []element.Element{{Type: element.Hook, Text: fmt.Sprintf("第%d条脚本的开头，讲一个和别的都不一样的故事。", i)}}}
		a.Reoffset()
		assets = append(assets, a)
	}
	lib, err := index.Memory(context.Background(), eng, assets)
	require.NoError(t, err)
	var refs []uint32
	for _, a := range assets {
		refs = append(refs, elibtest.Must(lib.AssetElements(a.ID))...)
	}
	checked := element.Asset{ID: "new.md", Elements: []element.Element{{Type: element.Hook, Text: "一段新写的开头。"}}}
	checked.Reoffset()
	for _, tc := range []struct {
		name     string
		minBands int
		bands    []int // per ref
		want     []int // indices into refs, in order
	}{
		{"one band is not enough", 0, []int{1, 2, 7, 1}, []int{2, 1}},
		{"every candidate at MinBands 1", 1, []int{1, 2, 7, 1}, []int{2, 1, 0, 3}},
		{"a higher bar", 5, []int{1, 2, 7, 1}, []int{2}},
	} {
		src := bandsSource{Library: lib, bands: map[uint32]int{}}
		for i, n := range tc.bands {
			src.bands[refs[i]] = n
		}
		c, err := New(eng, Options{Tuning: Tuning{MinBands: tc.minBands}}, src)
		require.NoError(t, err)
		fps, whole := c.fingerprint(&checked)
		got, err := c.candidates(fps, whole)
		require.NoError(t, err)
		var want []candKey
		for _, i := range tc.want {
			want = append(want, candKey{0, refs[i]})
		}
		assert.Equal(t, want, got, tc.name)
	}
}

// hiddenBound is a source that does not tell its largest asset.
type hiddenBound struct{ Source }

// TestLonersDroppedKeepEditCandidates: dropping the holders that share
// their asset with no other holder and do not pass alone (dropLoners)
// leaves editCandidates' answer as it is without the bound, on texts that
// edit several library assets of one to six elements.
func TestLonersDroppedKeepEditCandidates(t *testing.T) {
	eng := elibtest.Engine(t)
	r := rand.New(rand.NewPCG(5, 6))
	const alphabet = "的一是在不了有和人这中大为上个国我以要他时来用们生到作地于出就分对成会可主发年动同工也能下过子说产种面而方后多定行学法所民得经十三之进着等部度家电力里如水化高自二理起小物现实加量都两体制机当使点从业本去把性好应开它合还因由其些然前外天政四日那社义事平形相全表间样与关各重新线内数正心反你明看原又么利比或但质气第向道命此变条只没结解问意建月公无系军很情者最立代想已通并提直题党程展五果料象员革位入常文总次品式活设及管特件长求老头基资边流路级少图山统接知较将组见计别她手角期根论运农指几九区强放决西被干做必战先回则任取据处队南给色光门即保治北造百规热领七海口东导器压志世金增争济阶油思术极交受联什认六共权收证改清己美再采转更单风切打白教速花带安场身车例真务具万每目至达走积示议声报斗完类八离华名确才科张信马节话米整空元况今集温传土许步群广石记需段研界拉林律叫且究观越织装影算低持音众书布复容儿须际商非验连断深难近矿千周委素技备半办青省列习响约支般史感劳便团往酸历市克何除消构府称太准精值号率族维划选标写存候毛亲快效斯院查江型眼王按格养易置派层片始却专状育厂京识适属圆包火住调满县局照参红细引听该铁价严龙飞"
	runes := []rune(alphabet)
	sentence := func() []rune {
		s := make([]rune, 20+r.IntN(30))
		for i := range s {
			s[i] = runes[r.IntN(len(runes))]
		}
		return s
	}
	edit := func(s []rune) string {
		out := slices.Clone(s)
		for i := r.IntN(4); i < len(out); i += 4 + r.IntN(3) {
			out[i] = runes[r.IntN(len(runes))]
		}
		return string(out)
	}
	var lib []element.Asset
	var pool [][]rune
	for a := range 120 {
		as := element.Asset{ID: fmt.Sprintf("lib/%03d.md", a)}
		for range 1 + r.IntN(6) {
			s := sentence()
			pool = append(pool, s)
			as.Elements = append(as.Elements, element.Element{Type: element.Story, Text: string(s)})
		}
		as.Reoffset()
		lib = append(lib, as)
	}
	l, err := index.Memory(context.Background(), eng, lib)
	require.NoError(t, err)
	require.Greater(t, l.MaxAssetElements(), 1)
	withBound := elibtest.Must(New(eng, Options{}, l))
	without := elibtest.Must(New(eng, Options{}, hiddenBound{l}))
	found := 0
	for i := range 60 {
		// Whole sentences, and short pieces of every element of one
		// asset: each piece alone holds too few anchors, together enough.
		checked := element.Asset{ID: fmt.Sprintf("new/%02d.md", i)}
		for range r.IntN(3) {
			checked.Elements = append(checked.Elements, element.Element{Type: element.Story, Text: edit(pool[r.IntN(len(pool))])})
		}
		var pieces []rune
		for _, e := range lib[r.IntN(len(lib))].Elements {
			s := []rune(e.Text)
			at := r.IntN(len(s) - 10)
			pieces = append(pieces, []rune(edit(s[at:at+8+r.IntN(3)]))...)
			pieces = append(pieces, sentence()[:6]...)
		}
		checked.Elements = append(checked.Elements, element.Element{Type: element.Story, Text: string(pieces)})
		checked.Reoffset()
		var got [2][]candKey
		for j, c := range []*Checker{withBound, without} {
			fps, whole := c.fingerprint(&checked)
			masks, err := c.boilerplateMasks(&checked, fps)
			require.NoError(t, err)
			look, err := c.lookupAnchors(whole, masks)
			require.NoError(t, err)
			got[j], err = c.editCandidates(whole, masks, look, nil)
			require.NoError(t, err)
		}
		assert.Equal(t, got[1], got[0], "text %d", i)
		found += len(got[0])
	}
	assert.Positive(t, found, "no edit candidates at all: the test compares nothing")
}
