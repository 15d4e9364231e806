package synth

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
)

// Hostile media for the tests and the abuse benchmark (issue 20): files a
// user can upload that a media reader must refuse or bound. Each is made
// at run time with ffmpeg (and a byte patch), never committed.

// run runs ffmpeg quietly.
func run(ctx context.Context, bin string, args ...string) error {
	out, err := exec.CommandContext(ctx, bin, append([]string{"-v", "error", "-nostdin", "-y"}, args...)...).CombinedOutput()
	if err != nil {
		return fmt.Errorf("ffmpeg: %v: %s", err, bytes.TrimSpace(out))
	}
	return nil
}

// writeSRT writes a one-cue SRT file of seconds into dir.
func writeSRT(dir string, seconds int) (string, error) {
	p := filepath.Join(dir, "cue.srt")
	text := fmt.Sprintf("1\n00:00:00,000 --> %02d:%02d:%02d,000\n【钩子】一段测试文案\n", seconds/3600, seconds/60%60, seconds%60)
	return p, os.WriteFile(p, []byte(text), 0o644)
}

// HugeFrameMKV writes to path a Matroska file (about 20 KB) with video,
// audio and a subtitle stream whose video track has an unknown CodecID
// and claims a frame of 1×65535 pixels: ffprobe reports the claim, and
// nothing can decode it.
func HugeFrameMKV(ctx context.Context, bin, path string) error {
	dir, err := os.MkdirTemp("", "synth-*")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	srt, err := writeSRT(dir, 1)
	if err != nil {
		return err
	}
	src := filepath.Join(dir, "src.mkv")
	// 258×258: both sizes are written as 2-byte EBML integers.
	if err := run(ctx, bin, "-f", "lavfi", "-i", "testsrc2=s=258x258:r=5:d=1", "-f", "lavfi", "-i", "sine=d=1", "-i", srt,
		"-map", "0:v", "-map", "1:a", "-map", "2:s", "-c:v", "libx264", "-preset", "ultrafast", "-c:a", "flac", "-c:s", "subrip", src); err != nil {
		return err
	}
	data, err := os.ReadFile(src)
	if err != nil {
		return err
	}
	for _, p := range [][2][]byte{
		{[]byte("V_MPEG4/ISO/AVC"), []byte("V_ELIBX/ISO/BAD")},
		{{0xB0, 0x82, 0x01, 0x02}, {0xB0, 0x82, 0x00, 0x01}}, // PixelWidth 258 → 1
		{{0xBA, 0x82, 0x01, 0x02}, {0xBA, 0x82, 0xFF, 0xFF}}, // PixelHeight 258 → 65535
	} {
		if bytes.Count(data, p[0]) != 1 {
			return fmt.Errorf("huge-frame mkv: %x not found once", p[0])
		}
		data = bytes.Replace(data, p[0], p[1], 1)
	}
	return os.WriteFile(path, data, 0o644)
}

// Playlists are text files a demuxer would follow, each naming target:
// an HLS playlist, a live one (no #EXT-X-ENDLIST: a reader waits for
// more), an ffconcat list with an absolute and one with a relative entry.
func Playlists(target string) map[string]string {
	return map[string]string{
		"hls.mp4":      "#EXTM3U\n#EXT-X-VERSION:3\n#EXT-X-TARGETDURATION:10\n#EXTINF:10.0,\n" + target + "\n#EXT-X-ENDLIST\n",
		"live.mp4":     "#EXTM3U\n#EXT-X-TARGETDURATION:600\n#EXT-X-MEDIA-SEQUENCE:1\n#EXTINF:600.0,\n" + target + "\n",
		"concat.mp4":   "ffconcat version 1.0\nfile '" + target + "'\n",
		"relative.mp4": "ffconcat version 1.0\nfile " + filepath.Base(target) + "\n",
	}
}

// SilenceMKV writes to path a Matroska file of seconds of FLAC silence
// (30 minutes is about 500 KB; 320 MB as float PCM) with a tiny black
// video and one subtitle cue, so a reader gets as far as the audio.
func SilenceMKV(ctx context.Context, bin, path string, seconds int) error {
	dir, err := os.MkdirTemp("", "synth-*")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	srt, err := writeSRT(dir, seconds)
	if err != nil {
		return err
	}
	return run(ctx, bin, "-f", "lavfi", "-i", fmt.Sprintf("anullsrc=r=44100:cl=mono:d=%d", seconds),
		"-f", "lavfi", "-i", fmt.Sprintf("color=c=black:s=16x16:r=1:d=%d", seconds), "-i", srt,
		"-map", "1:v", "-map", "0:a", "-map", "2:s", "-c:a", "flac", "-c:v", "libx264", "-preset", "ultrafast", "-c:s", "subrip", path)
}

// StillMP4 writes to path an MP4 of seconds of one still w×h picture at
// fps frames a second (0.1: one every ten seconds) with silence and one
// subtitle cue: tiny on disk, expensive to sample at 10 frames a second.
func StillMP4(ctx context.Context, bin, path string, w, h, seconds int, fps float64) error {
	dir, err := os.MkdirTemp("", "synth-*")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	srt, err := writeSRT(dir, seconds)
	if err != nil {
		return err
	}
	return run(ctx, bin, "-f", "lavfi", "-i", fmt.Sprintf("color=c=gray:s=%dx%d:r=%g:d=%d", w, h, fps, seconds),
		"-f", "lavfi", "-i", fmt.Sprintf("anullsrc=r=44100:cl=mono:d=%d", seconds), "-i", srt,
		"-map", "0:v", "-map", "1:a", "-map", "2:s", "-c:v", "libx264", "-preset", "ultrafast", "-tune", "stillimage", "-g", "100000",
		"-c:a", "aac", "-b:a", "16k", "-c:s", "mov_text", path)
}
