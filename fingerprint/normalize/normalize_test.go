package normalize

import (
	"testing"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/text/unicode/norm"
)

func TestNormalize(t *testing.T) {
	n := New()
	tests := []struct {
		name, in, want string
		offsets        []int // nil: not checked
	}{
		{"empty", "", "", nil},
		{"full width", "ＡＢＣ１２３", "abc123", []int{0, 1, 2, 3, 4, 5}},
		{"case fold", "Hello WORLD", "helloworld", nil},
		{"traditional", "這個軟體", "这个软件", []int{0, 1, 2, 3}},
		{"taiwan vocabulary", "檔案放在網路上", "文件放在网络上", nil},
		{"taiwan mouse in traditional run", "這個滑鼠", "这个鼠标", nil},
		{"phrase shrinks", "這個記憶體", "这个内存", []int{0, 1, 2, 4}},
		{"hong kong variants", "綫上裏面", "线上里面", nil},
		{"simplified with 著 untouched", "显著的效果，很著名", "显著的效果很著名", nil},
		{"emoji", "好物😀推荐🔥", "好物推荐", []int{0, 1, 3, 4}},
		{"punctuation", "真的！太好用了……吧？", "真的太好用了吧", nil},
		{"whitespace and 全角空格", "宝子们\u3000快 \t来\n看", "宝子们快来看", nil},
		{"annotation full width", "（镜头：推近）今天开箱", "今天开箱", []int{7, 8, 9, 10}},
		{"annotation bgm", "开箱[BGM 128bpm]了", "开箱了", nil},
		{"annotation colour braces", "看这里{字幕色 #FFD400}哦", "看这里哦", nil},
		{"annotation sfx and shot", "叮[音效：叮]（画面：特写）好", "叮好", nil},
		{"annotation ascii", "go (camera: pan left) now", "gonow", nil},
		{"not an annotation", "买（两件）更划算(shotgun)", "买两件更划算shotgun", nil},
		{"invalid utf8", "a\xffb\xc3", "ab", []int{0, 2}},
		{"nul byte", "下\x00单", "下单", []int{0, 2}},
		{"compat expansion", "㍻年", "平成年", []int{0, 0, 1}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := n.Normalize(tt.in)
			assert.Equal(t, tt.want, got.String())
			assert.Equal(t, utf8.RuneCountInString(tt.in), got.OrigLen)
			require.Len(t, got.Offsets, len(got.Runes))
			if tt.offsets != nil {
				assert.Equal(t, tt.offsets, got.Offsets)
			}
		})
	}
}

// TestOffsetsPointAtSource checks, for text without phrase conversions,
// that every kept rune is what its source rune normalises to.
func TestOffsetsPointAtSource(t *testing.T) {
	n := New()
	for _, in := range []string{
		"ＡＢＣ１２３，這個軟件真的很好用！😀",
		"（镜头：推近）宝子们\u3000今天[BGM 128bpm]给大家推荐一款速干衣",
		"綫上購物 双11 到手價１９９元",
	} {
		orig := []rune(in)
		got := n.Normalize(in)
		for i, r := range got.Runes {
			src := n.Normalize(string(orig[got.Offsets[i]]))
			assert.Contains(t, src.String(), string(r), "rune %d %q of %q", i, r, in)
		}
	}
}

func TestFastPathSkipsOpenCC(t *testing.T) {
	n := New()
	for _, in := range []string{"hello WORLD 123", "宝子们，今天给大家推荐一款显瘦的速干衣，著名品牌！", "ＡＢＣ１２３"} {
		n.Normalize(in)
	}
	assert.Zero(t, n.ConvertedRunes())
	n.Normalize("這個軟體，很好")
	assert.Equal(t, int64(4), n.ConvertedRunes(), "only the run with Traditional characters is converted")
}

func TestWarm(t *testing.T) {
	n := New()
	d, err := n.Warm()
	require.NoError(t, err)
	t.Logf("OpenCC load: %v", d)
	assert.Greater(t, d.Nanoseconds(), int64(0))
}

func TestIsCountable(t *testing.T) {
	for _, r := range "a1中𠀀㐀丽é" {
		assert.True(t, IsCountable(r), "%q", r)
	}
	for _, r := range " ，!😀\u3000·\ufffd" {
		assert.False(t, IsCountable(r), "%q", r)
	}
}

func FuzzNormalize(f *testing.F) {
	for _, s := range []string{
		"", "ＡＢＣ１２３", "這個軟體很好用", "這個記憶體", "（镜头：推近）今天[BGM 128bpm]开箱",
		"a\xffb\x00c", "㍻ﬁ", "e\u0301", "宝子们\u3000快来😀", "{字幕色 #FFD400", "綫上裏面僞造",
	} {
		f.Add(s)
	}
	n := New()
	f.Fuzz(func(t *testing.T, s string) {
		got := n.Normalize(s)
		if len(got.Offsets) != len(got.Runes) {
			t.Fatalf("len(Offsets)=%d len(Runes)=%d", len(got.Offsets), len(got.Runes))
		}
		if got.OrigLen != utf8.RuneCountInString(s) {
			t.Fatalf("OrigLen %d, want %d", got.OrigLen, utf8.RuneCountInString(s))
		}
		prev := -1
		for i, r := range got.Runes {
			if !IsCountable(r) {
				t.Fatalf("rune %d %q not countable", i, r)
			}
			o := got.Offsets[i]
			if o < 0 || o >= got.OrigLen || o < prev {
				t.Fatalf("offset %d = %d out of order/range (prev %d, len %d)", i, o, prev, got.OrigLen)
			}
			prev = o
		}
	})
}

// TestSimpleNFKCMatchesNorm proves the per-rune fast path gives exactly
// what golang.org/x/text's NFKC gives for every rune it accepts.
func TestSimpleNFKCMatchesNorm(t *testing.T) {
	for r := rune(1); r <= 0xFFFF; r++ {
		m, ok := simpleNFKC(r)
		if !ok {
			continue
		}
		want := norm.NFKC.String(string(r))
		assert.Equal(t, want, string(m), "U+%04X", r)
		// A following combining mark must not change the accepted rune.
		assert.Equal(t, norm.NFKC.String(string(r)+"好"), string(m)+"好", "U+%04X", r)
	}
}

// FuzzNormalizeSimple: the one-pass path gives what the general path
// gives, for every text it accepts.
func FuzzNormalizeSimple(f *testing.F) {
	for _, s := range []string{
		"今天直播间立减５０！点击下方链接【转化】", "ＡＢＣ１２３，“你好”——。", "這個軟體很好用", "这个软件很好用",
		"（镜头：推近）今天", "宝子们\u3000快来😀", "Hello世界·2026", "a\xffb",
	} {
		f.Add(s)
	}
	n := New()
	f.Fuzz(func(t *testing.T, s string) {
		runes := utf8.RuneCountInString(s)
		rs, offs, ok := n.normalizeSimple(s, runes)
		if !ok {
			return
		}
		want := n.normalizeGeneral(s, Text{OrigLen: runes})
		assert.Equal(t, string(want.Runes), string(rs))
		assert.Equal(t, want.Offsets, offs)
	})
}

func FuzzSimpleNFKCPath(f *testing.F) {
	f.Add("今天直播间立减５０！点击下方链接【转化】")
	f.Add("ＡＢＣ１２３，“你好”——。")
	n := New()
	f.Fuzz(func(t *testing.T, s string) {
		var fast, slow []rune
		if _, _, ok := nfkcSimple(s, func(int) bool { return false }, nil, nil); !ok {
			return
		}
		fast, _, _ = nfkcSimple(s, func(int) bool { return false }, nil, nil)
		slow = []rune(norm.NFKC.String(s))
		assert.Equal(t, string(slow), string(fast))
		_ = n.Normalize(s)
	})
}
