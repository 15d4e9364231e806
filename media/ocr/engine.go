package ocr

import (
	"bufio"
	"elib/internal/i18n/msg"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync"

	ort "github.com/yalue/onnxruntime_go"
)

// Image is an 8-bit RGB picture, rows top to bottom, 3 bytes a pixel.
type Image struct {
	W, H int
	Pix  []byte
}

// at returns the RGB of pixel (x, y).
func (m Image) at(x, y int) (r, g, b byte) {
	i := (y*m.W + x) * 3
	return m.Pix[i], m.Pix[i+1], m.Pix[i+2]
}

// EngineOptions tune detection and recognition.
type EngineOptions struct {
	// Threads is the number of threads ONNX Runtime uses inside one model
	// run. The default value is 1 (ReadVideo runs frames in parallel).
	Threads int
	// DetMaxSide bounds the longer side of the picture detection sees.
	// The default value is 960.
	DetMaxSide int
	// DetThreshold is the probability over which a pixel is text. The
	// default value is 0.3.
	DetThreshold float32
	// BoxThreshold is the mean probability a detected box needs. The
	// default value is 0.6.
	BoxThreshold float32
	// UnclipRatio grows a detected text kernel back to the text's size.
	// The default value is 1.6.
	UnclipRatio float64
	// MinScore is the mean character confidence a recognised line needs.
	// The default value is 0.5.
	MinScore float32
}

func (o *EngineOptions) ensureDefaults() {
	if o.Threads <= 0 {
		o.Threads = 1
	}
	if o.DetMaxSide <= 0 {
		o.DetMaxSide = 960
	}
	if o.DetThreshold <= 0 {
		o.DetThreshold = 0.3
	}
	if o.BoxThreshold <= 0 {
		o.BoxThreshold = 0.6
	}
	if o.UnclipRatio <= 0 {
		o.UnclipRatio = 1.6
	}
	if o.MinScore <= 0 {
		o.MinScore = 0.5
	}
}

// Engine runs the detection and recognition models. It is safe for
// concurrent use; Close releases the models.
type Engine struct {
	opts EngineOptions
	det  *ort.DynamicAdvancedSession
	rec  *ort.DynamicAdvancedSession
	dict []string // dict[i] is the character of class i+1 (0 is CTC blank)
}

// The ONNX Runtime environment is process-wide: it is created once, from
// the first models folder's library, and never destroyed (its threads and
// allocator serve every Engine).
var (
	envOnce sync.Once
	envErr  error
	envLib  string
)

func initRuntime(lib string) error {
	envOnce.Do(func() {
		envLib = lib
		ort.SetSharedLibraryPath(lib)
		envErr = ort.InitializeEnvironment(ort.WithLogLevelError())
		if envErr != nil {
			envErr = msg.Errorf("load ONNX Runtime from %s: %w (run %s to fetch a working copy)", lib, envErr, FetchCommand)
		}
	})
	return envErr
}

// NewEngine loads the models from dir (see CheckModels).
func NewEngine(dir string, opts EngineOptions) (*Engine, error) {
	opts.ensureDefaults()
	if err := CheckModels(dir); err != nil {
		return nil, err
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, err
	}
	if err := initRuntime(filepath.Join(abs, RuntimeFile)); err != nil {
		return nil, err
	}
	dict, err := readDict(filepath.Join(abs, DictFile))
	if err != nil {
		return nil, err
	}
	so, err := ort.NewSessionOptions()
	if err != nil {
		return nil, msg.Errorf("onnxruntime session options: %w", err)
	}
	defer so.Destroy()
	if err := so.SetIntraOpNumThreads(opts.Threads); err != nil {
		return nil, err
	}
	if err := so.SetInterOpNumThreads(1); err != nil {
		return nil, err
	}
	e := &Engine{opts: opts, dict: dict}
	e.det, err = newSession(filepath.Join(abs, DetModelFile), so)
	if err != nil {
		return nil, err
	}
	e.rec, err = newSession(filepath.Join(abs, RecModelFile), so)
	if err != nil {
		e.det.Destroy()
		return nil, err
	}
	return e, nil
}

// newSession opens a model with one input and one output, whatever their
// names.
func newSession(path string, so *ort.SessionOptions) (*ort.DynamicAdvancedSession, error) {
	in, out, err := ort.GetInputOutputInfoWithOptions(path, so)
	if err != nil {
		return nil, msg.Errorf("read model %s: %w", filepath.Base(path), err)
	}
	if len(in) != 1 || len(out) != 1 {
		return nil, msg.Errorf("model %s: want one input and one output, have %d and %d", filepath.Base(path), len(in), len(out))
	}
	s, err := ort.NewDynamicAdvancedSession(path, []string{in[0].Name}, []string{out[0].Name}, so)
	if err != nil {
		return nil, msg.Errorf("load model %s: %w", filepath.Base(path), err)
	}
	return s, nil
}

// readDict reads the recognition model's character list, one a line.
func readDict(path string) ([]string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var dict []string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		dict = append(dict, strings.TrimRight(sc.Text(), "\r"))
	}
	if err := sc.Err(); err != nil {
		return nil, msg.Errorf("read %s: %w", path, err)
	}
	if len(dict) == 0 {
		return nil, msg.Errorf("%w: %s is empty", ErrNoModels, path)
	}
	// PP-OCR's Chinese models also know the space, as the last class.
	return append(dict, " "), nil
}

// Close releases the models.
func (e *Engine) Close() error {
	return errors.Join(e.det.Destroy(), e.rec.Destroy())
}

// Line is one line of text found in a picture.
type Line struct {
	// Box is where the text is, in the picture's pixels.
	Box Rect
	// Text is what it says; Score the mean confidence of its characters.
	Text  string
	Score float32
}

// Rect is an axis-aligned rectangle: X0 ≤ x < X1, Y0 ≤ y < Y1.
type Rect struct{ X0, Y0, X1, Y1 int }

// W and H are the rectangle's width and height.
func (r Rect) W() int { return r.X1 - r.X0 }
func (r Rect) H() int { return r.Y1 - r.Y0 }

// CY is the rectangle's vertical centre.
func (r Rect) CY() float64 { return float64(r.Y0+r.Y1) / 2 }

// Read finds and reads every line of text in img, top to bottom.
func (e *Engine) Read(img Image) ([]Line, error) {
	boxes, err := e.Detect(img)
	if err != nil {
		return nil, err
	}
	var lines []Line
	for _, b := range boxes {
		text, score, err := e.Recognize(img, b)
		if err != nil {
			return nil, err
		}
		if text == "" || score < e.opts.MinScore {
			continue
		}
		lines = append(lines, Line{Box: b, Text: text, Score: score})
	}
	return lines, nil
}
