package ocr

import (
	"context"
	"runtime"
	"sort"
	"sync"
)

// Frame is one sampled picture and its time in the video.
type Frame struct {
	TimeMs int64
	Image
}

// ReadOptions control ReadFrames.
type ReadOptions struct {
	// IntervalMs is the time between sampled frames. The default value is
	// 500 (2 frames a second).
	IntervalMs int64
	// Workers is how many frames are read at once. The default value is
	// GOMAXPROCS.
	Workers int
	// WatermarkShare is the share of the sampled frames a text must be on
	// for it to be a watermark rather than a caption. The default value is
	// 0.5 (a watermark over a busy picture is not read on every frame: 0.60
	// of them in the 60 s benchmark clip, where it is on all).
	WatermarkShare float64
	// WatermarkMinMs is the least time on screen of a watermark, so that
	// the one caption of a short clip stays copy. The default value is
	// 8000.
	WatermarkMinMs int64
	// CropBudget bounds the bytes of caption pixels kept for the colour
	// estimate. The default value is 256 MiB.
	CropBudget int
}

func (o *ReadOptions) ensureDefaults() {
	if o.IntervalMs <= 0 {
		o.IntervalMs = 500
	}
	if o.Workers <= 0 {
		o.Workers = runtime.GOMAXPROCS(0)
	}
	if o.WatermarkShare <= 0 {
		o.WatermarkShare = 0.5
	}
	if o.WatermarkMinMs <= 0 {
		o.WatermarkMinMs = 8000
	}
	if o.CropBudget <= 0 {
		o.CropBudget = 256 << 20
	}
}

// frameLines is what one sampled frame holds.
type frameLines struct {
	TimeMs int64
	Lines  []Line
	Crops  []crop // Crops[i] are the pixels of Lines[i] (nil over budget)
}

// crop is a copy of a rectangle of a frame.
type crop struct {
	Rect
	Pix []byte
}

// ReadFrames reads the text of every frame from frames (until it closes or
// ctx ends) with Workers frames at a time, then turns it into timed cues
// and watermarks over a video of durationMs.
func (e *Engine) ReadFrames(ctx context.Context, frames <-chan Frame, durationMs int64, opts ReadOptions) (*Result, error) {
	opts.ensureDefaults()
	var (
		mu     sync.Mutex
		read   []frameLines
		kept   int
		first  error
		wg     sync.WaitGroup
		cancel = make(chan struct{})
		once   sync.Once
	)
	fail := func(err error) {
		mu.Lock()
		if first == nil {
			first = err
		}
		mu.Unlock()
		once.Do(func() { close(cancel) })
	}
	for w := 0; w < opts.Workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				var f Frame
				var ok bool
				select {
				case <-ctx.Done():
					fail(ctx.Err())
					return
				case <-cancel:
					return
				case f, ok = <-frames:
				}
				if !ok {
					return
				}
				lines, err := e.Read(f.Image)
				if err != nil {
					fail(err)
					return
				}
				fl := frameLines{TimeMs: f.TimeMs, Lines: lines, Crops: make([]crop, len(lines))}
				size := 0
				for _, l := range lines {
					size += l.Box.W() * l.Box.H() * 3
				}
				mu.Lock()
				keep := kept+size <= opts.CropBudget
				if keep {
					kept += size
				}
				mu.Unlock()
				if keep {
					for i, l := range lines {
						fl.Crops[i] = cut(f.Image, l.Box)
					}
				}
				mu.Lock()
				read = append(read, fl)
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	if first != nil {
		// Let the producer finish: it may be blocked on a send.
		go func() {
			for range frames {
			}
		}()
		return nil, first
	}
	sort.Slice(read, func(i, j int) bool { return read[i].TimeMs < read[j].TimeMs })
	return assemble(read, durationMs, opts), nil
}

// cut copies rectangle r of img.
func cut(img Image, r Rect) crop {
	c := crop{Rect: r, Pix: make([]byte, 0, r.W()*r.H()*3)}
	for y := r.Y0; y < r.Y1; y++ {
		c.Pix = append(c.Pix, img.Pix[(y*img.W+r.X0)*3:(y*img.W+r.X1)*3]...)
	}
	return c
}
