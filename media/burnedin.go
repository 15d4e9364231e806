package media

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
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

// ReadBurnedIn decodes the first video stream of path once, FPS RGB frames
// a second piped from ffmpeg, and reads the captions drawn into them with
// engine.
func ReadBurnedIn(ctx context.Context, tools Tools, engine *ocr.Engine, path string, info Info, opts OCROptions, limits Limits) (*ocr.Result, error) {
	opts.ensureDefaults()
	limits.EnsureDefaults()
	if err := limits.Check(info); err != nil {
		return nil, err
	}
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
	w, h := info.Width, info.Height
	if w <= 0 || h <= 0 {
		return nil, errors.New("read burned-in captions: the video stream has no size")
	}
	if long := max(w, h); long > opts.MaxSide {
		w, h = w*opts.MaxSide/long, h*opts.MaxSide/long
	}
	w, h = max(2, w/2*2), max(2, h/2*2)
	filter := fmt.Sprintf("fps=%g,scale=%d:%d:flags=bicubic,setsar=1,format=rgb24", opts.FPS, w, h)
	args := append([]string{"-v", "error", "-nostdin"}, demuxerOptions(info, limits)...)
	args = append(args, "-t", seconds(limits.MaxDuration), "-i", abs,
		"-map", "0:v:0", "-vf", filter, "-an", "-sn", "-dn", "-f", "rawvideo", "-pix_fmt", "rgb24", "pipe:1")
	cmd := command(ctx, bin, args...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start ffmpeg: %w", err)
	}
	frames := make(chan ocr.Frame, 2)
	readErr := make(chan error, 1)
	go func() {
		defer close(frames)
		r := bufio.NewReaderSize(out, 1<<20)
		step := 1000 / opts.FPS
		for k := 0; ; k++ {
			img := ocr.Image{W: w, H: h, Pix: make([]byte, w*h*3)}
			if _, err := io.ReadFull(r, img.Pix); err != nil {
				if !errors.Is(err, io.EOF) && !errors.Is(err, io.ErrUnexpectedEOF) {
					readErr <- err
				}
				_, _ = io.Copy(io.Discard, r)
				return
			}
			select {
			case frames <- ocr.Frame{TimeMs: int64(float64(k)*step + 0.5), Image: img}:
			case <-ctx.Done():
				_, _ = io.Copy(io.Discard, r)
				return
			}
		}
	}()
	ro := opts.Read
	if ro.IntervalMs <= 0 {
		ro.IntervalMs = int64(1000/opts.FPS + 0.5)
	}
	res, ocrErr := engine.ReadFrames(ctx, frames, info.DurationMs, ro)
	if ocrErr != nil {
		_ = cmd.Process.Kill()
	}
	waitErr := cmd.Wait()
	if ocrErr != nil {
		return nil, fmt.Errorf("read burned-in captions: %w", ocrErr)
	}
	if waitErr != nil {
		return nil, fmt.Errorf("decode frames for OCR: %s", toolMessage(stderr.String(), waitErr))
	}
	select {
	case err := <-readErr:
		return nil, fmt.Errorf("decode frames for OCR: %w", err)
	default:
	}
	return res, nil
}
