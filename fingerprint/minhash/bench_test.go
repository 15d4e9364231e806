package minhash

import (
	"fmt"
	"math/rand/v2"
	"testing"
)

// BenchmarkSign measures the kernels on sets of random shingle hashes.
func BenchmarkSign(b *testing.B) {
	sh := randShingles(rand.New(rand.NewPCG(9, 9)), 4096)
	for _, lanes := range []int{64, 128, 256} {
		for _, k := range kernels() {
			b.Run(fmt.Sprintf("lanes=%d/%s", lanes, k), func(b *testing.B) {
				h, err := New(Options{Lanes: lanes, Kernel: k})
				if err != nil {
					b.Fatal(err)
				}
				dst := make([]uint32, lanes)
				b.ReportAllocs()
				for b.Loop() {
					dst = h.Sign(dst, sh)
				}
				b.ReportMetric(float64(len(sh))*float64(b.N)/b.Elapsed().Seconds(), "shingles/s")
			})
		}
	}
}
