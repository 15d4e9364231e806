package media

import (
	"bytes"
	"context"
	"elib/internal/i18n/msg"
	"fmt"
	"path/filepath"
	"sync"

	"elib/media/ocr"
)

// OCROptions control how burned-in captions are read.
type OCROptions struct {
	// Models is the folder holding the OCR models (--models). The default
	// value is $ELIB_MODELS, else ./models when it holds them.
	Models string
	// Force reads burned-in captions even when the video has a text
	// subtitle stream (--ocr). The default value is false: the stream wins.
	Force bool
	// FPS is how many frames a second are read. The default value is 2.
	FPS float64
	// MaxSide bounds the longer side of the frames read (larger videos are
	// scaled down). The default value is 1920.
	MaxSide int
	// Engine tunes detection and recognition.
	Engine ocr.EngineOptions
	// Read tunes cue merging and watermark detection.
	Read ocr.ReadOptions
}

func (o *OCROptions) ensureDefaults() {
	if o.FPS <= 0 {
		o.FPS = 2
	}
	if o.MaxSide <= 0 {
		o.MaxSide = 1920
	}
}

// engines keeps one loaded OCR engine per models folder (the models take
// a second and ~100 MB to load, are read-only and safe for concurrent
// use), shared by every Parser of the process.
type engines struct {
	mu sync.Mutex
	m  map[string]*ocr.Engine
}

// loaded is the process's one cache of OCR engines.
var loaded engines

func (es *engines) get(dir string, opts ocr.EngineOptions) (*ocr.Engine, error) {
	if err := ocr.CheckModels(dir); err != nil {
		return nil, err
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, err
	}
	es.mu.Lock()
	defer es.mu.Unlock()
	if e, ok := es.m[abs]; ok {
		return e, nil
	}
	e, err := ocr.NewEngine(abs, opts)
	if err != nil {
		return nil, err
	}
	if es.m == nil {
		es.m = map[string]*ocr.Engine{}
	}
	es.m[abs] = e
	return e, nil
}

// ocrOutput is the decode pass output that reads burned-in captions:
// opts.FPS frames a second at most opts.MaxSide long, handed to engine's
// workers as they arrive. wait returns what they read once the pass is
// over (whatever its outcome).
func ocrOutput(ctx context.Context, engine *ocr.Engine, info Info, opts OCROptions) (frameOutput, func() (*ocr.Result, error), error) {
	opts.ensureDefaults()
	w, h := info.Width, info.Height
	if w <= 0 || h <= 0 {
		return frameOutput{}, nil, msg.New("read burned-in captions: the video stream has no size")
	}
	if long := max(w, h); long > opts.MaxSide {
		w, h = w*opts.MaxSide/long, h*opts.MaxSide/long
	}
	w, h = max(2, w/2*2), max(2, h/2*2)
	ro := opts.Read
	if ro.IntervalMs <= 0 {
		ro.IntervalMs = int64(1000/opts.FPS + 0.5)
	}
	type outcome struct {
		res *ocr.Result
		err error
	}
	frames := make(chan ocr.Frame, 2)
	done := make(chan outcome, 1)
	go func() {
		res, err := engine.ReadFrames(ctx, frames, info.DurationMs, ro)
		done <- outcome{res, err}
	}()
	var (
		result   outcome
		finished bool
		k        int
		once     sync.Once
	)
	step := 1000 / opts.FPS
	out := frameOutput{
		name:       "burned-in captions",
		chain:      fmt.Sprintf("fps=%g,scale=%d:%d:flags=bicubic,setsar=1,format=rgb24", opts.FPS, w, h),
		pixFmt:     "rgb24",
		frameBytes: w * h * 3,
		frame: func(pix []byte) error {
			f := ocr.Frame{TimeMs: int64(float64(k)*step + 0.5), Image: ocr.Image{W: w, H: h, Pix: bytes.Clone(pix)}}
			select {
			case frames <- f:
				k++
				return nil
			case result = <-done:
				finished = true
				if result.err != nil {
					return result.err
				}
				return msg.New("OCR stopped before the last frame")
			}
		},
		end: func() { once.Do(func() { close(frames) }) },
	}
	wait := func() (*ocr.Result, error) {
		out.end()
		if !finished {
			result = <-done
		}
		return result.res, result.err
	}
	return out, wait, nil
}
