package media

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os/exec"
	"strconv"
	"strings"
)

// Info is what ffprobe says about a media file.
type Info struct {
	// DurationMs is the container duration in milliseconds.
	DurationMs int64
	// Width and Height are the first video stream's size (0 without video).
	Width, Height int
	// HasVideo and HasAudio report a video and an audio stream.
	HasVideo, HasAudio bool
	// Subtitles lists the subtitle streams' codec names in stream order.
	Subtitles []string
}

// Probe reads the streams and duration of the file at path with ffprobe.
func Probe(ctx context.Context, tools Tools, path string) (Info, error) {
	bin, err := tools.ffprobe()
	if err != nil {
		return Info{}, err
	}
	cmd := exec.CommandContext(ctx, bin, "-v", "error", "-print_format", "json",
		"-show_entries", "format=duration:stream=codec_type,codec_name,width,height,duration", "--", path)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return Info{}, fmt.Errorf("cannot read the file as media (truncated or not a video?): %s", toolMessage(stderr.String(), err))
	}
	return parseProbe(out)
}

// parseProbe reads ffprobe's JSON output.
func parseProbe(out []byte) (Info, error) {
	var v struct {
		Format struct {
			Duration string `json:"duration"`
		} `json:"format"`
		Streams []struct {
			CodecType string `json:"codec_type"`
			CodecName string `json:"codec_name"`
			Width     int    `json:"width"`
			Height    int    `json:"height"`
			Duration  string `json:"duration"`
		} `json:"streams"`
	}
	if err := json.Unmarshal(out, &v); err != nil {
		return Info{}, fmt.Errorf("ffprobe output: %w", err)
	}
	var info Info
	d, _ := strconv.ParseFloat(v.Format.Duration, 64)
	for _, s := range v.Streams {
		switch s.CodecType {
		case "video":
			if s.CodecName == "mjpeg" || s.CodecName == "png" {
				continue // cover art
			}
			if !info.HasVideo {
				info.HasVideo, info.Width, info.Height = true, s.Width, s.Height
			}
			if d <= 0 {
				d, _ = strconv.ParseFloat(s.Duration, 64)
			}
		case "audio":
			info.HasAudio = true
		case "subtitle":
			info.Subtitles = append(info.Subtitles, s.CodecName)
		}
	}
	if d > 0 {
		info.DurationMs = int64(d*1000 + 0.5)
	}
	return info, nil
}

// toolMessage is the last meaningful line a tool printed, else err.
func toolMessage(stderr string, err error) string {
	lines := strings.Split(strings.TrimSpace(stderr), "\n")
	for i := len(lines) - 1; i >= 0; i-- {
		if l := strings.TrimSpace(lines[i]); l != "" {
			return l
		}
	}
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		return ee.String()
	}
	return err.Error()
}
