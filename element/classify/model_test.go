package classify

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestLabelPlainText(t *testing.T) {
	tests := []struct {
		name  string
		units []string
		want  []string
	}{
		{"four slots",
			[]string{"你是不是每天早上都来不及吃早餐？", "以前用豆浆机总是吵醒全家，清洗还要半天，真的很烦恼。", "我用了这台破壁机三个月，现在全家都说好。", "今天点击下方链接下单立减100，库存不多了赶紧抢。"},
			[]string{Hook, Conflict, Testimonial, Conversion}},
		{"story in the middle",
			[]string{"旅行的时候你是不是也总睡不好？", "酒店枕头太高，每次出差回来脖子都疼。", "那年我第一次一个人出差，有一天在机场睡着了，后来才明白带一个好枕头有多重要。", "亲测这个U型枕可以压缩，我用了半年都没变形。", "今天点击链接下单立减30。"},
			[]string{Hook, Conflict, Story, Testimonial, Conversion}},
		{"single unit is a hook", []string{"你是不是还在熬夜？"}, []string{Hook}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			units := make([]Unit, len(tc.units))
			for i, u := range tc.units {
				units[i] = Unit{Text: u}
			}
			assert.Equal(t, tc.want, Default().Label(units))
		})
	}
}

func TestLabelTimeTemplate(t *testing.T) {
	// Cue words absent: the SPEC time template decides.
	units := []Unit{
		{Text: "一", HasTime: true, StartMs: 0, EndMs: 3000},
		{Text: "二。", HasTime: true, StartMs: 3000, EndMs: 11000},
		{Text: "三。", HasTime: true, StartMs: 11000, EndMs: 26000},
		{Text: "四。", HasTime: true, StartMs: 26000, EndMs: 56000},
	}
	assert.Equal(t, []string{Hook, Conflict, Testimonial, Conversion}, Default().Label(units))
	assert.Nil(t, Default().Label(nil))
}

func TestSentences(t *testing.T) {
	got := Sentences("你好！真的吗？”好的\n第二行。")
	require.Len(t, got, 4)
	assert.Equal(t, "你好！", got[0].Text)
	assert.Equal(t, "真的吗？”", got[1].Text)
	assert.Equal(t, "好的", got[2].Text)
	assert.True(t, got[3].NewLine)
	assert.Equal(t, 1, got[3].Line)
}

func TestNewModelErrors(t *testing.T) {
	for _, lex := range []string{"hook\tx", "banana\tx\t1", "hook\tx\tabc", "hook\t\t1"} {
		_, err := NewModel(lex)
		assert.Error(t, err, lex)
	}
	m, err := NewModel("# c\nhook\t你\t2\n")
	require.NoError(t, err)
	assert.Equal(t, 2.0, m.Scores("你好")[Hook])
}

// Scores returns the per-type evidence of text from the cue lexicon alone,
// keyed by type name. Useful for explaining a decision.
func (m *Model) Scores(text string) map[string]float64 {
	var sc [nStates]float64
	m.cueScores(strings.ToLower(text), &sc)
	out := make(map[string]float64, nStates)
	for i, s := range states {
		out[s] = sc[i]
	}
	return out
}
