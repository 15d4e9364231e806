// Package synth makes test clips with ffmpeg: textured video whose camera
// moves as told per segment (push-in, pull-out, pans, tilts, static,
// shake), a soundtrack at a known tempo and a subtitle stream with one cue
// per segment. Tests and the media benchmark use it, so nothing binary is
// checked in.
package synth

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"

	"elib/element"
)

// Segment is one stretch of a clip with one camera movement and one cue.
type Segment struct {
	// Camera is an element.Camera* value.
	Camera string
	// Seconds is the segment's length.
	Seconds float64
	// Text is the segment's subtitle cue ("" for none).
	Text string
	// BPM, when set, is the soundtrack's tempo during this segment (else
	// Spec.BPM): the music can change between elements.
	BPM float64
}

// Sound kinds for Spec.Sound.
const (
	SoundClick      = "click"       // 1 kHz clicks on every beat
	SoundDrums      = "drums"       // kick on the beat, hi-hat off the beat
	SoundDrumsVoice = "drums+voice" // drums plus a gliding, swelling tone
	SoundNone       = "none"        // no audio stream
)

// Spec describes a clip.
type Spec struct {
	Segments []Segment
	// Width and Height are the output size. The default value is 640x360.
	Width, Height int
	// FPS is the frame rate. The default value is 25.
	FPS int
	// BPM is the soundtrack's tempo; Sound its kind (default SoundClick).
	BPM   float64
	Sound string
	// Subtitles is the subtitle codec: "mov_text" (default, MP4), "ass"
	// or "subrip" (MKV), or "none".
	Subtitles string
	// ASS, when set, is the subtitle file's text (instead of one SRT cue
	// per segment); with Subtitles "ass" its styles and colours survive.
	ASS string
	// Texture is the picture source: "mandelbrot" (default: a still
	// fractal, detailed in every direction), "blend" (testsrc2's moving
	// test card averaged with the fractal) or "testsrc2" (vertical colour
	// bars: no vertical texture, so tilts cannot be seen on it).
	Texture string
	// Seed varies the fractal's framing between clips.
	Seed int
}

// Duration is the clip's length in seconds.
func (s Spec) Duration() float64 {
	d := 0.0
	for _, g := range s.Segments {
		d += g.Seconds
	}
	return d
}

// Make writes the clip described by spec to path (its extension picks the
// container) with the ffmpeg at bin.
func Make(ctx context.Context, bin, path string, spec Spec) error {
	if spec.Width == 0 {
		spec.Width, spec.Height = 640, 360
	}
	if spec.FPS == 0 {
		spec.FPS = 25
	}
	if spec.Sound == "" {
		spec.Sound = SoundClick
	}
	if spec.Subtitles == "" {
		spec.Subtitles = "mov_text"
	}
	dur := spec.Duration()
	srcW, srcH := 2*spec.Width, 2*spec.Height
	// Points near the Mandelbrot set's boundary, so every framing is detailed.
	centres := [][2]float64{{-0.743643887, 0.131825904}, {-0.7453, 0.1127}, {-1.25066, 0.02012}, {-0.1011, 0.9563}, {0.2549, 0.0005}, {-0.7269, 0.1889}}
	c := centres[((spec.Seed%len(centres))+len(centres))%len(centres)]
	fractal := fmt.Sprintf("mandelbrot=s=%dx%d:start_x=%g:start_y=%g:start_scale=%g:end_scale=%g:inner=mincol,trim=end_frame=1,loop=loop=-1:size=1,fps=%d",
		srcW, srcH, c[0], c[1], 0.4/float64(1+spec.Seed%3), 0.4/float64(1+spec.Seed%3), spec.FPS)
	var src string
	switch spec.Texture {
	case "testsrc2":
		src = fmt.Sprintf("testsrc2=s=%dx%d:r=%d", srcW, srcH, spec.FPS)
	case "blend":
		src = fmt.Sprintf("testsrc2=s=%dx%d:r=%d[ts];%s[fr];[ts][fr]blend=all_mode=average", srcW, srcH, spec.FPS, fractal)
	default:
		src = fractal
	}
	z, x, y := cameraExprs(spec.Segments, spec.FPS)
	video := fmt.Sprintf("%s,zoompan=z='%s':x='%s':y='%s':d=1:s=%dx%d:fps=%d,format=yuv420p",
		src, z, x, y, spec.Width, spec.Height, spec.FPS)
	args := []string{"-v", "error", "-nostdin", "-y", "-f", "lavfi", "-i", video}
	maps := []string{"-map", "0:v"}
	next := 1
	if spec.Sound != SoundNone {
		args = append(args, "-f", "lavfi", "-i", fmt.Sprintf("aevalsrc='%s':s=44100:d=%g", soundTrack(spec), dur))
		maps = append(maps, "-map", fmt.Sprintf("%d:a", next))
		next++
	}
	var tmpSub string
	if spec.Subtitles != "none" {
		ext, text := ".srt", SRT(spec.Segments)
		if spec.ASS != "" {
			ext, text = ".ass", spec.ASS
		}
		f, err := os.CreateTemp("", "synth-*"+ext)
		if err != nil {
			return err
		}
		tmpSub = f.Name()
		defer os.Remove(tmpSub)
		if _, err := f.WriteString(text); err != nil {
			f.Close()
			return err
		}
		f.Close()
		args = append(args, "-i", tmpSub)
		maps = append(maps, "-map", fmt.Sprintf("%d:s", next))
	}
	args = append(args, maps...)
	args = append(args, "-t", fmt.Sprintf("%g", dur), "-c:v", "libx264", "-preset", "ultrafast", "-crf", "23", "-g", fmt.Sprint(2*spec.FPS))
	if spec.Sound != SoundNone {
		args = append(args, "-c:a", "aac", "-b:a", "128k")
	}
	if spec.Subtitles != "none" {
		args = append(args, "-c:s", spec.Subtitles)
	}
	args = append(args, path)
	cmd := exec.CommandContext(ctx, bin, args...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("ffmpeg %s: %v: %s", filepath.Base(path), err, strings.TrimSpace(stderr.String()))
	}
	return nil
}

// SRT returns one cue per segment with text.
func SRT(segs []Segment) string {
	var b strings.Builder
	t, n := 0.0, 0
	clock := func(s float64) string {
		ms := int64(s*1000 + 0.5)
		return fmt.Sprintf("%02d:%02d:%02d,%03d", ms/3600000, ms/60000%60, ms/1000%60, ms%1000)
	}
	for _, g := range segs {
		if g.Text != "" {
			n++
			fmt.Fprintf(&b, "%d\n%s --> %s\n%s\n\n", n, clock(t), clock(t+g.Seconds), g.Text)
		}
		t += g.Seconds
	}
	return b.String()
}

// Movement sizes: pans and tilts move the view by this fraction of the
// output frame over a segment; zooms change the scale by this factor.
const (
	panFraction = 0.45
	zoomFactor  = 1.5
)

// cameraExprs builds zoompan's z, x and y expressions (quoted in the
// filtergraph, so commas need no escaping): each segment starts
// from the neutral view (zoom 2, centred) and moves linearly (or shakes).
func cameraExprs(segs []Segment, fps int) (z, x, y string) {
	tvar := fmt.Sprintf("(on/%d)", fps)
	zs, xs, ys := "2", "iw/2-iw/zoom/2", "ih/2-ih/zoom/2"
	start := 0.0
	type piece struct {
		end     float64
		z, x, y string
	}
	var ps []piece
	for _, g := range segs {
		u := fmt.Sprintf("((%s-%g)/%g)", tvar, start, g.Seconds) // 0..1 within the segment
		pz, px, py := "2", "iw/2-iw/zoom/2", "ih/2-ih/zoom/2"
		pan := fmt.Sprintf("(%g*iw/2*(%s-0.5))", panFraction, u) // view centre offset in input pixels
		switch g.Camera {
		case element.CameraPushIn:
			pz = fmt.Sprintf("2*pow(%g,%s)", zoomFactor, u)
		case element.CameraPullOut:
			pz = fmt.Sprintf("2*pow(%g,1-%s)", zoomFactor, u)
		case element.CameraPanRight: // view moves right
			px = "iw/2-iw/zoom/2+" + pan
		case element.CameraPanLeft:
			px = "iw/2-iw/zoom/2-" + pan
		case element.CameraTiltDown: // view moves down
			py = "ih/2-ih/zoom/2+" + strings.ReplaceAll(pan, "iw", "ih")
		case element.CameraTiltUp:
			py = "ih/2-ih/zoom/2-" + strings.ReplaceAll(pan, "iw", "ih")
		case element.CameraHandheld:
			px = fmt.Sprintf("iw/2-iw/zoom/2+iw*(0.012*sin(2*PI*1.3*%s)+0.006*sin(2*PI*2.9*%s))", tvar, tvar)
			py = fmt.Sprintf("ih/2-ih/zoom/2+ih*(0.012*sin(2*PI*1.7*%s)+0.006*sin(2*PI*3.7*%s))", tvar, tvar)
		}
		start += g.Seconds
		ps = append(ps, piece{start, pz, px, py})
	}
	for i := len(ps) - 1; i >= 0; i-- {
		p := ps[i]
		if i == len(ps)-1 {
			zs, xs, ys = p.z, p.x, p.y
			continue
		}
		cond := fmt.Sprintf("lt(%s,%g)", tvar, p.end)
		zs = fmt.Sprintf("if(%s,%s,%s)", cond, p.z, zs)
		xs = fmt.Sprintf("if(%s,%s,%s)", cond, p.x, xs)
		ys = fmt.Sprintf("if(%s,%s,%s)", cond, p.y, ys)
	}
	return zs, xs, ys
}

// soundTrack is the clip's aevalsrc expression: one tempo, or a tempo per
// segment that sets its own.
func soundTrack(spec Spec) string {
	expr := soundExpr(spec.Sound, spec.BPM)
	end := spec.Duration()
	for i := len(spec.Segments) - 1; i >= 0; i-- {
		g := spec.Segments[i]
		end -= g.Seconds
		if g.BPM > 0 {
			expr = fmt.Sprintf("if(gte(t,%g)*lt(t,%g),%s,%s)", end, end+g.Seconds, soundExpr(spec.Sound, g.BPM), expr)
		}
	}
	return expr
}

// soundExpr is an aevalsrc expression for the sound kind at bpm.
func soundExpr(kind string, bpm float64) string {
	b := 60 / bpm
	click := fmt.Sprintf("if(lt(mod(t,%g),0.01),sin(2*PI*1000*t),0)", b)
	drums := fmt.Sprintf("exp(-30*mod(t,%g))*sin(2*PI*60*t)+0.3*exp(-80*mod(t+%g,%g))*(random(0)*2-1)", b, b/2, b)
	voice := "0.25*(0.6+0.4*sin(2*PI*0.37*t)*sin(2*PI*0.61*t))*sin(2*PI*(220*t+8*sin(2*PI*0.7*t)))"
	var e string
	switch kind {
	case SoundDrums:
		e = drums
	case SoundDrumsVoice:
		e = drums + "+" + voice
	case "click+voice":
		e = click + "+" + voice
	default:
		e = click
	}
	return e
}
