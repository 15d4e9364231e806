package normalize

import (
	"math/rand/v2"
	"testing"

	"github.com/liuzl/da"
	"github.com/stretchr/testify/require"
)

// traditional is Traditional Chinese copy (Taiwan and Hong Kong wording).
const traditional = "這款軟體的記憶體佔用很低，滑鼠點一下就能在網路上下載。現在購買還送精美禮品，數量有限，送完為止！" +
	"我們的產品經過嚴格檢驗，品質有保證；麵包師傅每天清晨現烤，鬆軟香甜，顧客回購率很高。"

// matchGroupByPrefixMatch is matchGroup as da.Dict.PrefixMatch answers it
// (a map of every matching key): the reference the trie walk must equal.
func matchGroupByPrefixMatch(group []*da.Dict, s string) (key, val string) {
	for _, d := range group {
		ret, err := d.PrefixMatch(s)
		if err != nil || len(ret) == 0 {
			continue
		}
		for k, v := range ret {
			if len(k) > len(key) && len(v) > 0 {
				key, val = k, v[0]
			}
		}
		if key != "" {
			return key, val
		}
	}
	return "", ""
}

// TestMatchGroupEqualsPrefixMatch: for random pieces of Traditional and
// Simplified text (up to the converter's look-ahead), the trie walk picks
// the same key and value as the dictionaries' PrefixMatch, in every group.
func TestMatchGroupEqualsPrefixMatch(t *testing.T) {
	n := New()
	_, err := n.Warm()
	require.NoError(t, err)
	text := []rune(traditional + "这款软件的内存占用很低，鼠标点一下就能在网上下载。面包师傅每天清晨现烤。ABC１２３")
	rng := rand.New(rand.NewPCG(3, 4))
	for trial := 0; trial < 5000; trial++ {
		i := rng.IntN(len(text))
		j := min(len(text), i+1+rng.IntN(maxPhraseRunes))
		s := string(text[i:j])
		for g, group := range n.conv.chain {
			wk, wv := matchGroupByPrefixMatch(group, s)
			k, v := matchGroup(group, s)
			require.Equal(t, wk, k, "group %d, %q", g, s)
			require.Equal(t, wv, v, "group %d, %q", g, s)
		}
	}
}

func BenchmarkNormalizeTraditional(b *testing.B) {
	n := New()
	if _, err := n.Warm(); err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(traditional)))
	for b.Loop() {
		n.Normalize(traditional)
	}
}
