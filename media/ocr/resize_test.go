package ocr

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/require"
)

// areaAverage is the mean colour over [x0,x1)×[y0,y1), whole pixels
// weighted by how much of each the span covers.
func areaAverage(img Image, x0, y0, x1, y1 float64) [3]float64 {
	var acc [3]float64
	var wsum float64
	iy0, iy1 := int(math.Floor(y0)), int(math.Ceil(y1))
	ix0, ix1 := int(math.Floor(x0)), int(math.Ceil(x1))
	for y := iy0; y < iy1; y++ {
		wy := math.Min(y1, float64(y+1)) - math.Max(y0, float64(y))
		if wy <= 0 {
			continue
		}
		yy := clamp(y, 0, img.H-1)
		for x := ix0; x < ix1; x++ {
			wx := math.Min(x1, float64(x+1)) - math.Max(x0, float64(x))
			if wx <= 0 {
				continue
			}
			r, g, b := img.at(clamp(x, 0, img.W-1), yy)
			wgt := wx * wy
			acc[0] += wgt * float64(r)
			acc[1] += wgt * float64(g)
			acc[2] += wgt * float64(b)
			wsum += wgt
		}
	}
	if wsum > 0 {
		acc[0] /= wsum
		acc[1] /= wsum
		acc[2] /= wsum
	}
	return acc
}

// resizeSlow is the area resampling of one pixel at a time (what
// resizeArea must equal).
func resizeSlow(dst []float32, img Image, src Rect, w, h int) {
	sx := float64(src.W()) / float64(w)
	sy := float64(src.H()) / float64(h)
	plane := w * h
	for y := 0; y < h; y++ {
		fy0 := float64(src.Y0) + float64(y)*sy
		for x := 0; x < w; x++ {
			fx0 := float64(src.X0) + float64(x)*sx
			rgb := areaAverage(img, fx0, fy0, fx0+sx, fy0+sy)
			o := y*w + x
			dst[o], dst[plane+o], dst[2*plane+o] = float32(rgb[2]), float32(rgb[1]), float32(rgb[0])
		}
	}
}

func randomImage(w, h int, seed uint64) Image {
	r := rand.New(rand.NewPCG(seed, 2))
	img := Image{W: w, H: h, Pix: make([]byte, w*h*3)}
	for i := range img.Pix {
		img.Pix[i] = byte(r.IntN(256))
	}
	return img
}

// TestResizeAreaMatchesPerPixel: the two-pass area resampling gives the
// per-pixel area average (within float32 rounding) for a detection-sized
// frame, caption crops shrunk to the recognition height, and shapes that
// shrink one way and grow the other.
func TestResizeAreaMatchesPerPixel(t *testing.T) {
	img := randomImage(1080, 1920, 1)
	for _, c := range []struct {
		src  Rect
		w, h int
	}{
		{Rect{0, 0, 1080, 1920}, 544, 960},
		{Rect{0, 0, 1080, 1920}, 416, 736},
		{Rect{93, 1201, 987, 1283}, 523, 48},
		{Rect{20, 20, 301, 61}, 329, 48}, // taller than 48: shrinks down, grows across
		{Rect{5, 7, 95, 151}, 30, 200},   // shrinks across, grows down
		{Rect{1000, 1900, 1080, 1920}, 7, 3},
	} {
		got := make([]float32, 3*c.w*c.h)
		want := make([]float32, 3*c.w*c.h)
		resizeArea(got, img, c.src, c.w, c.h, func(_ int, v float32) float32 { return v })
		resizeSlow(want, img, c.src, c.w, c.h)
		worst := 0.0
		for i := range got {
			worst = math.Max(worst, math.Abs(float64(got[i]-want[i])))
		}
		require.Less(t, worst, 0.01, "%v → %d×%d", c.src, c.w, c.h)
	}
}

// BenchmarkResizeDetect is the detection input of a 1080×1920 frame.
func BenchmarkResizeDetect(b *testing.B) {
	img := randomImage(1080, 1920, 1)
	dst := make([]float32, 3*544*960)
	norm := func(c int, v float32) float32 { return (v/255 - detMean[c]) / detStd[c] }
	for b.Loop() {
		resizeInto(dst, img, Rect{0, 0, 1080, 1920}, 544, 960, norm)
	}
}

// BenchmarkResizeDetectPerPixel is the same with one pixel at a time (the
// resampling before the two-pass one).
func BenchmarkResizeDetectPerPixel(b *testing.B) {
	img := randomImage(1080, 1920, 1)
	dst := make([]float32, 3*544*960)
	for b.Loop() {
		resizeSlow(dst, img, Rect{0, 0, 1080, 1920}, 544, 960)
	}
}
