package element

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/text/encoding/simplifiedchinese"
)

type wantEl struct {
	typ     Type
	text    string
	startMs int64 // -1: unknown
	endMs   int64
}

func elems(t *testing.T, a Asset) []wantEl {
	t.Helper()
	var out []wantEl
	for _, e := range a.Elements {
		w := wantEl{typ: e.Type, text: e.Text, startMs: -1, endMs: -1}
		if e.StartMs != nil {
			w.startMs = *e.StartMs
		}
		if e.EndMs != nil {
			w.endMs = *e.EndMs
		}
		out = append(out, w)
	}
	return out
}

func TestParseFormats(t *testing.T) {
	tests := []struct {
		name, file, input string
		title             string
		want              []wantEl
	}{
		{"chinese labels with times", "a.txt",
			"标题：洗碗机\n\n【钩子】（0:00-0:03）\n家人们，谁洗碗？\n\n【故事】 （0:11-1:15）\n第一行。\n第二行。\n【转化】 1:31-2:01 点击链接。\n",
			"洗碗机", []wantEl{{Hook, "家人们，谁洗碗？", 0, 3000}, {Story, "第一行。\n第二行。", 11000, 75000}, {Conversion, "点击链接。", 91000, 121000}}},
		{"english labels any case", "b.txt",
			"title: X\n[HOOK] 早上五分钟\n[Conflict] 0s-3.5s 吵。\n[testimonial] (3-11s)好用。\n",
			"X", []wantEl{{Hook, "早上五分钟", -1, -1}, {Conflict, "吵。", 0, 3500}, {Testimonial, "好用。", 3000, 11000}}},
		{"markdown headings", "c.md",
			"# 收纳袋\n## 钩子 (0-3s)\n行李箱塞不下？\n\n## 证言\n我用了。\n",
			"收纳袋", []wantEl{{Hook, "行李箱塞不下？", 0, 3000}, {Testimonial, "我用了。", -1, -1}}},
		{"srt timestamps 00:00:03,000", "d.txt",
			"【钩子】00:00:00,000-00:00:03,000 你好\n",
			"", []wantEl{{Hook, "你好", 0, 3000}}},
		{"bare range is text", "e.txt",
			"【钩子】3-5天就能到\n",
			"", []wantEl{{Hook, "3-5天就能到", -1, -1}}},
		{"srt labelled merge", "f.srt",
			"1\n00:00:00,000 --> 00:00:03,000\n【钩子】一\n\n2\n00:00:03,000 --> 00:00:05,000\n【冲突】二，\n\n3\n00:00:05,000 --> 00:00:09,000\n[conflict] <i>三</i>\n",
			"", []wantEl{{Hook, "一", 0, 3000}, {Conflict, "二，\n三", 3000, 9000}}},
		{"vtt", "g.vtt",
			"WEBVTT\n\nNOTE a comment\n\nintro\n00:00.000 --> 00:03.000 align:start\n【钩子】你好吗？\n\n00:03.000 --> 00:10.000\n【转化】点击链接\n",
			"", []wantEl{{Hook, "你好吗？", 0, 3000}, {Conversion, "点击链接", 3000, 10000}}},
		{"jsonl", "h.jsonl",
			`{"id":"A1","title":"T","elements":[{"type":"钩子","text":"一","start_ms":0,"end_ms":3000},{"type":"conversion","text":"二"}]}` + "\n",
			"T", []wantEl{{Hook, "一", 0, 3000}, {Conversion, "二", -1, -1}}},
		{"csv chinese header", "i.csv",
			"素材ID,标题,元件类型,文案,开始,结束,镜头,BPM,字幕色,投放平台,播放量\nX1,锅,钩子,你好？,0.0,3.1,推近,128,#FFD400,抖音,12\nX1,锅,转化,点击链接,0:03,0:30,,,,抖音,12\n",
			"锅", []wantEl{{Hook, "你好？", 0, 3100}, {Conversion, "点击链接", 3000, 30000}}},
		{"tsv", "j.tsv",
			"asset_id\ttype\ttext\nA\thook\t一\nA\tconversion\t二\n",
			"", []wantEl{{Hook, "一", -1, -1}, {Conversion, "二", -1, -1}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			assets, err := Parse(tc.file, []byte(tc.input), ParseOptions{})
			require.NoError(t, err)
			require.Len(t, assets, 1)
			assert.NoError(t, assets[0].Validate())
			assert.Equal(t, tc.title, assets[0].Title)
			assert.Equal(t, tc.want, elems(t, assets[0]))
		})
	}
}

func TestAnnotations(t *testing.T) {
	in := "【钩子】(0-3s) （镜头：推近）你好[BGM 128bpm] {字幕色 #FFD400}世界（真的）[音效：叮] (画面: 海边) (colorful)\n"
	assets, err := Parse("a.txt", []byte(in), ParseOptions{})
	require.NoError(t, err)
	e := assets[0].Elements[0]
	assert.Equal(t, "你好世界（真的）(colorful)", e.Text)
	assert.Equal(t, map[string]any{"camera": "推近", "bgm_bpm": int64(128), "subtitle_color": "#FFD400", "sfx": "叮", "shot": "海边"}, e.Attributes)
}

func TestCSVMetaAndAttributes(t *testing.T) {
	in := "素材ID,标题,元件类型,文案,镜头,BPM,字幕色,投放平台,播放量\nX1,锅,钩子,你好？,推近,128,#FFD400,抖音,12\nX2,碗,转化,点击,,,,快手,3.5\n"
	assets, err := Parse("a.csv", []byte(in), ParseOptions{})
	require.NoError(t, err)
	require.Len(t, assets, 2)
	assert.Equal(t, "X1", assets[0].ID)
	assert.Equal(t, map[string]any{"platform": "抖音", "plays": int64(12)}, assets[0].Meta)
	assert.Equal(t, map[string]any{"camera": "推近", "bgm_bpm": int64(128), "subtitle_color": "#FFD400"}, assets[0].Elements[0].Attributes)
	assert.Equal(t, 3.5, assets[1].Meta["plays"])
}

func TestEncodings(t *testing.T) {
	text := "【钩子】你是不是还在熬夜？\r\n【转化】点击链接下单。\r\n"
	gb, err := simplifiedchinese.GB18030.NewEncoder().String(text)
	require.NoError(t, err)
	u16 := utf16.Encode([]rune(text))
	le := []byte{0xFF, 0xFE}
	be := []byte{0xFE, 0xFF}
	for _, c := range u16 {
		le = append(le, byte(c), byte(c>>8))
		be = append(be, byte(c>>8), byte(c))
	}
	inputs := map[string][]byte{
		"utf8": []byte(text), "bom": append([]byte{0xEF, 0xBB, 0xBF}, text...),
		"gb18030": []byte(gb), "utf16le": le, "utf16be": be,
	}
	for name, data := range inputs {
		t.Run(name, func(t *testing.T) {
			assets, err := Parse("x.txt", data, ParseOptions{})
			require.NoError(t, err)
			assert.Equal(t, []wantEl{{Hook, "你是不是还在熬夜？", -1, -1}, {Conversion, "点击链接下单。", -1, -1}}, elems(t, assets[0]))
		})
	}
}

func TestBadInput(t *testing.T) {
	tests := []struct {
		name, file string
		data       []byte
		line       int
		msg        string
	}{
		{"empty", "a.txt", nil, 0, "empty"},
		{"blank", "a.txt", []byte("\n  \n"), 0, "empty"},
		{"binary", "a.txt", []byte("ok\nab\x00\x01\x02"), 2, "binary"},
		{"invalid encoding", "a.txt", []byte("ok\n\xff\xfe\xfd\xfc\x80\x81"), 2, "encoding"},
		{"odd utf16", "a.txt", []byte{0xFF, 0xFE, 'a'}, 1, "UTF-16"},
		{"srt bad timecode", "a.srt", []byte("1\n00:00:01,000 --> 00:00:0\nhi\n"), 2, "timecode"},
		{"srt no timecode", "a.srt", []byte("1\nhello\n"), 1, "expected a cue timecode"},
		{"vtt no header", "a.vtt", []byte("00:01.000 --> 00:02.000\nhi\n"), 1, "WEBVTT"},
		{"csv no text column", "a.csv", []byte("id,type\n1,hook\n"), 1, "no text column"},
		{"csv ragged", "a.csv", []byte("id,text\n1,a\n2,b,c\n"), 3, "wrong number of fields"},
		{"csv bad type", "a.csv", []byte("id,type,text\n1,hook,a\n1,banana,b\n"), 3, "unknown element type"},
		{"json wrong shape", "a.json", []byte("[1, 2]"), 1, "cannot unmarshal"},
		{"json no elements", "a.json", []byte(`{"id":"x"}`), 1, "neither"},
		{"json syntax", "a.json", []byte("{\n\"id\": \"x\",\n\"elements\": [}\n"), 3, "invalid character"},
		{"jsonl bad line", "a.jsonl", []byte(`{"id":"a","text":"你好"}` + "\n" + `{"id":` + "\n"), 2, "unexpected EOF"},
		{"jsonl not object", "a.jsonl", []byte(`{"id":"a","text":"你好"}` + "\n[1]\n"), 2, "asset object"},
		{"json bad type", "a.json", []byte(`{"elements":[{"type":"x","text":"a"}]}`), 1, "unknown type"},
		{"unknown extension", "a.doc", []byte("hi"), 0, "unsupported format"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Parse(tc.file, tc.data, ParseOptions{})
			require.Error(t, err)
			var pe *ParseError
			require.True(t, errors.As(err, &pe), "%T %v", err, err)
			assert.Equal(t, tc.file, pe.File)
			assert.Equal(t, tc.line, pe.Line, err.Error())
			assert.Contains(t, err.Error(), tc.msg)
			if tc.line > 0 {
				assert.True(t, strings.HasPrefix(err.Error(), tc.file+":"), err.Error())
			}
		})
	}
}

func TestLimits(t *testing.T) {
	big := []byte(strings.Repeat("你", 100))
	_, err := Parse("a.txt", big, ParseOptions{MaxBytes: 50})
	assert.ErrorIs(t, err, ErrTooLarge)

	dir := t.TempDir()
	p := filepath.Join(dir, "big.txt")
	require.NoError(t, os.WriteFile(p, big, 0o644))
	_, err = ParseFile(p, ParseOptions{MaxBytes: 50})
	assert.ErrorIs(t, err, ErrTooLarge)

	// A line up to the per-asset character limit is parsed whole, not
	// dropped; one character more is an error naming the file and line.
	line := strings.Repeat("点击链接下单，", DefaultMaxRunes/7) + "点击链接下单"
	require.Equal(t, DefaultMaxRunes, utf8.RuneCountInString(line))
	assets, err := Parse("long.txt", []byte("【转化】"+line+"\n"), ParseOptions{})
	require.NoError(t, err)
	assert.Equal(t, line, assets[0].Elements[0].Text)
	_, err = Parse("long.txt", []byte("【钩子】你\n【转化】"+line+"\n"), ParseOptions{})
	require.ErrorIs(t, err, ErrLimit)
	assert.Contains(t, err.Error(), "long.txt:2: ")
	assert.Contains(t, err.Error(), "50000 characters")

	// A one-asset input far over the limit is refused before parsing.
	_, err = Parse("huge.srt", []byte(strings.Repeat("a", 8*DefaultMaxRunes+4097)), ParseOptions{})
	require.ErrorIs(t, err, ErrLimit)
	assert.Contains(t, err.Error(), "huge.srt: over the limit: 404097 characters in one srt asset")

	// Elements per asset.
	var b strings.Builder
	for i := 0; i < 6; i++ {
		b.WriteString("【钩子】你好\n【转化】点击\n")
	}
	_, err = Parse("many.txt", []byte(b.String()), ParseOptions{MaxElements: 10})
	require.ErrorIs(t, err, ErrLimit)
	assert.Contains(t, err.Error(), "many.txt:11: ")
}

// deepMeta is {"a":{"a":…1…}} nested depth levels.
func deepMeta(depth int) string {
	return strings.Repeat(`{"a":`, depth) + "1" + strings.Repeat("}", depth)
}

func TestMetaLimits(t *testing.T) {
	asset := func(meta string) string {
		return `{"id":"d","meta":` + meta + `,"elements":[{"type":"hook","text":"你好"}]}`
	}
	for _, tc := range []struct {
		name, file, data, want string
	}{
		{"deep meta", "d.json", "\n\n" + asset(deepMeta(MaxMetaDepth+1)), "d.json:3: over the limit: meta nests 9 levels deep (limit 8)"},
		{"9000 deep", "d.json", asset(deepMeta(9000)), "d.json:1: over the limit: meta nests 9000 levels deep"},
		{"deep array", "d.json", asset(`{"a":` + strings.Repeat("[", 9) + strings.Repeat("]", 9) + `}`), "nests 10 levels deep"},
		{"wide meta", "w.json", asset(`{"a":"` + strings.Repeat("x", MaxMetaBytes) + `"}`), "w.json:1: over the limit: meta is 65544 bytes (limit 65536)"},
		{"deep attributes", "a.jsonl", "{\"id\":\"x\",\"text\":\"y\"}\n" + `{"id":"d","elements":[{"type":"hook","text":"你好","attributes":` + deepMeta(20) + `}]}`, "a.jsonl:2: over the limit: element 1 attributes nests 20 levels deep"},
		{"csv meta", "m.csv", "asset_id,text,note\na,你好," + strings.Repeat("x", 40000) + "\na,再见,y\nb,你好," + strings.Repeat("x", 70000) + "\n", "m.csv:4: over the limit: asset b: metadata columns"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Parse(tc.file, []byte(tc.data), ParseOptions{})
			require.ErrorIs(t, err, ErrLimit)
			assert.Contains(t, err.Error(), tc.want)
		})
	}
	// At the limits: accepted.
	as, err := Parse("ok.json", []byte(asset(deepMeta(MaxMetaDepth))), ParseOptions{})
	require.NoError(t, err)
	assert.Equal(t, MaxMetaDepth, depthOf(as[0].Meta, 0))
	// Strings holding brackets do not count as depth.
	_, err = Parse("s.json", []byte(asset(`{"a":"{{{{{{{{{{[[[[[[[[[[\"{{{{{"}`)), ParseOptions{})
	require.NoError(t, err)
}

func TestAssetIDRule(t *testing.T) {
	for _, tc := range []struct {
		name, file, data string
		opts             ParseOptions
		want             string
	}{
		{"invalid UTF-8 file name", "\xff\xfe.txt", "【钩子】你好", ParseOptions{}, "not valid UTF-8"},
		{"invalid UTF-8 json id", "a.json", `{"id":"a\ud800","text":"你好"}`, ParseOptions{}, ""},
		{"control char in json id", "a.json", `{"id":"a\u0007b","text":"你好"}`, ParseOptions{}, "control character U+0007"},
		{"newline in csv id", "a.csv", "asset_id,text\n\"a\nb\",你好\n", ParseOptions{}, "control character U+000A"},
		{"explicit id", "a.txt", "你好", ParseOptions{ID: "x\x00y"}, "control character U+0000"},
		{"too long", "a.txt", "你好", ParseOptions{ID: strings.Repeat("长", 400)}, "1200 bytes (limit 1024)"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			as, err := Parse(tc.file, []byte(tc.data), tc.opts)
			if tc.want == "" {
				// JSON decoding replaces a lone surrogate with U+FFFD:
				// the id is valid UTF-8 as stored.
				require.NoError(t, err)
				assert.NoError(t, ValidateID(as[0].ID))
				return
			}
			require.ErrorIs(t, err, ErrBadID)
			assert.Contains(t, err.Error(), tc.want)
			var pe *ParseError
			require.ErrorAs(t, err, &pe)
			assert.Equal(t, tc.file, pe.File)
		})
	}
	bad := Asset{ID: "a\xffb", Elements: []Element{{Type: Hook, Text: "x", End: 1}}}
	assert.ErrorIs(t, bad.Validate(), ErrBadID, "Validate applies the id rule too (index imports)")
}

func TestNonRegularFiles(t *testing.T) {
	dir := t.TempDir()
	fifo := filepath.Join(dir, "f.md")
	require.NoError(t, syscall.Mkfifo(fifo, 0o644))
	done := make(chan error, 1)
	go func() {
		_, err := ParseFile(fifo, ParseOptions{})
		done <- err
	}()
	select {
	case err := <-done:
		require.ErrorIs(t, err, ErrNotRegular)
		assert.Contains(t, err.Error(), fifo+": not a regular file (a named pipe)")
	case <-time.After(5 * time.Second):
		t.Fatal("ParseFile blocked on a named pipe")
	}

	// Walking a directory skips the pipe (reported) and a symlinked
	// directory (reported, not followed); a symlinked directory argument
	// is followed.
	require.NoError(t, os.WriteFile(filepath.Join(dir, "a.txt"), []byte("x"), 0o644))
	other := filepath.Join(t.TempDir(), "other")
	require.NoError(t, os.MkdirAll(other, 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(other, "b.srt"), []byte("x"), 0o644))
	require.NoError(t, os.Symlink(other, filepath.Join(dir, "linked")))
	secret := filepath.Join(t.TempDir(), "secret")
	require.NoError(t, os.WriteFile(secret, []byte("私密内容"), 0o600))
	require.NoError(t, os.Symlink(secret, filepath.Join(dir, "x.txt")))
	var got, skipped []string
	require.NoError(t, WalkReport([]string{dir, filepath.Join(dir, "linked")}, func(p string) error {
		rel, _ := filepath.Rel(dir, p)
		got = append(got, filepath.ToSlash(rel))
		return nil
	}, func(p string, reason error) {
		assert.ErrorIs(t, reason, ErrSkipped)
		rel, _ := filepath.Rel(dir, p)
		skipped = append(skipped, filepath.ToSlash(rel)+": "+reason.Error())
	}))
	assert.Equal(t, []string{"a.txt", "linked/b.srt"}, got)
	assert.Equal(t, []string{
		"f.md: skipped: not a regular file (a named pipe)",
		"linked: skipped: symbolic link to a directory, not followed (name it as an argument to read it)",
		"x.txt: skipped: symbolic link to a file, not followed (name it as an argument to read it)",
	}, skipped)
}

func TestAssetIDs(t *testing.T) {
	dir := t.TempDir()
	sub := filepath.Join(dir, "q2")
	require.NoError(t, os.MkdirAll(sub, 0o755))
	p := filepath.Join(sub, "a.txt")
	require.NoError(t, os.WriteFile(p, []byte("[hook] 你好"), 0o644))
	as, err := ParseFile(p, ParseOptions{Root: dir})
	require.NoError(t, err)
	assert.Equal(t, "q2/a.txt", as[0].ID)
	as, err = ParseFile(p, ParseOptions{Root: dir, ID: "given"})
	require.NoError(t, err)
	assert.Equal(t, "given", as[0].ID)
	as, err = ParseFile(p, ParseOptions{})
	require.NoError(t, err)
	assert.Equal(t, "a.txt", as[0].ID)
}

func TestWalk(t *testing.T) {
	dir := t.TempDir()
	for _, f := range []string{"b.txt", "a/c.srt", ".hidden/d.txt", "a/.e.md", "a/f.doc"} {
		p := filepath.Join(dir, filepath.FromSlash(f))
		require.NoError(t, os.MkdirAll(filepath.Dir(p), 0o755))
		require.NoError(t, os.WriteFile(p, []byte("x"), 0o644))
	}
	var got []string
	require.NoError(t, Walk([]string{dir, "-"}, func(p string) error {
		if p != "-" {
			p, _ = filepath.Rel(dir, p)
		}
		got = append(got, filepath.ToSlash(p))
		return nil
	}))
	assert.Equal(t, []string{"a/c.srt", "b.txt", "-"}, got)
	assert.True(t, IsSupported("x.JSONL"))
	assert.False(t, IsSupported("x.docx"))
}

type fakeVerbs struct{}

func (fakeVerbs) Verbs(text string) []string { return []string{"点击"} }

func TestVerbsHook(t *testing.T) {
	as, err := Parse("a.txt", []byte("[conversion] 点击链接"), ParseOptions{Verbs: fakeVerbs{}})
	require.NoError(t, err)
	assert.Equal(t, []string{"点击"}, as[0].Elements[0].Attributes[AttrCopyVerbs])
	as, err = Parse("a.txt", []byte("[conversion] 点击链接"), ParseOptions{})
	require.NoError(t, err)
	assert.Nil(t, as[0].Elements[0].Attributes)
}

func TestUnlabelledScript(t *testing.T) {
	in := "你是不是每天早上都来不及吃早餐？\n以前用豆浆机总是吵醒全家，清洗还要半天，真的很烦恼。\n我用了这台破壁机三个月，预约好早上起来就能喝，现在全家都说好。\n今天点击下方链接下单立减100，库存不多了赶紧抢。\n"
	as, err := Parse("u.txt", []byte(in), ParseOptions{})
	require.NoError(t, err)
	var types []Type
	for _, e := range as[0].Elements {
		types = append(types, e.Type)
	}
	assert.Equal(t, []Type{Hook, Conflict, Testimonial, Conversion}, types)
}

// TestTitleOrHashtag pins SPEC §2's title rule: "# 标题" (a '#' and a
// space) is a title, a hashtag (#话题) starts copy text, and a file holding
// only a title is checked on that line.
func TestTitleOrHashtag(t *testing.T) {
	tests := []struct {
		name, file, input string
		title             string
		texts             []string
	}{
		{"hashtag first line is copy", "a.txt",
			"#感谢快手 霸道小伙欺负农村老人，结局大快人心\n",
			"", []string{"#感谢快手 霸道小伙欺负农村老人，结局大快人心"}},
		{"several hashtags then copy", "b.md",
			"#好物推荐 #护肤\n熬夜第二天脸色暗沉？\n",
			"", []string{"#好物推荐 #护肤\n熬夜第二天脸色暗沉？"}},
		{"markdown title then copy", "c.md",
			"# 精华液\n熬夜第二天脸色暗沉？\n",
			"精华液", []string{"熬夜第二天脸色暗沉？"}},
		{"full-width space title", "d.txt",
			"#\u3000精华液\n熬夜第二天脸色暗沉？\n",
			"精华液", []string{"熬夜第二天脸色暗沉？"}},
		{"title only", "e.txt",
			"# 熬夜第二天脸色暗沉怎么办\n",
			"熬夜第二天脸色暗沉怎么办", []string{"熬夜第二天脸色暗沉怎么办"}},
		{"chinese title only", "f.txt",
			"标题：冬天烧水要等好久\n\n",
			"冬天烧水要等好久", []string{"冬天烧水要等好久"}},
		{"lone hash is copy", "g.txt",
			"#\n",
			"", []string{"#"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			assets, err := Parse(tc.file, []byte(tc.input), ParseOptions{})
			require.NoError(t, err)
			require.Len(t, assets, 1)
			assert.NoError(t, assets[0].Validate())
			assert.Equal(t, tc.title, assets[0].Title)
			var texts []string
			for _, e := range assets[0].Elements {
				texts = append(texts, e.Text)
			}
			assert.Equal(t, tc.texts, []string{strings.Join(texts, "\n")})
		})
	}
}

// TestElementIDRoundTrip: SplitElementID undoes ElementID, also for asset
// ids that hold '#' themselves, and refuses what ElementID cannot make.
func TestElementIDRoundTrip(t *testing.T) {
	for _, tc := range []struct {
		asset string
		n     int
	}{{"a.txt", 1}, {"scripts/新品#2/hook.md", 12}, {"#", 3}} {
		id := ElementID(tc.asset, tc.n)
		asset, n, ok := SplitElementID(id)
		require.True(t, ok, id)
		assert.Equal(t, tc.asset, asset)
		assert.Equal(t, tc.n, n)
	}
	for _, bad := range []string{"a.txt", "a.txt#0", "a.txt#-1", "a.txt#x", "a.txt#"} {
		_, _, ok := SplitElementID(bad)
		assert.False(t, ok, bad)
	}
}
