package media

import (
	"math"

	"elib/element"
)

// CameraOptions are the thresholds that name a camera movement. Distances
// are fractions of the frame (width for x, height for y); zoom is the
// relative change of scale.
type CameraOptions struct {
	// MinMove is the least net pan/tilt or zoom over a range that counts as
	// a movement. The default value is 0.06.
	MinMove float64
	// StaticPerSecond is the path length per second below which a range
	// is static whatever else happens. The default value is 0.015.
	StaticPerSecond float64
	// ShakePath is the least path length (per second) of a shaking camera
	// and ShakeRatio the largest net/path ratio: shaking goes back and
	// forth. The default values are 0.04 and 0.35.
	ShakePath, ShakeRatio float64
}

func (o *CameraOptions) ensureDefaults() {
	if o.MinMove <= 0 {
		o.MinMove = 0.06
	}
	if o.StaticPerSecond <= 0 {
		o.StaticPerSecond = 0.015
	}
	if o.ShakePath <= 0 {
		o.ShakePath = 0.04
	}
	if o.ShakeRatio <= 0 {
		o.ShakeRatio = 0.35
	}
}

// CameraStats sums the motion over a time range.
type CameraStats struct {
	// NetX, NetY are the net content displacement (fractions of the frame;
	// x right, y down); Zoom is the net relative scale change.
	NetX, NetY, Zoom float64
	// Path is the length of the displacement path (fractions of the frame).
	Path float64
	// Seconds is the measured duration; Samples the valid samples used.
	Seconds float64
	Samples int
}

// Stats sums the samples of t that lie within [startMs, endMs); samples
// across a cut or without an estimate are left out.
func (t *MotionTrack) Stats(startMs, endMs int64) CameraStats {
	var s CameraStats
	if t == nil || t.FPS <= 0 || t.W == 0 || t.H == 0 {
		return s
	}
	scale := 1.0
	for i, m := range t.Samples {
		from := float64(i) / t.FPS * 1000
		to := float64(i+1) / t.FPS * 1000
		if from < float64(startMs) || to > float64(endMs) {
			continue
		}
		if !m.Valid || m.Cut {
			continue
		}
		dx, dy := m.Tx/float64(t.W), m.Ty/float64(t.H)
		s.NetX += dx
		s.NetY += dy
		s.Path += math.Hypot(dx, dy)
		scale *= 1 + m.K
		s.Samples++
		s.Seconds += 1 / t.FPS
	}
	s.Zoom = scale - 1
	return s
}

// Camera names the movement of the stats (element.Camera* values), or ""
// when there are too few samples to say.
func Camera(s CameraStats, opts CameraOptions) string {
	opts.ensureDefaults()
	if s.Samples < 2 || s.Seconds <= 0 {
		return ""
	}
	net := math.Hypot(s.NetX, s.NetY)
	zoom := math.Abs(s.Zoom)
	perSecond := s.Path / s.Seconds
	if perSecond < opts.StaticPerSecond && zoom < opts.MinMove {
		return element.CameraStatic
	}
	if perSecond >= opts.ShakePath && net < opts.ShakeRatio*s.Path && zoom < opts.MinMove {
		return element.CameraHandheld
	}
	switch {
	case zoom >= opts.MinMove && zoom >= math.Abs(s.NetX) && zoom >= math.Abs(s.NetY):
		if s.Zoom > 0 {
			return element.CameraPushIn
		}
		return element.CameraPullOut
	case math.Abs(s.NetX) >= opts.MinMove && math.Abs(s.NetX) >= math.Abs(s.NetY):
		// Content moving left is the camera panning right.
		if s.NetX < 0 {
			return element.CameraPanRight
		}
		return element.CameraPanLeft
	case math.Abs(s.NetY) >= opts.MinMove:
		// Content moving down is the camera tilting up.
		if s.NetY > 0 {
			return element.CameraTiltUp
		}
		return element.CameraTiltDown
	}
	return element.CameraStatic
}

// cutEdgeMs is how close to an element's edge a cut is taken as the
// element's own boundary (a cue change on a scene change), not a cut in it.
const cutEdgeMs = 120

// CutsIn counts the cuts inside (startMs, endMs), not counting those
// within cutEdgeMs of either edge.
func (t *MotionTrack) CutsIn(startMs, endMs int64) int {
	n := 0
	if t == nil {
		return 0
	}
	for _, c := range t.CutsMs {
		if c > startMs+cutEdgeMs && c < endMs-cutEdgeMs {
			n++
		}
	}
	return n
}
