package ocr

import (
	"image"
	"image/draw"
	_ "image/png"
	"os"
	"testing"

	"github.com/stretchr/testify/require"
)

func loadPNG(t testing.TB, path string) Image {
	f, err := os.Open(path)
	require.NoError(t, err)
	defer f.Close()
	src, _, err := image.Decode(f)
	require.NoError(t, err)
	b := src.Bounds()
	rgba := image.NewRGBA(b)
	draw.Draw(rgba, b, src, b.Min, draw.Src)
	img := Image{W: b.Dx(), H: b.Dy(), Pix: make([]byte, b.Dx()*b.Dy()*3)}
	for i := 0; i < b.Dx()*b.Dy(); i++ {
		copy(img.Pix[i*3:i*3+3], rgba.Pix[i*4:i*4+3])
	}
	return img
}

func TestEngineScratch(t *testing.T) {
	p := os.Getenv("OCR_PNG")
	if p == "" {
		t.Skip()
	}
	e, err := NewEngine(os.Getenv("ELIB_MODELS"), EngineOptions{})
	require.NoError(t, err)
	defer e.Close()
	lines, err := e.Read(loadPNG(t, p))
	require.NoError(t, err)
	for _, l := range lines {
		t.Logf("%+v", l)
	}
}

func BenchmarkScratchDetect(b *testing.B) {
	p := os.Getenv("OCR_PNG")
	if p == "" {
		b.Skip()
	}
	e, err := NewEngine(os.Getenv("ELIB_MODELS"), EngineOptions{})
	require.NoError(b, err)
	defer e.Close()
	img := loadPNG(b, p)
	boxes, _ := e.Detect(img)
	b.Run("detect", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			e.Detect(img)
		}
	})
	b.Run("recognize", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			e.Recognize(img, boxes[1])
		}
	})
}
