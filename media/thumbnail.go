package media

import (
	"bytes"
	"context"
	"elib/internal/i18n/msg"
	"fmt"
	"strconv"
)

// maxThumbnailBytes bounds one thumbnail ffmpeg writes.
const maxThumbnailBytes = 1 << 20

// Thumbnail returns the frame of the video at path shown at atMs as a
// JPEG at most width pixels wide (a report's picture of a matched frame).
// The file is untrusted: it is probed and held to limits first.
func Thumbnail(ctx context.Context, tools Tools, path string, atMs int64, width int, limits Limits) ([]byte, error) {
	limits.EnsureDefaults()
	if err := limits.checkSize(path); err != nil {
		return nil, err
	}
	info, err := Probe(ctx, tools, path)
	if err != nil {
		return nil, err
	}
	if err := limits.Check(info); err != nil {
		return nil, err
	}
	if !info.HasVideo {
		return nil, msg.New("no video stream")
	}
	bin, err := tools.ffmpeg()
	if err != nil {
		return nil, err
	}
	abs, err := inputPath(path)
	if err != nil {
		return nil, err
	}
	if width <= 0 {
		width = 240
	}
	atMs = max(0, min(atMs, info.DurationMs-1))
	args := append([]string{"-v", "error", "-nostdin"}, demuxerOptions(info, limits)...)
	args = append(args, "-ss", strconv.FormatFloat(float64(atMs)/1000, 'f', 3, 64), "-i", abs,
		"-map", "0:v:0", "-frames:v", "1", "-vf", fmt.Sprintf("scale='min(%d,iw)':-2", width),
		"-an", "-sn", "-dn", "-f", "image2pipe", "-c:v", "mjpeg", "-q:v", "5", "pipe:1")
	cmd := command(ctx, bin, args...)
	var out, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &capped{b: &out, max: maxThumbnailBytes}, &stderr
	if err := run(cmd); err != nil {
		return nil, msg.Errorf("thumbnail: %s", toolMessage(stderr.String(), err))
	}
	if out.Len() == 0 {
		return nil, msg.New("thumbnail: no frame")
	}
	return out.Bytes(), nil
}

// capped is a writer that fails past max bytes.
type capped struct {
	b   *bytes.Buffer
	max int
}

func (c *capped) Write(p []byte) (int, error) {
	if c.b.Len()+len(p) > c.max {
		return 0, msg.New("output too large")
	}
	return c.b.Write(p)
}
