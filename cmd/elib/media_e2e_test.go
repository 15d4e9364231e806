package main

import (
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"elib/element"
	"elib/media/synth"
)

// copyTree copies the files of src into dst (one level of folders).
func copyTree(t *testing.T, src, dst string) {
	t.Helper()
	require.NoError(t, filepath.WalkDir(src, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		if d.IsDir() {
			return os.MkdirAll(filepath.Join(dst, rel), 0o755)
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(dst, rel), b, 0o644)
	}))
}

// TestMediaFormatsEndToEnd (ids are relative to the folder argument) runs the elib binary on an ASS file, a 剪映 draft
// folder, an encrypted draft and (with ffmpeg and bpm-tools) a generated
// video: split shows the measured attributes, a bad input fails alone with
// exit 2, import stores the attributes and reindex keeps them after the
// media is gone.
func TestMediaFormatsEndToEnd(t *testing.T) {
	dir := t.TempDir()
	in := filepath.Join(dir, "in")
	copyTree(t, repoPath(t, "element/testdata/drafts/jianying3_airfryer"), filepath.Join(in, "airfryer_draft"))
	copyTree(t, repoPath(t, "element/testdata/drafts/encrypted6"), filepath.Join(in, "locked_draft"))
	ass, err := os.ReadFile(repoPath(t, "element/testdata/ass/labelled_ssa_style.ass"))
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(filepath.Join(in, "lipstick.ass"), ass, 0o644))
	video := true
	for _, tool := range []string{"ffmpeg", "ffprobe", "bpm"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Logf("SKIP video part: %s not found — install the Debian packages ffmpeg and bpm-tools", tool)
			video = false
		}
	}
	if video {
		segs := []synth.Segment{
			{Camera: element.CameraPullOut, Seconds: 3, Text: "【钩子】还在为收纳发愁吗？"},
			{Camera: element.CameraPanLeft, Seconds: 3, Text: "【转化】点击链接，今天下单立减"},
		}
		require.NoError(t, synth.Make(context.Background(), "ffmpeg", filepath.Join(in, "storage.mp4"),
			synth.Spec{Segments: segs, Width: 320, Height: 180, BPM: 140, Sound: synth.SoundDrums, Seed: 3}))
	}

	stdout, stderr, code := runElib(t, dir, nil, "split", "--format", "json", "in")
	assert.Equal(t, 2, code, "the encrypted draft fails: %s", stderr)
	assert.Contains(t, stderr, "locked_draft")
	assert.Contains(t, stderr, "encrypted 剪映 draft")
	var split struct {
		Files []struct {
			File   string `json:"file"`
			Error  string `json:"error"`
			Assets []struct {
				ID       string           `json:"id"`
				Meta     map[string]any   `json:"meta"`
				Elements []map[string]any `json:"elements"`
			} `json:"assets"`
		} `json:"files"`
	}
	require.NoError(t, json.Unmarshal([]byte(stdout), &split), stdout)
	byID := map[string]map[string]any{} // asset id -> first element's attributes
	for _, f := range split.Files {
		for _, a := range f.Assets {
			attrs, _ := a.Elements[0]["attributes"].(map[string]any)
			byID[a.ID] = attrs
		}
	}
	require.Contains(t, byID, "airfryer_draft")
	assert.Equal(t, "#FFD400", byID["airfryer_draft"]["subtitle_color"])
	assert.Equal(t, "推近", byID["airfryer_draft"]["camera"])
	assert.Equal(t, "Happy Day - 轻快", byID["airfryer_draft"]["bgm"])
	require.Contains(t, byID, "lipstick.ass")
	assert.Equal(t, "#FF69B4", byID["lipstick.ass"]["subtitle_color"])
	if video {
		require.Contains(t, byID, "storage.mp4")
		assert.Equal(t, "拉远", byID["storage.mp4"]["camera"])
		assert.InDelta(t, 140, byID["storage.mp4"]["bgm_bpm"], 2)
	}

	lib := filepath.Join(dir, "lib")
	_, stderr, code = runElib(t, dir, nil, "--library", lib, "init")
	require.Equal(t, 0, code, stderr)
	stdout, stderr, code = runElib(t, dir, nil, "--library", lib, "import", "in")
	assert.Equal(t, 2, code, "import reports the encrypted draft: %s", stderr)
	assert.Contains(t, stdout, "airfryer_draft")

	// The media is gone; reindex rebuilds from the stored assets.
	require.NoError(t, os.RemoveAll(in))
	_, stderr, code = runElib(t, dir, nil, "--library", lib, "reindex")
	require.Equal(t, 0, code, stderr)
	search := func(args ...string) string {
		out, errOut, code := runElib(t, dir, nil, append([]string{"--library", lib, "search", "--format", "json"}, args...)...)
		require.Equal(t, 0, code, errOut)
		return out
	}
	out := search("--where", "camera=推近", "油锅")
	assert.Contains(t, out, "airfryer_draft", "camera kept by reindex")
	out = search("--where", "subtitle_color=#FF69B4", "口红")
	assert.Contains(t, out, "lipstick.ass")
	if video {
		out = search("--where", "camera=左摇", "链接")
		assert.Contains(t, out, "storage.mp4")
		out = search("--bpm", "138-142", "链接")
		assert.Contains(t, out, "storage.mp4", "measured bgm_bpm indexed and kept")
	}
}
