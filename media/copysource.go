package media

import (
	"context"
	"elib/internal/i18n/msg"
	"errors"
	"fmt"
	"path/filepath"
	"strings"

	"elib/element"
	"elib/media/ocr"
)

// Meta keys that say where a video's copy came from.
const (
	// MetaCopySource is "sidecar", "subtitle_stream", "ocr" or "speech".
	MetaCopySource = "copy_source"
	// MetaSidecar names the sidecar subtitle file read with the video.
	MetaSidecar = "sidecar"
	// MetaWatermarks lists on-screen text that stayed for most of the
	// video (account names, logos): read by OCR, kept out of the copy.
	MetaWatermarks = "watermarks"
	// MetaOCRFrames is how many frames OCR read.
	MetaOCRFrames = "ocr_frames"
)

// Copy sources.
const (
	SourceSidecar = "sidecar"
	SourceStream  = "subtitle_stream"
	SourceOCR     = "ocr"
	SourceSpeech  = "speech"
)

// copyText is a video's copy before splitting: subtitle text in a format
// element.Parse reads, where it came from, and what OCR saw.
type copyText struct {
	data    []byte
	format  string
	source  string
	sidecar string
	ocr     *ocr.Result
	// describe names the source in parse errors.
	describe string
}

// ErrNoCopy reports a video in which no copy was found: no sidecar, no
// text subtitle stream, and no burned-in captions OCR could read.
var ErrNoCopy = msg.New("no copy found")

// copyPlan says where a video's copy comes from, decided before its frames
// are decoded: ready (a sidecar, a subtitle stream or speech) in ct, or
// burned-in captions that engine reads in the frame pass.
type copyPlan struct {
	ct     copyText
	engine *ocr.Engine
}

// planCopy finds the copy of the video at path: a sidecar subtitle file
// beside it, else its first text subtitle stream (unless OCR is forced),
// else its burned-in captions (the OCR engine is loaded here, the frames
// are read in the decode pass), else speech when a Transcriber is set.
func (p *Parser) planCopy(ctx context.Context, o Options, path string, info Info, opts element.ParseOptions) (copyPlan, error) {
	if sc := element.Sidecar(path); sc != "" && !o.OCR.Force {
		limit := opts.MaxBytes
		if limit <= 0 {
			limit = element.DefaultMaxBytes
		}
		data, err := element.ReadFile(sc, limit)
		if err != nil {
			return copyPlan{}, err
		}
		return copyPlan{ct: copyText{data: data, format: element.FormatOf(sc), source: SourceSidecar, sidecar: filepath.Base(sc), describe: "sidecar " + filepath.Base(sc)}}, nil
	}
	idx, format, streamErr := pickSubtitle(info.Subtitles)
	if streamErr == nil && !o.OCR.Force {
		subs, err := ExtractSubtitles(ctx, o.Tools, path, info, idx, format, o.Limits)
		if err != nil {
			return copyPlan{}, err
		}
		return copyPlan{ct: copyText{data: subs, format: format, source: SourceStream, describe: fmt.Sprintf("subtitle stream %d (%s)", idx, info.Subtitles[idx])}}, nil
	}
	dir := ocr.ModelsDir(o.OCR.Models)
	engine, err := loaded.get(dir, o.OCR.Engine)
	if err != nil {
		if o.Transcriber != nil {
			ct, err := p.transcribe(ctx, o, path)
			return copyPlan{ct: ct}, err
		}
		if errors.Is(err, ocr.ErrNoModels) && streamErr != nil {
			return copyPlan{}, msg.Errorf("no text subtitle stream and no sidecar .srt/.ass, so the copy must be read from burned-in captions: %w", err)
		}
		return copyPlan{}, err
	}
	return copyPlan{engine: engine}, nil
}

// ocrCopy is the copy read from burned-in captions: OCR's cues, else
// speech when a Transcriber is set, else ErrNoCopy.
func (p *Parser) ocrCopy(ctx context.Context, o Options, path string, res *ocr.Result) (copyText, error) {
	if len(res.Cues) == 0 {
		if o.Transcriber != nil {
			return p.transcribe(ctx, o, path)
		}
		return copyText{ocr: res}, msg.Errorf("%w: no subtitle stream, no sidecar .srt/.ass, and OCR read no burned-in captions in %d frames", ErrNoCopy, res.Frames)
	}
	return copyText{data: cuesSRT(res.Cues), format: element.FormatSRT, source: SourceOCR, ocr: res, describe: "burned-in captions (OCR)"}, nil
}

// cuesSRT writes timed cues as an SRT file.
func cuesSRT(cues []ocr.Cue) []byte {
	var b strings.Builder
	ts := func(ms int64) string {
		return fmt.Sprintf("%02d:%02d:%02d,%03d", ms/3600000, ms/60000%60, ms/1000%60, ms%1000)
	}
	for i, c := range cues {
		fmt.Fprintf(&b, "%d\n%s --> %s\n%s\n\n", i+1, ts(c.StartMs), ts(c.EndMs), c.Text)
	}
	return []byte(b.String())
}

// annotateCopy records where the copy came from and, for OCR, the
// watermarks and each element's caption colour (the colour most of its
// time on screen had; a colour the user annotated is kept).
func annotateCopy(a *element.Asset, ct copyText) {
	if a.Meta == nil {
		a.Meta = map[string]any{}
	}
	a.Meta[MetaCopySource] = ct.source
	if ct.sidecar != "" {
		a.Meta[MetaSidecar] = ct.sidecar
	}
	if ct.ocr == nil {
		return
	}
	a.Meta[MetaOCRFrames] = ct.ocr.Frames
	if len(ct.ocr.Watermarks) > 0 {
		var marks []string
		for _, w := range ct.ocr.Watermarks {
			marks = append(marks, w.Text)
		}
		a.Meta[MetaWatermarks] = marks
	}
	for i := range a.Elements {
		e := &a.Elements[i]
		if e.StartMs == nil || e.EndMs == nil {
			continue
		}
		byColour := map[string]int64{}
		best := ""
		for _, c := range ct.ocr.Cues {
			overlap := min(c.EndMs, *e.EndMs) - max(c.StartMs, *e.StartMs)
			if c.Color == "" || overlap <= 0 {
				continue
			}
			byColour[c.Color] += overlap
			if best == "" || byColour[c.Color] > byColour[best] || byColour[c.Color] == byColour[best] && c.Color < best {
				best = c.Color
			}
		}
		if best == "" {
			continue
		}
		if e.Attributes == nil {
			e.Attributes = map[string]any{}
		}
		if _, ok := e.Attributes[element.AttrSubtitleColor]; !ok {
			e.Attributes[element.AttrSubtitleColor] = best
		}
	}
}
