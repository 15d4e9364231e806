package lsh

import (
	"fmt"
	"math"
)

// Threshold is the duplication threshold the default banding is tuned for.
const Threshold = 0.62

// MinRecallAtThreshold is the candidate probability ParamsFor guarantees at
// J = Threshold: at most 1 % of pairs exactly at the threshold are missed
// (fewer above it).
const MinRecallAtThreshold = 0.99

// Params is a banding of a signature: Bands bands of Rows lanes each.
// Bands*Rows must not exceed the signature's lanes (extra lanes are unused).
type Params struct{ Bands, Rows int }

// DefaultParams is the banding for 128-lane signatures: 32 bands of 4 rows.
//
// P(candidate) = 1-(1-J^4)^32:
//
//	J     0.30   0.40   0.50   0.62    0.80
//	P     0.229  0.564  0.873  0.9940  1.0000 (1-5e-8)
//
// At the 0.62 threshold 0.6 % of pairs are missed (false negatives accepted);
// pairs below 0.3 rarely become candidates, and those that do are discarded
// by exact verification.
func DefaultParams() Params { return Params{Bands: 32, Rows: 4} }

// ParamsFor returns a banding for signatures of the given lanes: the most
// selective row count (largest Rows, Bands = lanes/Rows) that still makes
// pairs at J = Threshold candidates with probability >= MinRecallAtThreshold.
// ParamsFor(128) == DefaultParams(); ParamsFor(64) is 21x3, ParamsFor(256) 51x5.
func ParamsFor(lanes int) Params {
	if lanes <= 0 {
		return Params{}
	}
	best := Params{Bands: lanes, Rows: 1}
	for r := 2; r <= lanes; r++ {
		p := Params{Bands: lanes / r, Rows: r}
		if p.Probability(Threshold) < MinRecallAtThreshold {
			break
		}
		best = p
	}
	return best
}

// Probability is the chance that two sets of Jaccard similarity j share at
// least one band: 1-(1-j^Rows)^Bands.
func (p Params) Probability(j float64) float64 {
	if p.Bands <= 0 || p.Rows <= 0 {
		return 0
	}
	j = math.Max(0, math.Min(1, j))
	return 1 - math.Pow(1-math.Pow(j, float64(p.Rows)), float64(p.Bands))
}

// Validate reports whether p can band signatures of the given lanes.
func (p Params) Validate(lanes int) error {
	if p.Bands <= 0 || p.Rows <= 0 {
		return fmt.Errorf("lsh params %dx%d: bands and rows must be positive", p.Bands, p.Rows)
	}
	if p.Bands*p.Rows > lanes {
		return fmt.Errorf("lsh params %dx%d: need %d lanes, signature has %d", p.Bands, p.Rows, p.Bands*p.Rows, lanes)
	}
	return nil
}

// BandKeys appends one 64-bit key per band (hash of band index, rows and
// the band's lanes) to dst. Bands that do not fit in sig are skipped, and
// the signature of the empty set (every lane 0xFFFFFFFF) gets no keys at all,
// so empty documents never collide with each other. Keys are stable across
// processes and machines.
func (p Params) BandKeys(dst []uint64, sig []uint32) []uint64 {
	if p.Rows <= 0 || isEmptySig(sig) {
		return dst
	}
	for b := 0; b < p.Bands; b++ {
		lo := b * p.Rows
		hi := lo + p.Rows
		if hi > len(sig) {
			break
		}
		h := (uint64(b)<<32 | uint64(p.Rows)) * 0x9e3779b97f4a7c15
		for _, v := range sig[lo:hi] {
			h = (h ^ uint64(v)) * 0xff51afd7ed558ccd
			h ^= h >> 29
		}
		dst = append(dst, mix64(h))
	}
	return dst
}

func isEmptySig(sig []uint32) bool {
	for _, v := range sig {
		if v != ^uint32(0) {
			return false
		}
	}
	return true
}

// mix64 is the splitmix64 finaliser.
func mix64(z uint64) uint64 {
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9
	z = (z ^ (z >> 27)) * 0x94d049bb133111eb
	return z ^ (z >> 31)
}
