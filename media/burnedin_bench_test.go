package media

import (
	"context"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"elib/element"
	"elib/fingerprint/footage"
	"elib/media/ocr"
	"elib/media/synth"
)

// cpuSeconds is the CPU time of this process and its waited-for children
// (ffmpeg, bpm).
func cpuSeconds() float64 {
	var self, kids syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &self)
	_ = syscall.Getrusage(syscall.RUSAGE_CHILDREN, &kids)
	tv := func(t syscall.Timeval) float64 { return float64(t.Sec) + float64(t.Usec)/1e6 }
	return tv(self.Utime) + tv(self.Stime) + tv(kids.Utime) + tv(kids.Stime)
}

// BenchmarkParseBurnedIn60s parses a generated 60 s 1080×1920 video with
// 24 burned-in captions (white with outline over a moving fractal, an
// account watermark, a click track) the way `elib import` does: OCR, camera
// and footage fingerprints from one decode, and tempo. It reports wall and
// CPU seconds per video, the character accuracy of the copy and the
// footage fingerprint's frames and stored bytes.
//
//	go test ./media -run '^$' -bench 'ParseBurnedIn60s$' -benchtime 1x
func BenchmarkParseBurnedIn60s(b *testing.B) {
	font := needCaptionTools(b)
	needTools(b)
	dir := modelsDir(b)
	var caps []synth.Caption
	var want strings.Builder
	for i := 0; i < 24; i++ {
		c := synth.Caption{Text: captionLines[i%len(captionLines)], StartMs: int64(i) * 2500, EndMs: int64(i+1) * 2500}
		caps = append(caps, c)
		want.WriteString(c.Text)
	}
	clip := filepath.Join(b.TempDir(), "bench60.mp4")
	require.NoError(b, synth.MakeCaptioned(context.Background(), "ffmpeg", clip, synth.CaptionSpec{
		Seconds: 60, Style: synth.StyleOutline, Captions: caps, Font: font, Watermark: "@小美的好物分享", Audio: true,
	}))
	_, err := loaded.get(dir, ocr.EngineOptions{}) // the models load once per process
	require.NoError(b, err)
	p := &Parser{Options: Options{OCR: OCROptions{Models: dir}}}
	b.ResetTimer()
	var wall, cpu, acc, frames, stored float64
	for i := 0; i < b.N; i++ {
		c0, t0 := cpuSeconds(), time.Now()
		assets, err := p.ParsePath(clip, element.ParseOptions{})
		require.NoError(b, err)
		wall += time.Since(t0).Seconds()
		cpu += cpuSeconds() - c0
		var got strings.Builder
		for _, e := range assets[0].Elements {
			// An element of several cues has them one a line.
			got.WriteString(strings.ReplaceAll(e.Text, "\n", ""))
		}
		acc += charAccuracy(want.String(), got.String())
		fp, err := footage.Decode(assets[0].Footage)
		require.NoError(b, err)
		frames += float64(len(fp.Frames))
		stored += float64(len(fp.Encode()))
	}
	n := float64(b.N)
	b.ReportMetric(wall/n, "wall-s/video")
	b.ReportMetric(cpu/n, "cpu-s/video")
	b.ReportMetric(acc/n, "char-accuracy")
	b.ReportMetric(frames/n, "footage-frames")
	b.ReportMetric(stored/n, "footage-bytes")
}
