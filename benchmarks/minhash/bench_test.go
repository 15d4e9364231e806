package minhashbench_test

import (
	"slices"
	"testing"

	"elib/fingerprint/minhash"

	"github.com/cespare/xxhash/v2"
	dgryski "github.com/dgryski/go-minhash"
	ekzhu "github.com/ekzhu/minhash-lsh"
)

const lanes = 128

// reportShingles reports throughput as shingles per second of wall time.
func reportShingles(b *testing.B, perOp int) {
	b.ReportMetric(float64(perOp)*float64(b.N)/b.Elapsed().Seconds(), "shingles/s")
}

func newHasher(b *testing.B, k minhash.Kernel) *minhash.Hasher {
	h, err := minhash.New(minhash.Options{Lanes: lanes, Kernel: k})
	if err != nil {
		b.Skipf("kernel %s: %v", k, err)
	}
	return h
}

// BenchmarkSignature signs every document of the corpus from its shingle
// text: elib hashes each shingle with xxhash64 and calls Sign; the peers
// get the same shingle bytes through their Push API. One op = the corpus.
func BenchmarkSignature(b *testing.B) {
	c := shingleDocs(loadDocs(b))
	elib := func(k minhash.Kernel) func(b *testing.B) {
		return func(b *testing.B) {
			h := newHasher(b, k)
			sig := make([]uint32, lanes)
			hs := make([]uint64, 0, 1024)
			b.ReportAllocs()
			for b.Loop() {
				for _, doc := range c.docs {
					hs = hs[:0]
					for _, s := range doc {
						hs = append(hs, xxhash.Sum64(s))
					}
					sig = h.Sign(sig, hs)
				}
			}
			if !slices.ContainsFunc(sig, func(v uint32) bool { return v != minhash.Empty }) {
				b.Fatal("the last document got an empty signature")
			}
			reportShingles(b, c.total)
		}
	}
	b.Run("simd", elib(minhash.KernelSIMD))
	b.Run("portable", elib(minhash.KernelPortable))
	b.Run("ekzhu", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			for _, doc := range c.docs {
				m := ekzhu.NewMinhash(1, lanes)
				for _, s := range doc {
					m.Push(s)
				}
				_ = m.Signature()
			}
		}
		reportShingles(b, c.total)
	})
	b.Run("dgryski", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			for _, doc := range c.docs {
				m := dgryski.NewMinWise(xxhash.Sum64, fnv1a, lanes)
				for _, s := range doc {
					m.Push(s)
				}
				_ = m.Signature()
			}
		}
		reportShingles(b, c.total)
	})
}

// BenchmarkKernel signs the corpus from precomputed 64-bit shingle hashes:
// the MinHash kernel alone.
func BenchmarkKernel(b *testing.B) {
	c := shingleDocs(loadDocs(b))
	for _, k := range []minhash.Kernel{minhash.KernelSIMD, minhash.KernelPortable} {
		b.Run(k.String(), func(b *testing.B) {
			h := newHasher(b, k)
			sig := make([]uint32, lanes)
			b.ReportAllocs()
			for b.Loop() {
				for _, hs := range c.hashes {
					sig = h.Sign(sig, hs)
				}
			}
			if !slices.ContainsFunc(sig, func(v uint32) bool { return v != minhash.Empty }) {
				b.Fatal("the last document got an empty signature")
			}
			reportShingles(b, c.total)
		})
	}
}
