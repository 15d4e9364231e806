package boilerplate

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"elib/fingerprint/normalize"
)

func TestSentencesSplitAtPunctuationNotSpaces(t *testing.T) {
	n := normalize.New()
	text := "今天下单立减五十！以上为个人 真实感受，效果因人而异。好"
	sents := Sentences(text, n.Normalize(text), 5)
	require.Len(t, sents, 3, "the last one-rune sentence is below the minimum")
	norm := n.Normalize(text)
	assert.Equal(t, "今天下单立减五十", string(norm.Runes[sents[0].Start:sents[0].End]))
	assert.Equal(t, "以上为个人真实感受", string(norm.Runes[sents[1].Start:sents[1].End]))
	assert.Equal(t, "效果因人而异", string(norm.Runes[sents[2].Start:sents[2].End]))
	other := "以上为个人真实感受"
	assert.Equal(t, HashRunes(n.Normalize(other).Runes), sents[1].Hash, "a space inside does not change the sentence")
}

func TestPhrasesMark(t *testing.T) {
	n := normalize.New()
	p := NewPhrases(n, []string{"以上为个人真实使用感受，效果因人而异。", "", "  "})
	assert.Equal(t, 1, p.Len())
	text := n.Normalize("好用！以上為個人真實使用感受，效果因人而異")
	mask := make([]bool, len(text.Runes))
	p.Mark(text.Runes, mask)
	assert.False(t, mask[0])
	assert.False(t, mask[1])
	for i := 2; i < len(mask); i++ {
		assert.True(t, mask[i], "rune %d", i)
	}
}

func TestRule(t *testing.T) {
	r := DefaultRule()
	assert.False(t, r.Common(7, 10), "below the minimum number of assets")
	assert.True(t, r.Common(8, 100))
	assert.False(t, r.Common(8, 1000), "below 2 % of a large library")
	assert.True(t, r.Common(20, 1000))
	assert.False(t, r.Common(10, 0))
}

func TestSketchCountsAndRoundTrip(t *testing.T) {
	s := NewSketch()
	for i := 0; i < 10; i++ {
		s.Add([]uint64{42, uint64(1000 + i)})
	}
	assert.Equal(t, 10, s.Count(42))
	assert.Equal(t, 1, s.Count(1003))
	assert.Equal(t, 0, s.Count(7))
	s.Remove([]uint64{42})
	assert.Equal(t, 9, s.Count(42))

	data, err := s.MarshalBinary()
	require.NoError(t, err)
	var back Sketch
	require.NoError(t, back.UnmarshalBinary(data))
	assert.Equal(t, 9, back.Count(42))
	assert.Equal(t, 1, back.Count(1009))

	assert.ErrorIs(t, back.UnmarshalBinary(nil), ErrBadSketch)
	assert.ErrorIs(t, back.UnmarshalBinary([]byte{9}), ErrBadSketch)
	assert.ErrorIs(t, back.UnmarshalBinary([]byte{1, 0}), ErrBadSketch)
	assert.ErrorIs(t, back.UnmarshalBinary([]byte{1, 0xff, 0xff, 0xff, 0x7f, 1}), ErrBadSketch)
}

func FuzzSketchUnmarshal(f *testing.F) {
	s := NewSketch()
	s.Add([]uint64{1, 2, 3})
	data, _ := s.MarshalBinary()
	f.Add(data)
	f.Add([]byte{1})
	f.Fuzz(func(t *testing.T, data []byte) {
		var s Sketch
		if err := s.UnmarshalBinary(data); err != nil {
			return
		}
		again, err := s.MarshalBinary()
		require.NoError(t, err)
		var s2 Sketch
		require.NoError(t, s2.UnmarshalBinary(again))
		assert.Equal(t, s.cells, s2.cells)
	})
}
