package media

import (
	"context"
	"elib/internal/i18n/msg"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"elib/element"
	"elib/media/ocr"
)

// Options control Parser.
type Options struct {
	// Tools are the external programs. The zero value finds them in PATH.
	Tools Tools
	// Frames control frame sampling for camera movement and cuts.
	Frames FrameOptions
	// Camera holds the thresholds that name a camera movement.
	Camera CameraOptions
	// Limits bound the size, resolution and duration of the media
	// accepted; zero fields take the defaults (DefaultMaxSide and so on).
	Limits Limits
	// Timeout bounds the work on one file (within the context of
	// element.ParseOptions, if any). The default value is 10 minutes.
	Timeout time.Duration
	// OCR controls reading burned-in captions.
	OCR OCROptions
	// Footage controls the footage fingerprints (per-second frame hashes)
	// every video asset carries.
	Footage FootageOptions
	// Transcriber, when set, reads the copy from speech when a video has
	// no subtitles and no burned-in captions. The default value is nil:
	// none ships (see Transcriber).
	Transcriber Transcriber
}

// Parser reads video files into assets; it implements element.FileParser.
type Parser struct {
	Options Options
}

func init() {
	element.RegisterFileParser(element.FormatVideo, &Parser{})
}

// Meta keys a video asset carries.
const (
	MetaDurationMs = "duration_ms"
	MetaResolution = "resolution"
	MetaBPMRange   = "bgm_bpm_range"
	MetaBPMTool    = "bgm_bpm_by"
)

// ParsePath parses the video at path. The copy comes from a sidecar
// subtitle file beside it (clip.srt or clip.ass for clip.mp4), else from
// its first text subtitle stream (cues exactly as in an SRT or ASS file)
// unless Options.OCR.Force, else from its burned-in captions read by OCR
// (timed cues split like SRT's). Camera, cuts and bgm_bpm (not for a
// silent video) are measured per element; duration, resolution and where
// the copy came from go to the asset's meta. The file is untrusted: only
// a local MP4/MOV or Matroska/WebM file within Options.Limits is read.
// The work stops (its tools killed) when opts.Context is done or
// Options.Timeout passes. Every failure is an *element.ParseError naming
// path.
func (p *Parser) ParsePath(path string, opts element.ParseOptions) ([]element.Asset, error) {
	o := p.Options
	if o.Timeout <= 0 {
		o.Timeout = 10 * time.Minute
	}
	o.Limits.EnsureDefaults()
	parent := opts.Context
	if parent == nil {
		parent = context.Background()
	}
	ctx, cancel := context.WithTimeout(parent, o.Timeout)
	defer cancel()
	assets, err := p.parseVideo(ctx, o, path, opts)
	if err != nil {
		var pe *element.ParseError
		if errors.As(err, &pe) {
			return nil, err
		}
		return nil, &element.ParseError{File: path, Err: err}
	}
	return assets, nil
}

func (p *Parser) parseVideo(ctx context.Context, o Options, path string, opts element.ParseOptions) ([]element.Asset, error) {
	if _, err := o.Tools.ffmpeg(); err != nil {
		return nil, err
	}
	if err := o.Limits.checkSize(path); err != nil {
		return nil, err
	}
	info, err := Probe(ctx, o.Tools, path)
	if err != nil {
		return nil, err
	}
	if err := o.Limits.Check(info); err != nil {
		return nil, err
	}
	switch {
	case info.DurationMs <= 0:
		return nil, msg.New("0-second clip: the video has no duration")
	case !info.HasVideo:
		return nil, msg.New("no video stream")
	}
	if info.HasAudio {
		if _, err := o.Tools.bpm(); err != nil {
			return nil, err
		}
	}
	plan, err := p.planCopy(ctx, o, path, info, opts)
	if err != nil {
		return nil, err
	}
	// One decode pass feeds camera motion, footage fingerprints and, when
	// the copy is burned into the picture, OCR.
	dir, err := os.MkdirTemp("", "elib-media-*")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	motion, side, track := motionOutput(info, o.Frames, filepath.Join(dir, "cuts.txt"))
	shots, hasher := footageOutput(info, o.Footage)
	outs := []frameOutput{motion, shots}
	var waitOCR func() (*ocr.Result, error)
	if plan.engine != nil {
		captions, wait, err := ocrOutput(ctx, plan.engine, info, o.OCR)
		if err != nil {
			return nil, err
		}
		outs, waitOCR = append(outs, captions), wait
	}
	// The first failure stops the rest at once.
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	passDone := make(chan error, 1)
	go func() {
		err := decodePass(ctx, o.Tools, path, info, o.Limits, outs, side)
		if err != nil {
			cancel()
		}
		passDone <- err
	}()
	var passErr error
	passOver := false
	waitPass := func() error {
		if !passOver {
			passErr, passOver = <-passDone, true
		}
		return passErr
	}
	stop := func(err error) error {
		cancel()
		return firstError(err, waitPass())
	}
	ct := plan.ct
	if waitOCR != nil {
		err := waitPass()
		res, ocrErr := waitOCR()
		if err != nil {
			return nil, err
		}
		if ocrErr != nil {
			return nil, msg.Errorf("read burned-in captions: %w", ocrErr)
		}
		if ct, err = p.ocrCopy(ctx, o, path, res); err != nil {
			return nil, err
		}
	}
	popts := opts
	popts.Format = ct.format
	assets, err := element.Parse(path, ct.data, popts)
	if err != nil {
		var pe *element.ParseError
		if errors.As(err, &pe) {
			pe.Err = fmt.Errorf("%s: %w", ct.describe, pe.Err)
		}
		return nil, stop(err)
	}
	// Elements long enough get their own tempo (the music may change);
	// one decode feeds every estimate. It runs beside the frame pass.
	var ranges []TempoRange
	for _, a := range assets {
		for _, e := range a.Elements {
			if e.StartMs != nil && e.EndMs != nil && *e.EndMs-*e.StartMs >= MinElementTempoMs {
				ranges = append(ranges, TempoRange{StartMs: *e.StartMs, EndMs: *e.EndMs})
			}
		}
	}
	// A silent video has no tempo.
	var (
		tempo    Tempo
		tempos   []Tempo
		tempoErr error
	)
	if info.HasAudio {
		tempo, tempos, tempoErr = MeasureTempo(ctx, o.Tools, path, info, o.Limits, ranges)
		if tempoErr != nil {
			cancel()
		}
	}
	if err := firstError(tempoErr, waitPass()); err != nil {
		return nil, err
	}
	byRange := map[TempoRange]Tempo{}
	for i, r := range ranges {
		if _, ok := byRange[r]; !ok && i < len(tempos) && tempos[i].BPM > 0 {
			byRange[r] = tempos[i]
		}
	}
	fp := hasher.Finish().EncodeWithProbes()
	for i := range assets {
		annotateCopy(&assets[i], ct)
		annotate(&assets[i], info, tempo, byRange, track, o.Camera)
		assets[i].Footage = fp
	}
	return assets, nil
}

// firstError is the first of errs that is not a cancellation caused by
// another (a failure cancels its sibling), else the first error.
func firstError(errs ...error) error {
	for _, err := range errs {
		if err != nil && !errors.Is(err, context.Canceled) {
			return err
		}
	}
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

// annotate stores the measured attributes with the asset and its elements;
// attributes a user wrote into the subtitles (annotations) are kept.
// Elements of at least MinElementTempoMs have their own tempo in byRange
// (the music may change), shorter ones take the asset's.
func annotate(a *element.Asset, info Info, tempo Tempo, byRange map[TempoRange]Tempo, track *MotionTrack, co CameraOptions) {
	if a.Meta == nil {
		a.Meta = map[string]any{}
	}
	a.Meta[MetaDurationMs] = info.DurationMs
	a.Meta[MetaResolution] = fmt.Sprintf("%dx%d", info.Width, info.Height)
	if tempo.BPM > 0 {
		a.Meta[element.AttrBGMBPM] = tempo.BPM
		a.Meta[MetaBPMRange] = fmt.Sprintf("%g-%g", tempo.Min, tempo.Max)
		a.Meta[MetaBPMTool] = "bpm-tools"
	}
	for i := range a.Elements {
		e := &a.Elements[i]
		if e.Attributes == nil {
			e.Attributes = map[string]any{}
		}
		set := func(k string, v any) {
			if _, ok := e.Attributes[k]; !ok {
				e.Attributes[k] = v
			}
		}
		if e.StartMs == nil || e.EndMs == nil {
			if tempo.BPM > 0 {
				set(element.AttrBGMBPM, tempo.BPM)
			}
			continue
		}
		bpm := tempo.BPM
		if et, ok := byRange[TempoRange{StartMs: *e.StartMs, EndMs: *e.EndMs}]; ok && tempo.BPM > 0 {
			bpm = et.BPM
		}
		if bpm > 0 {
			set(element.AttrBGMBPM, bpm)
		}
		if cam := Camera(track.Stats(*e.StartMs, *e.EndMs), co); cam != "" {
			set(element.AttrCamera, cam)
		}
		set(element.AttrCuts, track.CutsIn(*e.StartMs, *e.EndMs))
	}
}
