//go:build amd64 && !noasm && gc

package minhash

import "golang.org/x/sys/cpu"

// haveSIMD reports whether the AVX2 kernel can run (CPU and OS support).
func haveSIMD() bool { return cpu.X86.HasAVX2 }

// minAVX2 folds n mixed shingles xs into groups*8 lane minima at mins, with
// per-group parameters at params (a[8] then b[8] per group).
//
//go:noescape
func minAVX2(mins *uint32, params *uint32, groups int, xs *uint32, n int)

// signSIMD is the assembly kernel; len(mins) is a multiple of 8 and
// len(params) == 2*len(mins).
func signSIMD(mins, params, xs []uint32) {
	if len(xs) == 0 {
		return
	}
	_ = params[2*len(mins)-1]
	minAVX2(&mins[0], &params[0], len(mins)/8, &xs[0], len(xs))
}
