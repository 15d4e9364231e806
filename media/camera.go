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
	// MinAgree is the least share of samples moving the net way for a
	// pan, tilt or zoom (see CameraStats.AgreeX). The default value is 0.7.
	MinAgree float64
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
	if o.MinAgree <= 0 {
		o.MinAgree = 0.7
	}
}

// CameraStats sums the motion over a time range.
type CameraStats struct {
	// NetX, NetY are the net content displacement (fractions of the frame;
	// x right, y down); Zoom is the net relative scale change.
	NetX, NetY, Zoom float64
	// Path is the length of the displacement path (fractions of the frame).
	Path float64
	// AgreeX, AgreeY and AgreeZoom are the shares of moving samples whose
	// x shift, y shift or zoom has the sign of the net value: a real pan or
	// zoom moves one way all along, noise and shake go both ways.
	AgreeX, AgreeY, AgreeZoom float64
	// Seconds is the measured duration; Samples the valid samples used.
	Seconds float64
	Samples int
}

// agreement counts samples by sign (ignoring those under dead) and returns
// the share with the sign of net.
type agreement struct{ pos, neg int }

func (a *agreement) add(v, dead float64) {
	switch {
	case v > dead:
		a.pos++
	case v < -dead:
		a.neg++
	}
}

func (a agreement) share(net float64) float64 {
	n := a.pos + a.neg
	if n == 0 {
		return 0
	}
	if net >= 0 {
		return float64(a.pos) / float64(n)
	}
	return float64(a.neg) / float64(n)
}

// Stats sums the samples of t that lie within [startMs, endMs), except the
// first and the last; samples across a cut or without an estimate are left out.
func (t *MotionTrack) Stats(startMs, endMs int64) CameraStats {
	var s CameraStats
	if t == nil || t.FPS <= 0 || t.W == 0 || t.H == 0 {
		return s
	}
	scale := 1.0
	var ax, ay, az agreement
	for i, m := range t.Samples {
		from := float64(i) / t.FPS * 1000
		to := float64(i+1) / t.FPS * 1000
		// The first and last samples may straddle the element's boundaries
		// (a cut or a jump between shots): leave them out.
		if from < float64(startMs)+1000/t.FPS || to > float64(endMs)-1000/t.FPS {
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
		ax.add(m.Tx, 0.05)
		ay.add(m.Ty, 0.05)
		az.add(m.K, 0.0005)
		s.Samples++
		s.Seconds += 1 / t.FPS
	}
	s.Zoom = scale - 1
	s.AgreeX, s.AgreeY, s.AgreeZoom = ax.share(s.NetX), ay.share(s.NetY), az.share(s.Zoom)
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
	shaking := perSecond >= opts.ShakePath && net < opts.ShakeRatio*s.Path
	if shaking && zoom < 2.5*opts.MinMove {
		return element.CameraHandheld
	}
	zoomOK := zoom >= opts.MinMove && s.AgreeZoom >= opts.MinAgree
	xOK := math.Abs(s.NetX) >= opts.MinMove && s.AgreeX >= opts.MinAgree
	yOK := math.Abs(s.NetY) >= opts.MinMove && s.AgreeY >= opts.MinAgree
	switch {
	case zoomOK && (!xOK || zoom >= math.Abs(s.NetX)) && (!yOK || zoom >= math.Abs(s.NetY)):
		if s.Zoom > 0 {
			return element.CameraPushIn
		}
		return element.CameraPullOut
	case xOK && (!yOK || math.Abs(s.NetX) >= math.Abs(s.NetY)):
		// Content moving left is the camera panning right.
		if s.NetX < 0 {
			return element.CameraPanRight
		}
		return element.CameraPanLeft
	case yOK:
		// Content moving down is the camera tilting up.
		if s.NetY > 0 {
			return element.CameraTiltUp
		}
		return element.CameraTiltDown
	case shaking:
		return element.CameraHandheld
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
