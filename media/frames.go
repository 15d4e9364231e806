package media

import (
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"
)

// MotionTrack is the global motion of a video sampled at a fixed rate, and
// the scene cuts ffmpeg's scdet found.
type MotionTrack struct {
	// FPS is the sampling rate; Samples[i] is the motion from frame i to
	// frame i+1, which ends at (i+1)/FPS seconds.
	FPS     float64
	Samples []Motion
	// W and H are the sampled frames' size.
	W, H int
	// CutsMs are the scene cut times in milliseconds.
	CutsMs []int64
}

// FrameOptions control the motion frames of a decode pass (motionOutput).
type FrameOptions struct {
	// FPS is how many frames per second are sampled. The default value is 10.
	FPS float64
	// ShortSide is the sampled frames' shorter side in pixels (the other
	// side keeps the aspect ratio). The default value is 90.
	ShortSide int
	// SceneThreshold is scdet's threshold (0–100). The default value is 10.
	SceneThreshold float64
}

func (o *FrameOptions) ensureDefaults() {
	if o.FPS <= 0 {
		o.FPS = 10
	}
	if o.ShortSide <= 0 {
		o.ShortSide = 90
	}
	if o.SceneThreshold <= 0 {
		o.SceneThreshold = 10
	}
}

// maxFrameAspect bounds the sampled frames' longer side to this many
// times the shorter one: a stream of 8192×2 pixels is sampled squeezed
// (the motion estimate works in fractions of the frame) instead of as a
// frame of 368,640×90.
const maxFrameAspect = 4

// frameSize keeps the aspect ratio of w×h with the shorter side short
// (both sides even), the longer side at most maxFrameAspect × short. The
// size never depends on more than the ratio of w and h, so no claimed
// size can make a large frame.
func frameSize(w, h, short int) (int, int) {
	if w <= 0 || h <= 0 {
		return short * 16 / 9 / 2 * 2, short
	}
	long := func(a, b int) int {
		// a*short/b without overflow: a, b are at most any int.
		r := float64(a) / float64(b) * float64(short)
		r = min(r, float64(maxFrameAspect*short))
		return max(2, (int(r)+1)/2*2)
	}
	if w >= h {
		return long(w, h), short
	}
	return short, long(h, w)
}

// motionOutput is the decode pass output that measures motion: FPS grey frames
// a second scaled with area averaging (clean texture for matching), and
// side, the branch that scales every frame cheaply to a thumbnail for
// scdet, whose cut times the metadata filter writes to cutsFile. The
// track fills as the frames arrive.
func motionOutput(info Info, opts FrameOptions, cutsFile string) (frameOutput, string, *MotionTrack) {
	opts.ensureDefaults()
	w, h := frameSize(info.Width, info.Height, opts.ShortSide)
	track := &MotionTrack{FPS: opts.FPS, W: w, H: h}
	prev := Frame{W: w, H: h, Pix: make([]byte, w*h)}
	first := true
	out := frameOutput{
		name:       "camera motion",
		chain:      fmt.Sprintf("fps=%g,scale=%d:%d:flags=area,setsar=1,format=gray", opts.FPS, w, h),
		pixFmt:     "gray",
		frameBytes: w * h,
		frame: func(pix []byte) error {
			if !first {
				track.Samples = append(track.Samples, EstimateMotion(prev, Frame{W: w, H: h, Pix: pix}))
			}
			first = false
			copy(prev.Pix, pix)
			return nil
		},
		done: func() error {
			cuts, err := readCuts(cutsFile)
			track.CutsMs = cuts
			return err
		},
	}
	side := fmt.Sprintf("scale=%d:%d:flags=fast_bilinear,scdet=threshold=%g,metadata=mode=print:key=lavfi.scd.time:file=%s,nullsink",
		max(16, w/2/2*2), max(16, h/2/2*2), opts.SceneThreshold, filterEscape(cutsFile))
	return out, side, track
}

// filterEscape escapes a path for an ffmpeg filter option value.
func filterEscape(p string) string {
	r := strings.NewReplacer(`\`, `\\\\`, `'`, `\\\'`, `:`, `\\:`, `,`, `\,`, `;`, `\;`, `[`, `\[`, `]`, `\]`)
	return r.Replace(p)
}

// readCuts reads the lavfi.scd.time lines the metadata filter printed.
func readCuts(path string) ([]int64, error) {
	data, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("scene cuts: %w", err)
	}
	var cuts []int64
	for _, l := range strings.Split(string(data), "\n") {
		v, ok := strings.CutPrefix(strings.TrimSpace(l), "lavfi.scd.time=")
		if !ok {
			continue
		}
		if t, err := strconv.ParseFloat(v, 64); err == nil && t >= 0 {
			cuts = append(cuts, int64(t*1000+0.5))
		}
	}
	return cuts, nil
}

// seconds formats d for ffmpeg's -t.
func seconds(d time.Duration) string {
	return strconv.FormatFloat(d.Seconds(), 'f', 3, 64)
}
