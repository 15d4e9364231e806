package minhash

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// kernels lists the kernels available in this build.
func kernels() []Kernel {
	if haveSIMD() {
		return []Kernel{KernelPortable, KernelSIMD}
	}
	return []Kernel{KernelPortable}
}

// reference computes a signature straight from the documented definition,
// independently of the Hasher's internals.
func reference(lanes int, seed uint64, shingles []uint64) []uint32 {
	state := seed
	next := func() uint64 {
		state += 0x9e3779b97f4a7c15
		z := state
		z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9
		z = (z ^ (z >> 27)) * 0x94d049bb133111eb
		return z ^ (z >> 31)
	}
	key := next()
	sig := make([]uint32, lanes)
	for i := range sig {
		r := next()
		a, b := uint32(r)|1, uint32(r>>32)
		m := ^uint32(0)
		for _, s := range shingles {
			z := s ^ key
			z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9
			z = (z ^ (z >> 27)) * 0x94d049bb133111eb
			x := uint32((z ^ (z >> 31)) >> 32)
			if v := a*x + b; v < m {
				m = v
			}
		}
		sig[i] = m
	}
	return sig
}

func randShingles(r *rand.Rand, n int) []uint64 {
	s := make([]uint64, n)
	for i := range s {
		s[i] = r.Uint64()
	}
	return s
}

func TestNewValidatesLanes(t *testing.T) {
	tests := []struct {
		lanes   int
		want    int
		wantErr error
	}{
		{lanes: 0, want: DefaultLanes},
		{lanes: 8, want: 8},
		{lanes: 64, want: 64},
		{lanes: 136, want: 136},
		{lanes: 4096, want: 4096},
		{lanes: -8, wantErr: ErrInvalidLanes},
		{lanes: 7, wantErr: ErrInvalidLanes},
		{lanes: 100, wantErr: ErrInvalidLanes},
		{lanes: 4104, wantErr: ErrInvalidLanes},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprint(tt.lanes), func(t *testing.T) {
			h, err := New(Options{Lanes: tt.lanes})
			if tt.wantErr != nil {
				assert.ErrorIs(t, err, tt.wantErr)
				assert.Nil(t, h)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.want, h.Lanes())
			assert.Len(t, h.Sign(nil, []uint64{1, 2, 3}), tt.want)
		})
	}
}

func TestNewKernel(t *testing.T) {
	h, err := New(Options{Kernel: KernelPortable})
	require.NoError(t, err)
	assert.Equal(t, KernelPortable, h.Kernel())

	h, err = New(Options{Kernel: KernelSIMD})
	if haveSIMD() {
		require.NoError(t, err)
		assert.Equal(t, KernelSIMD, h.Kernel())
	} else {
		assert.True(t, errors.Is(err, ErrSIMDUnavailable))
	}

	_, err = New(Options{Kernel: Kernel(42)})
	assert.Error(t, err)
}

func TestSignMatchesReference(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	tests := []struct {
		name  string
		lanes int
		seed  uint64
		n     int
	}{
		{"empty", 128, 0, 0},
		{"one", 128, 0, 1},
		{"seven", 8, 9, 7},
		{"sequential-ish", 64, 3, 9},
		{"lanes136", 136, 5, 100},
		{"more-than-a-chunk", 128, 0, 3*chunk + 17},
		{"wide", 256, 11, 33},
	}
	for _, tt := range tests {
		for _, k := range kernels() {
			t.Run(tt.name+"/"+k.String(), func(t *testing.T) {
				h, err := New(Options{Lanes: tt.lanes, Seed: tt.seed, Kernel: k})
				require.NoError(t, err)
				sh := randShingles(r, tt.n)
				seed := tt.seed
				if seed == 0 {
					seed = DefaultSeed
				}
				assert.Equal(t, reference(tt.lanes, seed, sh), h.Sign(nil, sh))
			})
		}
	}
}

// TestSignGolden pins signature values: they are stored on disk, so any
// change to the scheme or the default seed must be deliberate.
func TestSignGolden(t *testing.T) {
	for _, k := range kernels() {
		h, err := New(Options{Kernel: k})
		require.NoError(t, err)
		sig := h.Sign(nil, []uint64{1, 2, 3, 0xdeadbeef})
		assert.Equal(t, goldenFirst8, sig[:8], k.String())
		assert.Equal(t, goldenLast, sig[127], k.String())
	}
}

var (
	goldenFirst8 = []uint32{583227145, 279064116, 447067153, 3102970308, 245945947, 491720636, 2095818035, 1573035184}
	goldenLast   = uint32(0x3090b0d3)
)

func TestSignEmptyAndReuse(t *testing.T) {
	for _, k := range kernels() {
		t.Run(k.String(), func(t *testing.T) {
			h, err := New(Options{Kernel: k})
			require.NoError(t, err)
			sig := h.Sign(nil, nil)
			require.Len(t, sig, 128)
			assert.True(t, IsEmpty(sig))
			for _, v := range sig {
				assert.Equal(t, Empty, v)
			}

			// dst is reused and fully overwritten.
			dst := make([]uint32, 3, 200)
			for i := range dst[:cap(dst)] {
				dst[:cap(dst)][i] = 7
			}
			got := h.Sign(dst, []uint64{42})
			assert.Len(t, got, 128)
			assert.Equal(t, &dst[:1][0], &got[0], "dst storage reused")
			assert.Equal(t, h.Sign(nil, []uint64{42}), got)
			assert.False(t, IsEmpty(got))

			// Order and duplicates do not matter: it is a set sketch.
			assert.Equal(t, h.Sign(nil, []uint64{1, 2, 3}), h.Sign(nil, []uint64{3, 3, 1, 2, 1}))
		})
	}
}

func TestSignZeroAllocs(t *testing.T) {
	for _, k := range kernels() {
		h, err := New(Options{Kernel: k})
		require.NoError(t, err)
		sh := randShingles(rand.New(rand.NewPCG(3, 4)), 2000)
		dst := make([]uint32, 128)
		allocs := testing.AllocsPerRun(20, func() { dst = h.Sign(dst, sh) })
		assert.Zero(t, allocs, k.String())
	}
}

func TestSimilarity(t *testing.T) {
	full := func(v uint32, n int) []uint32 {
		s := make([]uint32, n)
		for i := range s {
			s[i] = v
		}
		return s
	}
	half := full(1, 8)
	copy(half[4:], []uint32{9, 9, 9, 9})
	tests := []struct {
		name string
		a, b []uint32
		want float64
	}{
		{"identical", full(1, 8), full(1, 8), 1},
		{"disjoint", full(1, 8), full(2, 8), 0},
		{"half", full(1, 8), half, 0.5},
		{"length mismatch", full(1, 8), full(1, 16), 0},
		{"both nil", nil, nil, 0},
		{"empty-set signatures", full(Empty, 8), full(Empty, 8), 0},
		{"one empty-set signature", full(Empty, 8), full(1, 8), 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.InDelta(t, tt.want, Similarity(tt.a, tt.b), 1e-12)
			assert.InDelta(t, tt.want, Similarity(tt.b, tt.a), 1e-12)
		})
	}
}

// TestSimilarityEstimatesJaccard checks the estimator on random sets of
// known Jaccard similarity: the mean error must be near the binomial
// expectation sqrt(J(1-J)/lanes).
func TestSimilarityEstimatesJaccard(t *testing.T) {
	h, err := New(Options{})
	require.NoError(t, err)
	r := rand.New(rand.NewPCG(5, 6))
	for _, j := range []float64{0.1, 0.3, 0.5, 0.62, 0.8, 0.95} {
		var sumErr float64
		const trials = 200
		for range trials {
			// |A∩B| = c, |A\B| = |B\A| = d, J = c/(c+2d).
			c := 200
			d := int(float64(c) * (1 - j) / (2 * j))
			common := randShingles(r, c)
			a := append(append([]uint64{}, common...), randShingles(r, d)...)
			b := append(append([]uint64{}, common...), randShingles(r, d)...)
			exact := float64(c) / float64(c+2*d)
			sumErr += abs(Similarity(h.Sign(nil, a), h.Sign(nil, b)) - exact)
		}
		mae := sumErr / trials
		// E|X-p| for a binomial proportion is about 0.8*sigma.
		assert.Less(t, mae, 0.8*sqrt(j*(1-j)/128)*1.25+0.002, "J=%.2f", j)
	}
}

func abs(x float64) float64 {
	if x < 0 {
		return -x
	}
	return x
}

func sqrt(x float64) float64 {
	z := x
	for range 50 {
		if z == 0 {
			return 0
		}
		z = (z + x/z) / 2
	}
	return z
}

func TestKernelsAgree(t *testing.T) {
	if !haveSIMD() {
		t.Skip("no SIMD kernel in this build/CPU")
	}
	r := rand.New(rand.NewPCG(7, 8))
	for _, lanes := range []int{8, 16, 24, 40, 64, 128, 256} {
		p, err := New(Options{Lanes: lanes, Kernel: KernelPortable})
		require.NoError(t, err)
		s, err := New(Options{Lanes: lanes, Kernel: KernelSIMD})
		require.NoError(t, err)
		for _, n := range []int{0, 1, 2, 3, 7, 8, 9, 31, 511, 512, 513, 1500} {
			sh := randShingles(r, n)
			require.Equal(t, p.Sign(nil, sh), s.Sign(nil, sh), "lanes=%d n=%d", lanes, n)
		}
	}
}

// FuzzSignature demands bit-identical signatures from the SIMD and the
// portable kernels on arbitrary inputs.
func FuzzSignature(f *testing.F) {
	f.Add([]byte{}, uint64(0), uint8(16))
	f.Add([]byte{1}, uint64(1), uint8(1))
	f.Add([]byte("一二三四五六七八九十"), uint64(42), uint8(8))
	f.Add(make([]byte, 8*9), uint64(7), uint8(32))
	f.Add(make([]byte, 8*7), uint64(7), uint8(15))
	f.Add(make([]byte, 8*8), uint64(9), uint8(7))
	f.Add([]byte("床前明月光疑是地上霜举头望明月低头思故乡"), uint64(0), uint8(3))
	f.Fuzz(func(t *testing.T, data []byte, seed uint64, groups uint8) {
		lanes := 8 * (1 + int(groups)%32)
		// Turn the bytes into 64-bit shingles: 8 bytes each, tail padded.
		sh := make([]uint64, 0, (len(data)+7)/8)
		for i := 0; i < len(data); i += 8 {
			var v uint64
			for j := i; j < min(i+8, len(data)); j++ {
				v = v<<8 | uint64(data[j])
			}
			sh = append(sh, v)
		}
		p, err := New(Options{Lanes: lanes, Seed: seed, Kernel: KernelPortable})
		require.NoError(t, err)
		want := p.Sign(nil, sh)
		if seed != 0 {
			require.Equal(t, reference(lanes, seed, sh), want)
		}
		if !haveSIMD() {
			return
		}
		s, err := New(Options{Lanes: lanes, Seed: seed, Kernel: KernelSIMD})
		require.NoError(t, err)
		require.Equal(t, want, s.Sign(nil, sh))
	})
}

// Test-only helpers: the check never estimates Jaccard from signatures (it
// verifies candidates exactly), so the estimator lives with the tests.

// Similarity is the Jaccard estimate: the share of equal lanes. It is 0
// when the lengths differ, when the signatures are empty (length 0), or when
// either is the signature of the empty set (all lanes Empty), because an
// empty set has no fingerprint to share.
func Similarity(a, b []uint32) float64 {
	if len(a) != len(b) || len(a) == 0 {
		return 0
	}
	b = b[:len(a)]
	eq := 0
	emptyA, emptyB := true, true
	for i, v := range a {
		w := b[i]
		if v == w {
			eq++
		}
		emptyA = emptyA && v == Empty
		emptyB = emptyB && w == Empty
	}
	if emptyA || emptyB {
		return 0
	}
	return float64(eq) / float64(len(a))
}

// IsEmpty reports whether sig is the signature of the empty set (or has no lanes).
func IsEmpty(sig []uint32) bool {
	for _, v := range sig {
		if v != Empty {
			return false
		}
	}
	return true
}
