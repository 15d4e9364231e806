package media

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"elib/element"
)

// Options control Parser.
type Options struct {
	// Tools are the external programs. The zero value finds them in PATH.
	Tools Tools
	// Frames control frame sampling for camera movement and cuts.
	Frames FrameOptions
	// Camera holds the thresholds that name a camera movement.
	Camera CameraOptions
	// Timeout bounds the work on one file. The default value is 10 minutes.
	Timeout time.Duration
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

// ParsePath parses the video at path: the copy comes from its first text
// subtitle stream (cues exactly as in an SRT or ASS file); camera, cuts
// and bgm_bpm are measured per element; duration and resolution go to the
// asset's meta. Every failure is an *element.ParseError naming path.
func (p *Parser) ParsePath(path string, opts element.ParseOptions) ([]element.Asset, error) {
	o := p.Options
	if o.Timeout <= 0 {
		o.Timeout = 10 * time.Minute
	}
	ctx, cancel := context.WithTimeout(context.Background(), o.Timeout)
	defer cancel()
	assets, err := parseVideo(ctx, o, path, opts)
	if err != nil {
		var pe *element.ParseError
		if errors.As(err, &pe) {
			return nil, err
		}
		return nil, &element.ParseError{File: path, Err: err}
	}
	return assets, nil
}

func parseVideo(ctx context.Context, o Options, path string, opts element.ParseOptions) ([]element.Asset, error) {
	if _, err := o.Tools.ffmpeg(); err != nil {
		return nil, err
	}
	info, err := Probe(ctx, o.Tools, path)
	if err != nil {
		return nil, err
	}
	switch {
	case info.DurationMs <= 0:
		return nil, errors.New("0-second clip: the video has no duration")
	case !info.HasVideo:
		return nil, errors.New("no video stream")
	case !info.HasAudio:
		return nil, errors.New("no audio stream: bgm_bpm cannot be measured (import the subtitles as .srt/.ass if the clip is silent)")
	}
	if _, err := o.Tools.bpm(); err != nil {
		return nil, err
	}
	idx, format, err := pickSubtitle(info.Subtitles)
	if err != nil {
		return nil, err
	}
	subs, err := ExtractSubtitles(ctx, o.Tools, path, idx, format)
	if err != nil {
		return nil, err
	}
	popts := opts
	popts.Format = format
	assets, err := element.Parse(path, subs, popts)
	if err != nil {
		var pe *element.ParseError
		if errors.As(err, &pe) {
			pe.Err = fmt.Errorf("subtitle stream %d (%s): %w", idx, info.Subtitles[idx], pe.Err)
		}
		return nil, err
	}

	var (
		wg       sync.WaitGroup
		pcm      PCM
		tempo    Tempo
		tempoErr error
		track    *MotionTrack
		trackErr error
	)
	wg.Add(2)
	go func() {
		defer wg.Done()
		pcm, tempoErr = DecodeAudio(ctx, o.Tools, path)
		if tempoErr == nil {
			tempo, tempoErr = EstimateTempo(ctx, o.Tools, pcm)
		}
	}()
	go func() {
		defer wg.Done()
		track, trackErr = DecodeMotion(ctx, o.Tools, path, info, o.Frames)
	}()
	wg.Wait()
	if tempoErr != nil {
		return nil, tempoErr
	}
	if trackErr != nil {
		return nil, trackErr
	}
	for i := range assets {
		if err := annotate(ctx, o.Tools, &assets[i], info, pcm, tempo, track, o.Camera); err != nil {
			return nil, err
		}
	}
	return assets, nil
}

// annotate stores the measured attributes with the asset and its elements;
// attributes a user wrote into the subtitles (annotations) are kept.
// Elements of at least MinElementTempoMs get their own tempo estimate (the
// music may change), shorter ones the asset's.
func annotate(ctx context.Context, tools Tools, a *element.Asset, info Info, pcm PCM, tempo Tempo, track *MotionTrack, co CameraOptions) error {
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
		if tempo.BPM > 0 && *e.EndMs-*e.StartMs >= MinElementTempoMs {
			et, err := EstimateTempo(ctx, tools, pcm.Slice(*e.StartMs, *e.EndMs))
			if err != nil {
				return err
			}
			if et.BPM > 0 {
				bpm = et.BPM
			}
		}
		if bpm > 0 {
			set(element.AttrBGMBPM, bpm)
		}
		if cam := Camera(track.Stats(*e.StartMs, *e.EndMs), co); cam != "" {
			set(element.AttrCamera, cam)
		}
		set(element.AttrCuts, track.CutsIn(*e.StartMs, *e.EndMs))
	}
	return nil
}
