package synth

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

// Caption is one burned-in caption: text drawn into the picture from
// StartMs to EndMs.
type Caption struct {
	Text           string
	StartMs, EndMs int64
}

// Caption styles the short-video platforms' editors offer.
const (
	StyleOutline = "outline" // white with a black outline
	StyleYellow  = "yellow"  // yellow, no outline
	StyleBox     = "box"     // white on a translucent black box
	StyleDark    = "dark"    // black with a white outline
	StyleShadow  = "shadow"  // coloured with a drop shadow
)

// Styles lists every caption style.
var Styles = []string{StyleOutline, StyleYellow, StyleBox, StyleDark, StyleShadow}

// StyleColor is the fill colour each style draws its text in.
var StyleColor = map[string]string{
	StyleOutline: "#FFFFFF", StyleYellow: "#FFE000", StyleBox: "#FFFFFF",
	StyleDark: "#000000", StyleShadow: "#3CC8FF",
}

// CaptionSpec describes a clip with burned-in captions.
type CaptionSpec struct {
	// Width and Height are the output size. The default value is
	// 1080x1920 (a vertical short video).
	Width, Height int
	// FPS is the frame rate. The default value is 25.
	FPS int
	// Seconds is the clip's length.
	Seconds float64
	// Photo, when set, is a picture the background pans and zooms across
	// (Ken Burns); else the background is a zooming, hue-cycling fractal.
	Photo string
	// Style is one of Styles; Captions are drawn in it at CaptionY.
	Style    string
	Captions []Caption
	// CaptionY is the top of the captions as a share of the height. The
	// default value is 0.72.
	CaptionY float64
	// FontSize is the captions' size in pixels. The default value is
	// Width/15.
	FontSize int
	// Watermark, when set, is drawn small in the top-left corner for the
	// whole clip (an account name).
	Watermark string
	// Font is a font file (a path) or a fontconfig family name with
	// Simplified Chinese glyphs (see CJKFont).
	Font string
	// Audio adds a 120 BPM click track; the default is a silent clip.
	Audio bool
	// SubtitleStream, when set, is SRT text muxed as a subtitle stream
	// (mov_text in MP4).
	SubtitleStream string
}

// cjkFonts are font files whose first face is a Simplified Chinese one,
// as Debian packages install them. (fonts-noto-cjk's .ttc files start with
// the Japanese face, whose 门 PP-OCR reads as 内; CJKFont names its Chinese
// face through fontconfig instead.)
var cjkFonts = []string{
	"/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",   // fonts-wqy-zenhei
	"/usr/share/fonts/truetype/wqy/wqy-microhei.ttc", // fonts-wqy-microhei
}

// notoCJK is fonts-noto-cjk's file, used by its Chinese family name.
const notoCJK = "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"

// CJKFont returns a font with Simplified Chinese glyphs for
// CaptionSpec.Font: a font file path, or a fontconfig family name, or ""
// when none is installed.
func CJKFont() string {
	for _, f := range cjkFonts {
		if _, err := os.Stat(f); err == nil {
			return f
		}
	}
	if _, err := os.Stat(notoCJK); err == nil {
		return "Noto Sans CJK SC"
	}
	return ""
}

// PhotoDir is where Debian's python3-skimage keeps its sample photographs.
const PhotoDir = "/usr/lib/python3/dist-packages/skimage/data"

// Photos returns the sample photographs installed (astronaut, coffee,
// chelsea, …), or none.
func Photos() []string {
	var out []string
	for _, n := range []string{"astronaut.png", "coffee.png", "chelsea.png", "motorcycle_left.png", "rocket.jpg", "hubble_deep_field.jpg"} {
		p := filepath.Join(PhotoDir, n)
		if _, err := os.Stat(p); err == nil {
			out = append(out, p)
		}
	}
	return out
}

// MakeCaptioned writes the clip described by spec to path with the ffmpeg
// at bin.
func MakeCaptioned(ctx context.Context, bin, path string, spec CaptionSpec) error {
	if spec.Width == 0 {
		spec.Width, spec.Height = 1080, 1920
	}
	if spec.FPS == 0 {
		spec.FPS = 25
	}
	if spec.CaptionY == 0 {
		spec.CaptionY = 0.72
	}
	if spec.FontSize == 0 {
		spec.FontSize = spec.Width / 15
	}
	if spec.Font == "" {
		spec.Font = CJKFont()
	}
	if spec.Font == "" {
		return fmt.Errorf("no font with Chinese glyphs: install the Debian package fonts-wqy-zenhei")
	}
	font := "font=" + filterQuote(spec.Font)
	if filepath.IsAbs(spec.Font) {
		font = "fontfile=" + filterQuote(spec.Font)
	}
	dir, err := os.MkdirTemp("", "elib-synth-*")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	W, H, d := spec.Width, spec.Height, spec.Seconds
	var args []string
	var bg string
	if spec.Photo != "" {
		// Ken Burns: the photo enlarged to cover 1.3× the frame, panned
		// diagonally across it over the clip.
		args = append(args, "-loop", "1", "-framerate", fmt.Sprint(spec.FPS), "-i", spec.Photo)
		cw, ch := W*13/10/2*2, H*13/10/2*2
		bg = fmt.Sprintf("[0:v]scale=%d:%d:force_original_aspect_ratio=increase,crop=%d:%d,"+
			"crop=w=%d:h=%d:x='(iw-ow)*t/%g':y='(ih-oh)*(1-t/%g)',setsar=1,format=yuv420p[bg]",
			cw, ch, cw, ch, W, H, d, d)
	} else {
		args = append(args, "-f", "lavfi", "-i", fmt.Sprintf("mandelbrot=s=%dx%d:r=%d:maxiter=256:start_scale=1.5:end_scale=0.05", W/4, H/4, spec.FPS))
		bg = fmt.Sprintf("[0:v]scale=%d:%d:flags=bicubic,hue=h='t*40',setsar=1,format=yuv420p[bg]", W, H)
	}
	in := 1
	if spec.Audio {
		args = append(args, "-f", "lavfi", "-i", "aevalsrc='if(lt(mod(t,0.5),0.02),sin(2*PI*1000*t),0)':s=44100")
		in++
	}
	if spec.SubtitleStream != "" {
		srt := filepath.Join(dir, "subs.srt")
		if err := os.WriteFile(srt, []byte(spec.SubtitleStream), 0o644); err != nil {
			return err
		}
		args = append(args, "-i", srt)
	}
	var chain []string
	if spec.Watermark != "" {
		f := filepath.Join(dir, "wm.txt")
		if err := os.WriteFile(f, []byte(spec.Watermark), 0o644); err != nil {
			return err
		}
		chain = append(chain, fmt.Sprintf("drawtext=%s:textfile=%s:fontsize=%d:fontcolor=white@0.85:borderw=2:bordercolor=black@0.6:x=%d:y=%d",
			font, filterQuote(f), spec.FontSize*55/100, W/25, H/16))
	}
	for i, c := range spec.Captions {
		f := filepath.Join(dir, fmt.Sprintf("c%d.txt", i))
		if err := os.WriteFile(f, []byte(c.Text), 0o644); err != nil {
			return err
		}
		style, err := styleOpts(spec.Style, spec.FontSize)
		if err != nil {
			return err
		}
		chain = append(chain, fmt.Sprintf("drawtext=%s:textfile=%s:fontsize=%d:%s:x=(w-text_w)/2:y=%d:enable='between(t,%.3f,%.3f)'",
			font, filterQuote(f), spec.FontSize, style, int(float64(H)*spec.CaptionY), float64(c.StartMs)/1000, float64(c.EndMs)/1000-0.001))
	}
	filter := bg
	if len(chain) > 0 {
		filter += ";[bg]" + strings.Join(chain, ",") + "[v]"
	} else {
		filter += ";[bg]null[v]"
	}
	args = append(args, "-filter_complex", filter, "-map", "[v]")
	if spec.Audio {
		args = append(args, "-map", "1:a", "-c:a", "aac", "-b:a", "96k")
	}
	if spec.SubtitleStream != "" {
		args = append(args, "-map", fmt.Sprintf("%d:s", in), "-c:s", "mov_text")
	}
	args = append(args, "-t", fmt.Sprintf("%g", d), "-r", fmt.Sprint(spec.FPS), "-c:v", "libx264", "-preset", "ultrafast",
		"-crf", "23", "-pix_fmt", "yuv420p", "-g", fmt.Sprint(2*spec.FPS))
	args = append([]string{"-v", "error", "-nostdin", "-y"}, args...)
	args = append(args, path)
	cmd := exec.CommandContext(ctx, bin, args...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("ffmpeg: %v: %s", err, strings.TrimSpace(stderr.String()))
	}
	return nil
}

// styleOpts are drawtext's options for a caption style.
func styleOpts(style string, size int) (string, error) {
	b := max(3, size/16)
	switch style {
	case StyleOutline, "":
		return fmt.Sprintf("fontcolor=white:borderw=%d:bordercolor=black", b), nil
	case StyleYellow:
		return "fontcolor=0xFFE000", nil
	case StyleBox:
		return fmt.Sprintf("fontcolor=white:box=1:boxcolor=black@0.55:boxborderw=%d", size/4), nil
	case StyleDark:
		return fmt.Sprintf("fontcolor=black:borderw=%d:bordercolor=white", b), nil
	case StyleShadow:
		return fmt.Sprintf("fontcolor=0x3CC8FF:shadowcolor=black@0.85:shadowx=%d:shadowy=%d", b+1, b+1), nil
	}
	return "", fmt.Errorf("unknown caption style %q", style)
}

// filterQuote quotes a path for a filter option value.
func filterQuote(p string) string {
	return "'" + strings.NewReplacer(`\`, `\\`, `'`, `'\''`, `:`, `\:`).Replace(p) + "'"
}
