package media

import (
	"math"
	"math/rand"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"elib/element"
)

// texture is a smooth random grey pattern (value noise) sampled at any
// real position, so frames can be rendered with sub-pixel motion.
type texture struct {
	n    int
	grid []float64
}

func newTexture(seed int64) *texture {
	const n = 64
	r := rand.New(rand.NewSource(seed))
	g := make([]float64, n*n)
	for i := range g {
		g[i] = r.Float64() * 255
	}
	return &texture{n: n, grid: g}
}

func (t *texture) at(x, y float64) float64 {
	// Cell size 6 px: detail at the scale of the blocks.
	x, y = x/6, y/6
	x0, y0 := math.Floor(x), math.Floor(y)
	fx, fy := x-x0, y-y0
	get := func(i, j float64) float64 {
		ii := ((int(i) % t.n) + t.n) % t.n
		jj := ((int(j) % t.n) + t.n) % t.n
		return t.grid[jj*t.n+ii]
	}
	a := get(x0, y0)*(1-fx) + get(x0+1, y0)*fx
	b := get(x0, y0+1)*(1-fx) + get(x0+1, y0+1)*fx
	return a*(1-fy) + b*fy
}

// render draws the texture as seen through a camera whose content is
// shifted by (ox, oy) and scaled by s about the frame centre.
func (t *texture) render(w, h int, ox, oy, s float64) Frame {
	f := Frame{W: w, H: h, Pix: make([]byte, w*h)}
	cx, cy := float64(w)/2, float64(h)/2
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			u := (float64(x)-cx-ox)/s + cx + 200
			v := (float64(y)-cy-oy)/s + cy + 200
			f.Pix[y*w+x] = byte(math.Round(t.at(u, v)))
		}
	}
	return f
}

func TestEstimateMotion(t *testing.T) {
	tex := newTexture(7)
	tests := []struct {
		name       string
		tx, ty, sc float64
	}{
		{"still", 0, 0, 1},
		{"content right 3px", 3, 0, 1},
		{"content left 2.5px", -2.5, 0, 1},
		{"content down 2px", 0, 2, 1},
		{"content up 4px", 0, -4, 1},
		{"diagonal", 2, -1.5, 1},
		{"zoom in 2%", 0, 0, 1.02},
		{"zoom out 2%", 0, 0, 1 / 1.02},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			a := tex.render(160, 90, 0, 0, 1)
			b := tex.render(160, 90, tc.tx, tc.ty, tc.sc)
			m := EstimateMotion(a, b)
			require.True(t, m.Valid)
			assert.False(t, m.Cut)
			assert.InDelta(t, tc.tx, m.Tx, 0.3, "tx")
			assert.InDelta(t, tc.ty, m.Ty, 0.3, "ty")
			assert.InDelta(t, tc.sc-1, m.K, 0.006, "k")
		})
	}
}

func TestEstimateMotionIgnoresAMovingSubject(t *testing.T) {
	tex := newTexture(3)
	a := tex.render(160, 90, 0, 0, 1)
	b := tex.render(160, 90, 2, 0, 1)
	// A subject in the middle third moves the other way on its own.
	other := newTexture(99)
	sa, sb := other.render(160, 90, 0, 0, 1), other.render(160, 90, -5, 3, 1)
	for y := 30; y < 60; y++ {
		for x := 60; x < 100; x++ {
			a.Pix[y*160+x], b.Pix[y*160+x] = sa.Pix[y*160+x], sb.Pix[y*160+x]
		}
	}
	m := EstimateMotion(a, b)
	require.True(t, m.Valid)
	assert.InDelta(t, 2, m.Tx, 0.3)
	assert.InDelta(t, 0, m.Ty, 0.3)
}

func TestEstimateMotionCutAndFlat(t *testing.T) {
	a := newTexture(1).render(160, 90, 0, 0, 1)
	b := newTexture(2).render(160, 90, 0, 0, 1)
	assert.True(t, EstimateMotion(a, b).Cut, "a different picture is a cut")
	flat := Frame{W: 160, H: 90, Pix: make([]byte, 160*90)}
	m := EstimateMotion(flat, flat)
	assert.False(t, m.Valid, "a flat picture has no motion estimate")
	assert.False(t, EstimateMotion(a, Frame{W: 10, H: 10, Pix: make([]byte, 100)}).Valid, "sizes differ")
}

// track builds a motion track of n samples per segment at 10 fps.
func track(segs ...[]Motion) *MotionTrack {
	t := &MotionTrack{FPS: 10, W: 160, H: 90}
	for _, s := range segs {
		t.Samples = append(t.Samples, s...)
	}
	return t
}

func repeat(m Motion, n int) []Motion {
	out := make([]Motion, n)
	for i := range out {
		out[i] = m
	}
	return out
}

func TestCameraClassification(t *testing.T) {
	shake := make([]Motion, 30)
	for i := range shake {
		shake[i] = Motion{Tx: 3 * math.Sin(float64(i)), Ty: 2 * math.Cos(float64(i)*1.3), Valid: true}
	}
	tests := []struct {
		name    string
		samples []Motion
		want    string
	}{
		{"static", repeat(Motion{Tx: 0.05, Ty: -0.03, Valid: true}, 30), element.CameraStatic},
		{"push in", repeat(Motion{K: 0.015, Valid: true}, 30), element.CameraPushIn},
		{"pull out", repeat(Motion{K: -0.012, Valid: true}, 30), element.CameraPullOut},
		{"content left = pan right", repeat(Motion{Tx: -2, Valid: true}, 30), element.CameraPanRight},
		{"content right = pan left", repeat(Motion{Tx: 2, Valid: true}, 30), element.CameraPanLeft},
		{"content down = tilt up", repeat(Motion{Ty: 1.5, Valid: true}, 30), element.CameraTiltUp},
		{"content up = tilt down", repeat(Motion{Ty: -1.5, Valid: true}, 30), element.CameraTiltDown},
		{"shake", shake, element.CameraHandheld},
		{"too few samples", repeat(Motion{Tx: 5, Valid: true}, 1), ""},
		{"cuts and flat frames are left out", append(repeat(Motion{Cut: true}, 20), repeat(Motion{Valid: false}, 10)...), ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tr := track(tc.samples)
			got := Camera(tr.Stats(0, int64(len(tc.samples))*100), CameraOptions{})
			assert.Equal(t, tc.want, got)
		})
	}
}

func TestStatsPerElementRange(t *testing.T) {
	tr := track(repeat(Motion{Tx: 2, Valid: true}, 30), repeat(Motion{K: 0.02, Valid: true}, 30))
	assert.Equal(t, element.CameraPanLeft, Camera(tr.Stats(0, 3000), CameraOptions{}))
	assert.Equal(t, element.CameraPushIn, Camera(tr.Stats(3000, 6000), CameraOptions{}))
	tr.CutsMs = []int64{3000, 4500, 5950}
	assert.Equal(t, 0, tr.CutsIn(0, 3000), "a cut on the edge is the element's boundary")
	assert.Equal(t, 1, tr.CutsIn(3000, 6000))
}

func TestParseProbe(t *testing.T) {
	info, err := parseProbe([]byte(`{"streams":[{"codec_type":"video","codec_name":"h264","width":1920,"height":1080},
	 {"codec_type":"audio","codec_name":"aac"},{"codec_type":"subtitle","codec_name":"hdmv_pgs_subtitle"},
	 {"codec_type":"subtitle","codec_name":"mov_text"},{"codec_type":"video","codec_name":"mjpeg","width":1,"height":1}],
	 "format":{"format_name":"mov,mp4,m4a,3gp,3g2,mj2","duration":"60.020000"}}`))
	require.NoError(t, err)
	assert.Equal(t, Info{Demuxer: "mov", DurationMs: 60020, MaxDurationMs: 60020, Width: 1920, Height: 1080, HasVideo: true, HasAudio: true,
		Subtitles: []string{"hdmv_pgs_subtitle", "mov_text"},
		Video:     []Stream{{Codec: "h264", Width: 1920, Height: 1080}, {Codec: "mjpeg", Width: 1, Height: 1}}}, info)
	i, f, err := pickSubtitle(info.Subtitles)
	require.NoError(t, err)
	assert.Equal(t, 1, i)
	assert.Equal(t, element.FormatSRT, f)
	_, _, err = pickSubtitle([]string{"dvd_subtitle"})
	assert.ErrorIs(t, err, ErrNoSubtitles)
	assert.ErrorContains(t, err, "bitmap subtitles (dvd_subtitle)")
}

func TestFrameSize(t *testing.T) {
	w, h := frameSize(1920, 1080, 90)
	assert.Equal(t, [2]int{160, 90}, [2]int{w, h})
	w, h = frameSize(1080, 1920, 90)
	assert.Equal(t, [2]int{90, 160}, [2]int{w, h})
}

func FuzzParseProbe(f *testing.F) {
	f.Add([]byte(`{"streams":[{"codec_type":"video","width":2,"height":2}],"format":{"duration":"1"}}`))
	f.Add([]byte(`{"format":{"duration":"-1e309"}}`))
	f.Add([]byte(`{"format":{"format_name":"hls","duration":"600"}}`))
	f.Add([]byte(`{"format":{"format_name":"concat"}}`))
	f.Add([]byte(`{"streams":[{"codec_type":"video","codec_name":"none","width":1,"height":100000000,"duration":"1e300"}],"format":{"format_name":"matroska,webm","duration":"NaN"}}`))
	f.Add([]byte(`{"streams":[{"codec_type":"video","width":-4,"height":9223372036854775807}],"format":{"format_name":"mov,mp4,m4a,3gp,3g2,mj2","duration":"Inf"}}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		info, err := parseProbe(data)
		if err != nil {
			return
		}
		// Only the accepted containers pass, with their forced demuxer,
		// and no duration is negative.
		if info.Demuxer != "mov" && info.Demuxer != "matroska" {
			t.Fatalf("demuxer %q accepted", info.Demuxer)
		}
		if info.DurationMs < 0 || info.MaxDurationMs < info.DurationMs {
			t.Fatalf("durations %d, %d", info.DurationMs, info.MaxDurationMs)
		}
		// What passes the limits sizes a small frame.
		if (Limits{}).Check(info) == nil {
			w, h := frameSize(info.Width, info.Height, 90)
			if w*h > 90*90*maxFrameAspect {
				t.Fatalf("frame %d×%d", w, h)
			}
		}
	})
}

func BenchmarkEstimateMotion(b *testing.B) {
	tex := newTexture(5)
	a, c := tex.render(160, 90, 0, 0, 1), tex.render(160, 90, 2, -1, 1.01)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		EstimateMotion(a, c)
	}
}
