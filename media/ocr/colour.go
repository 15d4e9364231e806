package ocr

import (
	"fmt"
	"sort"
)

// fillColors estimates a caption's fill colour from copies of its box in
// the frames that showed it. Caption pixels stay put while the picture
// behind them moves, so pixels whose colour barely changes over the
// frames are caption (fill, outline, shadow or an opaque box). The main
// colours of those pixels are the candidates, best first (see bin.score):
// the fill is the one deepest inside the stable shape: an outline or
// shadow borders the moving picture, a box borders the box's edge, the
// fill lies within them. With fewer than three frames every pixel counts
// as stable. It returns none without crops.
func fillColors(crops []crop) []colour {
	if len(crops) == 0 {
		return nil
	}
	if len(crops) > 8 {
		picked := make([]crop, 0, 8)
		for i := 0; i < 8; i++ {
			picked = append(picked, crops[i*len(crops)/8])
		}
		crops = picked
	}
	r := crops[0].Rect
	for _, c := range crops[1:] {
		r = Rect{max(r.X0, c.X0), max(r.Y0, c.Y0), min(r.X1, c.X1), min(r.Y1, c.Y1)}
	}
	if r.W() < 8 || r.H() < 8 {
		// The boxes moved: use the widest one alone.
		best := crops[0]
		for _, c := range crops {
			if c.W() > best.W() {
				best = c
			}
		}
		crops, r = []crop{best}, best.Rect
	}
	w, h := r.W(), r.H()
	px := func(c crop, x, y int) (byte, byte, byte) {
		i := ((y+r.Y0-c.Y0)*c.W() + x + r.X0 - c.X0) * 3
		return c.Pix[i], c.Pix[i+1], c.Pix[i+2]
	}
	// Stable pixels and their colour in the middle frame.
	stable := make([]bool, w*h)
	spread := make([]int, w*h) // the largest channel's range over the frames
	mid := crops[len(crops)/2]
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			ok := true
			if len(crops) >= 3 {
				var lo, hi [3]int
				for k, c := range crops {
					cr, cg, cb := px(c, x, y)
					v := [3]int{int(cr), int(cg), int(cb)}
					for ch := 0; ch < 3; ch++ {
						if k == 0 || v[ch] < lo[ch] {
							lo[ch] = v[ch]
						}
						if k == 0 || v[ch] > hi[ch] {
							hi[ch] = v[ch]
						}
					}
				}
				for ch := 0; ch < 3; ch++ {
					spread[y*w+x] = max(spread[y*w+x], hi[ch]-lo[ch])
				}
				ok = spread[y*w+x] <= maxSpread
			}
			stable[y*w+x] = ok
		}
	}
	dist := insideDistance(stable, w, h)
	// Strokes are thin: inside depth beyond a stroke's half width says
	// nothing more (a still, plain patch of picture is deep but no text),
	// and every pixel of a stroke lies near an edge of the drawing.
	depthCap := int32(max(3, h/8))
	nearEdge := edgeNear(mid, r, max(2, h/10))
	// Colour bins of 32 levels a channel over the stable pixels.
	bins := map[int]*bin{}
	total := 0
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			i := y*w + x
			if !stable[i] {
				continue
			}
			cr, cg, cb := px(mid, x, y)
			k := int(cr>>5)<<6 | int(cg>>5)<<3 | int(cb>>5)
			bn := bins[k]
			if bn == nil {
				bn = &bin{key: k}
				bins[k] = bn
			}
			bn.n++
			bn.dsum += float64(min(dist[i], depthCap))
			if nearEdge[i] {
				bn.edge++
			}
			bn.strict += 1 - float64(spread[i])/(maxSpread+1)
			bn.r += int(cr)
			bn.g += int(cg)
			bn.b += int(cb)
			total++
		}
	}
	var out []colour
	for _, bn := range bins {
		if bn.n*10 < total {
			continue // anti-aliasing and noise
		}
		out = append(out, colour{key: bn.key, hex: fmt.Sprintf("#%02X%02X%02X", bn.r/bn.n, bn.g/bn.n, bn.b/bn.n), score: bn.score()})
	}
	sort.Slice(out, func(i, j int) bool {
		return out[i].score > out[j].score || out[i].score == out[j].score && out[i].key < out[j].key
	})
	return out
}

// colour is a candidate fill colour of a caption.
type colour struct {
	key   int // the 32-level bin
	hex   string
	score float64
}

// pickColours chooses each caption's colour from its candidates. A video's
// captions mostly share one style, so the colour most captions rank first
// wins in every caption that also has it as a strong candidate (at least
// a third of its best score): a still patch of picture behind one caption
// does not outvote the style of the rest.
func pickColours(cands [][]colour) []string {
	votes := map[int]int{}
	for _, c := range cands {
		if len(c) > 0 {
			votes[c[0].key]++
		}
	}
	common, n := -1, 0
	for k, v := range votes {
		if v > n || v == n && k < common {
			common, n = k, v
		}
	}
	out := make([]string, len(cands))
	for i, c := range cands {
		if len(c) == 0 {
			continue
		}
		out[i] = c[0].hex
		if n*2 <= len(cands) || c[0].key == common {
			continue // no majority, or it is already the majority's
		}
		for _, alt := range c[1:] {
			if alt.key == common && alt.score*3 >= c[0].score {
				out[i] = alt.hex
				break
			}
		}
	}
	return out
}

// maxSpread is the most a stable pixel's colour may vary over the frames.
const maxSpread = 48

// bin is the stable pixels of one colour bin: how many, how deep inside
// the stable shape and how still they are in total, and their colour sum.
type bin struct {
	n       int
	dsum    float64
	strict  float64
	edge    int
	r, g, b int
	key     int
}

// score ranks a bin as the fill: deep inside the caption (up to a
// stroke's depth), still (a translucent box's pixels pass as stable over
// dark pictures, but they still move with the picture; the text drawn on
// it does not) and near edges (strokes are thin; a plain patch of the
// picture that happens to stay put is not).
func (b *bin) score() float64 {
	n := float64(b.n)
	return b.dsum / n * (b.strict / n) * (float64(b.edge) / n)
}

// insideDistance is, for each pixel, its city-block distance to the
// nearest unstable pixel or to the edge (0 for unstable pixels).
func insideDistance(stable []bool, w, h int) []int32 {
	const far = 1 << 30
	d := make([]int32, w*h)
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			i := y*w + x
			switch {
			case !stable[i]:
				d[i] = 0
			case x == 0 || y == 0:
				d[i] = 1
			default:
				d[i] = min(far, d[i-1]+1, d[i-w]+1)
			}
		}
	}
	for y := h - 1; y >= 0; y-- {
		for x := w - 1; x >= 0; x-- {
			i := y*w + x
			if x == w-1 || y == h-1 {
				d[i] = min(d[i], 1)
				continue
			}
			d[i] = min(d[i], d[i+1]+1, d[i+w]+1)
		}
	}
	return d
}

// edgeNear marks the pixels of rectangle r of c within reach (city-block)
// of a strong luminance edge.
func edgeNear(c crop, r Rect, reach int) []bool {
	w, h := r.W(), r.H()
	luma := make([]int, w*h)
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			i := ((y+r.Y0-c.Y0)*c.W() + x + r.X0 - c.X0) * 3
			luma[y*w+x] = (299*int(c.Pix[i]) + 587*int(c.Pix[i+1]) + 114*int(c.Pix[i+2])) / 1000
		}
	}
	notEdge := make([]bool, w*h)
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			i := y*w + x
			g := 0
			if x+1 < w {
				g = max(g, abs(luma[i+1]-luma[i]))
			}
			if y+1 < h {
				g = max(g, abs(luma[i+w]-luma[i]))
			}
			notEdge[i] = g < 60
		}
	}
	d := distanceTo(notEdge, w, h)
	near := make([]bool, w*h)
	for i := range near {
		near[i] = d[i] <= int32(reach)
	}
	return near
}

// distanceTo is, for each pixel, its city-block distance to the nearest
// pixel where away is false (a large number when there is none).
func distanceTo(away []bool, w, h int) []int32 {
	const far = 1 << 29
	d := make([]int32, w*h)
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			i := y*w + x
			if !away[i] {
				continue
			}
			d[i] = far
			if x > 0 {
				d[i] = min(d[i], d[i-1]+1)
			}
			if y > 0 {
				d[i] = min(d[i], d[i-w]+1)
			}
		}
	}
	for y := h - 1; y >= 0; y-- {
		for x := w - 1; x >= 0; x-- {
			i := y*w + x
			if x < w-1 {
				d[i] = min(d[i], d[i+1]+1)
			}
			if y < h-1 {
				d[i] = min(d[i], d[i+w]+1)
			}
		}
	}
	return d
}

func abs(v int) int {
	if v < 0 {
		return -v
	}
	return v
}
