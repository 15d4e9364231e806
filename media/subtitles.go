package media

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os/exec"
	"strings"

	"elib/element"
)

// textSubtitleCodecs are the subtitle codecs elib reads, with the format
// ffmpeg converts each to: ASS keeps styles and colours, the rest become SRT.
var textSubtitleCodecs = map[string]string{
	"ass": element.FormatASS, "ssa": element.FormatASS,
	"subrip": element.FormatSRT, "srt": element.FormatSRT,
	"mov_text": element.FormatSRT, "webvtt": element.FormatSRT, "text": element.FormatSRT,
}

// ErrNoSubtitles reports a video without a text subtitle stream.
var ErrNoSubtitles = errors.New("no text subtitle stream (mov_text, subrip, ass or webvtt): elib reads the copy from embedded subtitles; " +
	"burned-in captions are not read yet — add a subtitle track, or import the .srt/.ass file instead")

// pickSubtitle returns the index among subtitle streams of the first text
// stream and the format to extract it as.
func pickSubtitle(codecs []string) (int, string, error) {
	for i, c := range codecs {
		if f, ok := textSubtitleCodecs[c]; ok {
			return i, f, nil
		}
	}
	if len(codecs) > 0 {
		return 0, "", fmt.Errorf("%w; found only bitmap subtitles (%s)", ErrNoSubtitles, strings.Join(codecs, ", "))
	}
	return 0, "", ErrNoSubtitles
}

// ExtractSubtitles returns the text of subtitle stream idx of path,
// converted by ffmpeg to format (element.FormatSRT or element.FormatASS).
func ExtractSubtitles(ctx context.Context, tools Tools, path string, idx int, format string) ([]byte, error) {
	bin, err := tools.ffmpeg()
	if err != nil {
		return nil, err
	}
	muxer := "srt"
	if format == element.FormatASS {
		muxer = "ass"
	}
	cmd := exec.CommandContext(ctx, bin, "-v", "error", "-nostdin", "-i", path,
		"-map", fmt.Sprintf("0:s:%d", idx), "-vn", "-an", "-f", muxer, "-")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("extract subtitles: %s", toolMessage(stderr.String(), err))
	}
	return out, nil
}
