package annotation

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
)

func TestFind(t *testing.T) {
	tests := []struct {
		name, in string
		want     []Annotation
	}{
		{"every bracket form and key",
			"（镜头：推近）今天[BGM 128bpm]开箱{字幕色 #FFD400}【钩子】(Camera pan)",
			[]Annotation{
				{Start: 0, End: 7, Pairs: []Pair{{Camera, "镜头", "推近"}}},
				{Start: 9, End: 21, Pairs: []Pair{{BGMBPM, "BGM", "128bpm"}}},
				{Start: 23, End: 36, Pairs: []Pair{{SubtitleColor, "字幕色", "#FFD400"}}},
				{Start: 40, End: 52, Pairs: []Pair{{Camera, "Camera", "pan"}}},
			}},
		// 字幕 is the subtitle colour in both the element parser and the
		// normaliser (the two used to disagree).
		{"字幕 is the subtitle colour", "好[字幕：黄色]看", []Annotation{{Start: 1, End: 8, Pairs: []Pair{{SubtitleColor, "字幕", "黄色"}}}}},
		{"mixed widths", "（画面: 海边)", []Annotation{{Start: 0, End: 8, Pairs: []Pair{{Shot, "画面", "海边"}}}}},
		{"JSON form", `{"camera": "推近", "bpm": 128}`, []Annotation{{Start: 0, End: 28, Pairs: []Pair{{BGMBPM, "bpm", float64(128)}, {Camera, "camera", "推近"}}}}},
		{"JSON with an unknown key is text", `{"camera": "推近", "mood": "sad"}`, nil},
		{"ascii key must end at a word boundary", "(colorful) [shotgun]", nil},
		{"unknown key is text", "（真的）", nil},
		{"a label is not an annotation", "【钩子】你好", nil},
		{"unclosed", "(未闭合 镜头", nil},
		{"no bracket across lines", "（镜头：\n推近）", nil},
		{"no brackets", "没有括号", nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			assert.Equal(t, tc.want, Find(tc.in))
		})
	}
}

func TestStrip(t *testing.T) {
	got, anns := Strip("（镜头：推近）今天[BGM 128bpm]开箱{字幕色 #FFD400}【钩子】")
	assert.Equal(t, "今天开箱【钩子】", got)
	assert.Len(t, anns, 3)
	got, anns = Strip("没有括号")
	assert.Equal(t, "没有括号", got)
	assert.Nil(t, anns)
}

// TestKeysLongestFirst: a key that is a prefix of another comes after it,
// so 字幕色 is never read as 字幕 + "色…".
func TestKeysLongestFirst(t *testing.T) {
	for i, a := range keys {
		for _, b := range keys[i+1:] {
			assert.False(t, strings.HasPrefix(b.key, a.key) && b.key != a.key, "%q must come before %q", b.key, a.key)
		}
	}
}

func TestHasOpener(t *testing.T) {
	for r := range closers {
		assert.True(t, hasOpener("前"+string(r)+"后"), "%q", r)
	}
	assert.False(t, hasOpener("没有括号）】］"))
	assert.False(t, hasOpener(""))
}

func FuzzFind(f *testing.F) {
	for _, s := range []string{
		"（镜头：推近）今天[BGM 128bpm]开箱{字幕色 #FFD400}【钩子】(Camera pan)",
		`{"camera": "推近", "bpm": 128}`, "((((镜头", "[bpm", "（画面: 海边)", "\xff(镜头：推近)",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		n := len([]rune(s))
		prev := 0
		for _, a := range Find(s) {
			if a.Start < prev || a.End <= a.Start || a.End > n || a.End-a.Start > MaxRunes+1 {
				t.Fatalf("bad span %d-%d (prev %d, len %d) in %q", a.Start, a.End, prev, n, s)
			}
			if len(a.Pairs) == 0 {
				t.Fatalf("annotation without attributes in %q", s)
			}
			prev = a.End
		}
		if hasOpener(s) != strings.ContainsAny(s, "（([［{｛【") {
			t.Fatalf("hasOpener(%q) disagrees with ContainsAny", s)
		}
		out, _ := Strip(s)
		if utf8.ValidString(s) && !utf8.ValidString(out) {
			t.Fatalf("strip made invalid UTF-8 from %q", s)
		}
		if len([]rune(out)) > n {
			t.Fatalf("strip grew %q", s)
		}
	})
}

// Strip returns s without its annotations (brackets included) and the
// annotations it removed.
func Strip(s string) (string, []Annotation) {
	anns := Find(s)
	if len(anns) == 0 {
		return s, nil
	}
	rs := []rune(s)
	var b strings.Builder
	b.Grow(len(s))
	prev := 0
	for _, a := range anns {
		b.WriteString(string(rs[prev:a.Start]))
		prev = a.End
	}
	b.WriteString(string(rs[prev:]))
	return b.String(), anns
}
