package ocr

import (
	"fmt"
	"math"
	"sort"
	"sync"

	ort "github.com/yalue/onnxruntime_go"
)

// PaddleOCR's detection input normalisation, per channel in B, G, R order
// (the models were trained on OpenCV's BGR pictures).
var (
	detMean = [3]float32{0.485, 0.456, 0.406}
	detStd  = [3]float32{0.229, 0.224, 0.225}
)

// Detect returns the boxes of the text lines in img, top to bottom, left
// to right. It is PP-OCR's DB post-processing for horizontal text: the
// probability map is thresholded, each connected region whose mean
// probability is over BoxThreshold is a text kernel, and its bounding box
// is grown by area×UnclipRatio/perimeter on every side.
func (e *Engine) Detect(img Image) ([]Rect, error) {
	if img.W < 4 || img.H < 4 {
		return nil, nil
	}
	scale := math.Min(1, float64(e.opts.DetMaxSide)/float64(max(img.W, img.H)))
	dw := max(32, int(math.Round(float64(img.W)*scale/32))*32)
	dh := max(32, int(math.Round(float64(img.H)*scale/32))*32)
	input := make([]float32, 3*dw*dh)
	resizeInto(input, img, Rect{0, 0, img.W, img.H}, dw, dh, func(c int, v float32) float32 {
		return (v/255 - detMean[c]) / detStd[c]
	})
	in, err := ort.NewTensor(ort.NewShape(1, 3, int64(dh), int64(dw)), input)
	if err != nil {
		return nil, fmt.Errorf("detection input: %w", err)
	}
	defer in.Destroy()
	outs := []ort.Value{nil}
	if err := e.det.Run([]ort.Value{in}, outs); err != nil {
		return nil, fmt.Errorf("text detection: %w", err)
	}
	defer outs[0].Destroy()
	out, ok := outs[0].(*ort.Tensor[float32])
	if !ok {
		return nil, fmt.Errorf("text detection: unexpected output %T", outs[0])
	}
	shape := out.GetShape()
	if len(shape) != 4 || shape[2] != int64(dh) || shape[3] != int64(dw) {
		return nil, fmt.Errorf("text detection: unexpected output shape %v", shape)
	}
	boxes := dbBoxes(out.GetData(), dw, dh, e.opts.DetThreshold, e.opts.BoxThreshold, e.opts.UnclipRatio)
	sx, sy := float64(img.W)/float64(dw), float64(img.H)/float64(dh)
	var rects []Rect
	for _, b := range boxes {
		r := Rect{
			X0: clamp(int(math.Floor(b[0]*sx)), 0, img.W), Y0: clamp(int(math.Floor(b[1]*sy)), 0, img.H),
			X1: clamp(int(math.Ceil(b[2]*sx)), 0, img.W), Y1: clamp(int(math.Ceil(b[3]*sy)), 0, img.H),
		}
		if r.W() >= 4 && r.H() >= 4 {
			rects = append(rects, r)
		}
	}
	rects = mergeLines(rects)
	sort.Slice(rects, func(i, j int) bool {
		if math.Abs(rects[i].CY()-rects[j].CY()) > float64(min(rects[i].H(), rects[j].H()))/2 {
			return rects[i].Y0 < rects[j].Y0
		}
		return rects[i].X0 < rects[j].X0
	})
	return rects, nil
}

// mergeLines joins boxes that are pieces of one line of text: side by
// side at the same height with a gap under half a line's height (DB can
// split a line at wide-set punctuation or a space; each piece alone would
// be read as a line of its own).
func mergeLines(rects []Rect) []Rect {
	for merged := true; merged; {
		merged = false
		for i := 0; i < len(rects) && !merged; i++ {
			for j := i + 1; j < len(rects); j++ {
				a, b := rects[i], rects[j]
				h := max(a.H(), b.H())
				gap := max(a.X0, b.X0) - min(a.X1, b.X1)
				overlap := min(a.Y1, b.Y1) - max(a.Y0, b.Y0)
				if gap*2 > h || overlap*2 < min(a.H(), b.H()) || math.Abs(a.CY()-b.CY())*10 > float64(h)*3 {
					continue
				}
				rects[i] = Rect{min(a.X0, b.X0), min(a.Y0, b.Y0), max(a.X1, b.X1), max(a.Y1, b.Y1)}
				rects = append(rects[:j], rects[j+1:]...)
				merged = true
				break
			}
		}
	}
	return rects
}

// dbBoxes turns a w×h probability map into grown boxes (x0, y0, x1, y1)
// in map coordinates.
func dbBoxes(prob []float32, w, h int, thresh, boxThresh float32, unclip float64) [][4]float64 {
	label := make([]int32, w*h)
	var boxes [][4]float64
	var stack []int
	next := int32(0)
	for start := range prob {
		if prob[start] <= thresh || label[start] != 0 {
			continue
		}
		next++
		x0, y0, x1, y1 := w, h, -1, -1
		n := 0
		stack = append(stack[:0], start)
		label[start] = next
		for len(stack) > 0 {
			p := stack[len(stack)-1]
			stack = stack[:len(stack)-1]
			x, y := p%w, p/w
			n++
			x0, x1, y0, y1 = min(x0, x), max(x1, x), min(y0, y), max(y1, y)
			for _, q := range [4]int{p - 1, p + 1, p - w, p + w} {
				if q < 0 || q >= len(prob) || (q == p-1 && x == 0) || (q == p+1 && x == w-1) {
					continue
				}
				if label[q] == 0 && prob[q] > thresh {
					label[q] = next
					stack = append(stack, q)
				}
			}
		}
		bw, bh := float64(x1-x0+1), float64(y1-y0+1)
		if min(bw, bh) < 3 || n < 10 {
			continue
		}
		var sum float64
		for y := y0; y <= y1; y++ {
			for _, v := range prob[y*w+x0 : y*w+x1+1] {
				sum += float64(v)
			}
		}
		if float32(sum/(bw*bh)) < boxThresh {
			continue
		}
		d := bw * bh * unclip / (2 * (bw + bh))
		boxes = append(boxes, [4]float64{float64(x0) - d, float64(y0) - d, float64(x1+1) + d, float64(y1+1) + d})
	}
	return boxes
}

// resizeInto writes the src rectangle of img scaled to w×h into dst as a
// planar 3×h×w tensor in B, G, R channel order, each value passed through
// norm(channel, value). Shrinking averages the covered pixels (area
// resampling, in two separable passes); growing
// interpolates bilinearly.
func resizeInto(dst []float32, img Image, src Rect, w, h int, norm func(c int, v float32) float32) {
	sx := float64(src.W()) / float64(w)
	sy := float64(src.H()) / float64(h)
	if sx > 1 || sy > 1 {
		resizeArea(dst, img, src, w, h, norm)
		return
	}
	plane := w * h
	for y := 0; y < h; y++ {
		fy0 := float64(src.Y0) + float64(y)*sy
		fy1 := fy0 + sy
		for x := 0; x < w; x++ {
			fx0 := float64(src.X0) + float64(x)*sx
			fx1 := fx0 + sx
			rgb := bilinear(img, (fx0+fx1)/2-0.5, (fy0+fy1)/2-0.5)
			o := y*w + x
			// BGR order.
			dst[o] = norm(0, float32(rgb[2]))
			dst[plane+o] = norm(1, float32(rgb[1]))
			dst[2*plane+o] = norm(2, float32(rgb[0]))
		}
	}
}

// areaSpan is the input pixels one output pixel covers along one axis:
// from first on, with weights summing to 1.
type areaSpan struct {
	first int
	w     []float32
}

// areaSpans are the spans of n output pixels over the input pixels lo …
// lo+size−1 (clamped to 0 … limit−1), each covering size/n of them.
func areaSpans(lo, size, n, limit int) []areaSpan {
	s := float64(size) / float64(n)
	out := make([]areaSpan, n)
	for i := range out {
		f0 := float64(lo) + float64(i)*s
		f1 := f0 + s
		i0, i1 := int(math.Floor(f0)), int(math.Ceil(f1))
		var sum float64
		var ws []float64
		first := -1
		for p := i0; p < i1; p++ {
			wt := math.Min(f1, float64(p+1)) - math.Max(f0, float64(p))
			if wt <= 0 {
				continue
			}
			if first < 0 {
				first = p
			}
			ws = append(ws, wt)
			sum += wt
		}
		sp := areaSpan{first: first, w: make([]float32, len(ws))}
		for k, wt := range ws {
			sp.w[k] = float32(wt / sum)
		}
		// Pixels past the picture's edge repeat the edge pixel.
		for sp.first < 0 && len(sp.w) > 1 {
			sp.first++
			sp.w[1] += sp.w[0]
			sp.w = sp.w[1:]
		}
		for sp.first+len(sp.w) > limit && len(sp.w) > 1 {
			k := len(sp.w) - 1
			sp.w[k-1] += sp.w[k]
			sp.w = sp.w[:k]
		}
		out[i] = sp
	}
	return out
}

// rowBuffers hold resizeArea's intermediate rows (12 MB for a 1080×1920
// frame) between calls.
var rowBuffers sync.Pool

// resizeArea is resizeInto's area resampling: each source row of src is
// first averaged across into w pixels, then the rows are averaged down
// into h.
func resizeArea(dst []float32, img Image, src Rect, w, h int, norm func(c int, v float32) float32) {
	xs := areaSpans(src.X0, src.W(), w, img.W)
	ys := areaSpans(src.Y0, src.H(), h, img.H)
	need := src.H() * w * 3 // the source rows, w pixels wide
	buf, _ := rowBuffers.Get().(*[]float32)
	if buf == nil || cap(*buf) < need {
		b := make([]float32, need)
		buf = &b
	}
	defer rowBuffers.Put(buf)
	rows := (*buf)[:need]
	for r := 0; r < src.H(); r++ {
		y := clamp(src.Y0+r, 0, img.H-1)
		line := img.Pix[y*img.W*3 : (y+1)*img.W*3]
		out := rows[r*w*3 : (r+1)*w*3]
		for x, sp := range xs {
			var cr, cg, cb float32
			p := line[sp.first*3:]
			for k, wt := range sp.w {
				cr += wt * float32(p[3*k])
				cg += wt * float32(p[3*k+1])
				cb += wt * float32(p[3*k+2])
			}
			out[3*x], out[3*x+1], out[3*x+2] = cr, cg, cb
		}
	}
	plane := w * h
	acc := make([]float32, w*3)
	for y, sp := range ys {
		clear(acc)
		for k, wt := range sp.w {
			r := sp.first + k - src.Y0
			r = clamp(r, 0, src.H()-1)
			for i, v := range rows[r*w*3 : (r+1)*w*3] {
				acc[i] += wt * v
			}
		}
		o := y * w
		for x := 0; x < w; x++ {
			// BGR order.
			dst[o+x] = norm(0, acc[3*x+2])
			dst[plane+o+x] = norm(1, acc[3*x+1])
			dst[2*plane+o+x] = norm(2, acc[3*x])
		}
	}
}

// bilinear samples img at (x, y) in pixel-centre coordinates.
func bilinear(img Image, x, y float64) [3]float64 {
	x = math.Max(0, math.Min(x, float64(img.W-1)))
	y = math.Max(0, math.Min(y, float64(img.H-1)))
	xi, yi := int(x), int(y)
	xj, yj := min(xi+1, img.W-1), min(yi+1, img.H-1)
	fx, fy := x-float64(xi), y-float64(yi)
	var out [3]float64
	r00, g00, b00 := img.at(xi, yi)
	r10, g10, b10 := img.at(xj, yi)
	r01, g01, b01 := img.at(xi, yj)
	r11, g11, b11 := img.at(xj, yj)
	mix := func(a, b, c, d byte) float64 {
		top := float64(a)*(1-fx) + float64(b)*fx
		bot := float64(c)*(1-fx) + float64(d)*fx
		return top*(1-fy) + bot*fy
	}
	out[0] = mix(r00, r10, r01, r11)
	out[1] = mix(g00, g10, g01, g11)
	out[2] = mix(b00, b10, b01, b11)
	return out
}

func clamp(v, lo, hi int) int {
	return max(lo, min(v, hi))
}
