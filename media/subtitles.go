package media

import (
	"bytes"
	"context"
	"elib/internal/i18n/msg"
	"fmt"
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
var ErrNoSubtitles = msg.New("no text subtitle stream (mov_text, subrip, ass or webvtt)")

// pickSubtitle returns the index among subtitle streams of the first text
// stream and the format to extract it as.
func pickSubtitle(codecs []string) (int, string, error) {
	for i, c := range codecs {
		if f, ok := textSubtitleCodecs[c]; ok {
			return i, f, nil
		}
	}
	if len(codecs) > 0 {
		return 0, "", msg.Errorf("%w; found only bitmap subtitles (%s)", ErrNoSubtitles, strings.Join(codecs, ", "))
	}
	return 0, "", ErrNoSubtitles
}

// maxSubtitleBytes bounds the subtitle text read from a video; the
// element parser refuses more anyway.
const maxSubtitleBytes = element.DefaultMaxBytes

// ExtractSubtitles returns the text of subtitle stream idx of path (info
// is its Probe), converted by ffmpeg to format (element.FormatSRT or
// element.FormatASS).
func ExtractSubtitles(ctx context.Context, tools Tools, path string, info Info, idx int, format string, limits Limits) ([]byte, error) {
	if info.Demuxer == "" {
		return nil, ErrContainer
	}
	bin, err := tools.ffmpeg()
	if err != nil {
		return nil, err
	}
	abs, err := inputPath(path)
	if err != nil {
		return nil, err
	}
	limits.EnsureDefaults()
	muxer := "srt"
	if format == element.FormatASS {
		muxer = "ass"
	}
	args := append([]string{"-v", "error", "-nostdin"}, demuxerOptions(info, limits)...)
	args = append(args, "-t", seconds(limits.MaxDuration), "-i", abs,
		"-map", fmt.Sprintf("0:s:%d", idx), "-vn", "-an", "-f", muxer, "pipe:1")
	cmd := command(ctx, bin, args...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out := &cappedWriter{max: maxSubtitleBytes}
	cmd.Stdout = out
	err = run(cmd)
	if ctx.Err() != nil {
		return nil, ctx.Err()
	}
	if out.over {
		return nil, msg.Errorf("%w: subtitle stream over %d bytes", ErrOverLimit, maxSubtitleBytes)
	}
	if err != nil {
		return nil, msg.Errorf("extract subtitles: %s", probeMessage(stderr.String(), err))
	}
	return out.buf.Bytes(), nil
}

// cappedWriter keeps at most max bytes; past it, writes fail (the tool
// writing gets a broken pipe and stops).
type cappedWriter struct {
	buf  bytes.Buffer
	max  int
	over bool
}

func (w *cappedWriter) Write(p []byte) (int, error) {
	if w.buf.Len()+len(p) > w.max {
		w.over = true
		return 0, ErrOverLimit
	}
	return w.buf.Write(p)
}
