package main

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"elib/library/postgres/pgtest"
)

// footageClip writes a silent 640×360 clip of seconds from an ffmpeg lavfi
// source through filter, and its sidecar SRT (two cues of copy).
func footageClip(t *testing.T, path, src, filter string, seconds int, cues [2]string) {
	t.Helper()
	if filter == "" {
		filter = "null"
	}
	args := []string{"-v", "error", "-nostdin", "-y", "-f", "lavfi", "-i", src, "-t", fmt.Sprint(seconds),
		"-vf", filter + ",scale=640:360,setsar=1", "-an", "-r", "15", "-c:v", "libx264", "-preset", "veryfast", "-crf", "28", "-pix_fmt", "yuv420p", path}
	out, err := exec.Command("ffmpeg", args...).CombinedOutput()
	require.NoError(t, err, "ffmpeg: %s", out)
	half := seconds / 2
	srt := fmt.Sprintf("1\n00:00:00,000 --> 00:00:%02d,000\n%s\n\n2\n00:00:%02d,000 --> 00:00:%02d,000\n%s\n", half, cues[0], half, seconds, cues[1])
	require.NoError(t, os.WriteFile(strings.TrimSuffix(path, filepath.Ext(path))+".srt", []byte(srt), 0o644))
}

type footageReport struct {
	Results []struct {
		File        string  `json:"file"`
		Verdict     string  `json:"verdict"`
		Duplication float64 `json:"duplication"`
		Footage     *struct {
			Duplication float64 `json:"duplication"`
			Frames      int     `json:"frames"`
			Threshold   float64 `json:"threshold"`
			Matches     []struct {
				AssetID  string  `json:"asset_id"`
				Coverage float64 `json:"coverage"`
				Ranges   []struct {
					StartMs        int64 `json:"start_ms"`
					EndMs          int64 `json:"end_ms"`
					LibraryStartMs int64 `json:"library_start_ms"`
					LibraryEndMs   int64 `json:"library_end_ms"`
				} `json:"ranges"`
			} `json:"matches"`
		} `json:"footage"`
	} `json:"results"`
}

// TestFootageThroughBinary: a silent clip with a sidecar SRT imports as
// one asset with its footage; a mirrored and cropped re-upload with new
// captions is rejected for its footage (JSON, text and HTML with matched
// frames side by side), passes with --footage-threshold 1, and is still
// found after the source video is deleted and the library reindexed and
// migrated to PostgreSQL; an unrelated clip passes.
func TestFootageThroughBinary(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the elib binary and encodes clips")
	}
	for _, tool := range []string{"ffmpeg", "ffprobe"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("%s not found: install the Debian package ffmpeg", tool)
		}
	}
	dir := t.TempDir()
	in, drafts := filepath.Join(dir, "in"), filepath.Join(dir, "drafts")
	require.NoError(t, os.MkdirAll(in, 0o755))
	require.NoError(t, os.MkdirAll(drafts, 0o755))
	const mandel = "mandelbrot=size=640x360:rate=15:start_scale=2:end_scale=0.05:end_pts=200"
	footageClip(t, filepath.Join(in, "source.mp4"), mandel, "", 20,
		[2]string{"你是不是也觉得夏天的厨房热得待不住", "这台小风扇夹在灶台边上一开就凉快"})
	footageClip(t, filepath.Join(drafts, "reupload.mp4"), mandel, "hflip,crop=iw*0.9:ih*0.9", 20,
		[2]string{"周末带孩子去郊外露营要准备哪些东西", "帐篷防潮垫和驱蚊水一个都不能少"})
	footageClip(t, filepath.Join(drafts, "other.mp4"), "testsrc2=size=640x360:rate=15", "", 12,
		[2]string{"城市夜跑装备清单第一条是反光背心", "第二条是一双缓震好的跑鞋"})

	lib := filepath.Join(dir, ".elib")
	_, stderr, code := runElib(t, dir, nil, "--library", lib, "init")
	require.Zero(t, code, stderr)
	stdout, stderr, code := runElib(t, dir, nil, "--library", lib, "--format", "json", "import", "in")
	require.Zero(t, code, stderr)
	assert.Contains(t, stdout, `"imported": 1`, "the clip and its sidecar are one asset")
	assert.Contains(t, stdout, `"files": 1`)
	stdout, stderr, code = runElib(t, dir, nil, "--library", lib, "split", "--format", "json", "in/source.mp4")
	require.Zero(t, code, stderr)
	assert.Contains(t, stdout, `"copy_source": "sidecar"`)
	assert.NotContains(t, stdout, "bgm_bpm", "a silent video has no tempo")

	checkJSON := func(args ...string) (footageReport, int) {
		t.Helper()
		stdout, stderr, code := runElib(t, dir, nil, append([]string{"--library", lib, "check", "--format", "json"}, args...)...)
		require.NotEqual(t, 2, code, stderr)
		var rep footageReport
		require.NoError(t, json.Unmarshal([]byte(stdout), &rep), stdout)
		return rep, code
	}
	rep, code := checkJSON("drafts/reupload.mp4")
	assert.Equal(t, 1, code, "rejected")
	require.Len(t, rep.Results, 1)
	r := rep.Results[0]
	assert.Equal(t, "reject", r.Verdict)
	assert.Less(t, r.Duplication, 0.62, "the copy is new")
	require.NotNil(t, r.Footage)
	assert.GreaterOrEqual(t, r.Footage.Duplication, 0.9)
	assert.Equal(t, 20, r.Footage.Frames)
	assert.Equal(t, 0.62, r.Footage.Threshold)
	require.NotEmpty(t, r.Footage.Matches)
	assert.Equal(t, "in/source.mp4", r.Footage.Matches[0].AssetID)
	require.NotEmpty(t, r.Footage.Matches[0].Ranges)
	first := r.Footage.Matches[0].Ranges[0]
	assert.LessOrEqual(t, first.StartMs, int64(1000))
	assert.LessOrEqual(t, first.LibraryStartMs, int64(1000))
	t.Logf("re-upload: footage %.3f of %d frames, ranges %+v", r.Footage.Duplication, r.Footage.Frames, r.Footage.Matches[0].Ranges)

	rep, code = checkJSON("--footage-threshold", "1", "drafts/reupload.mp4")
	assert.Zero(t, code)
	assert.Equal(t, "pass", rep.Results[0].Verdict)

	rep, code = checkJSON("drafts/other.mp4")
	assert.Zero(t, code, "an unrelated clip passes")
	require.NotNil(t, rep.Results[0].Footage)
	assert.LessOrEqual(t, rep.Results[0].Footage.Duplication, 0.05)

	stdout, _, code = runElib(t, dir, nil, "--library", lib, "check", "drafts/reupload.mp4")
	assert.Equal(t, 1, code)
	assert.Contains(t, stdout, "footage ")
	assert.Contains(t, stdout, "in/source.mp4")
	stdout, _, code = runElib(t, dir, nil, "--library", lib, "check", "--format", "html", "drafts/reupload.mp4")
	assert.Equal(t, 1, code)
	assert.Contains(t, stdout, "画面 Footage")
	assert.GreaterOrEqual(t, strings.Count(stdout, `<img src="data:image/jpeg;base64,`), 2, "matched frames side by side")

	// Without the media: reindex keeps the footage, migrate copies it.
	require.NoError(t, os.Remove(filepath.Join(in, "source.mp4")))
	_, stderr, code = runElib(t, dir, nil, "--library", lib, "reindex")
	require.Zero(t, code, stderr)
	rep, code = checkJSON("drafts/reupload.mp4")
	assert.Equal(t, 1, code, "found after reindex")
	assert.GreaterOrEqual(t, rep.Results[0].Footage.Duplication, 0.9)

	pg := pgtest.Database(t)
	_, stderr, code = runElib(t, dir, nil, "--library", pg, "init")
	require.Zero(t, code, stderr)
	_, stderr, code = runElib(t, dir, nil, "migrate", "--from", lib, "--to", pg)
	require.Zero(t, code, stderr)
	stdout, stderr, code = runElib(t, dir, nil, "--library", pg, "check", "--format", "json", "--root", dir, "drafts/reupload.mp4", "drafts/other.mp4")
	require.Equal(t, 1, code, stderr)
	require.NoError(t, json.Unmarshal([]byte(stdout), &rep), stdout)
	require.Len(t, rep.Results, 2)
	for _, r := range rep.Results {
		switch r.File {
		case "drafts/reupload.mp4":
			assert.Equal(t, "reject", r.Verdict)
			assert.GreaterOrEqual(t, r.Footage.Duplication, 0.9, "PostgreSQL finds the footage")
		case "drafts/other.mp4":
			assert.Equal(t, "pass", r.Verdict)
		}
	}
}
