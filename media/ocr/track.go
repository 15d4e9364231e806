package ocr

import (
	"sort"
	"strings"
	"unicode"
)

// Cue is a caption on screen from StartMs to EndMs.
type Cue struct {
	StartMs, EndMs int64
	// Text is the caption's lines, top to bottom, joined.
	Text string
	// Color is the caption's fill colour as #RRGGBB ("" when unknown).
	Color string
	// Frames is how many sampled frames showed it.
	Frames int
}

// Watermark is text that stays on screen for most of the video (an
// account name, a logo's text): metadata, never copy.
type Watermark struct {
	Text string
	// Share is the share of sampled frames it is on.
	Share float64
}

// Result is what ReadFrames found in a video.
type Result struct {
	Cues       []Cue
	Watermarks []Watermark
	// Frames is the number of frames sampled, Read how many of them the
	// models read (the others were taken from their neighbours).
	Frames, Read int
	// BandY0 and BandY1 bound the caption band found (rows of the frame);
	// both are 0 when no caption was found.
	BandY0, BandY1 int
}

// Copy is the text of all cues, one a line.
func (r *Result) Copy() string {
	var b strings.Builder
	for _, c := range r.Cues {
		b.WriteString(c.Text)
		b.WriteByte('\n')
	}
	return b.String()
}

// assemble turns per-frame lines into watermarks and timed cues.
func assemble(frames []frameLines, durationMs int64, opts ReadOptions) *Result {
	res := &Result{Frames: len(frames)}
	for _, f := range frames {
		if !f.Taken {
			res.Read++
		}
	}
	if len(frames) == 0 {
		return res
	}
	marks := watermarks(frames, opts)
	for _, m := range marks {
		res.Watermarks = append(res.Watermarks, m.Watermark)
	}
	isMark := func(l Line) bool {
		for _, m := range marks {
			if similar(l.Text, m.Text) >= 0.75 {
				return true
			}
		}
		return false
	}
	// Lines that are not watermarks; the caption band is where they stay
	// on screen longest.
	type ref struct{ f, l int }
	var rest []ref
	for fi, f := range frames {
		for li, l := range f.Lines {
			if !isMark(l) {
				rest = append(rest, ref{fi, li})
			}
		}
	}
	if len(rest) == 0 {
		return res
	}
	var boxes []Rect
	for _, r := range rest {
		boxes = append(boxes, frames[r.f].Lines[r.l].Box)
	}
	y0, y1 := captionBand(boxes)
	res.BandY0, res.BandY1 = y0, y1

	// One caption text per frame: its lines in the band, top to bottom.
	type shot struct {
		t     int64
		text  string
		score float32
		crop  crop
	}
	shots := make([]shot, len(frames))
	for fi := range frames {
		shots[fi].t = frames[fi].TimeMs
	}
	for _, r := range rest {
		l := frames[r.f].Lines[r.l]
		if cy := l.Box.CY(); cy < float64(y0) || cy > float64(y1) {
			continue
		}
		s := &shots[r.f]
		s.text += l.Text
		if s.score == 0 || l.Score < s.score {
			s.score = l.Score
		}
		// The widest line's pixels give the colour.
		if c := frames[r.f].Crops[r.l]; c.Pix != nil && c.W() > s.crop.W() {
			s.crop = c
		}
	}

	// Consecutive frames with the same text are one cue; one missed
	// frame between two showing the same text does not split it.
	half := opts.IntervalMs / 2
	type group struct {
		first, last int
		texts       map[string]int
		crops       []crop
	}
	var groups []*group
	var cur *group
	for i, s := range shots {
		text := normalizeLine(s.text)
		if text == "" {
			continue
		}
		if cur != nil && cur.last == i-1 && sameCaption(modeText(cur.texts), text) ||
			cur != nil && cur.last == i-2 && sameCaption(modeText(cur.texts), text) {
			cur.last = i
		} else {
			cur = &group{first: i, last: i, texts: map[string]int{}}
			groups = append(groups, cur)
		}
		cur.texts[text]++
		if s.crop.Pix != nil {
			cur.crops = append(cur.crops, s.crop)
		}
	}
	var cands [][]colour
	for _, g := range groups {
		n := 0
		for _, c := range g.texts {
			n += c
		}
		start := max(0, shots[g.first].t-half)
		end := shots[g.last].t + half
		if durationMs > 0 {
			end = min(end, durationMs)
			if g.last == len(shots)-1 {
				end = durationMs // on the last frame read: on until the end
			}
		}
		res.Cues = append(res.Cues, Cue{StartMs: start, EndMs: end, Text: modeText(g.texts), Frames: n})
		cands = append(cands, fillColors(g.crops))
	}
	for i, c := range pickColours(cands) {
		res.Cues[i].Color = c
	}
	return res
}

// mark is a watermark and the lines that showed it.
type mark struct {
	Watermark
	frames map[int]bool
}

// watermarks finds texts on at least WatermarkShare of the frames and on
// screen for at least WatermarkMinMs; OCR variants of one text count as
// one.
func watermarks(frames []frameLines, opts ReadOptions) []mark {
	type cluster struct {
		texts  map[string]int
		frames map[int]bool
	}
	var cs []*cluster
	for fi, f := range frames {
		for _, l := range f.Lines {
			t := normalizeLine(l.Text)
			if t == "" {
				continue
			}
			var c *cluster
			for _, k := range cs {
				if similar(modeText(k.texts), t) >= 0.75 {
					c = k
					break
				}
			}
			if c == nil {
				c = &cluster{texts: map[string]int{}, frames: map[int]bool{}}
				cs = append(cs, c)
			}
			c.texts[t]++
			c.frames[fi] = true
		}
	}
	var out []mark
	for _, c := range cs {
		share := float64(len(c.frames)) / float64(len(frames))
		if share >= opts.WatermarkShare && int64(len(c.frames))*opts.IntervalMs >= opts.WatermarkMinMs {
			out = append(out, mark{Watermark: Watermark{Text: modeText(c.texts), Share: share}, frames: c.frames})
		}
	}
	return out
}

// captionBand returns the rows of the band where text stays on screen
// longest: the peak of how many boxes cover each row, widened over the
// rows covered at least a fifth as often (small gaps, such as between the
// two lines of one caption, bridged).
func captionBand(boxes []Rect) (int, int) {
	h := 0
	var heights []int
	for _, b := range boxes {
		h = max(h, b.Y1)
		heights = append(heights, b.H())
	}
	cover := make([]int, h+1)
	for _, b := range boxes {
		for y := b.Y0; y < b.Y1; y++ {
			cover[y]++
		}
	}
	peak := 0
	for y, c := range cover {
		if c > cover[peak] {
			peak = y
		}
	}
	sort.Ints(heights)
	gap := heights[len(heights)/2] / 2
	floor := max(1, cover[peak]/5)
	grow := func(from, step int) int {
		edge, miss := from, 0
		for y := from; y >= 0 && y < len(cover); y += step {
			if cover[y] >= floor {
				edge, miss = y, 0
			} else if miss++; miss > gap {
				break
			}
		}
		return edge
	}
	return grow(peak, -1), grow(peak, 1) + 1
}

// normalizeLine trims a recognised caption and drops the spaces the
// recogniser puts between Chinese characters.
func normalizeLine(s string) string {
	rs := []rune(strings.TrimSpace(s))
	var b strings.Builder
	for i, r := range rs {
		if unicode.IsSpace(r) {
			if i > 0 && i+1 < len(rs) && isASCIIWord(rs[i-1]) && isASCIIWord(rs[i+1]) {
				b.WriteRune(' ')
			}
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

func isASCIIWord(r rune) bool { return r < 128 && (unicode.IsLetter(r) || unicode.IsDigit(r)) }

// sameCaption reports whether two frames' texts are one caption read
// twice (OCR may differ by a character).
func sameCaption(a, b string) bool {
	return similar(a, b) >= 0.7
}

// modeText is the most frequent text, the longest among equals.
func modeText(texts map[string]int) string {
	best, n := "", 0
	for t, c := range texts {
		if c > n || c == n && (len([]rune(t)) > len([]rune(best)) || len([]rune(t)) == len([]rune(best)) && t < best) {
			best, n = t, c
		}
	}
	return best
}

// similar is 1 − the edit distance of a and b over the longer length.
func similar(a, b string) float64 {
	ra, rb := []rune(a), []rune(b)
	if len(ra) == 0 && len(rb) == 0 {
		return 1
	}
	return 1 - float64(EditDistance(ra, rb))/float64(max(len(ra), len(rb)))
}

// EditDistance is the Levenshtein distance between a and b in runes.
func EditDistance(a, b []rune) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}
