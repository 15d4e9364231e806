package element

import (
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var draftDir = filepath.Join("testdata", "drafts")

// TestParseDraftGolden parses each valid draft folder under testdata/drafts
// and compares it with <folder>.golden.
func TestParseDraftGolden(t *testing.T) {
	for _, name := range []string{"jianying3_airfryer", "jianying5_lipstick", "capcut_intl"} {
		t.Run(name, func(t *testing.T) {
			dir := filepath.Join(draftDir, name)
			assets, err := ParseFile(dir, ParseOptions{Root: draftDir})
			require.NoError(t, err)
			require.Len(t, assets, 1)
			assert.Equal(t, name, assets[0].ID, "a draft folder is one asset with the folder's id")
			golden := dir + ".golden"
			if *updateGolden {
				require.NoError(t, os.WriteFile(golden, []byte(goldenString(assets)), 0o644))
			}
			want, err := os.ReadFile(golden)
			require.NoError(t, err)
			assert.Equal(t, string(want), goldenString(assets))
		})
	}
}

func TestParseDraftAttributes(t *testing.T) {
	type want struct {
		typ    Type
		text   string
		s, e   int64
		color  string
		camera string
		bgm    string
		cuts   int
	}
	tests := []struct {
		dir  string
		want []want
	}{
		{"jianying3_airfryer", []want{
			{Hook, "你是不是还在用油锅炸鸡翅？", 0, 3000, "#FFD400", CameraPushIn, "Happy Day - 轻快", 0},
			{Conflict, "但是每次炸完满厨房都是油烟", 3000, 11000, "#FFFFFF", CameraStatic, "Happy Day - 轻快", 0},
			{Testimonial, "我用了三个月，亲测一滴油都不用放", 11000, 26000, "#FFFFFF", CameraPanRight, "Happy Day - 轻快", 0},
			{Conversion, "点击下方链接，限时立减一百元", 26000, 40000, "#DC143C", CameraPullOut, "Happy Day - 轻快", 0},
		}},
		{"jianying5_lipstick", []want{
			{Hook, "姐妹们😍这支口红绝了", 0, 3000, "#FF69B4", CameraHandheld, "卡点音乐 128BPM", 0},
			{Conflict, "我涂了一整天都没掉色", 3000, 9500, "#FFD400", CameraTiltDown, "卡点音乐 128BPM", 0},
			{Conversion, "链接在左下角", 9500, 12000, "#00FF00", CameraStatic, "卡点音乐 128BPM", 0},
		}},
		// Unlabelled cues follow the time template (3–11 s is conflict).
		{"capcut_intl", []want{
			{Hook, "Still blending by hand?", 0, 3000, "#FFFF00", CameraPullOut, "Upbeat Pop", 0},
			{Conflict, "Tap the link, 30% off today only", 3000, 9000, "#FFFFFF", CameraStatic, "Upbeat Pop", 0},
		}},
	}
	for _, tc := range tests {
		t.Run(tc.dir, func(t *testing.T) {
			assets, err := ParseFile(filepath.Join(draftDir, tc.dir), ParseOptions{})
			require.NoError(t, err)
			var got []want
			for _, e := range assets[0].Elements {
				w := want{typ: e.Type, text: e.Text, s: *e.StartMs, e: *e.EndMs}
				w.color, _ = e.Attributes[AttrSubtitleColor].(string)
				w.camera, _ = e.Attributes[AttrCamera].(string)
				w.bgm, _ = e.Attributes[AttrBGM].(string)
				w.cuts, _ = e.Attributes[AttrCuts].(int)
				got = append(got, w)
			}
			assert.Equal(t, tc.want, got)
		})
	}
}

func TestDraftFolderAsRootKeepsItsName(t *testing.T) {
	dir := filepath.Join(draftDir, "capcut_intl")
	assets, err := ParseFile(dir, ParseOptions{Root: dir})
	require.NoError(t, err)
	assert.Equal(t, "capcut_intl", assets[0].ID)
}

func TestDraftFileHasItsFolderID(t *testing.T) {
	f := DraftFile(filepath.Join(draftDir, "jianying5_lipstick"))
	assets, err := ParseFile(f, ParseOptions{Root: draftDir})
	require.NoError(t, err)
	assert.Equal(t, "jianying5_lipstick", assets[0].ID, "the timeline file and its folder are one asset")
	assets, err = Parse("uploads/proj/draft_content.json", mustRead(t, f), ParseOptions{})
	require.NoError(t, err)
	assert.Equal(t, "proj", assets[0].ID)
}

func mustRead(t *testing.T, p string) []byte {
	t.Helper()
	b, err := os.ReadFile(p)
	require.NoError(t, err)
	return b
}

func TestParseDraftMeta(t *testing.T) {
	assets, err := ParseFile(filepath.Join(draftDir, "jianying3_airfryer"), ParseOptions{})
	require.NoError(t, err)
	a := assets[0]
	assert.Equal(t, "空气炸锅口播", a.Title)
	assert.Equal(t, int64(40000), a.Meta["duration_ms"])
	assert.Equal(t, "1080x1920", a.Meta["resolution"])
	assert.Equal(t, "叮", a.Elements[3].Attributes[AttrSFX], "a sound effect is sfx, not bgm")
}

func TestDraftCuts(t *testing.T) {
	// One long text over three video segments: two cuts inside it.
	in := `{"materials":{"texts":[{"id":"t","content":"{\"text\":\"一整段口播文案\",\"styles\":[]}","text_color":"#ff0000"}]},
	"tracks":[{"type":"video","segments":[
	  {"material_id":"v","target_timerange":{"start":0,"duration":1000000}},
	  {"material_id":"v","target_timerange":{"start":1000000,"duration":1000000}},
	  {"material_id":"v","target_timerange":{"start":2000000,"duration":1000000}}]},
	 {"type":"text","segments":[{"material_id":"t","target_timerange":{"start":0,"duration":3000000}}]}]}`
	assets, err := Parse("exported.json", []byte(in), ParseOptions{})
	require.NoError(t, err, "a draft is recognised by content, not only by name")
	e := assets[0].Elements[0]
	assert.Equal(t, "一整段口播文案", e.Text)
	assert.Equal(t, 2, e.Attributes[AttrCuts])
	assert.Equal(t, "#FF0000", e.Attributes[AttrSubtitleColor], "text_color is the fallback")
}

func TestParseDraftErrors(t *testing.T) {
	tests := []struct {
		path, msg string
		is        error
	}{
		{filepath.Join(draftDir, "encrypted6"), "encrypted 剪映 draft", ErrEncryptedDraft},
		{filepath.Join(draftDir, "encrypted6", "draft_content.json"), "export the subtitles as SRT", ErrEncryptedDraft},
		{filepath.Join(draftDir, "missing_material"), `draft is missing materials: track 1 (text) segment 2 points at text material "gone"`, nil},
		{draftDir + "/..", "not a 剪映/CapCut draft", nil},
	}
	for _, tc := range tests {
		t.Run(tc.path, func(t *testing.T) {
			_, err := ParseFile(tc.path, ParseOptions{})
			require.Error(t, err)
			var pe *ParseError
			require.True(t, errors.As(err, &pe), "%T", err)
			assert.Contains(t, err.Error(), tc.msg)
			assert.Contains(t, pe.File, filepath.Base(tc.path))
			if tc.is != nil {
				assert.ErrorIs(t, err, tc.is)
			}
		})
	}
	_, err := Parse("draft_content.json", []byte(`{"materials":{},"tracks":[{"type":"video","segments":[]}]}`), ParseOptions{})
	assert.ErrorContains(t, err, "no text track segments")
}

func TestWalkDraftFolderIsOneInput(t *testing.T) {
	var got []string
	require.NoError(t, Walk([]string{draftDir}, func(p string) error {
		got = append(got, filepath.ToSlash(p))
		return nil
	}))
	assert.Equal(t, []string{
		"testdata/drafts/capcut_intl", "testdata/drafts/encrypted6", "testdata/drafts/jianying3_airfryer",
		"testdata/drafts/jianying5_lipstick", "testdata/drafts/missing_material",
	}, got)
}

func TestDraftTextContent(t *testing.T) {
	tests := []struct {
		content, textColor, text, color string
	}{
		{`<font id="" path="a.ttf"><color=(1.000000, 0.000000, 0.000000, 1.000000)><size=15.000000>[红字]</size></color></font>`, "", "红字", "#FF0000"},
		{`<size=12>no brackets</size>`, "#00ff00", "no brackets", "#00FF00"},
		{`{"text":"ab","styles":[{"range":[0,1],"fill":{"content":{"solid":{"color":[0,0,1]}}}},{"range":[1,2],"fill":{"content":{"solid":{"color":[0,1,0]}}}}]}`, "", "ab", "#0000FF"},
		{`{"text":"x","styles":[{"fill":{"content":{"solid":{"color":[2,0,0]}}}}]}`, "", "x", ""},
		{`plain`, "", "plain", ""},
	}
	for _, tc := range tests {
		text, col := draftTextContent(draftText{Content: tc.content, TextColor: tc.textColor})
		assert.Equal(t, tc.text, text, tc.content)
		assert.Equal(t, tc.color, col, tc.content)
	}
}

func FuzzParseDraft(f *testing.F) {
	for _, n := range []string{"jianying3_airfryer", "jianying5_lipstick", "capcut_intl", "missing_material"} {
		if p := DraftFile(filepath.Join(draftDir, n)); p != "" {
			if data, err := os.ReadFile(p); err == nil {
				f.Add(data)
			}
		}
	}
	f.Add([]byte(`{"materials":{"texts":[{"id":"t","content":"<size=1>[x]</size>"}]},"tracks":[{"type":"text","segments":[{"material_id":"t","target_timerange":{"start":1e300,"duration":-1}}]}]}`))
	f.Fuzz(func(t *testing.T, data []byte) { fuzzParse(t, "draft_content.json", data) })
}
