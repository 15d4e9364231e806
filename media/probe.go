package media

import (
	"bytes"
	"context"
	"elib/internal/i18n/msg"
	"encoding/json"
	"errors"
	"math"
	"os/exec"
	"strconv"
	"strings"
)

// containers maps the format_name ffprobe reports for each accepted
// container to the demuxer every later ffmpeg run is forced to use.
var containers = map[string]string{
	"mov,mp4,m4a,3gp,3g2,mj2": "mov",
	"matroska,webm":           "matroska",
}

// allowedFormats are the demuxer names ffprobe may pick at all
// (-format_whitelist): a file whose content says HLS, ffconcat or anything
// else is refused before its demuxer opens another file.
var allowedFormats = []string{"mov", "mp4", "m4a", "3gp", "3g2", "mj2", "matroska", "webm"}

// Stream is the size and duration of one video stream.
type Stream struct {
	Codec         string
	Width, Height int
	DurationMs    int64
}

// Info is what ffprobe says about a media file.
type Info struct {
	// Demuxer is the ffmpeg demuxer of the accepted container ("mov" or
	// "matroska"); later runs force it with -f.
	Demuxer string
	// DurationMs is the container duration in milliseconds (else the
	// first video stream's).
	DurationMs int64
	// MaxDurationMs is the longest duration the container or any stream
	// claims (the limit applies to it).
	MaxDurationMs int64
	// Width and Height are the first video stream's size (0 without video).
	Width, Height int
	// HasVideo and HasAudio report a video and an audio stream.
	HasVideo, HasAudio bool
	// Subtitles lists the subtitle streams' codec names in stream order.
	Subtitles []string
	// Video lists every video stream, cover art included (the limits
	// apply to all of them).
	Video []Stream
}

// Probe reads the container, streams and duration of the file at path
// with ffprobe: local file only, accepted containers only (ErrContainer
// otherwise). It does not apply Limits; see Limits.Check.
func Probe(ctx context.Context, tools Tools, path string) (Info, error) {
	bin, err := tools.ffprobe()
	if err != nil {
		return Info{}, err
	}
	abs, err := inputPath(path)
	if err != nil {
		return Info{}, err
	}
	args := append(append([]string{"-v", "error"}, protocolOptions...), "-format_whitelist", formatWhitelist,
		"-print_format", "json",
		"-show_entries", "format=format_name,duration:stream=codec_type,codec_name,width,height,duration", "-i", abs)
	cmd := command(ctx, bin, args...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err = run(cmd)
	out := stdout.Bytes()
	if ctx.Err() != nil {
		return Info{}, ctx.Err()
	}
	if err != nil {
		// ffprobe's own message names what it opened; say only what
		// is wrong with this file (never whether another file exists).
		if strings.Contains(stderr.String(), "not on whitelist") {
			return Info{}, ErrContainer
		}
		return Info{}, msg.Errorf("cannot read the file as media (truncated or not a video?): %s", probeMessage(stderr.String(), err))
	}
	return parseProbe(out)
}

// probeMessage is ffprobe's complaint without file names: the kind of
// failure, which says nothing about other files.
func probeMessage(stderr string, err error) string {
	msg := toolMessage(stderr, err)
	if i := strings.LastIndex(msg, ": "); i >= 0 {
		msg = msg[i+2:]
	}
	return msg
}

// maxProbeMs caps parsed durations (a claimed duration of 1e300 seconds
// is just "too long").
const maxProbeMs = math.MaxInt64 / 2

// parseProbe reads ffprobe's JSON output and refuses containers other
// than the accepted ones.
func parseProbe(out []byte) (Info, error) {
	var v struct {
		Format struct {
			FormatName string `json:"format_name"`
			Duration   string `json:"duration"`
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
		return Info{}, msg.Errorf("ffprobe output: %w", err)
	}
	var info Info
	demuxer, ok := containers[v.Format.FormatName]
	if !ok {
		return Info{}, ErrContainer
	}
	info.Demuxer = demuxer
	d := parseSeconds(v.Format.Duration)
	info.MaxDurationMs = d
	for _, s := range v.Streams {
		sd := parseSeconds(s.Duration)
		info.MaxDurationMs = max(info.MaxDurationMs, sd)
		switch s.CodecType {
		case "video":
			info.Video = append(info.Video, Stream{Codec: s.CodecName, Width: s.Width, Height: s.Height, DurationMs: sd})
			if s.CodecName == "mjpeg" || s.CodecName == "png" {
				continue // cover art
			}
			if !info.HasVideo {
				info.HasVideo, info.Width, info.Height = true, s.Width, s.Height
			}
			if d <= 0 {
				d = sd
			}
		case "audio":
			info.HasAudio = true
		case "subtitle":
			info.Subtitles = append(info.Subtitles, s.CodecName)
		}
	}
	info.DurationMs = max(d, 0)
	return info, nil
}

// parseSeconds reads a duration in seconds as milliseconds (0 when it is
// not a positive finite number; capped at maxProbeMs).
func parseSeconds(s string) int64 {
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || !(f > 0) || math.IsInf(f, 0) {
		return 0
	}
	ms := f*1000 + 0.5
	if ms >= maxProbeMs {
		return maxProbeMs
	}
	return int64(ms)
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
