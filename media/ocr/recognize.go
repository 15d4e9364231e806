package ocr

import (
	"fmt"
	"math"
	"strings"

	ort "github.com/yalue/onnxruntime_go"
)

// recHeight is the recognition model's input height.
const recHeight = 48

// maxRecWidth bounds the recognition input's width (a line 40 times as
// wide as it is high).
const maxRecWidth = recHeight * 40

// Recognize reads the text in box of img: the box is scaled to the model's
// height, and the model's per-column character probabilities are decoded
// greedily (CTC: best class per column, repeats collapsed, blanks
// dropped). Score is the mean probability of the kept characters.
func (e *Engine) Recognize(img Image, box Rect) (string, float32, error) {
	box = Rect{clamp(box.X0, 0, img.W), clamp(box.Y0, 0, img.H), clamp(box.X1, 0, img.W), clamp(box.Y1, 0, img.H)}
	if box.W() < 2 || box.H() < 2 {
		return "", 0, nil
	}
	w := int(math.Ceil(float64(recHeight) * float64(box.W()) / float64(box.H())))
	w = clamp(w, recHeight/2, maxRecWidth)
	input := make([]float32, 3*recHeight*w)
	resizeInto(input, img, box, w, recHeight, func(_ int, v float32) float32 {
		return (v/255 - 0.5) / 0.5
	})
	in, err := ort.NewTensor(ort.NewShape(1, 3, recHeight, int64(w)), input)
	if err != nil {
		return "", 0, fmt.Errorf("recognition input: %w", err)
	}
	defer in.Destroy()
	outs := []ort.Value{nil}
	if err := e.rec.Run([]ort.Value{in}, outs); err != nil {
		return "", 0, fmt.Errorf("text recognition: %w", err)
	}
	defer outs[0].Destroy()
	out, ok := outs[0].(*ort.Tensor[float32])
	if !ok {
		return "", 0, fmt.Errorf("text recognition: unexpected output %T", outs[0])
	}
	shape := out.GetShape()
	if len(shape) != 3 || shape[2] != int64(len(e.dict)+1) {
		return "", 0, fmt.Errorf("text recognition: output shape %v does not fit a %d-character dictionary", shape, len(e.dict))
	}
	text, score := ctcGreedy(out.GetData(), int(shape[1]), int(shape[2]), e.dict)
	return text, score, nil
}

// ctcGreedy decodes t steps of c class probabilities: class 0 is the
// blank, class i the character dict[i-1].
func ctcGreedy(probs []float32, t, c int, dict []string) (string, float32) {
	var sb strings.Builder
	var sum float32
	n := 0
	prev := -1
	for s := 0; s < t; s++ {
		row := probs[s*c : (s+1)*c]
		best, bp := 0, row[0]
		for k, p := range row {
			if p > bp {
				best, bp = k, p
			}
		}
		if best != 0 && best != prev {
			sb.WriteString(dict[best-1])
			sum += bp
			n++
		}
		prev = best
	}
	if n == 0 {
		return "", 0
	}
	return strings.TrimSpace(sb.String()), sum / float32(n)
}
