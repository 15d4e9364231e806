package pdq

import (
	"encoding/hex"
	"errors"
	"fmt"
	"image"
	"image/color"
	"math/bits"
)

// Test-only helpers: the product hashes ffmpeg's grey frames (FromGray) and
// compares hashes inside fingerprint/footage; the tests pin the port to the
// reference vectors through images, RGB and the hexadecimal form.

// ErrFormat reports a hash string that is not 64 hexadecimal digits.
var ErrFormat = errors.New("pdq: a hash is 64 hexadecimal digits")

// Distance is the Hamming distance between two hashes (0–256).
func Distance(a, b Hash) int {
	return bits.OnesCount64(a[0]^b[0]) + bits.OnesCount64(a[1]^b[1]) +
		bits.OnesCount64(a[2]^b[2]) + bits.OnesCount64(a[3]^b[3])
}

// Parse reads a hash in the form String writes.
func Parse(s string) (Hash, error) {
	var h Hash
	if len(s) != 64 {
		return h, fmt.Errorf("%w: %q", ErrFormat, s)
	}
	var b [32]byte
	if _, err := hex.Decode(b[:], []byte(s)); err != nil {
		return h, fmt.Errorf("%w: %q", ErrFormat, s)
	}
	return fromBigEndian(b[:]), nil
}

// MustParse is Parse for constants in tests and tables; it panics on a
// malformed string.
func MustParse(s string) Hash {
	h, err := Parse(s)
	if err != nil {
		panic(err)
	}
	return h
}

// FromImage hashes an image.Image at its own resolution (callers that want
// the reference tools' behaviour on large photographs scale them to at most
// 512×512 first).
func (h *Hasher) FromImage(img image.Image) (Hash, int, error) {
	b := img.Bounds()
	w, ht := b.Dx(), b.Dy()
	if w < MinSide || ht < MinSide {
		return Hash{}, 0, ErrTooSmall
	}
	luma := h.lumaBuffer(w * ht)
	switch m := img.(type) {
	case *image.Gray:
		for y := 0; y < ht; y++ {
			row := m.Pix[y*m.Stride : y*m.Stride+w]
			for x, v := range row {
				luma[y*w+x] = float32(v)
			}
		}
	case *image.RGBA:
		for y := 0; y < ht; y++ {
			fillRGB(luma[y*w:(y+1)*w], m.Pix[y*m.Stride:], 4)
		}
	case *image.NRGBA:
		// Alpha is ignored, as the reference tools read the colour planes.
		for y := 0; y < ht; y++ {
			fillRGB(luma[y*w:(y+1)*w], m.Pix[y*m.Stride:], 4)
		}
	default:
		i := 0
		for y := b.Min.Y; y < b.Max.Y; y++ {
			for x := b.Min.X; x < b.Max.X; x++ {
				c := color.NRGBAModel.Convert(img.At(x, y)).(color.NRGBA)
				luma[i] = lumaR*float32(c.R) + lumaG*float32(c.G) + lumaB*float32(c.B)
				i++
			}
		}
	}
	hash, q := h.fromLuma(luma, w, ht)
	return hash, q, nil
}

// FromRGB hashes a w×h picture of packed 8-bit RGB pixels (ffmpeg's rgb24)
// whose rows start stride bytes apart; pix may begin inside a larger frame,
// so a crop is an offset and the frame's stride.
func (h *Hasher) FromRGB(pix []byte, w, ht, stride int) (Hash, int, error) {
	if w < MinSide || ht < MinSide {
		return Hash{}, 0, ErrTooSmall
	}
	if stride < 3*w || len(pix) < (ht-1)*stride+3*w {
		return Hash{}, 0, errors.New("pdq: RGB buffer shorter than its size")
	}
	luma := h.lumaBuffer(w * ht)
	for y := 0; y < ht; y++ {
		fillRGB(luma[y*w:(y+1)*w], pix[y*stride:], 3)
	}
	hash, q := h.fromLuma(luma, w, ht)
	return hash, q, nil
}

func fillRGB(out []float32, pix []byte, step int) {
	for x := range out {
		p := pix[x*step : x*step+3]
		out[x] = lumaR*float32(p[0]) + lumaG*float32(p[1]) + lumaB*float32(p[2])
	}
}
