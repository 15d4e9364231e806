package media

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"elib/element"
	"elib/media/synth"
)

// needTools skips (loudly) when ffmpeg or bpm-tools is not installed; CI
// installs both (.ci/run).
func needTools(t testing.TB) {
	t.Helper()
	for tool, pkg := range map[string]string{"ffmpeg": "ffmpeg", "ffprobe": "ffmpeg", "bpm": "bpm-tools"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("SKIP: %s not found — install the Debian package %s to run the video tests", tool, pkg)
		}
	}
}

// makeClip writes a clip for spec into a temporary directory.
func makeClip(t testing.TB, name string, spec synth.Spec) string {
	t.Helper()
	if spec.Width == 0 {
		spec.Width, spec.Height = 320, 180
	}
	p := filepath.Join(t.TempDir(), name)
	require.NoError(t, synth.Make(context.Background(), "ffmpeg", p, spec))
	return p
}

func TestParseVideoMixedMovements(t *testing.T) {
	needTools(t)
	segs := []synth.Segment{
		{Camera: element.CameraPushIn, Seconds: 3, Text: "【钩子】你是不是还在手洗碗？"},
		{Camera: element.CameraPanRight, Seconds: 3, Text: "【冲突】但是洗完手都裂了"},
		{Camera: element.CameraTiltUp, Seconds: 3, Text: "【证言】我用了三个月，亲测好用"},
		{Camera: element.CameraStatic, Seconds: 3, Text: "【转化】点击链接，限时立减"},
	}
	clip := makeClip(t, "mixed.mp4", synth.Spec{Segments: segs, BPM: 128, Sound: synth.SoundDrums, Seed: 1})
	assets, err := element.ParseFile(clip, element.ParseOptions{Root: filepath.Dir(clip)})
	require.NoError(t, err)
	require.Len(t, assets, 1)
	a := assets[0]
	require.NoError(t, a.Validate())
	assert.Equal(t, "mixed.mp4", a.ID)
	assert.InDelta(t, 12000, a.Meta[MetaDurationMs], 100)
	assert.Equal(t, "320x180", a.Meta[MetaResolution])
	assert.Equal(t, "60-200", a.Meta[MetaBPMRange])
	require.Len(t, a.Elements, 4)
	wantTypes := []element.Type{element.Hook, element.Conflict, element.Testimonial, element.Conversion}
	for i, e := range a.Elements {
		assert.Equal(t, wantTypes[i], e.Type)
		assert.Equal(t, strings.TrimPrefix(strings.SplitN(segs[i].Text, "】", 2)[1], ""), e.Text)
		assert.Equal(t, segs[i].Camera, e.Attributes[element.AttrCamera], "element %d camera", i)
		bpm, ok := e.Attributes[element.AttrBGMBPM].(float64)
		require.True(t, ok)
		assert.InDelta(t, 128, bpm, 2)
		assert.Equal(t, 0, e.Attributes[element.AttrCuts])
	}
}

func TestParseVideoASSStreamKeepsColours(t *testing.T) {
	needTools(t)
	ass := "[Script Info]\nScriptType: v4.00+\n\n[V4+ Styles]\nFormat: Name, Fontname, Fontsize, PrimaryColour\nStyle: Default,Arial,20,&H0000D4FF\n\n" +
		"[Events]\nFormat: Layer, Start, End, Style, Name, MarginL, MarginR, MarginV, Effect, Text\n" +
		"Dialogue: 0,0:00:00.00,0:00:02.00,Default,,0,0,0,,【钩子】千万别买错\n" +
		"Dialogue: 0,0:00:02.00,0:00:04.00,Default,,0,0,0,,【转化】{\\c&H0000FF&}点击链接下单\n"
	segs := []synth.Segment{{Camera: element.CameraStatic, Seconds: 2}, {Camera: element.CameraStatic, Seconds: 2}}
	clip := makeClip(t, "styled.mkv", synth.Spec{Segments: segs, BPM: 100, Subtitles: "ass", ASS: ass})
	assets, err := element.ParseFile(clip, element.ParseOptions{})
	require.NoError(t, err)
	els := assets[0].Elements
	require.Len(t, els, 2)
	assert.Equal(t, "千万别买错", els[0].Text)
	assert.Equal(t, "#FFD400", els[0].Attributes[element.AttrSubtitleColor])
	assert.Equal(t, "#FF0000", els[1].Attributes[element.AttrSubtitleColor])
}

func TestParseVideoUploadBytes(t *testing.T) {
	needTools(t)
	clip := makeClip(t, "up.mov", synth.Spec{Segments: []synth.Segment{{Camera: element.CameraStatic, Seconds: 2, Text: "点击链接"}}, BPM: 120})
	data, err := os.ReadFile(clip)
	require.NoError(t, err)
	assets, err := element.Parse("uploads/a.mov", data, element.ParseOptions{})
	require.NoError(t, err)
	assert.Equal(t, "a.mov", assets[0].ID)
	assert.Equal(t, "uploads/a.mov", assets[0].File)
}

func TestParseVideoBadMedia(t *testing.T) {
	needTools(t)
	dir := t.TempDir()
	good := makeClip(t, "good.mp4", synth.Spec{Segments: []synth.Segment{{Camera: element.CameraStatic, Seconds: 2, Text: "你好"}}, BPM: 120})
	data, err := os.ReadFile(good)
	require.NoError(t, err)
	write := func(name string, b []byte) string {
		p := filepath.Join(dir, name)
		require.NoError(t, os.WriteFile(p, b, 0o644))
		return p
	}
	zero := filepath.Join(dir, "zero.mp4")
	out, err := exec.Command("ffmpeg", "-v", "error", "-y", "-f", "lavfi", "-i", "testsrc2=s=64x64", "-t", "0", zero).CombinedOutput()
	require.NoError(t, err, "%s", out)
	tests := []struct {
		name, path, msg string
	}{
		{"truncated", write("truncated.mp4", data[:len(data)/2]), "truncated or not a video"},
		{"not a video", write("text.mp4", []byte("this is not a video")), "cannot read the file as media"},
		{"empty file", write("empty.webm", nil), ""},
		{"zero seconds", zero, "0-second clip"},
		// Without subtitles the copy must come from OCR: either the models
		// are missing or they read nothing in a fractal.
		{"no subtitles", makeClip(t, "nosubs.mp4", synth.Spec{Segments: []synth.Segment{{Camera: element.CameraStatic, Seconds: 1}}, BPM: 90, Subtitles: "none"}), "no sidecar .srt/.ass"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := element.ParseFile(tc.path, element.ParseOptions{})
			require.Error(t, err)
			var pe *element.ParseError
			require.True(t, errors.As(err, &pe), "%T: %v", err, err)
			assert.Equal(t, tc.path, pe.File)
			assert.Contains(t, err.Error(), tc.msg)
		})
	}
}

func TestMissingToolNamesThePackage(t *testing.T) {
	p := &Parser{Options: Options{Tools: Tools{FFmpeg: "/nonexistent/ffmpeg"}}}
	_, err := p.ParsePath("clip.mp4", element.ParseOptions{})
	require.Error(t, err)
	assert.ErrorIs(t, err, ErrMissingTool)
	assert.Contains(t, err.Error(), "clip.mp4")
	assert.Contains(t, err.Error(), "apt-get install ffmpeg")
	_, err = Tools{BPM: "/nonexistent/bpm"}.bpm()
	assert.ErrorContains(t, err, "bpm-tools")
}

func TestSceneCuts(t *testing.T) {
	needTools(t)
	// Two different pictures, cut at 2 s, inside one cue.
	dir := t.TempDir()
	srt := filepath.Join(dir, "a.srt")
	require.NoError(t, os.WriteFile(srt, []byte("1\n00:00:00,000 --> 00:00:04,000\n一整段口播\n"), 0o644))
	clip := filepath.Join(dir, "cut.mkv")
	out, err := exec.Command("ffmpeg", "-v", "error", "-y",
		"-f", "lavfi", "-i", "testsrc2=s=320x180:r=25:d=2", "-f", "lavfi", "-i", "mandelbrot=s=320x180:r=25,trim=duration=2",
		"-f", "lavfi", "-i", "aevalsrc=if(lt(mod(t\\,0.5)\\,0.01)\\,sin(2*PI*1000*t)\\,0):s=44100:d=4", "-i", srt,
		"-filter_complex", "[0:v][1:v]concat=n=2:v=1:a=0[v]", "-map", "[v]", "-map", "2:a", "-map", "3:s",
		"-c:v", "libx264", "-preset", "ultrafast", "-c:s", "subrip", clip).CombinedOutput()
	require.NoError(t, err, "%s", out)
	assets, err := element.ParseFile(clip, element.ParseOptions{})
	require.NoError(t, err)
	require.Len(t, assets[0].Elements, 1)
	assert.Equal(t, 1, assets[0].Elements[0].Attributes[element.AttrCuts])
	assert.InDelta(t, 120, assets[0].Elements[0].Attributes[element.AttrBGMBPM], 2)
}

func TestTempoPerElement(t *testing.T) {
	needTools(t)
	segs := []synth.Segment{
		{Camera: element.CameraStatic, Seconds: 9, Text: "【故事】前半段音乐慢一些", BPM: 90},
		{Camera: element.CameraStatic, Seconds: 9, Text: "【转化】后半段换成快节奏，点击链接", BPM: 150},
		{Camera: element.CameraStatic, Seconds: 2, Text: "【钩子】短的跟随整条", BPM: 150},
	}
	clip := makeClip(t, "twotempo.mp4", synth.Spec{Segments: segs, BPM: 150, Sound: synth.SoundDrums, Width: 160, Height: 90})
	assets, err := element.ParseFile(clip, element.ParseOptions{})
	require.NoError(t, err)
	els := assets[0].Elements
	require.Len(t, els, 3)
	assert.InDelta(t, 90, els[0].Attributes[element.AttrBGMBPM], 2, "an element of ≥ 8 s gets its own tempo")
	assert.InDelta(t, 150, els[1].Attributes[element.AttrBGMBPM], 2)
	assert.Equal(t, assets[0].Meta[element.AttrBGMBPM], els[2].Attributes[element.AttrBGMBPM], "a short element takes the asset's tempo")
}
