package lsh

import (
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/stretchr/testify/require"
)

// randomEntries returns n sorted entries whose keys take about n/perKey
// distinct values (so keys repeat), with ids below 2^22.
func randomEntries(seed uint64, n, perKey int) []uint64 {
	r := rand.New(rand.NewPCG(seed, 3))
	keys := make([]uint64, max(1, n/perKey))
	for i := range keys {
		keys[i] = uint64(r.Uint32())
	}
	// Edge keys: the first and last slot, and low bits all ones.
	keys[0] = 0
	if len(keys) > 2 {
		keys[1] = 0xffffffff
		keys[2] = 0x1234ffff
	}
	e := make([]uint64, n)
	for i := range e {
		e[i] = keys[r.IntN(len(keys))]<<32 | uint64(r.Uint32N(1<<22))
	}
	slices.Sort(e)
	return e
}

// checkRun compares every operation of newRun(e) with the plain entries.
func checkRun(t *testing.T, e []uint64, probes []uint64) {
	t.Helper()
	r := newRun(slices.Clone(e))
	require.Equal(t, len(e), r.len())
	require.Equal(t, e, r.entries(), "entries")
	for _, hi := range probes {
		j, k := r.span(hi)
		wj, wk := refSpanSearch(e, hi)
		if k-j != wk-wj || (wk > wj && j != wj) {
			t.Fatalf("span(%#x) = %d,%d, want %d,%d", hi, j, k, wj, wk)
		}
		for i := j; i < k; i++ {
			if r.id(i) != uint32(e[i]) {
				t.Fatalf("id(%d) = %d, want %d", i, r.id(i), uint32(e[i]))
			}
		}
		r.touch(hi << 32)
		if havePrefetch && r.indexed() {
			prefetchLine(r.slotPointer(hi >> r.kshift))
			r.prefetchSlot(hi >> r.kshift)
		}
	}
	other := randomEntries(99, 1000, 3)
	require.Equal(t, mergeSorted(nil, e, other), r.mergeInto(nil, other), "mergeInto")
}

func TestRunLayouts(t *testing.T) {
	for _, tc := range []struct {
		name   string
		n      int
		perKey int
		packed bool
		dir    bool
	}{
		{"small", 100, 2, false, false},
		{"directory", dirMin * 4, 3, false, true},
		{"just below packMin", packMin - 1, 2, false, true},
		{"packed", packMin, 2, true, true},
		{"packed, stock keys", packMin + 5, 5000, true, true},
		{"packed, more bits", 1 << 21, 1, true, true},
		// Keys of 100,000+ entries: the packed directory's offsets
		// cannot say them, so the run stays unpacked.
		{"a key too common to pack", packMin, packMin / 2, false, true},
		// ... but a run long enough for a 2^16-slot directory anyway is
		// packed with a directory of 4-byte slots.
		{"packed, a key too common for offsets", 1 << 20, 1 << 17, true, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := randomEntries(uint64(tc.n), tc.n, tc.perKey)
			r := newRun(slices.Clone(e))
			require.Equal(t, tc.packed, r.packed())
			require.Equal(t, tc.dir, r.indexed())
			if tc.packed {
				require.Nil(t, r.e)
				require.LessOrEqual(t, r.kshift, uint(16))
			}
			rng := rand.New(rand.NewPCG(7, 7))
			probes := []uint64{0, 1, 0xffffffff, 0x1234ffff, 0x12350000}
			for i := 0; i < 2000; i++ {
				probes = append(probes, e[rng.IntN(len(e))]>>32, uint64(rng.Uint32()))
			}
			checkRun(t, e, probes)
		})
	}
}

// TestPackedIndexAnswers checks an index whose bands are packed runs
// against the same entries held unpacked: Query, QueryCounts and Holders
// give the same answers.
func TestPackedIndexAnswers(t *testing.T) {
	e := randomEntries(5, packMin+100, 4)
	packed := NewIndex(Params{Bands: 1, Rows: 1})
	plain := NewIndex(Params{Bands: 1, Rows: 1})
	for _, v := range e {
		packed.live.set(uint32(v))
		plain.live.set(uint32(v))
	}
	packed.n, plain.n = packed.live.count(), plain.live.count()
	packed.bands[0].runs = []run{newRun(slices.Clone(e))}
	// Unpacked: the same entries split into runs below packMin.
	half := len(e) / 2
	plain.bands[0].runs = []run{newRun(slices.Clone(e[:half])), newRun(slices.Clone(e[half:]))}
	require.True(t, packed.bands[0].runs[0].packed())
	require.False(t, plain.bands[0].runs[0].packed())
	rng := rand.New(rand.NewPCG(1, 2))
	for i := 0; i < 500; i++ {
		keys := []uint64{e[rng.IntN(len(e))] &^ 0xffffffff, uint64(rng.Uint32()) << 32}
		type hit struct{ id, n uint32 }
		var a, b []hit
		packed.QueryCounts(keys, func(id uint32, n int) { a = append(a, hit{id, uint32(n)}) })
		plain.QueryCounts(keys, func(id uint32, n int) { b = append(b, hit{id, uint32(n)}) })
		require.Equal(t, b, a)
		var ha, hb []uint64
		ca := packed.Holders(0, keys, 3, func(i int, id uint32) { ha = append(ha, uint64(i)<<32|uint64(id)) })
		cb := plain.Holders(0, keys, 3, func(i int, id uint32) { hb = append(hb, uint64(i)<<32|uint64(id)) })
		require.Equal(t, cb, ca)
		slices.Sort(ha)
		slices.Sort(hb)
		require.Equal(t, len(hb), len(ha))
	}
	// Compact and WriteTo read packed runs back as entries.
	packed.Compact()
	require.Equal(t, e, packed.bands[0].runs[0].entries())
}

// FuzzPackedSpan checks span, id and mergeInto of a packed run against the
// plain entries for fuzzed keys and probes.
func FuzzPackedSpan(f *testing.F) {
	e := randomEntries(11, packMin, 3)
	r := newRun(slices.Clone(e))
	if !r.packed() {
		f.Fatal("not packed")
	}
	f.Add(uint32(0), uint32(0))
	f.Add(uint32(0xffffffff), uint32(7))
	f.Add(uint32(e[1000]>>32), uint32(e[1000]))
	f.Fuzz(func(t *testing.T, hi, id uint32) {
		j, k := r.span(uint64(hi))
		wj, wk := refSpanSearch(e, uint64(hi))
		if k-j != wk-wj || (wk > wj && j != wj) {
			t.Fatalf("span(%#x) = %d,%d, want %d,%d", hi, j, k, wj, wk)
		}
		for i := j; i < k; i++ {
			if r.id(i) != uint32(e[i]) {
				t.Fatalf("id(%d) = %d, want %d", i, r.id(i), uint32(e[i]))
			}
		}
		x := uint64(hi)<<32 | uint64(id)
		got := r.mergeInto(nil, []uint64{x})
		want := mergeSorted(nil, e, []uint64{x})
		if !slices.Equal(got, want) {
			t.Fatalf("mergeInto %#x differs", x)
		}
	})
}

// refSpanSearch returns the entries [j, k) of key hi in the plain sorted
// entries e, by binary search over the whole of them.
func refSpanSearch(e []uint64, hi uint64) (int, int) {
	j, _ := slices.BinarySearch(e, hi<<32)
	k := j
	for k < len(e) && e[k]>>32 == hi {
		k++
	}
	return j, k
}

// TestRunBuilder checks that runBuilder, given the entries in chunks,
// builds the very run newRun builds of them, in every layout.
func TestRunBuilder(t *testing.T) {
	for _, tc := range []struct {
		name      string
		n, perKey int
	}{
		{"empty", 0, 1},
		{"small", 100, 2},
		{"directory", dirMin * 4, 3},
		{"just below packMin", packMin - 1, 2},
		{"packed", packMin, 2},
		{"packed, stock keys", packMin + 5, 5000},
		{"packed, more bits", 1 << 21, 1},
		{"a key too common to pack", packMin, packMin / 2},
		{"packed, a key too common for offsets", 1 << 20, 1 << 17},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := randomEntries(uint64(tc.n), tc.n, tc.perKey)
			if tc.n == 0 {
				e = nil
			}
			want := newRun(append(make([]uint64, 0, len(e)), e...))
			for _, chunk := range []int{1, 7, readStep, tc.n + 1} {
				b := newRunBuilder(len(e))
				for i := 0; i < len(e); i += chunk {
					b.add(e[i:min(i+chunk, len(e))])
				}
				got := b.run()
				if len(e) == 0 {
					require.Zero(t, got.len())
					continue
				}
				require.Equal(t, want, got, "chunks of %d", chunk)
				require.Equal(t, want.bytes(), got.bytes(), "capacities, chunks of %d", chunk)
			}
			other := randomEntries(99, 5000, 3)
			var merged []uint64
			buf := make([]uint64, 100)
			want.mergeTo(other, buf, func(c []uint64) {
				require.LessOrEqual(t, len(c), len(buf))
				merged = append(merged, c...)
			})
			require.Equal(t, mergeSorted(nil, e, other), merged, "mergeTo")
		})
	}
}
