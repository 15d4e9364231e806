package ocr

import (
	"context"
	"math"
	"runtime"
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
	// ReadAll reads every frame. The default value is false: a frame
	// between two that show the same caption lines is not read (see
	// ReadFrames).
	ReadAll bool
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
	// Taken marks a frame not read, taken to show what the frame before
	// it showed.
	Taken bool
}

// crop is a copy of a rectangle of a frame.
type crop struct {
	Rect
	Pix []byte
}

// ReadFrames reads the text of the frames from frames (until it closes or
// ctx ends) with Workers frames at a time, then turns it into timed cues
// and watermarks over a video of durationMs.
//
// Unless ReadAll is set, only every fourth frame (one each 2 s at 2
// frames a second) is always read; a frame between two frames g apart
// (the middle one of the four first, then those beside it) is read only
// when those two show different caption lines — different texts, or in
// different places, text on screen for most of the last 8 s (a watermark
// read on some frames and missed on others) aside — or none; otherwise it
// is taken to show what the earlier one showed. Where a caption starts or
// ends, the frames around the change are read, so cue times are as when
// every frame is read. What this can miss is a caption shown for less
// than 2 s between two frames that show one same other caption (A, then
// B briefly, then A again); between frames without captions it misses
// nothing.
func (e *Engine) ReadFrames(ctx context.Context, frames <-chan Frame, durationMs int64, opts ReadOptions) (*Result, error) {
	opts.ensureDefaults()
	budget := cropBudget{left: opts.CropBudget}
	read, err := readFrames(ctx, frames, opts, func(f Frame) (frameLines, error) { return e.readFrame(f, &budget) })
	if err != nil {
		return nil, err
	}
	return assemble(read, durationMs, opts), nil
}

// readFrames reads frames with readOne, Workers at a time, those between
// the every-fourth frames only when their neighbours differ (see
// ReadFrames), and returns what each frame shows, in order.
func readFrames(ctx context.Context, frames <-chan Frame, opts ReadOptions, readOne func(Frame) (frameLines, error)) ([]frameLines, error) {
	type job struct {
		i int
		f Frame
	}
	type outcome struct {
		i   int
		fl  frameLines
		err error
	}
	jobs := make(chan job)
	results := make(chan outcome)
	quit := make(chan struct{})
	var wg sync.WaitGroup
	for w := 0; w < opts.Workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range jobs {
				fl, err := readOne(j.f)
				select {
				case results <- outcome{j.i, fl, err}:
				case <-quit:
					return
				}
			}
		}()
	}
	stop := func() {
		close(quit)
		close(jobs)
		wg.Wait()
	}
	fail := func(err error) ([]frameLines, error) {
		stop()
		// Let the producer finish: it may be blocked on a send.
		go func() {
			for range frames {
			}
		}()
		return nil, err
	}

	var (
		in       = frames
		n        int               // frames received
		read     []*frameLines     // read[i]: frame i's lines, once read or taken
		waiting  = map[int]Frame{} // frames waiting for their neighbours
		queue    []job             // frames to read, in order
		inflight int               // frames being read
		contig   int               // read[0:contig] are all known
		block    int               // the next block of readStride frames to decide
	)
	// Frame base+off of a block lies between base+off−g and base+off+g,
	// g the largest power of two dividing off: the middle one first, then
	// those between it and the ends.
	var order []int
	for g := readStride / 2; g >= 1; g /= 2 {
		for off := g; off < readStride; off += 2 * g {
			order = append(order, off)
		}
	}
	decide := func() {
		for {
			base := block * readStride
			if base+1 >= n || contig <= base {
				return
			}
			for _, off := range order {
				i := base + off
				if i >= n {
					if in != nil {
						return // it may still come
					}
					continue
				}
				f, ok := waiting[i]
				if !ok { // read (ReadAll), or decided already
					continue
				}
				g := off & -off
				l, r := i-g, i+g
				if r >= n && in != nil {
					return // its right neighbour may still come
				}
				if r < n && (read[l] == nil || read[r] == nil) {
					return
				}
				delete(waiting, i)
				if r < n && sameCaptions(read, l, r, base) {
					fl := *read[l]
					fl.TimeMs, fl.Taken = f.TimeMs, true
					read[i] = &fl
				} else {
					// Ahead of the frames read anyway: the next
					// decisions wait for it.
					queue = append([]job{{i, f}}, queue...)
				}
			}
			block++
			for contig < len(read) && read[contig] != nil {
				contig++
			}
		}
	}
	for in != nil || contig < n {
		var send chan job
		var head job
		if len(queue) > 0 {
			send, head = jobs, queue[0]
		}
		recv := in
		if len(queue)+inflight > opts.Workers {
			recv = nil // enough work in hand: bound the frames held
		}
		select {
		case <-ctx.Done():
			return fail(ctx.Err())
		case f, ok := <-recv:
			if !ok {
				in = nil
				break
			}
			read = append(read, nil)
			if n%readStride != 0 && !opts.ReadAll {
				waiting[n] = f
			} else {
				queue = append(queue, job{n, f})
			}
			n++
		case send <- head:
			queue = queue[1:]
			inflight++
		case r := <-results:
			inflight--
			if r.err != nil {
				return fail(r.err)
			}
			read[r.i] = &r.fl
			for contig < len(read) && read[contig] != nil {
				contig++
			}
		}
		decide()
	}
	stop()
	out := make([]frameLines, 0, n)
	for _, fl := range read {
		out = append(out, *fl)
	}
	return out, nil
}

// cropBudget is what is left of ReadOptions.CropBudget.
type cropBudget struct {
	mu   sync.Mutex
	left int
}

// take reports whether size bytes of crops may be kept, and counts them.
func (b *cropBudget) take(size int) bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	if size > b.left {
		return false
	}
	b.left -= size
	return true
}

// readFrame reads the lines of one frame and copies their pixels while
// the budget lasts.
func (e *Engine) readFrame(f Frame, budget *cropBudget) (frameLines, error) {
	lines, err := e.Read(f.Image)
	if err != nil {
		return frameLines{}, err
	}
	fl := frameLines{TimeMs: f.TimeMs, Lines: lines, Crops: make([]crop, len(lines))}
	size := 0
	for _, l := range lines {
		size += l.Box.W() * l.Box.H() * 3
	}
	if budget.take(size) {
		for i, l := range lines {
			fl.Crops[i] = cut(f.Image, l.Box)
		}
	}
	return fl, nil
}

// readStride is how far apart the frames are that are always read
// (every 2 s at 2 frames a second); the frames between are read only
// where their neighbours differ.
const readStride = 4

// persistWindow is how many frames before a block are looked at for text
// that stays on screen (8 s at 2 frames a second).
const persistWindow = 16

// sameCaptions reports whether frames l and r (read or taken, as is
// every frame before base, the start of their block) show the same
// caption lines: the same texts in the same places, lines on at least
// half of the persistWindow frames before base (a watermark, read on
// some frames and missed or misread on others: a reading ≥ 0.75 similar
// counts) aside, and at least one caption line.
func sameCaptions(read []*frameLines, l, r, base int) bool {
	a, b := read[l].Lines, read[r].Lines
	lo := base - persistWindow
	persistent := func(line Line) bool {
		if lo < 0 {
			return false
		}
		on := 0
		for j := lo; j < base; j++ {
			for _, m := range read[j].Lines {
				if samePlace(m.Box, line.Box) && similar(m.Text, line.Text) >= 0.75 {
					on++
					break
				}
			}
		}
		return on*2 >= persistWindow
	}
	var ca, cb []Line
	for _, line := range a {
		if !persistent(line) {
			ca = append(ca, line)
		}
	}
	for _, line := range b {
		if !persistent(line) {
			cb = append(cb, line)
		}
	}
	if len(ca) == 0 || len(ca) != len(cb) {
		return false
	}
	for i := range ca {
		if ca[i].Text != cb[i].Text || !samePlace(ca[i].Box, cb[i].Box) {
			return false
		}
	}
	return true
}

// samePlace reports whether two boxes are one line of text in the same
// place: centres within half a line's height, and overlapping over at
// least half of the narrower one's width.
func samePlace(a, b Rect) bool {
	h := float64(min(a.H(), b.H()))
	if math.Abs(a.CY()-b.CY())*2 > h {
		return false
	}
	overlap := min(a.X1, b.X1) - max(a.X0, b.X0)
	return overlap*2 >= min(a.W(), b.W())
}

// cut copies rectangle r of img.
func cut(img Image, r Rect) crop {
	c := crop{Rect: r, Pix: make([]byte, 0, r.W()*r.H()*3)}
	for y := r.Y0; y < r.Y1; y++ {
		c.Pix = append(c.Pix, img.Pix[(y*img.W+r.X0)*3:(y*img.W+r.X1)*3]...)
	}
	return c
}
