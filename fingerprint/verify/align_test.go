package verify

import (
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func alignedShare(t *testing.T, query, lib string) (float64, []Stretch) {
	t.Helper()
	q, l := norm.Normalize(query), norm.Normalize(lib)
	var a Aligner
	sts := a.Align(q, l, AlignOptions{})
	covered := make([]bool, q.Len())
	for _, st := range sts {
		assert.GreaterOrEqual(t, st.End-st.Start, 12)
		assert.LessOrEqual(t, 4*st.Edits, max(st.End-st.Start, st.LibEnd-st.LibStart), "at most one edit per four characters")
		for _, b := range st.Blocks {
			require.Equal(t, string(q.Runes[b.Start:b.End]), string(l.Runes[b.LibStart:b.LibEnd]))
			for k := b.Start; k < b.End; k++ {
				require.False(t, covered[k], "stretches do not overlap")
				covered[k] = true
			}
		}
	}
	n := 0
	for _, c := range covered {
		if c {
			n++
		}
	}
	return float64(n) / float64(q.Len()), sts
}

func TestAlign(t *testing.T) {
	tests := []struct {
		name, query, lib string
		min, max         float64
	}{
		{"the issue's rewrite",
			"色待匀，鲜嫩，封后淡淡清香扑鼻的，肉厚偏软，潮口咬下，著嫩而爽口，酸甜微咸的口感，摆激你的食欲，让你不住垂涎滴。",
			"色泽均匀，鲜嫩，拆封后淡淡清香扑鼻，肉厚偏软，一口咬下，柔嫩而爽口，酸甜微咸的口感，刺激你的食欲，让你忍不住垂涎欲滴。",
			0.75, 1},
		{"a filler every four characters",
			"熬夜追了剧第二天，脸色的暗沉得像没了睡醒，粉底越涂越了卡粉",
			"熬夜追剧第二天，脸色暗沉得像没睡醒，粉底越涂越卡粉",
			0.8, 1},
		{"unrelated text", "今天天气很好我们一起去公园散步吧", "这款面霜保湿效果特别好适合干皮", 0, 0},
		{"stock phrases in another order", "口感细腻入口即化奶香浓郁甜而不腻",
			"甜而不腻回味无穷奶香浓郁令人难忘口感细腻", 0, 0},
		{"too short", "清香扑鼻的肉厚", "清香扑鼻肉厚", 0, 0},
		// Two edits close together early (帝二夫 for 第二天) put the prefix
		// above one edit per four characters; the stretch as a whole is
		// one edit per ten and counts from its first character.
		{"edits on average, not in every prefix",
			"熬夜追剧帝二夫脸色暗沉的像没睡醒粉底越涂越卡粉下午两点就开始脱妆",
			"熬夜追剧第二天脸色暗沉得像没睡醒粉底越涂越卡粉下午两点就开始脱妆",
			0.85, 1},
		// A lone two-character block earns no credit for the edit after it:
		// what is left (金属挂钩可悬挂短柄) is shorter than a stretch.
		{"a short block carries no edit", "特有的金属挂钩，可悬挂短柄", "特有金属挂钩悬挂短柄", 0, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, sts := alignedShare(t, tt.query, tt.lib)
			assert.GreaterOrEqual(t, got, tt.min, "%+v", sts)
			assert.LessOrEqual(t, got, tt.max, "%+v", sts)
		})
	}
}

// TestAlignScatteredEdits is the property: k scattered edits in an
// n-character copy (n/k >= 4) leave at least n-2k characters aligned.
func TestAlignScatteredEdits(t *testing.T) {
	src := []rune("熬夜追剧第二天脸色暗沉得像没睡醒粉底越涂越卡粉下午两点就开始脱妆同事还问我是不是生病了我连续用了二十八天这瓶精华早上起来摸脸是软软的上妆服帖了很多点击下方链接今天直播间立减五十再送同款小样三支")
	fillers := []rune("的了超很也就呀哦")
	r := rand.New(rand.NewPCG(1, 2))
	for trial := 0; trial < 300; trial++ {
		every := 4 + r.IntN(5)
		var out []rune
		k := 0
		for i := 0; i < len(src); i++ {
			if i%every == every/2 {
				k++
				switch r.IntN(3) {
				case 0: // substitution
					out = append(out, fillers[r.IntN(len(fillers))]+0x100)
					continue
				case 1: // insertion
					out = append(out, fillers[r.IntN(len(fillers))])
				case 2: // deletion
					continue
				}
			}
			out = append(out, src[i])
		}
		q, l := norm.Normalize(string(out)), norm.Normalize(string(src))
		var a Aligner
		matched := 0
		for _, st := range a.Align(q, l, AlignOptions{}) {
			matched += st.Matched()
		}
		n := len(src)
		assert.GreaterOrEqual(t, matched, n-2*k, "trial %d every %d: %s", trial, every, string(out))
	}
}
