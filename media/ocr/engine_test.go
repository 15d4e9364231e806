package ocr

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestCTCGreedy(t *testing.T) {
	dict := []string{"你", "好", " "}
	// Steps: blank, 你, 你 (repeat, collapsed), blank, 你 (new), 好, space.
	steps := []int{0, 1, 1, 0, 1, 2, 3}
	probs := make([]float32, len(steps)*4)
	for s, k := range steps {
		for c := 0; c < 4; c++ {
			probs[s*4+c] = 0.1
		}
		probs[s*4+k] = 0.7
	}
	text, score := ctcGreedy(probs, len(steps), 4, dict)
	assert.Equal(t, "你你好", text)
	assert.InDelta(t, 0.7, score, 1e-6)
	text, score = ctcGreedy(make([]float32, 8), 2, 4, dict)
	assert.Equal(t, "", text)
	assert.Zero(t, score)
}

func TestDBBoxes(t *testing.T) {
	// Two kernels on a 40×20 map: a 20×4 line and a 2×2 speck (dropped).
	w, h := 40, 20
	prob := make([]float32, w*h)
	for y := 8; y < 12; y++ {
		for x := 10; x < 30; x++ {
			prob[y*w+x] = 0.9
		}
	}
	prob[2*w+2], prob[2*w+3], prob[3*w+2], prob[3*w+3] = 0.9, 0.9, 0.9, 0.9
	boxes := dbBoxes(prob, w, h, 0.3, 0.6, 1.5)
	require.Len(t, boxes, 1)
	d := 20.0 * 4 * 1.5 / (2 * 24)
	assert.InDeltaSlice(t, []float64{10 - d, 8 - d, 30 + d, 12 + d}, boxes[0][:], 1e-9)
}

func TestMergeLines(t *testing.T) {
	// 一 alone left of its line, a second line below, a title far right.
	got := mergeLines([]Rect{{300, 1000, 330, 1060}, {340, 995, 800, 1065}, {300, 1100, 800, 1160}, {1000, 1000, 1060, 1060}})
	assert.Equal(t, []Rect{{300, 995, 800, 1065}, {300, 1100, 800, 1160}, {1000, 1000, 1060, 1060}}, got)
}

func TestCaptionBand(t *testing.T) {
	var boxes []Rect
	// A two-line caption at 1300–1420 on 40 frames, a title at 200 on 5.
	for i := 0; i < 40; i++ {
		boxes = append(boxes, Rect{100, 1300, 900, 1360}, Rect{120, 1364, 880, 1420})
	}
	for i := 0; i < 5; i++ {
		boxes = append(boxes, Rect{100, 200, 900, 260})
	}
	y0, y1 := captionBand(boxes)
	assert.Equal(t, 1300, y0)
	assert.Equal(t, 1420, y1)
}

func TestAssembleMergesFramesAndDropsWatermarks(t *testing.T) {
	line := func(text string, y int) Line {
		return Line{Box: Rect{100, y, 900, y + 60}, Text: text, Score: 0.95}
	}
	texts := []string{"", "第一句字幕", "第一句字幕", "第一句宇幕", "", "第二句字幕来了", "第二句字幕来了", "第二句字幕来了", "第二句字幕来了", "第二句字幕来了",
		"第三句", "第三句", "第三句", "第三句", "第三句", "第三句", "第三句", "第三句", "第三句", "第三句"}
	var frames []frameLines
	for i, tx := range texts {
		f := frameLines{TimeMs: int64(i) * 500}
		f.Lines = append(f.Lines, line("@账号名", 100))
		if tx != "" {
			f.Lines = append(f.Lines, line(tx, 1300))
		}
		if i == 7 {
			f.Lines = append(f.Lines, line("画面里的招牌", 600))
		}
		f.Crops = make([]crop, len(f.Lines))
		frames = append(frames, f)
	}
	opts := ReadOptions{}
	opts.ensureDefaults()
	res := assemble(frames, 10000, opts)
	require.Len(t, res.Watermarks, 1)
	assert.Equal(t, "@账号名", res.Watermarks[0].Text)
	var got []string
	for _, c := range res.Cues {
		got = append(got, fmt.Sprintf("%d-%d %s", c.StartMs, c.EndMs, c.Text))
	}
	assert.Equal(t, []string{"250-1750 第一句字幕", "2250-4750 第二句字幕来了", "4750-10000 第三句"}, got)
	assert.Equal(t, 1300, res.BandY0)
}

func TestNormalizeLine(t *testing.T) {
	assert.Equal(t, "你好世界", normalizeLine(" 你好 世界 "))
	assert.Equal(t, "iPhone 15 Pro降价了", normalizeLine("iPhone 15 Pro 降价了"))
}

func TestFillColor(t *testing.T) {
	// A 40×20 caption: a white 20×6 bar (the fill) inside a black 2-pixel
	// outline, over a background that changes every frame.
	mk := func(seed int) crop {
		c := crop{Rect: Rect{0, 0, 40, 20}, Pix: make([]byte, 40*20*3)}
		for y := 0; y < 20; y++ {
			for x := 0; x < 40; x++ {
				v := byte((x*7 + y*13 + seed*91) % 256)
				rgb := [3]byte{v, 255 - v, v / 2}
				if x >= 8 && x < 32 && y >= 5 && y < 15 {
					rgb = [3]byte{0, 0, 0}
				}
				if x >= 10 && x < 30 && y >= 7 && y < 13 {
					rgb = [3]byte{250, 250, 250}
				}
				copy(c.Pix[(y*40+x)*3:], rgb[:])
			}
		}
		return c
	}
	assert.Equal(t, "#FAFAFA", fillColor([]crop{mk(1), mk(2), mk(3), mk(4)}))
	assert.Equal(t, "", fillColor(nil))
}

func TestPickColoursMajority(t *testing.T) {
	yellow := colour{key: 1, hex: "#FFE000", score: 5}
	brown := colour{key: 2, hex: "#440900", score: 8}
	got := pickColours([][]colour{{yellow}, {yellow, brown}, {brown, {key: 1, hex: "#FDDC01", score: 4}}, {yellow}})
	assert.Equal(t, []string{"#FFE000", "#FFE000", "#FDDC01", "#FFE000"}, got)
	// Without a majority each caption keeps its own best.
	got = pickColours([][]colour{{yellow, brown}, {brown, yellow}})
	assert.Equal(t, []string{"#FFE000", "#440900"}, got)
}

// Test-only helper: the product picks colours for all captions at once
// (pickColours).

// fillColor is the best candidate's colour, "" without one.
func fillColor(crops []crop) string {
	if c := fillColors(crops); len(c) > 0 {
		return c[0].hex
	}
	return ""
}
