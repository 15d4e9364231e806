package element

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
	"unicode/utf16"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const assHeader = "[Script Info]\nTitle: 洗碗机\nScriptType: v4.00+\n\n[V4+ Styles]\n" +
	"Format: Name, Fontname, Fontsize, PrimaryColour, SecondaryColour, OutlineColour, BackColour, Bold, Italic, Underline, StrikeOut, ScaleX, ScaleY, Spacing, Angle, BorderStyle, Outline, Shadow, Alignment, MarginL, MarginR, MarginV, Encoding\n" +
	"Style: Default,Microsoft YaHei,60,&H00FFFFFF,&H000000FF,&H00000000,&H00000000,0,0,0,0,100,100,0,0,1,2,0,2,10,10,10,1\n" +
	"Style: Yellow,Microsoft YaHei,60,&H0000D4FF,&H000000FF,&H00000000,&H00000000,0,0,0,0,100,100,0,0,1,2,0,2,10,10,10,1\n\n" +
	"[Events]\nFormat: Layer, Start, End, Style, Name, MarginL, MarginR, MarginV, Effect, Text\n"

type wantASS struct {
	typ     Type
	text    string
	startMs int64
	endMs   int64
	color   string
}

func TestParseASS(t *testing.T) {
	tests := []struct {
		name, file, events string
		want               []wantASS
	}{
		{"style colours and labels", "a.ass",
			"Dialogue: 0,0:00:00.00,0:00:03.00,Yellow,,0,0,0,,【钩子】你是不是还在手洗碗？\n" +
				"Dialogue: 0,0:00:03.00,0:00:11.00,Default,,0,0,0,,【冲突】但是洗完手都裂了\n",
			[]wantASS{{Hook, "你是不是还在手洗碗？", 0, 3000, "#FFD400"}, {Conflict, "但是洗完手都裂了", 3000, 11000, "#FFFFFF"}}},
		{"inline \\c override wins over the style", "b.ass",
			"Dialogue: 0,0:00:00.00,0:00:02.50,Default,,0,0,0,,[hook]{\\c&H0000FF&}千万别买错\n",
			[]wantASS{{Hook, "千万别买错", 0, 2500, "#FF0000"}}},
		{"\\1c with alpha byte, the dominant colour wins", "c.ass",
			"Dialogue: 0,0:00:00.00,0:00:03.00,Default,,0,0,0,,【转化】{\\1c&H0000FF00&}点击下方链接立即下单{\\r}吧\n",
			[]wantASS{{Conversion, "点击下方链接立即下单吧", 0, 3000, "#00FF00"}}},
		{"override tags and \\N never reach the copy", "d.ass",
			"Dialogue: 0,0:00:00.00,0:00:03.00,Default,,0,0,0,,{\\fad(200,200)\\pos(540,1600)\\b1}【钩子】第一行\\N第二行{\\i1}斜体{\\i0}\n",
			[]wantASS{{Hook, "第一行\n第二行斜体", 0, 3000, "#FFFFFF"}}},
		{"\\rStyle switches to that style's colour", "e.ass",
			"Dialogue: 0,0:00:00.00,0:00:03.00,Default,,0,0,0,,【钩子】短{\\rYellow}这一段比前面长得多\n",
			[]wantASS{{Hook, "短这一段比前面长得多", 0, 3000, "#FFD400"}}},
		{"\\t animation does not change the colour; drawings are not text", "f.ass",
			"Dialogue: 0,0:00:00.00,0:00:03.00,Default,,0,0,0,,{\\t(0,500,\\c&H0000FF&)}【钩子】动画{\\p1}m 0 0 l 100 0 100 100{\\p0}\n",
			[]wantASS{{Hook, "动画", 0, 3000, "#FFFFFF"}}},
		{"events sorted by time, layers deduplicated, text with commas", "g.ass",
			"Dialogue: 0,0:00:03.00,0:00:10.00,Default,,0,0,0,,【转化】限时立减，点击链接, 马上下单\n" +
				"Dialogue: 1,0:00:00.00,0:00:03.00,Default,,0,0,0,,【钩子】你好\n" +
				"Dialogue: 0,0:00:00.00,0:00:03.00,Default,,0,0,0,,【钩子】你好\n" +
				"Comment: 0,0:00:00.00,0:00:03.00,Default,,0,0,0,,注释不是文案\n",
			[]wantASS{{Hook, "你好", 0, 3000, "#FFFFFF"}, {Conversion, "限时立减，点击链接, 马上下单", 3000, 10000, "#FFFFFF"}}},
		{"unlabelled cues use the time template", "h.ass",
			"Dialogue: 0,0:00:00.00,0:00:02.00,Yellow,,0,0,0,,你是不是每天都在洗碗\n" +
				"Dialogue: 0,0:00:20.00,0:00:40.00,Default,,0,0,0,,点击链接立即下单限时立减\n",
			[]wantASS{{Hook, "你是不是每天都在洗碗", 0, 2000, "#FFD400"}, {Conversion, "点击链接立即下单限时立减", 20000, 40000, "#FFFFFF"}}},
		{"unknown style falls back to Default", "i.ass",
			"Dialogue: 0,0:00:00.00,0:00:03.00,Nope,,0,0,0,,【钩子】你好\n",
			[]wantASS{{Hook, "你好", 0, 3000, "#FFFFFF"}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			assets, err := Parse(tc.file, []byte(assHeader+tc.events), ParseOptions{})
			require.NoError(t, err)
			require.Len(t, assets, 1)
			a := assets[0]
			require.NoError(t, a.Validate())
			assert.Equal(t, "洗碗机", a.Title)
			var got []wantASS
			for _, e := range a.Elements {
				w := wantASS{typ: e.Type, text: e.Text}
				require.NotNil(t, e.StartMs)
				w.startMs, w.endMs = *e.StartMs, *e.EndMs
				w.color, _ = e.Attributes[AttrSubtitleColor].(string)
				got = append(got, w)
			}
			assert.Equal(t, tc.want, got)
		})
	}
}

func TestParseSSAv4(t *testing.T) {
	// SSA v4: [V4 Styles], decimal BGR colours, Marked instead of Layer.
	in := "[Script Info]\nScriptType: v4.00\n\n[V4 Styles]\n" +
		"Format: Name, Fontname, Fontsize, PrimaryColour, SecondaryColour, TertiaryColour, BackColour, Bold, Italic, BorderStyle, Outline, Shadow, Alignment, MarginL, MarginR, MarginV, AlphaLevel, Encoding\n" +
		"Style: Default,SimHei,40,65535,255,0,0,0,0,1,2,0,2,10,10,10,0,134\n\n" +
		"[Events]\nFormat: Marked, Start, End, Style, Name, MarginL, MarginR, MarginV, Effect, Text\n" +
		"Dialogue: Marked=0,0:00:00.00,0:00:03.00,*Default,,0000,0000,0000,,【钩子】老字幕\n"
	assets, err := Parse("old.ssa", []byte(in), ParseOptions{})
	require.NoError(t, err)
	require.Len(t, assets[0].Elements, 1)
	e := assets[0].Elements[0]
	assert.Equal(t, "老字幕", e.Text)
	assert.Equal(t, "#FFFF00", e.Attributes[AttrSubtitleColor])
}

func TestParseASSColor(t *testing.T) {
	tests := []struct{ in, want string }{
		{"&H00FFFFFF", "#FFFFFF"},
		{"&H0000D4FF", "#FFD400"},
		{"&H00D4FF&", "#FFD400"},
		{"&HFF&", "#FF0000"},
		{"&h80112233", "#332211"},
		{"H00FF00", "#00FF00"},
		{"65535", "#FFFF00"},
	}
	for _, tc := range tests {
		got, ok := ParseASSColor(tc.in)
		assert.True(t, ok, tc.in)
		assert.Equal(t, tc.want, got, tc.in)
	}
	for _, bad := range []string{"", "&H", "&HXYZ", "&H1122334455", "-1"} {
		_, ok := ParseASSColor(bad)
		assert.False(t, ok, bad)
	}
}

func TestParseASSUTF16(t *testing.T) {
	in := assHeader + "Dialogue: 0,0:00:00.00,0:00:03.00,Yellow,,0,0,0,,【钩子】统一编码\n"
	u := utf16.Encode([]rune(in))
	data := []byte{0xFF, 0xFE}
	for _, c := range u {
		data = append(data, byte(c), byte(c>>8))
	}
	assets, err := Parse("u16.ass", data, ParseOptions{})
	require.NoError(t, err)
	require.Len(t, assets[0].Elements, 1)
	assert.Equal(t, "统一编码", assets[0].Elements[0].Text)
	assert.Equal(t, "#FFD400", assets[0].Elements[0].Attributes[AttrSubtitleColor])
}

func TestParseASSErrors(t *testing.T) {
	tests := []struct {
		name, events string
		line         int
		msg          string
	}{
		{"broken time", "Dialogue: 0,0:00:0x.00,0:00:03.00,Default,,0,0,0,,你好\n", 12, "malformed ASS time"},
		{"end before start", "Dialogue: 0,0:00:05.00,0:00:03.00,Default,,0,0,0,,你好\n", 12, "ends before it starts"},
		{"too few fields", "Dialogue: 0,0:00:05.00,0:00:06.00\n", 12, "fields"},
		{"no dialogue", "Comment: 0,0:00:00.00,0:00:03.00,Default,,0,0,0,,x\n", 0, "no Dialogue lines"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Parse("bad.ass", []byte(assHeader+tc.events), ParseOptions{})
			require.Error(t, err)
			var pe *ParseError
			require.True(t, errors.As(err, &pe), "%T", err)
			assert.Equal(t, "bad.ass", pe.File)
			assert.Equal(t, tc.line, pe.Line)
			assert.Contains(t, err.Error(), tc.msg)
		})
	}
}

// TestParseASSGolden parses the ASS fixtures under testdata/ass and compares
// elements and colours with the .golden files next to them.
func TestParseASSGolden(t *testing.T) {
	files, _ := filepath.Glob(filepath.Join("testdata", "ass", "*.ass"))
	require.NotEmpty(t, files)
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			assets, err := ParseFile(f, ParseOptions{})
			require.NoError(t, err)
			golden := f[:len(f)-len(".ass")] + ".golden"
			if *updateGolden {
				require.NoError(t, os.WriteFile(golden, []byte(goldenString(assets)), 0o644))
			}
			want, err := os.ReadFile(golden)
			require.NoError(t, err)
			assert.Equal(t, string(want), goldenString(assets))
		})
	}
}

func FuzzParseASS(f *testing.F) {
	f.Add([]byte(assHeader + "Dialogue: 0,0:00:00.00,0:00:03.00,Yellow,,0,0,0,,{\\c&H0000FF&}【钩子】你好\\N世界\n"))
	f.Add([]byte(assHeader + "Dialogue: 0,0:00:00.00,0:00:03.00,Default,,0,0,0,,{\\t(0,1,\\1c&HFF&)\\p1}m 0 0{\\p0}{unclosed\n"))
	f.Add([]byte("[Events]\nDialogue: 0,1:02:03.4,1:02:03.45,,,,,,,x\n"))
	if files, _ := filepath.Glob(filepath.Join("testdata", "ass", "*.ass")); len(files) > 0 {
		for _, p := range files {
			if data, err := os.ReadFile(p); err == nil {
				f.Add(data)
			}
		}
	}
	f.Fuzz(func(t *testing.T, data []byte) { fuzzParse(t, "f.ass", data) })
}
