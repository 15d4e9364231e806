package media

import (
	"math"
	"sort"
)

// Frame is one small grey video frame, row-major, one byte per pixel.
type Frame struct {
	W, H int
	Pix  []byte
}

// Motion is the global motion between two frames: the picture content moved
// by (Tx, Ty) pixels (x right, y down) and grew by factor 1+K about the
// frame centre. Cut marks frames that do not show the same scene.
type Motion struct {
	Tx, Ty, K float64
	// Valid is false when too few textured blocks agreed (flat picture).
	Valid bool
	// Cut is true when the second frame shows a different scene.
	Cut bool
}

// Block matching parameters: blockSize-pixel blocks on a grid of
// blockStep (about 50 blocks on a 160×90 frame), each searched within
// ±searchRadius pixels.
const (
	blockSize    = 12
	blockStep    = 14
	searchRadius = 7
	// minBlockStd is the grey-level deviation below which a block is flat
	// (no texture to match).
	minBlockStd = 4.0
	// cutSAD is the median per-pixel matching error above which the two
	// frames show different scenes.
	cutSAD = 28.0
	// minBlocks is the fewest agreeing blocks that make a valid estimate.
	minBlocks = 6
)

type blockVec struct {
	x, y   float64 // block centre relative to the frame centre
	vx, vy float64 // content motion
	sad    float64 // per-pixel matching error
}

// EstimateMotion measures the global motion from a to b (same size) by
// matching textured blocks of a in b and fitting translation plus zoom
// about the centre, refitting without blocks that move on their own
// (subjects, on-screen timers).
func EstimateMotion(a, b Frame) Motion {
	if a.W != b.W || a.H != b.H || len(a.Pix) < a.W*a.H || len(b.Pix) < b.W*b.H {
		return Motion{}
	}
	var vecs []blockVec
	var sads []float64
	cx, cy := float64(a.W)/2, float64(a.H)/2
	for y0 := searchRadius; y0+blockSize+searchRadius <= a.H; y0 += blockStep {
		for x0 := searchRadius; x0+blockSize+searchRadius <= a.W; x0 += blockStep {
			if blockStd(a, x0, y0) < minBlockStd {
				continue
			}
			v, ok := matchBlock(a, b, x0, y0)
			sads = append(sads, v.sad)
			if !ok {
				continue
			}
			v.x = float64(x0) + blockSize/2 - cx
			v.y = float64(y0) + blockSize/2 - cy
			vecs = append(vecs, v)
		}
	}
	if len(sads) >= minBlocks && median(sads) > cutSAD {
		return Motion{Cut: true}
	}
	if len(vecs) < minBlocks {
		return Motion{}
	}
	tx, ty, k := fitMotion(vecs)
	for iter := 0; iter < 3; iter++ {
		res := make([]float64, len(vecs))
		for i, v := range vecs {
			res[i] = math.Hypot(v.vx-tx-k*v.x, v.vy-ty-k*v.y)
		}
		limit := math.Max(0.75, 2.5*median(res))
		kept := vecs[:0:0]
		for i, v := range vecs {
			if res[i] <= limit {
				kept = append(kept, v)
			}
		}
		if len(kept) < minBlocks || len(kept) == len(vecs) {
			break
		}
		vecs = kept
		tx, ty, k = fitMotion(vecs)
	}
	return Motion{Tx: tx, Ty: ty, K: k, Valid: true}
}

// blockStd is the grey-level standard deviation of a block of f.
func blockStd(f Frame, x0, y0 int) float64 {
	var s, s2 float64
	for y := y0; y < y0+blockSize; y++ {
		row := f.Pix[y*f.W+x0 : y*f.W+x0+blockSize]
		for _, p := range row {
			v := float64(p)
			s += v
			s2 += v * v
		}
	}
	n := float64(blockSize * blockSize)
	m := s / n
	return math.Sqrt(math.Max(0, s2/n-m*m))
}

// matchBlock finds the displacement of block (x0, y0) of a in b with the
// least sum of absolute differences — first on every second offset, then
// among the neighbours of the best — refined to sub-pixel by a parabola
// through the neighbours. ok is false when the best match sits on the
// search border (the motion may be larger than the search).
func matchBlock(a, b Frame, x0, y0 int) (blockVec, bool) {
	best, bx, by := math.MaxInt, 0, 0
	try := func(dx, dy int) {
		c := sad(a, b, x0, y0, x0+dx, y0+dy, best)
		if c < best || (c == best && dx*dx+dy*dy < bx*bx+by*by) {
			best, bx, by = c, dx, dy
		}
	}
	const coarse = searchRadius / 2 * 2
	for dy := -coarse; dy <= coarse; dy += 2 {
		for dx := -coarse; dx <= coarse; dx += 2 {
			try(dx, dy)
		}
	}
	cx, cy := bx, by
	for dy := -1; dy <= 1; dy++ {
		for dx := -1; dx <= 1; dx++ {
			if (dx != 0 || dy != 0) && abs(cx+dx) <= searchRadius && abs(cy+dy) <= searchRadius {
				try(cx+dx, cy+dy)
			}
		}
	}
	v := blockVec{vx: float64(bx), vy: float64(by), sad: float64(best) / (blockSize * blockSize)}
	if abs(bx) >= searchRadius || abs(by) >= searchRadius {
		return v, false
	}
	// The neighbours' costs may have stopped early: measure them fully.
	exact := func(dx, dy int) int { return sad(a, b, x0, y0, x0+bx+dx, y0+by+dy, math.MaxInt) }
	v.vx += parabola(exact(-1, 0), best, exact(1, 0))
	v.vy += parabola(exact(0, -1), best, exact(0, 1))
	return v, true
}

func abs(x int) int {
	if x < 0 {
		return -x
	}
	return x
}

// sad is the sum of absolute differences between the block of a at (ax, ay)
// and the block of b at (bx, by); it stops early (returning a partial sum
// above limit) once it exceeds limit.
func sad(a, b Frame, ax, ay, bx, by, limit int) int {
	s := 0
	for y := 0; y < blockSize; y++ {
		ra := a.Pix[(ay+y)*a.W+ax:][:blockSize]
		rb := b.Pix[(by+y)*b.W+bx:][:blockSize]
		for x, p := range ra {
			d := int(p) - int(rb[x])
			s += (d ^ (d >> 63)) - (d >> 63)
		}
		if s > limit {
			return s
		}
	}
	return s
}

// parabola returns the sub-pixel offset of the minimum of a parabola
// through three equally spaced costs.
func parabola(l, c, r int) float64 {
	den := float64(l - 2*c + r)
	if den <= 0 {
		return 0
	}
	off := 0.5 * float64(l-r) / den
	return math.Max(-0.5, math.Min(0.5, off))
}

// fitMotion fits v = t + k·p (translation plus zoom about the centre) to
// the block vectors by least squares.
func fitMotion(vs []blockVec) (tx, ty, k float64) {
	// Normal equations for unknowns (tx, ty, k).
	var n, sx, sy, sxx, svx, svy, sxv float64
	for _, v := range vs {
		n++
		sx += v.x
		sy += v.y
		sxx += v.x*v.x + v.y*v.y
		svx += v.vx
		svy += v.vy
		sxv += v.x*v.vx + v.y*v.vy
	}
	// [n 0 sx; 0 n sy; sx sy sxx] [tx ty k] = [svx svy sxv]
	den := n*sxx - sx*sx - sy*sy
	if n == 0 || math.Abs(den) < 1e-9 {
		if n > 0 {
			return svx / n, svy / n, 0
		}
		return 0, 0, 0
	}
	k = (n*sxv - sx*svx - sy*svy) / den
	tx = (svx - k*sx) / n
	ty = (svy - k*sy) / n
	return tx, ty, k
}

func median(xs []float64) float64 {
	if len(xs) == 0 {
		return 0
	}
	s := append([]float64(nil), xs...)
	sort.Float64s(s)
	return s[len(s)/2]
}
