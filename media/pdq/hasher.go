package pdq

import (
	"errors"
	"math"
	"slices"
)

// MinSide is the smallest side a picture may have: the DCT keeps 16×16
// frequencies, which a smaller picture cannot carry.
const MinSide = 16

// ErrTooSmall reports a picture with a side under MinSide pixels.
var ErrTooSmall = errors.New("pdq: picture too small to hash")

// Luminance weights (BT.601), as the reference implementations use them.
const (
	lumaR = float32(0.299)
	lumaG = float32(0.587)
	lumaB = float32(0.114)
)

// dctMatrix holds the rows 1–16 of the 64-point DCT-II basis, scaled by
// √(2/64): the reference computes the cosines in double precision and
// stores them as float32.
var dctMatrix = func() (d [16][64]float32) {
	scale := float32(math.Sqrt(2.0 / 64.0))
	for i := 0; i < 16; i++ {
		for j := 0; j < 64; j++ {
			d[i][j] = float32(float64(scale) * math.Cos((math.Pi/2/64.0)*float64(i+1)*float64(2*j+1)))
		}
	}
	return d
}()

// Hasher computes hashes, keeping its buffers between calls. The zero
// value is ready to use; a Hasher is not safe for concurrent use.
type Hasher struct {
	luma, tmp []float32
	small     [64][64]float32
	half      [16][64]float32
	coef      [16][16]float32
	aux       [16][16]float32
	sorted    [256]float32
	sums      []float32
}

// FromGray hashes a w×h picture of 8-bit luminance whose rows start stride
// bytes apart.
func (h *Hasher) FromGray(pix []byte, w, ht, stride int) (Hash, int, error) {
	if w < MinSide || ht < MinSide {
		return Hash{}, 0, ErrTooSmall
	}
	if stride < w || len(pix) < (ht-1)*stride+w {
		return Hash{}, 0, errors.New("pdq: grey buffer shorter than its size")
	}
	luma := h.lumaBuffer(w * ht)
	for y := 0; y < ht; y++ {
		row := pix[y*stride : y*stride+w]
		out := luma[y*w : (y+1)*w]
		for x, v := range row {
			out[x] = float32(v)
		}
	}
	hash, q := h.fromLuma(luma, w, ht)
	return hash, q, nil
}

func (h *Hasher) lumaBuffer(n int) []float32 {
	if cap(h.luma) < n {
		h.luma = make([]float32, n)
		h.tmp = make([]float32, n)
	}
	return h.luma[:n]
}

func (h *Hasher) fromLuma(luma []float32, w, ht int) (Hash, int) {
	return h.hashPlane(luma, h.tmp[:w*ht], w, ht)
}

// hashPlane blurs and decimates plane to 64×64, measures the quality, takes
// the DCT and thresholds it at the median.
func (h *Hasher) hashPlane(plane, tmp []float32, w, ht int) (Hash, int) {
	if w != 64 || ht != 64 {
		wr := jaroszWindow(w)
		wc := jaroszWindow(ht)
		for pass := 0; pass < 2; pass++ {
			for y := 0; y < ht; y++ {
				box1D(plane[y*w:], tmp[y*w:], w, 1, wr)
			}
			h.boxColumns(tmp, plane, w, ht, wc)
		}
	}
	for i := 0; i < 64; i++ {
		y := int((float64(i) + 0.5) * float64(ht) / 64)
		for j := 0; j < 64; j++ {
			x := int((float64(j) + 0.5) * float64(w) / 64)
			h.small[i][j] = plane[y*w+x]
		}
	}
	q := quality(&h.small)
	h.dct()
	return thresholdMedian(&h.coef, &h.sorted), q
}

// jaroszWindow is the box filter's window along a side: half of a 64th of
// it, rounded up, since two passes make the full tent.
func jaroszWindow(side int) int { return (side + 127) / 128 }

// box1D is a running-mean box filter of window full over n values of in,
// stride apart, written to out; the window shrinks at both ends.
func box1D(in, out []float32, n, stride, full int) {
	half := (full + 2) / 2
	p1 := half - 1
	p2 := full - half + 1
	p3 := n - full
	p4 := half - 1
	li, ri, oi := 0, 0, 0
	var sum float32
	size := 0
	for i := 0; i < p1; i++ {
		sum += in[ri]
		size++
		ri += stride
	}
	for i := 0; i < p2; i++ {
		sum += in[ri]
		size++
		out[oi] = sum / float32(size)
		ri += stride
		oi += stride
	}
	for i := 0; i < p3; i++ {
		sum += in[ri]
		sum -= in[li]
		out[oi] = sum / float32(size)
		li += stride
		ri += stride
		oi += stride
	}
	for i := 0; i < p4; i++ {
		sum -= in[li]
		size--
		out[oi] = sum / float32(size)
		li += stride
		oi += stride
	}
}

// boxColumns is box1D down every column of in (w×ht, row-major) into out,
// walking whole rows at a time so memory is read in order: each column's
// sum sees the same additions, subtractions and divisions as box1D's.
func (h *Hasher) boxColumns(in, out []float32, w, ht, full int) {
	if cap(h.sums) < w {
		h.sums = make([]float32, w)
	}
	sums := h.sums[:w]
	clear(sums)
	half := (full + 2) / 2
	p1 := half - 1
	p2 := full - half + 1
	p3 := ht - full
	p4 := half - 1
	li, ri, oi := 0, 0, 0
	size := 0
	for i := 0; i < p1; i++ {
		row := in[ri*w : ri*w+w]
		for x, v := range row {
			sums[x] += v
		}
		size++
		ri++
	}
	for i := 0; i < p2; i++ {
		row := in[ri*w : ri*w+w]
		dst := out[oi*w : oi*w+w]
		size++
		n := float32(size)
		for x, v := range row {
			sums[x] += v
			dst[x] = sums[x] / n
		}
		ri++
		oi++
	}
	for i := 0; i < p3; i++ {
		add := in[ri*w : ri*w+w]
		sub := in[li*w : li*w+w]
		dst := out[oi*w : oi*w+w]
		n := float32(size)
		for x := range dst {
			s := sums[x] + add[x]
			s -= sub[x]
			sums[x] = s
			dst[x] = s / n
		}
		li++
		ri++
		oi++
	}
	for i := 0; i < p4; i++ {
		sub := in[li*w : li*w+w]
		dst := out[oi*w : oi*w+w]
		size--
		n := float32(size)
		for x := range dst {
			sums[x] -= sub[x]
			dst[x] = sums[x] / n
		}
		li++
		oi++
	}
}

// quality counts the significant gradients of the 64×64 picture: each
// neighbour difference in percent of full scale, truncated, summed, over 90,
// at most 100.
func quality(m *[64][64]float32) int {
	sum := 0
	for i := 0; i < 63; i++ {
		for j := 0; j < 64; j++ {
			d := int((m[i][j] - m[i+1][j]) * 100 / 255)
			sum += abs(d)
		}
	}
	for i := 0; i < 64; i++ {
		for j := 0; j < 63; j++ {
			d := int((m[i][j] - m[i][j+1]) * 100 / 255)
			sum += abs(d)
		}
	}
	return min(sum/90, 100)
}

func abs(v int) int {
	if v < 0 {
		return -v
	}
	return v
}

// dct computes coef = D · small · Dᵀ for the 16 kept frequencies, summing
// in the reference's order.
func (h *Hasher) dct() {
	for i := 0; i < 16; i++ {
		d := &dctMatrix[i]
		for j := 0; j < 64; j++ {
			var s float32
			for k := 0; k < 64; k++ {
				s += d[k] * h.small[k][j]
			}
			h.half[i][j] = s
		}
	}
	for i := 0; i < 16; i++ {
		t := &h.half[i]
		for j := 0; j < 16; j++ {
			d := &dctMatrix[j]
			var s float32
			for k := 0; k < 64; k++ {
				s += t[k] * d[k]
			}
			h.coef[i][j] = s
		}
	}
}

// thresholdMedian sets the bits of the coefficients above their median
// (the 128th smallest, as the reference's Torben median gives).
func thresholdMedian(c *[16][16]float32, sorted *[256]float32) Hash {
	for i := 0; i < 16; i++ {
		copy(sorted[i*16:], c[i][:])
	}
	slices.Sort(sorted[:])
	median := sorted[127]
	var hash Hash
	for i := 0; i < 16; i++ {
		for j := 0; j < 16; j++ {
			if c[i][j] > median {
				hash.set(i*16 + j)
			}
		}
	}
	return hash
}
