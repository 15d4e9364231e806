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
