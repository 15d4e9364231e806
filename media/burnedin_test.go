package media

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"elib/element"
	"elib/media/ocr"
	"elib/media/synth"
)

// modelsDir returns the OCR models folder for tests: $ELIB_MODELS, else
// the repository's ./models. Without models the test is skipped loudly,
// or fails when ELIB_REQUIRE_MODELS=1 (CI fetches them first).
func modelsDir(t testing.TB) string {
	t.Helper()
	dir := os.Getenv(ocr.EnvModels)
	if dir == "" {
		if root, err := filepath.Abs("../models"); err == nil {
			dir = root
		}
	}
	if err := ocr.CheckModels(dir); err != nil {
		if os.Getenv("ELIB_REQUIRE_MODELS") == "1" {
			t.Fatalf("ELIB_REQUIRE_MODELS=1 but %v", err)
		}
		t.Skipf("SKIP: %v", err)
	}
	return dir
}

// needCaptionTools skips (loudly) without ffmpeg or a Chinese font.
func needCaptionTools(t testing.TB) string {
	t.Helper()
	for _, tool := range []string{"ffmpeg", "ffprobe"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("SKIP: %s not found — install the Debian package ffmpeg to run the OCR tests", tool)
		}
	}
	font := synth.CJKFont()
	if font == "" {
		t.Skip("SKIP: no font with Chinese glyphs — install the Debian package fonts-wqy-zenhei to run the OCR tests")
	}
	return font
}

// captionLines are lines as a short-video script has them.
var captionLines = []string{
	"你是不是还在手洗碗", "洗完手都裂了还洗不干净", "我用了三个月真的好用", "点击下方链接限时立减",
	"姐妹们这个真的绝了", "厨房油污一喷就掉", "一瓶能用整整半年", "今天下单再送一瓶",
	"早上起来脸肿怎么办", "试了很多方法都没用", "直到我遇到了这个", "现在直播间只要九块九",
	"宝宝挑食不爱吃饭", "每顿饭都要追着喂", "换了这个餐具以后", "自己抢着吃饭了",
	"出门旅行最怕什么", "行李箱太重拖不动", "这款只有两公斤重", "评论区告诉我你的目的地",
}

// captionClip makes a clip of four 2.5 s captions in style (over a photo
// pan when photo is set) with a watermark, and returns its path and
// captions.
func captionClip(t testing.TB, font, style, photo string, first int) (string, []synth.Caption) {
	t.Helper()
	var caps []synth.Caption
	for i := 0; i < 4; i++ {
		caps = append(caps, synth.Caption{Text: captionLines[(first+i)%len(captionLines)], StartMs: int64(i) * 2500, EndMs: int64(i+1) * 2500})
	}
	p := filepath.Join(t.TempDir(), style+".mp4")
	spec := synth.CaptionSpec{Seconds: 10, Photo: photo, Style: style, Captions: caps, Font: font,
		Watermark: "@小美的好物分享", CaptionY: 0.62 + 0.03*float64(first%5)}
	require.NoError(t, synth.MakeCaptioned(context.Background(), "ffmpeg", p, spec))
	return p, caps
}

// charAccuracy is 1 − the character error rate of got against want.
func charAccuracy(want, got string) float64 {
	w := []rune(want)
	return 1 - float64(ocr.EditDistance(w, []rune(got)))/float64(len(w))
}

func TestReadBurnedInStyles(t *testing.T) {
	font := needCaptionTools(t)
	dir := modelsDir(t)
	engine, err := loaded.get(dir, ocr.EngineOptions{})
	require.NoError(t, err)
	photos := synth.Photos()
	var wantAll, gotAll strings.Builder
	for i, style := range synth.Styles {
		for _, bg := range []string{"moving", "photo"} {
			photo := ""
			if bg == "photo" {
				if len(photos) == 0 {
					t.Log("SKIP photo backgrounds: install the Debian package python3-skimage for its sample photographs")
					continue
				}
				photo = photos[i%len(photos)]
			}
			t.Run(style+"/"+bg, func(t *testing.T) {
				clip, caps := captionClip(t, font, style, photo, i*4+len(bg)/5)
				info, err := Probe(context.Background(), Tools{}, clip)
				require.NoError(t, err)
				start := time.Now()
				res, err := ReadBurnedIn(context.Background(), Tools{}, engine, clip, info, OCROptions{}, Limits{})
				require.NoError(t, err)
				t.Logf("%s: %d frames (%d read) in %v (GOMAXPROCS %d); band %d-%d", clip, res.Frames, res.Read, time.Since(start), runtime.GOMAXPROCS(0), res.BandY0, res.BandY1)
				var want, got strings.Builder
				for _, c := range caps {
					want.WriteString(c.Text)
				}
				for _, c := range res.Cues {
					got.WriteString(c.Text)
					t.Logf("cue %d-%d %q %s (%d frames)", c.StartMs, c.EndMs, c.Text, c.Color, c.Frames)
				}
				wantAll.WriteString(want.String())
				gotAll.WriteString(got.String())
				acc := charAccuracy(want.String(), got.String())
				t.Logf("accuracy %.4f", acc)
				// One misread character in a clip's ~35 is 0.97; the
				// acceptance figure is over all clips, below.
				assert.GreaterOrEqual(t, acc, 0.93)
				require.Len(t, res.Cues, len(caps))
				for k, c := range res.Cues {
					assert.InDelta(t, caps[k].StartMs, c.StartMs, 500, "cue %d start", k)
					assert.InDelta(t, caps[k].EndMs, c.EndMs, 500, "cue %d end", k)
					assert.True(t, closeColor(synth.StyleColor[style], c.Color), "cue %d colour %s, want %s", k, c.Color, synth.StyleColor[style])
				}
				require.Len(t, res.Watermarks, 1)
				assert.Equal(t, "@小美的好物分享", res.Watermarks[0].Text)
				assert.NotContains(t, got.String(), "小美")
			})
		}
	}
	acc := charAccuracy(wantAll.String(), gotAll.String())
	t.Logf("OCR accuracy over all styles and backgrounds: %.4f (%d characters)", acc, len([]rune(wantAll.String())))
	assert.GreaterOrEqual(t, acc, 0.97)
}

// closeColor reports whether two #RRGGBB colours differ by at most 24 in
// every channel (video compression shifts a drawn colour a little).
func closeColor(a, b string) bool {
	var ar, ag, ab, br, bg, bb int
	if _, err := fmt.Sscanf(a, "#%02X%02X%02X", &ar, &ag, &ab); err != nil {
		return false
	}
	if _, err := fmt.Sscanf(b, "#%02X%02X%02X", &br, &bg, &bb); err != nil {
		return false
	}
	d := func(x, y int) bool { return x-y <= 24 && y-x <= 24 }
	return d(ar, br) && d(ag, bg) && d(ab, bb)
}

func TestSilentVideoWithSubtitleStream(t *testing.T) {
	needTools(t)
	segs := []synth.Segment{{Camera: element.CameraPanRight, Seconds: 3, Text: "【钩子】没有声音也能读字幕"}, {Camera: element.CameraStatic, Seconds: 3, Text: "【转化】点击链接下单"}}
	clip := makeClip(t, "silent.mp4", synth.Spec{Segments: segs, Sound: synth.SoundNone})
	assets, err := element.ParseFile(clip, element.ParseOptions{})
	require.NoError(t, err)
	require.Len(t, assets, 1)
	a := assets[0]
	assert.Equal(t, SourceStream, a.Meta[MetaCopySource])
	assert.NotContains(t, a.Meta, element.AttrBGMBPM, "a silent video has no tempo")
	require.Len(t, a.Elements, 2)
	assert.Equal(t, "没有声音也能读字幕", a.Elements[0].Text)
	assert.NotContains(t, a.Elements[0].Attributes, element.AttrBGMBPM)
	assert.Equal(t, element.CameraPanRight, a.Elements[0].Attributes[element.AttrCamera])
}

func TestSidecarIsTheVideosCopy(t *testing.T) {
	needTools(t)
	dir := t.TempDir()
	segs := []synth.Segment{{Camera: element.CameraStatic, Seconds: 2}, {Camera: element.CameraPushIn, Seconds: 2}}
	clip := filepath.Join(dir, "clip.mp4")
	require.NoError(t, synth.Make(context.Background(), "ffmpeg", clip, synth.Spec{Segments: segs, BPM: 120, Subtitles: "none", Width: 320, Height: 180}))
	srt := "1\n00:00:00,000 --> 00:00:02,000\n【钩子】旁边的字幕文件\n\n2\n00:00:02,000 --> 00:00:04,000\n【转化】就是这条视频的文案\n"
	require.NoError(t, os.WriteFile(filepath.Join(dir, "clip.srt"), []byte(srt), 0o644))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "other.srt"), []byte("1\n00:00:00,000 --> 00:00:01,000\n另一个文件\n"), 0o644))

	var walked []string
	var skipped []string
	require.NoError(t, element.WalkReport([]string{dir}, func(p string) error {
		walked = append(walked, filepath.Base(p))
		return nil
	}, func(p string, reason error) {
		skipped = append(skipped, filepath.Base(p))
		assert.ErrorIs(t, reason, element.ErrSidecar)
	}))
	assert.Equal(t, []string{"clip.mp4", "other.srt"}, walked, "the sidecar is read with its video, one asset")
	assert.Equal(t, []string{"clip.srt"}, skipped)
	walked = nil
	require.NoError(t, element.Walk([]string{filepath.Join(dir, "clip.srt")}, func(p string) error {
		walked = append(walked, filepath.Base(p))
		return nil
	}))
	assert.Equal(t, []string{"clip.srt"}, walked, "a sidecar named alone is read alone")

	assets, err := element.ParseFile(clip, element.ParseOptions{Root: dir})
	require.NoError(t, err)
	require.Len(t, assets, 1)
	a := assets[0]
	assert.Equal(t, "clip.mp4", a.ID)
	assert.Equal(t, SourceSidecar, a.Meta[MetaCopySource])
	assert.Equal(t, "clip.srt", a.Meta[MetaSidecar])
	assert.InDelta(t, 120, a.Meta[element.AttrBGMBPM], 2)
	require.Len(t, a.Elements, 2)
	assert.Equal(t, "旁边的字幕文件", a.Elements[0].Text)
	assert.Equal(t, element.Conversion, a.Elements[1].Type)
	assert.Equal(t, element.CameraPushIn, a.Elements[1].Attributes[element.AttrCamera])
}

func TestMissingModelsNameTheFetchCommand(t *testing.T) {
	needTools(t)
	clip := makeClip(t, "burned.mp4", synth.Spec{Segments: []synth.Segment{{Camera: element.CameraStatic, Seconds: 1}}, BPM: 90, Subtitles: "none"})
	p := &Parser{Options: Options{OCR: OCROptions{Models: filepath.Join(t.TempDir(), "nothing")}}}
	_, err := p.ParsePath(clip, element.ParseOptions{})
	require.Error(t, err)
	assert.ErrorIs(t, err, ocr.ErrNoModels)
	assert.Contains(t, err.Error(), "scripts/fetch-models.sh")
	assert.NotContains(t, err.Error(), "\n", "one line")

	// A video with a subtitle stream needs no models.
	clip = makeClip(t, "subs.mp4", synth.Spec{Segments: []synth.Segment{{Camera: element.CameraStatic, Seconds: 1, Text: "有字幕流"}}, BPM: 90})
	assets, err := p.ParsePath(clip, element.ParseOptions{})
	require.NoError(t, err)
	assert.Equal(t, "有字幕流", assets[0].Elements[0].Text)
}

func TestStreamWinsUnlessOCR(t *testing.T) {
	font := needCaptionTools(t)
	needTools(t)
	dir := modelsDir(t)
	caps := []synth.Caption{{Text: "画面里烧录的字幕", StartMs: 0, EndMs: 3000}, {Text: "第二句也在画面里", StartMs: 3000, EndMs: 6000}}
	clip := filepath.Join(t.TempDir(), "both.mp4")
	require.NoError(t, synth.MakeCaptioned(context.Background(), "ffmpeg", clip, synth.CaptionSpec{
		Width: 540, Height: 960, Seconds: 6, Style: synth.StyleOutline, Captions: caps, Font: font, Audio: true,
		SubtitleStream: "1\n00:00:00,000 --> 00:00:06,000\n字幕流里的另一段文案\n",
	}))
	p := &Parser{Options: Options{OCR: OCROptions{Models: dir}}}
	assets, err := p.ParsePath(clip, element.ParseOptions{})
	require.NoError(t, err)
	assert.Equal(t, SourceStream, assets[0].Meta[MetaCopySource])
	assert.Equal(t, "字幕流里的另一段文案", assets[0].Elements[0].Text)

	p.Options.OCR.Force = true
	assets, err = p.ParsePath(clip, element.ParseOptions{})
	require.NoError(t, err)
	a := assets[0]
	assert.Equal(t, SourceOCR, a.Meta[MetaCopySource])
	var text strings.Builder
	for _, e := range a.Elements {
		text.WriteString(e.Text)
		assert.Equal(t, "#FFFFFF", closest(e.Attributes[element.AttrSubtitleColor]))
	}
	assert.Equal(t, "画面里烧录的字幕第二句也在画面里", text.String())
	assert.Contains(t, a.Meta, element.AttrBGMBPM)
}

// closest snaps a measured colour to white or black for a test's
// comparison ("" for anything else).
func closest(v any) string {
	s, _ := v.(string)
	switch {
	case closeColor(s, "#FFFFFF"):
		return "#FFFFFF"
	case closeColor(s, "#000000"):
		return "#000000"
	}
	return s
}

// TestReadBurnedInFile reads the video named by $ELIB_OCR_CLIP and prints
// its cues, watermarks and the time taken (a tool for trying a real clip
// and for the RESULTS figures; skipped without the variable;
// $ELIB_OCR_DET_SIDE sets EngineOptions.DetMaxSide).
func TestReadBurnedInFile(t *testing.T) {
	clip := os.Getenv("ELIB_OCR_CLIP")
	if clip == "" {
		t.Skip("set ELIB_OCR_CLIP to a video to read its burned-in captions")
	}
	engine, err := ocr.NewEngine(modelsDir(t), ocr.EngineOptions{DetMaxSide: int(envFloat("ELIB_OCR_DET_SIDE"))})
	require.NoError(t, err)
	info, err := Probe(context.Background(), Tools{}, clip)
	require.NoError(t, err)
	defer engine.Close()
	start, cpu := time.Now(), cpuSeconds()
	res, err := ReadBurnedIn(context.Background(), Tools{}, engine, clip, info, OCROptions{}, Limits{})
	require.NoError(t, err)
	t.Logf("%s: %d frames (%d read by the models), %d ms of video, read in %v (%.1f CPU-s with ffmpeg); band %d-%d", clip, res.Frames, res.Read, info.DurationMs, time.Since(start), cpuSeconds()-cpu, res.BandY0, res.BandY1)
	for _, c := range res.Cues {
		t.Logf("cue %d-%d %q %s (%d frames)", c.StartMs, c.EndMs, c.Text, c.Color, c.Frames)
	}
	for _, w := range res.Watermarks {
		t.Logf("watermark %q on %.2f of frames", w.Text, w.Share)
	}
}

func envFloat(name string) float64 {
	var v float64
	fmt.Sscanf(os.Getenv(name), "%g", &v)
	return v
}
