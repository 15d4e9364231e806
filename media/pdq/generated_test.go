package pdq

import (
	"image"
	"image/color"
	"math"
)

// generatedImage draws one of the deterministic test pictures the
// reference vectors in TestGeneratedVectors were computed on. The pictures
// use only integer arithmetic and math.Sin/Cos of exactly representable
// arguments rounded to bytes, so they are the same on every platform.
func generatedImage(name string) image.Image {
	switch name {
	case "waves-200x150":
		return draw(200, 150, func(x, y int) (uint8, uint8, uint8) {
			v := 128 + 100*math.Sin(float64(x)/13)*math.Cos(float64(y)/9)
			return byteOf(v), byteOf(255 - v), byteOf(float64((x * y) % 256))
		})
	case "rings-512x400":
		return draw(512, 400, func(x, y int) (uint8, uint8, uint8) {
			dx, dy := x-220, y-170
			r := math.Sqrt(float64(dx*dx + dy*dy))
			v := 128 + 120*math.Sin(r/37)
			return byteOf(v), byteOf(v * 0.8), byteOf(float64(x) * 255 / 512)
		})
	case "blocks-97x61":
		return draw(97, 61, func(x, y int) (uint8, uint8, uint8) {
			v := uint8(((x/7)*53 + (y/5)*97) % 256)
			return v, v ^ 0x5a, uint8(x * 2)
		})
	case "texture-64x64":
		return draw(64, 64, func(x, y int) (uint8, uint8, uint8) {
			v := 128 + 90*math.Sin(float64(x*x+3*y)/50) + 30*math.Cos(float64(y)/4)
			return byteOf(v), uint8(y * 4), uint8((x + y) * 2)
		})
	case "stripes-500x300":
		return draw(500, 300, func(x, y int) (uint8, uint8, uint8) {
			v := uint8(0)
			if (x/37+y/23)%2 == 0 {
				v = 230
			}
			return v, v, uint8(y * 255 / 300)
		})
	}
	panic("unknown generated image " + name)
}

func draw(w, h int, f func(x, y int) (uint8, uint8, uint8)) *image.NRGBA {
	img := image.NewNRGBA(image.Rect(0, 0, w, h))
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			r, g, b := f(x, y)
			img.SetNRGBA(x, y, color.NRGBA{r, g, b, 255})
		}
	}
	return img
}

func byteOf(v float64) uint8 {
	return uint8(max(0, min(255, math.Round(v))))
}
