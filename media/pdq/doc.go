// Package pdq computes PDQ perceptual image hashes: Meta's 256-bit hash with
// a quality score, written for elib from the published algorithm of the
// ThreatExchange reference implementations and pinned to their test vectors.
//
// Data enters as pixels — an image.Image, packed RGB or grey rows, or a
// float32 luminance plane — and leaves as a Hash and a quality from 0 to
// 100. A hash is computed in four steps:
//
//  1. luminance Y = 0.299 R + 0.587 G + 0.114 B per pixel (float32);
//  2. a Jarosz filter (two X,Y passes of 1-D box filters, a tent filter
//     whose window is ⌈side/128⌉ per pass) blurs the plane, which is then
//     decimated to 64×64 by sampling the centre of each cell;
//  3. the quality is the sum of the quantised gradients of the 64×64 image
//     over 90, capped at 100 (below 50 a frame is too flat to trust);
//  4. a DCT keeps the 16×16 lowest frequencies after DC, and each bit says
//     whether its coefficient is above their median.
//
// Two similar pictures give hashes a small Hamming distance apart; Meta
// recommends 31 of 256 bits as the match threshold. The eight dihedral
// transforms (mirror, flips, rotations) of a picture are sign changes and a
// transpose of the 16×16 coefficients, so a mirrored hash costs no second
// pass over the pixels (Hasher.Dihedral).
//
// A Hasher keeps its buffers between calls and is not safe for concurrent
// use; make one per goroutine.
package pdq
