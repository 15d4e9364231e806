package media

import (
	"fmt"
	"slices"

	"elib/fingerprint/footage"
	"elib/media/pdq"
)

// FootageOptions control the footage frames of a decode pass
// (footageOutput).
type FootageOptions struct {
	// FPS is how many frames a second are hashed. The default value is 1.
	FPS float64
	// LongSide is the longer side, in pixels, of the frames hashed (the
	// other keeps the aspect ratio); PDQ reduces every picture to 64×64,
	// so more only costs decoding. The default value is 320.
	LongSide int
}

func (o *FootageOptions) ensureDefaults() {
	if o.FPS <= 0 {
		o.FPS = 1
	}
	if o.LongSide <= 0 {
		o.LongSide = 320
	}
}

// footageSize keeps the aspect ratio of w×h with the longer side long
// (both sides even, at least pdq.MinSide).
func footageSize(w, h, long int) (int, int) {
	if w <= 0 || h <= 0 {
		return long, long * 9 / 16 / 2 * 2
	}
	if w >= h {
		return long, max(pdq.MinSide, (h*long/w+1)/2*2)
	}
	return max(pdq.MinSide, (w*long/h+1)/2*2), long
}

// footageOutput is the decode pass output that fingerprints footage; the hasher
// collects its frames.
func footageOutput(info Info, opts FootageOptions) (frameOutput, *FootageHasher) {
	opts.ensureDefaults()
	w, h := footageSize(info.Width, info.Height, opts.LongSide)
	fh := NewFootageHasher(w, h, int64(1000/opts.FPS+0.5))
	return frameOutput{
		name:       "footage fingerprints",
		chain:      fmt.Sprintf("fps=%g,scale=%d:%d:flags=area,setsar=1,format=rgb24", opts.FPS, w, h),
		pixFmt:     "rgb24",
		frameBytes: w * h * 3,
		frame:      func(pix []byte) error { fh.AddRGB(pix); return nil },
	}, fh
}

// FootageHasher turns a video's sampled frames into its footage
// fingerprint. A library keeps one hash a frame: the centre 90 % of the
// picture — the whole frame, or, when the video is a picture inside a
// larger frame (a 16:9 picture in a 9:16 frame over black bars or a
// blurred copy of itself, any letterbox), that picture. A check probes
// with the whole frame, its centre 90 % and 72 % (the 90 % of a picture
// letterboxed to 80 %) and the inner picture and its 90 %, each also
// mirrored: a 10 % crop of a library video is its stored 90 %, a
// letterboxed or 9:16 re-upload contains it. Hashes of quality under
// footage.MinQuality are dropped, and a frame whose stored hash is
// dropped is not counted.
type FootageHasher struct {
	w, h       int
	intervalMs int64
	planes     [][]byte
	hasher     pdq.Hasher
}

// NewFootageHasher returns a hasher of w×h frames sampled every
// intervalMs.
func NewFootageHasher(w, h int, intervalMs int64) *FootageHasher {
	return &FootageHasher{w: w, h: h, intervalMs: max(intervalMs, 1)}
}

// AddRGB adds the next frame, w×h packed RGB. The hashing waits for
// Finish, which needs every frame to find an inner picture.
func (fh *FootageHasher) AddRGB(pix []byte) {
	n := fh.w * fh.h
	plane := make([]byte, n)
	for i := range plane {
		p := pix[i*3 : i*3+3]
		plane[i] = uint8(0.299*float32(p[0]) + 0.587*float32(p[1]) + 0.114*float32(p[2]) + 0.5)
	}
	fh.planes = append(fh.planes, plane)
}

// rect is a rectangle of a frame, [x0,x1)×[y0,y1).
type rect struct{ x0, y0, x1, y1 int }

func (r rect) w() int { return r.x1 - r.x0 }
func (r rect) h() int { return r.y1 - r.y0 }

// centre returns the centred rectangle of r holding the given share of
// each side.
func (r rect) centre(share float64) rect {
	dw := int(float64(r.w())*(1-share)/2 + 0.5)
	dh := int(float64(r.h())*(1-share)/2 + 0.5)
	return rect{r.x0 + dw, r.y0 + dh, r.x1 - dw, r.y1 - dh}
}

// Finish hashes the frames added and returns the fingerprint.
func (fh *FootageHasher) Finish() *footage.Fingerprint {
	fp := &footage.Fingerprint{IntervalMs: fh.intervalMs, Sampled: len(fh.planes)}
	whole := rect{0, 0, fh.w, fh.h}
	inner, hasInner := detectPicture(fh.planes, fh.w, fh.h)
	for i, plane := range fh.planes {
		var fr footage.Frame
		fr.Ms = int64(i) * fh.intervalMs
		add := func(r rect, store bool) {
			hash, q, err := fh.hasher.FromGray(plane[r.y0*fh.w+r.x0:], r.w(), r.h(), fh.w)
			if err != nil || q < footage.MinQuality {
				return
			}
			if store {
				fr.Stored = append(fr.Stored, hash)
			}
			fr.Probes = appendNew(fr.Probes, hash)
			fr.Probes = appendNew(fr.Probes, fh.hasher.Dihedral(pdq.Mirror))
		}
		picture := whole
		if hasInner {
			picture = inner
		}
		add(picture.centre(0.9), true)
		add(whole, false)
		add(whole.centre(0.9), false)
		add(whole.centre(0.72), false)
		if hasInner {
			add(inner, false)
		} else {
			for _, r := range fh.landscapeBands() {
				add(r.centre(0.9), false)
			}
		}
		if len(fr.Stored) > 0 {
			fp.Frames = append(fp.Frames, fr)
		}
	}
	fh.planes = nil
	return fp
}

// landscapeBands are, in a portrait frame (at least 3:2) where no inner
// picture was found, the 16:9 bands where re-uploads put a landscape
// picture: centred and 5 % of the height above and below. A blurred
// backdrop can hide the picture's edges from detectPicture (a picture
// with a soft, shallow-focus background has little more detail than its
// blurred copy), so a check probes these too; a library stores only what
// it detected.
func (fh *FootageHasher) landscapeBands() []rect {
	if fh.h*2 < fh.w*3 {
		return nil
	}
	bh := fh.w * 9 / 16
	var out []rect
	for _, off := range []float64{0, -0.05, 0.05} {
		y0 := (fh.h-bh)/2 + int(off*float64(fh.h))
		if y0 >= 0 && y0+bh <= fh.h {
			out = append(out, rect{0, y0, fh.w, y0 + bh})
		}
	}
	return out
}

func appendNew(hs []pdq.Hash, h pdq.Hash) []pdq.Hash {
	if slices.Contains(hs, h) {
		return hs
	}
	return append(hs, h)
}

// detectPicture finds a picture inside the frame: a band of rows (then of
// columns) with detail, between margins that have almost none over the
// whole video — black bars, or a blurred enlarged copy of the picture. It
// reports false when the frame is the picture (no flat margins), or the
// band is too small or too close to the whole frame to be one.
func detectPicture(planes [][]byte, w, h int) (rect, bool) {
	if len(planes) == 0 {
		return rect{}, false
	}
	rows := make([]float64, h)
	for _, p := range planes {
		for y := 1; y < h; y++ {
			var s int
			row, up := p[y*w:(y+1)*w], p[(y-1)*w:y*w]
			for x := 1; x < w; x++ {
				s += absInt(int(row[x])-int(row[x-1])) + absInt(int(row[x])-int(up[x]))
			}
			rows[y] += float64(s)
		}
	}
	rows[0] = rows[min(1, h-1)]
	y0, y1, okRows := band(rows)
	if !okRows {
		y0, y1 = 0, h
	}
	cols := make([]float64, w)
	for _, p := range planes {
		for y := max(y0, 1); y < y1; y++ {
			row, up := p[y*w:(y+1)*w], p[(y-1)*w:y*w]
			for x := 1; x < w; x++ {
				cols[x] += float64(absInt(int(row[x])-int(row[x-1])) + absInt(int(row[x])-int(up[x])))
			}
		}
	}
	cols[0] = cols[min(1, w-1)]
	x0, x1, okCols := band(cols)
	if !okCols {
		x0, x1 = 0, w
	}
	r := rect{x0, y0, x1, y1}
	if !okRows && !okCols || r.w() < 2*pdq.MinSide || r.h() < 2*pdq.MinSide {
		return rect{}, false
	}
	if float64(r.w()*r.h()) > 0.85*float64(w*h) {
		return rect{}, false
	}
	return r, true
}

// band finds, in an activity profile, the run of active positions between
// flat margins: active means at least 35 % of the 90th percentile (a
// blurred backdrop has a fifth of the picture's detail or less, bars
// none); the run is the longest with gaps of at most 2 % of the profile;
// both margins must be at least 3 % wide with a median activity under 20 %
// of the 90th percentile — content with a plain sky or floor on one side
// is not a picture in a frame.
func band(a []float64) (int, int, bool) {
	n := len(a)
	if n < 8 {
		return 0, n, false
	}
	sorted := slices.Clone(a)
	slices.Sort(sorted)
	hi := sorted[n*9/10]
	if hi <= 0 {
		return 0, n, false
	}
	active := func(i int) bool { return a[i] >= hi*0.35 }
	gap := max(1, n/50)
	bestLo, bestHi := -1, -1
	for i := 0; i < n; {
		if !active(i) {
			i++
			continue
		}
		lo, last := i, i
		for j := i + 1; j < n && j-last <= gap; j++ {
			if active(j) {
				last = j
			}
		}
		if last+1-lo > bestHi-bestLo {
			bestLo, bestHi = lo, last+1
		}
		i = last + 1
	}
	if bestLo < 0 {
		return 0, n, false
	}
	margin := max(2, n*3/100)
	flat := func(m []float64) bool {
		s := slices.Clone(m)
		slices.Sort(s)
		return s[len(s)/2] < hi*0.2
	}
	top, bottom := a[:bestLo], a[bestHi:]
	if len(top) < margin || len(bottom) < margin || !flat(top) || !flat(bottom) {
		return 0, n, false
	}
	return bestLo, bestHi, true
}

func absInt(v int) int {
	if v < 0 {
		return -v
	}
	return v
}
