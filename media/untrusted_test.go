package media

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"elib/element"
	"elib/media/synth"
)

// The tests of this file craft hostile media in the test (issue 20): a
// Matroska file claiming a huge frame, playlists saved as .mp4, a file
// name that reads as a URL, long silence, a job killed half-way.

// ffmpegRun runs ffmpeg with args and fails the test on an error.
func ffmpegRun(t testing.TB, args ...string) {
	t.Helper()
	out, err := exec.Command("ffmpeg", append([]string{"-v", "error", "-y", "-nostdin"}, args...)...).CombinedOutput()
	require.NoError(t, err, "%s", out)
}

// hugeFrameMKV writes synth.HugeFrameMKV into dir.
func hugeFrameMKV(t testing.TB, dir string) string {
	t.Helper()
	p := filepath.Join(dir, "huge.mkv")
	require.NoError(t, synth.HugeFrameMKV(context.Background(), "ffmpeg", p))
	st, err := os.Stat(p)
	require.NoError(t, err)
	require.Less(t, st.Size(), int64(64<<10))
	return p
}

func TestHugeClaimedFrameIsRefusedBeforeDecoding(t *testing.T) {
	needTools(t)
	dir := t.TempDir()
	p := hugeFrameMKV(t, dir)
	info, err := Probe(context.Background(), Tools{}, p)
	require.NoError(t, err)
	require.Equal(t, [2]int{1, 65535}, [2]int{info.Video[0].Width, info.Video[0].Height}, "the crafted header is what ffprobe reports")

	var before runtime.MemStats
	runtime.ReadMemStats(&before)
	_, err = element.ParseFile(p, element.ParseOptions{})
	var after runtime.MemStats
	runtime.ReadMemStats(&after)
	require.Error(t, err)
	assert.ErrorIs(t, err, ErrOverLimit)
	assert.Contains(t, err.Error(), p, "the error names the file")
	assert.Contains(t, err.Error(), "1×65535 pixels is over 8192 pixels per side", "the error names the limit")
	assert.Less(t, after.TotalAlloc-before.TotalAlloc, uint64(16<<20), "no frame buffer was sized from the claim")

	// DecodeMotion on its own checks too, and frames never follow a
	// claimed aspect ratio beyond maxFrameAspect.
	_, err = DecodeMotion(context.Background(), Tools{}, p, info, FrameOptions{}, Limits{})
	assert.ErrorIs(t, err, ErrOverLimit)
	// With limits raised past the claim, the frames stay small.
	raised := Limits{MaxSide: 1 << 20, MaxPixels: 1 << 30}
	_, err = DecodeMotion(context.Background(), Tools{}, p, info, FrameOptions{}, raised)
	t.Logf("decode with raised limits: %v", err)
}

func TestFrameSizeIgnoresClaimedExtremes(t *testing.T) {
	for _, c := range [][2]int{{1, 100_000_000}, {100_000_000, 1}, {1 << 62, 3}, {3, 1 << 62}, {8192, 2}} {
		w, h := frameSize(c[0], c[1], 90)
		assert.LessOrEqual(t, w*h, 90*90*maxFrameAspect, "%v → %d×%d", c, w, h)
		assert.Positive(t, w)
		assert.Positive(t, h)
	}
}

func TestLimitsCheck(t *testing.T) {
	ok := Info{Demuxer: "mov", DurationMs: 60_000, MaxDurationMs: 60_000, Video: []Stream{{Width: 3840, Height: 2160}}}
	require.NoError(t, Limits{}.Check(ok))
	tests := []struct {
		name string
		info Info
		want string
	}{
		{"side", Info{Video: []Stream{{Width: 8193, Height: 2}}}, "over 8192 pixels per side"},
		{"pixels", Info{Video: []Stream{{Width: 8000, Height: 8000}}}, "over 40000000 pixels per frame"},
		{"cover art counts", Info{Video: []Stream{{Width: 2, Height: 2}, {Codec: "png", Width: 1, Height: 9000}}}, "per side"},
		{"duration", Info{DurationMs: 16 * 60_000}, "16m0s long, over 15m0s"},
		{"a stream's duration", Info{DurationMs: 1000, MaxDurationMs: 3_600_000}, "1h0m0s long"},
		{"negative", Info{Video: []Stream{{Width: -1, Height: 2}}}, "-1×2"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := Limits{}.Check(tc.info)
			assert.ErrorIs(t, err, ErrOverLimit)
			assert.ErrorContains(t, err, tc.want)
		})
	}
	assert.NoError(t, Limits{MaxDuration: 2 * time.Hour}.Check(Info{DurationMs: 3_600_000}), "limits are options")
	assert.Error(t, Limits{MaxSide: -1}.Validate())
}

// playlists writes synth.Playlists naming target into dir.
func playlists(t testing.TB, dir, target string) map[string]string {
	t.Helper()
	out := map[string]string{}
	for name, body := range synth.Playlists(target) {
		p := filepath.Join(dir, name)
		require.NoError(t, os.WriteFile(p, []byte(body), 0o644))
		out[name] = p
	}
	return out
}

func TestPlaylistsAreRefusedNotFollowed(t *testing.T) {
	needTools(t)
	dir := t.TempDir()
	secret := makeClip(t, "secret.mkv", synth.Spec{Segments: []synth.Segment{{Camera: element.CameraStatic, Seconds: 2, Text: "服务器上的私有文案"}}, BPM: 120, Subtitles: "ass"})
	// The real file next to the playlists (relative ffconcat entries) and
	// far from them (absolute entries).
	data, err := os.ReadFile(secret)
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(filepath.Join(dir, "secret.mkv"), data, 0o644))

	existing := playlists(t, dir, secret)
	missingDir := t.TempDir()
	missing := playlists(t, missingDir, filepath.Join(missingDir, "nowhere.mkv"))
	for name, p := range existing {
		t.Run(name, func(t *testing.T) {
			start := time.Now()
			_, err := element.ParseFile(p, element.ParseOptions{})
			require.Error(t, err)
			assert.Less(t, time.Since(start), 10*time.Second, "a live playlist holds nothing")
			assert.ErrorIs(t, err, ErrContainer)
			assert.NotContains(t, err.Error(), "私有")
			// The answer is the same whether the file named exists.
			_, err2 := element.ParseFile(missing[name], element.ParseOptions{})
			require.Error(t, err2)
			assert.Equal(t, strings.ReplaceAll(err.Error(), dir, "DIR"), strings.ReplaceAll(err2.Error(), missingDir, "DIR"))
			// Uploaded bytes are refused the same way.
			body, _ := os.ReadFile(p)
			_, err = element.Parse("uploads/"+name, body, element.ParseOptions{})
			assert.ErrorIs(t, err, ErrContainer)
			assert.NotContains(t, err.Error(), secret)
		})
	}
}

func TestURLFileNameIsReadAsAFile(t *testing.T) {
	needTools(t)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer ln.Close()
	var requests atomic.Int32
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			requests.Add(1)
			c.Close()
		}
	}()
	clip := makeClip(t, "real.mp4", synth.Spec{Segments: []synth.Segment{{Camera: element.CameraStatic, Seconds: 2, Text: "真正的文件"}}, BPM: 120})
	data, err := os.ReadFile(clip)
	require.NoError(t, err)
	dir := t.TempDir()
	name := fmt.Sprintf("http:%s?x.mp4", ln.Addr())
	require.NoError(t, os.WriteFile(filepath.Join(dir, name), data, 0o644))
	t.Chdir(dir)
	assets, err := element.ParseFile(name, element.ParseOptions{Root: "."})
	require.NoError(t, err, "the relative name is the local file")
	require.Len(t, assets, 1)
	assert.Equal(t, "真正的文件", assets[0].Elements[0].Text)
	// Same through the walk `elib split .` does.
	var walked []string
	require.NoError(t, element.Walk([]string{"."}, func(p string) error {
		walked = append(walked, p)
		_, err := element.ParseFile(p, element.ParseOptions{})
		return err
	}))
	assert.Equal(t, []string{name}, walked)
	assert.Zero(t, requests.Load(), "ffmpeg sent a request to the URL the file name spells")
}

// TestLongSilenceIsStreamed measures the tempo of 10 minutes of FLAC
// silence: the PCM (106 MB as float) never sits in memory.
func TestLongSilenceIsStreamed(t *testing.T) {
	needTools(t)
	if testing.Short() {
		t.Skip("decodes 10 minutes of audio")
	}
	dir := t.TempDir()
	p := filepath.Join(dir, "silence.mkv")
	ffmpegRun(t, "-f", "lavfi", "-i", "anullsrc=r=44100:cl=mono:d=600", "-c:a", "flac", p)
	info, err := Probe(context.Background(), Tools{}, p)
	require.NoError(t, err)
	require.InDelta(t, 600_000, info.DurationMs, 1000)
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	tempo, per, err := MeasureTempo(context.Background(), Tools{}, p, info, Limits{}, []TempoRange{{0, 60_000}, {300_000, 600_000}})
	runtime.ReadMemStats(&after)
	require.NoError(t, err)
	assert.Zero(t, tempo.BPM, "silence has no tempo")
	assert.Len(t, per, 2)
	assert.Less(t, after.TotalAlloc-before.TotalAlloc, uint64(8<<20), "allocated %d bytes for 106 MB of PCM", after.TotalAlloc-before.TotalAlloc)

	// 30 minutes is over the 15-minute limit: refused before decoding.
	long := filepath.Join(dir, "long.mkv")
	ffmpegRun(t, "-f", "lavfi", "-i", "anullsrc=r=8000:cl=mono:d=1800", "-f", "lavfi", "-i", "color=c=black:s=16x16:r=1:d=1800",
		"-c:a", "flac", "-c:v", "libx264", "-preset", "ultrafast", long)
	_, err = element.ParseFile(long, element.ParseOptions{})
	assert.ErrorIs(t, err, ErrOverLimit)
	assert.ErrorContains(t, err, "30m0s long, over 15m0s")
}

// TestCancelledJobKillsToolsAndCleansUp cancels a parse half-way: it
// returns at once with the context's error, no ffmpeg is left running and
// no temporary file is left behind.
func TestCancelledJobKillsToolsAndCleansUp(t *testing.T) {
	needTools(t)
	tmp := t.TempDir()
	clip := makeClip(t, "long.mp4", synth.Spec{Segments: []synth.Segment{{Camera: element.CameraPanLeft, Seconds: 40, Text: "很长的一段"}}, BPM: 120, Width: 640, Height: 360})
	t.Setenv("TMPDIR", tmp)
	data, err := os.ReadFile(clip)
	require.NoError(t, err)
	for _, viaUpload := range []bool{false, true} {
		ctx, cancel := context.WithTimeout(context.Background(), 250*time.Millisecond)
		start := time.Now()
		if viaUpload {
			_, err = element.Parse("up.mp4", data, element.ParseOptions{Context: ctx})
		} else {
			_, err = element.ParseFile(clip, element.ParseOptions{Context: ctx})
		}
		cancel()
		require.Error(t, err)
		assert.True(t, errors.Is(err, context.DeadlineExceeded), "%v", err)
		assert.Less(t, time.Since(start), 5*time.Second)
		left, _ := filepath.Glob(filepath.Join(tmp, "elib-*"))
		assert.Empty(t, left, "temporary files left behind")
	}
	assert.Eventually(t, func() bool {
		out, _ := exec.Command("pgrep", "-f", clip).Output()
		return len(bytes.TrimSpace(out)) == 0
	}, 3*time.Second, 100*time.Millisecond, "ffmpeg still runs on the clip")
}

func FuzzLimitsCheck(f *testing.F) {
	f.Add(1, 100_000_000, int64(1000), int64(0))
	f.Add(3840, 2160, int64(60_000), int64(1<<62))
	f.Add(-1, -1, int64(-5), int64(0))
	f.Fuzz(func(t *testing.T, w, h int, d, sd int64) {
		info := Info{DurationMs: d, MaxDurationMs: sd, Video: []Stream{{Width: w, Height: h}}}
		err := Limits{}.Check(info)
		if err == nil {
			// Whatever passes makes a small frame buffer and a bounded job.
			if w > DefaultMaxSide || h > DefaultMaxSide || int64(w)*int64(h) > DefaultMaxPixels || d > DefaultMaxDuration.Milliseconds() || sd > DefaultMaxDuration.Milliseconds() {
				t.Fatalf("passed: %d×%d, %d ms, %d ms", w, h, d, sd)
			}
		}
		fw, fh := frameSize(w, h, 90)
		if fw <= 0 || fh <= 0 || fw*fh > 90*90*maxFrameAspect {
			t.Fatalf("frameSize(%d, %d) = %d×%d", w, h, fw, fh)
		}
	})
}
