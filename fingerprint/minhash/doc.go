// Package minhash computes MinHash signatures: fixed-size sketches of a set
// whose lane-wise agreement estimates the Jaccard similarity of two sets.
//
// Data enters as a slice of 64-bit shingle hashes (one per distinct shingle,
// produced by the caller, e.g. xxhash of a token n-gram) and leaves as a
// []uint32 signature of Options.Lanes lanes. Signatures are deterministic
// functions of (Lanes, Seed, the set of shingle hashes): they are stable
// across processes, machines and kernels, so they can be stored on disk.
//
// Two kernels compute the same bits: a portable pure-Go loop and, on amd64
// with AVX2, a Go-assembly kernel that keeps the lane minima in YMM
// registers while it streams over the shingles. Options.Kernel selects one
// explicitly (tests use it to compare the two); the default picks the
// fastest available at run time.
package minhash
