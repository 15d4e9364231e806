package radix

import (
	"cmp"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestSortHighProperty: the result is xs stably sorted by x >> low, for
// random inputs with few and many distinct high bits.
func TestSortHighProperty(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	var scratch []uint64
	for trial := range 500 {
		n := r.IntN(3000)
		low := uint(r.IntN(70))
		spread := uint64(1) << r.IntN(64)
		xs := make([]uint64, n)
		for i := range xs {
			xs[i] = r.Uint64N(spread)<<32 ^ r.Uint64()&0xffffffff
			if trial%3 == 0 {
				xs[i] = r.Uint64()
			}
		}
		want := slices.Clone(xs)
		if low < 64 {
			slices.SortStableFunc(want, func(a, b uint64) int { return cmp.Compare(a>>low, b>>low) })
		}
		var got []uint64
		got, scratch = SortHigh(xs, scratch, low)
		require.Equal(t, want, got, "trial %d: n %d low %d", trial, n, low)
	}
}

func TestSortHighEdges(t *testing.T) {
	got, _ := SortHigh(nil, nil, 0)
	require.Empty(t, got)
	got, _ = SortHigh([]uint64{5}, nil, 0)
	require.Equal(t, []uint64{5}, got)
	got, _ = SortHigh([]uint64{3, 1, 2}, nil, 64)
	require.Equal(t, []uint64{3, 1, 2}, got, "no bits to sort by")
	got, _ = SortHigh([]uint64{^uint64(0), 0, 1 << 63}, nil, 0)
	require.Equal(t, []uint64{0, 1 << 63, ^uint64(0)}, got)
}

func BenchmarkSortHigh(b *testing.B) {
	r := rand.New(rand.NewPCG(1, 2))
	xs := make([]uint64, 3000)
	for i := range xs {
		xs[i] = uint64(r.IntN(3))<<56 | uint64(r.IntN(100_000))<<24 | uint64(r.IntN(300))
	}
	buf := make([]uint64, len(xs))
	work := make([]uint64, len(xs))
	b.Run("radix", func(b *testing.B) {
		for b.Loop() {
			copy(work, xs)
			SortHigh(work, buf, 24)
		}
	})
	b.Run("slices.Sort", func(b *testing.B) {
		for b.Loop() {
			copy(work, xs)
			slices.Sort(work)
		}
	})
}
