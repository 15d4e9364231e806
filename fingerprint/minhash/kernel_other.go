//go:build !amd64 || !gc || noasm

package minhash

// haveSIMD reports false: this build has no assembly kernel.
func haveSIMD() bool { return false }

// signSIMD is never called in this build (New refuses KernelSIMD).
func signSIMD(mins, params, xs []uint32) {
	panic("minhash: SIMD kernel not built")
}
