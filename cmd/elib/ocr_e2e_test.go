package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"elib/media/ocr"
	"elib/media/synth"
)

// ocrModels returns the OCR models folder ($ELIB_MODELS, else the
// repository's models/) or skips loudly; ELIB_REQUIRE_MODELS=1 (CI, after
// scripts/fetch-models.sh) makes their absence a failure.
func ocrModels(t *testing.T) string {
	t.Helper()
	dir := os.Getenv(ocr.EnvModels)
	if dir == "" {
		dir = repoPath(t, "models")
	}
	if err := ocr.CheckModels(dir); err != nil {
		if os.Getenv("ELIB_REQUIRE_MODELS") == "1" {
			t.Fatalf("ELIB_REQUIRE_MODELS=1 but %v", err)
		}
		t.Skipf("SKIP: %v", err)
	}
	abs, err := filepath.Abs(dir)
	require.NoError(t, err)
	return abs
}

// TestBurnedInCaptionsEndToEnd runs the elib binary on a generated video
// whose captions are drawn into the picture (no subtitle stream, no
// audio): split reads them by OCR into elements with their colour and
// keeps the account watermark out of the copy; without models it fails
// with one line naming the fetch command; check finds the copy in a
// library that holds the same script as SRT.
func TestBurnedInCaptionsEndToEnd(t *testing.T) {
	for _, tool := range []string{"ffmpeg", "ffprobe"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("SKIP: %s not found — install the Debian package ffmpeg", tool)
		}
	}
	font := synth.CJKFont()
	if font == "" {
		t.Skip("SKIP: no font with Chinese glyphs — install the Debian package fonts-wqy-zenhei")
	}
	models := ocrModels(t)
	dir := t.TempDir()
	caps := []synth.Caption{
		{Text: "你是不是还在手洗碗", StartMs: 0, EndMs: 2500},
		{Text: "洗完手都裂了还洗不干净", StartMs: 2500, EndMs: 5500},
		{Text: "我用了三个月真的好用", StartMs: 5500, EndMs: 8500},
		{Text: "点击下方链接限时立减", StartMs: 8500, EndMs: 11000},
	}
	clip := filepath.Join(dir, "dish.mp4")
	require.NoError(t, synth.MakeCaptioned(context.Background(), "ffmpeg", clip, synth.CaptionSpec{
		Width: 720, Height: 1280, Seconds: 11, Style: synth.StyleYellow, Captions: caps, Font: font,
		Watermark: "@洗碗神器旗舰店",
	}))

	stdout, stderr, code := runElib(t, dir, nil, "split", "--format", "json", "--models", models, "dish.mp4")
	require.Equal(t, 0, code, "stderr: %s", stderr)
	var split struct {
		Files []struct {
			Assets []struct {
				ID       string           `json:"id"`
				Meta     map[string]any   `json:"meta"`
				Elements []map[string]any `json:"elements"`
			} `json:"assets"`
		} `json:"files"`
	}
	require.NoError(t, json.Unmarshal([]byte(stdout), &split), stdout)
	require.Len(t, split.Files, 1)
	require.Len(t, split.Files[0].Assets, 1)
	a := split.Files[0].Assets[0]
	assert.Equal(t, "dish.mp4", a.ID)
	assert.Equal(t, "ocr", a.Meta["copy_source"])
	assert.Equal(t, []any{"@洗碗神器旗舰店"}, a.Meta["watermarks"])
	assert.NotContains(t, a.Meta, "bgm_bpm", "a silent video has no tempo")
	var text strings.Builder
	for _, e := range a.Elements {
		text.WriteString(e["text"].(string))
		attrs, _ := e["attributes"].(map[string]any)
		assert.NotEmpty(t, attrs["subtitle_color"], "element %v", e)
		assert.NotContains(t, e["text"], "旗舰店")
	}
	var want strings.Builder
	for _, c := range caps {
		want.WriteString(c.Text)
	}
	assert.Equal(t, want.String(), text.String())
	assert.Equal(t, "hook", a.Elements[0]["type"])

	// Without models: one line naming the command that fetches them.
	_, stderr, code = runElib(t, dir, []string{"ELIB_MODELS="}, "split", "--models", filepath.Join(dir, "no-models"), "dish.mp4")
	assert.Equal(t, 2, code)
	var line string
	for _, l := range strings.Split(stderr, "\n") {
		if strings.Contains(l, "dish.mp4") {
			line = l
		}
	}
	assert.Contains(t, line, "scripts/fetch-models.sh", "one line names the file and the command: %s", stderr)

	// The same script already in the library as SRT: check rejects the
	// video, its copy read by OCR.
	var srt strings.Builder
	for i, c := range caps {
		fmt.Fprintf(&srt, "%d\n00:00:%02d,%03d --> 00:00:%02d,%03d\n%s\n\n", i+1, c.StartMs/1000, c.StartMs%1000, c.EndMs/1000, c.EndMs%1000, c.Text)
	}
	require.NoError(t, os.MkdirAll(filepath.Join(dir, "lib"), 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "lib", "old_dish.srt"), []byte(srt.String()), 0o644))
	_, stderr, code = runElib(t, dir, nil, "--library", "library", "init")
	require.Equal(t, 0, code, stderr)
	_, stderr, code = runElib(t, dir, nil, "--library", "library", "import", "lib")
	require.Equal(t, 0, code, stderr)
	stdout, stderr, code = runElib(t, dir, []string{"ELIB_MODELS=" + models}, "--library", "library", "check", "--format", "json", "dish.mp4")
	assert.Equal(t, 1, code, "rejected: %s", stderr)
	var res checkJSON
	require.NoError(t, json.Unmarshal([]byte(stdout), &res), stdout)
	require.Len(t, res.Results, 1)
	assert.Greater(t, res.Results[0].Duplication, 0.9)
}
