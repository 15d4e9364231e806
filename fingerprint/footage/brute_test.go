package footage

import (
	"cmp"
	"fmt"
	"math/bits"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/stretchr/testify/require"

	"elib/media/pdq"
)

// hamming is the Hamming distance between two hashes (0–256).
func hamming(a, b pdq.Hash) int {
	return bits.OnesCount64(a[0]^b[0]) + bits.OnesCount64(a[1]^b[1]) +
		bits.OnesCount64(a[2]^b[2]) + bits.OnesCount64(a[3]^b[3])
}

// brutePairs is what Lookup must find, found the slow way: every distinct
// probe of every probed frame compared with every stored hash of every
// video in lib (the fingerprints as added, not the index's copy of them),
// per video as the index numbers them.
func brutePairs(x *Index, lib map[string]*Fingerprint, q *Fingerprint, opts LookupOptions) map[int32][]pair {
	t := opts.Threshold
	if t <= 0 || t > Threshold {
		t = Threshold
	}
	found := map[int32][]pair{}
	for id, f := range lib {
		if id == opts.Exclude {
			continue
		}
		var pairs []pair
		for fi, fr := range q.Frames {
			probes := fr.Probes
			if len(probes) == 0 {
				probes = fr.Stored
			}
			for pi, p := range probes {
				if slices.Contains(probes[:pi], p) {
					continue
				}
				for _, lf := range f.Frames {
					for _, h := range lf.Stored {
						if d := hamming(p, h); d <= t {
							pairs = append(pairs, pair{int32(fi), int16(d), lf.Ms})
						}
					}
				}
			}
		}
		if len(pairs) > 0 {
			found[x.byID[id]] = pairs
		}
	}
	return found
}

// sortedPairs puts found's pairs in one order, to compare.
func sortedPairs(found map[int32][]pair) map[int32][]pair {
	for _, ps := range found {
		slices.SortFunc(ps, func(a, b pair) int {
			return cmp.Or(cmp.Compare(a.frame, b.frame), cmp.Compare(a.dist, b.dist), cmp.Compare(a.ms, b.ms))
		})
	}
	return found
}

// nearHash flips d bits of h, spread to defeat the pigeonhole bound for
// threshold t where it can: as many parts as possible get one bit more
// than the part bound, split as evenly as possible between their two
// words, so a pair at distance t is reachable through one word of one
// part only.
func nearHash(r *rand.Rand, h pdq.Hash, d, t int) pdq.Hash {
	tau := boundsFor(t).tau
	perPart := make([]int, parts)
	left := d
	for _, j := range r.Perm(parts) {
		perPart[j] = min(tau+1, left)
		left -= perPart[j]
	}
	for left > 0 { // beyond 8·(tau+1): anywhere
		j := r.IntN(parts)
		if perPart[j] < 32 {
			perPart[j]++
			left--
		}
	}
	for j, c := range perPart {
		a := c / 2
		if c%2 == 1 && r.IntN(2) == 0 {
			a++
		}
		for i, n := range []int{a, c - a} {
			w := 2*j + i
			for n > 16 { // a part of more than 32 bits cannot be; keep it total
				n--
			}
			for _, bit := range r.Perm(16)[:n] {
				k := 16*w + bit
				h[k>>6] ^= 1 << (uint(k) & 63)
			}
		}
	}
	return h
}

// TestLookupAgreesWithBruteForce is the index's property: on random
// libraries with near-duplicate videos, through adds, replacements,
// removals, corrupt adds, bulk loads and packs, every lookup — random probes, probes
// near stored hashes at every distance up to 40 with the bits spread the
// worst way for the pigeonhole bound, any threshold, with and without an
// excluded video — answers exactly what comparing every probe with every
// stored hash answers.
func TestLookupAgreesWithBruteForce(t *testing.T) {
	seeds := 12
	if testing.Short() {
		seeds = 3
	}
	for seed := range seeds {
		t.Run(fmt.Sprint("seed", seed), func(t *testing.T) {
			r := rand.New(rand.NewPCG(uint64(seed), 77))
			x := NewIndex()
			lib := map[string]*Fingerprint{}
			var all []pdq.Hash // every stored hash ever added
			newVideo := func() *Fingerprint {
				f := &Fingerprint{IntervalMs: []int64{1000, 500, 40}[r.IntN(3)], Sampled: 5 + r.IntN(40)}
				var last pdq.Hash
				for s := range f.Sampled {
					if r.IntN(6) == 0 {
						continue // a flat frame, not kept
					}
					fr := Frame{Ms: int64(s) * f.IntervalMs}
					for range 1 + r.IntN(MaxStored) {
						var h pdq.Hash
						switch {
						case len(all) > 0 && r.IntN(3) == 0: // a copy of library footage
							h = nearHash(r, all[r.IntN(len(all))], r.IntN(41), Threshold)
						case s > 0 && r.IntN(2) == 0: // the same shot drifting
							h = flipBits(r, last, r.IntN(12))
						default:
							h = randomHash(r)
						}
						fr.Stored = append(fr.Stored, h)
						all = append(all, h)
						last = h
					}
					f.Frames = append(f.Frames, fr)
				}
				return f
			}
			add := func(id string) {
				f := newVideo()
				if r.IntN(2) == 0 {
					x.Add(id, f)
				} else {
					require.NoError(t, x.AddEncoded(id, f.Encode()))
				}
				lib[id] = f
			}
			ids := func() []string {
				var out []string
				for id := range lib {
					out = append(out, id)
				}
				return out
			}
			query := func(threshold int) *Fingerprint {
				q := &Fingerprint{IntervalMs: 1000, Sampled: 1 + r.IntN(12)}
				for s := range q.Sampled {
					fr := Frame{Ms: int64(s) * 1000}
					for range r.IntN(8) {
						switch r.IntN(4) {
						case 0:
							fr.Probes = append(fr.Probes, randomHash(r))
						case 1:
							fr.Probes = append(fr.Probes, flipBits(r, all[r.IntN(len(all))], r.IntN(41)))
						default:
							fr.Probes = append(fr.Probes, nearHash(r, all[r.IntN(len(all))], r.IntN(41), threshold))
						}
					}
					if len(fr.Probes) > 1 && r.IntN(4) == 0 {
						fr.Probes = append(fr.Probes, fr.Probes[0]) // the same twice
					}
					if len(fr.Probes) == 0 {
						fr.Stored = []pdq.Hash{nearHash(r, all[r.IntN(len(all))], r.IntN(41), threshold)}
					}
					q.Frames = append(q.Frames, fr)
				}
				return q
			}
			if seed%2 == 1 {
				x.Bulk()
			}
			next := 0
			for range 60 {
				add(fmt.Sprint("v", next))
				next++
			}
			if seed%3 == 0 {
				x.Compact()
			}
			lookups, matches := 0, 0
			for step := range 400 {
				switch op := r.IntN(20); {
				case op < 4:
					add(fmt.Sprint("v", next))
					next++
				case op < 5: // a replacement
					add(ids()[r.IntN(len(lib))])
				case op < 7 && len(lib) > 10:
					id := ids()[r.IntN(len(lib))]
					require.True(t, x.Remove(id))
					delete(lib, id)
				case op < 8 && r.IntN(2) == 0: // corrupt bytes add nothing, remove nothing
					id := fmt.Sprint("v", next)
					if r.IntN(2) == 0 {
						id = ids()[r.IntN(len(lib))]
					}
					b := newVideo().Encode()
					require.ErrorIs(t, x.AddEncoded(id, b[:len(b)-1-r.IntN(len(b)-1)]), ErrCorrupt)
				case op < 8:
					x.Compact()
				case op < 9:
					x.Bulk()
				default:
					threshold := []int{0, Threshold, Threshold, Threshold, 15, 16, 23, 24, 7, 8, 1, 40}[r.IntN(12)]
					opts := LookupOptions{Threshold: threshold}
					if r.IntN(4) == 0 {
						opts.Exclude = ids()[r.IntN(len(lib))]
					}
					t0 := threshold
					if t0 <= 0 || t0 > Threshold {
						t0 = Threshold
					}
					q := query(t0)
					got := x.Lookup(q, opts)
					want := brutePairs(x, lib, q, opts)
					if len(want) > 0 {
						matches++
					}
					// The same pairs, each once (Lookup packs first when stale)...
					excluded := int32(-1)
					if vi, ok := x.byID[opts.Exclude]; ok {
						excluded = vi
					}
					require.Equal(t, sortedPairs(want), sortedPairs(x.probeFrames(q, 0, 1, boundsFor(t0), excluded)),
						"step %d, threshold %d, exclude %q", step, threshold, opts.Exclude)
					// ...and the same answer.
					require.Equal(t, x.result(q, want), got, "step %d, threshold %d, exclude %q", step, threshold, opts.Exclude)
					lookups++
				}
			}
			require.Equal(t, len(lib), x.Len())
			t.Logf("%d lookups agreed, %d of them with matches; %d videos, %d entries", lookups, matches, x.Len(), x.Entries())
		})
	}
}

// TestEntryStoreChunks: entries added across chunk boundaries read back
// as added, and truncating at, before and after a boundary keeps exactly
// the first entries.
func TestEntryStoreChunks(t *testing.T) {
	var s entryStore
	h := func(e int) pdq.Hash { return pdq.Hash{uint64(e), ^uint64(e), uint64(e) * 3, 7} }
	add := func(from, to int) {
		for e := from; e < to; e++ {
			s.add(h(e), uint32(e/2))
		}
	}
	check := func() {
		t.Helper()
		for e := 0; e < s.n; e++ {
			if *s.hash(uint32(e)) != h(e) || s.sampleAt(uint32(e)) != uint32(e/2) {
				t.Fatalf("entry %d of %d reads back wrong", e, s.n)
			}
		}
		for c := 0; c+1 < len(s.hashes); c++ {
			require.Len(t, s.hashes[c], chunkLen, "chunk %d of %d not full", c, len(s.hashes))
		}
	}
	add(0, 2*chunkLen+5)
	check()
	for _, n := range []int{2*chunkLen + 1, 2 * chunkLen, 2*chunkLen - 1, chunkLen, 3, 0} {
		s.truncate(n)
		require.Equal(t, n, s.n)
		check()
		add(n, n+chunkLen+2)
		check()
		s.truncate(n)
		check()
	}
}

// TestLookupAgreesWithBruteForceLarge is the property on a library of more
// than one chunk of entries, packed and then with fresh additions, a
// removal and a corrupt add after it.
func TestLookupAgreesWithBruteForceLarge(t *testing.T) {
	if testing.Short() {
		t.Skip("a library of 80,000 entries")
	}
	r := rand.New(rand.NewPCG(42, 42))
	x := NewIndex()
	x.Bulk()
	lib := map[string]*Fingerprint{}
	var all []pdq.Hash
	add := func(id string) {
		hs := make([]pdq.Hash, 40)
		for i := range hs {
			hs[i] = randomHash(r)
			if len(all) > 0 && r.IntN(4) == 0 {
				hs[i] = nearHash(r, all[r.IntN(len(all))], r.IntN(36), Threshold)
			}
		}
		all = append(all, hs...)
		f := videoOf(hs)
		require.NoError(t, x.AddEncoded(id, f.Encode()))
		lib[id] = f
	}
	for i := range 2000 {
		add(fmt.Sprint("v", i))
	}
	x.Compact()
	for i := 2000; i < 2020; i++ {
		add(fmt.Sprint("v", i))
	}
	require.True(t, x.Remove("v7"))
	delete(lib, "v7")
	b := videoOf([]pdq.Hash{randomHash(r)}).Encode()
	require.ErrorIs(t, x.AddEncoded("bad", b[:len(b)-3]), ErrCorrupt)
	require.Greater(t, x.Entries(), chunkLen)
	for range 20 {
		q := &Fingerprint{IntervalMs: 1000, Sampled: 8}
		for s := range q.Sampled {
			fr := Frame{Ms: int64(s) * 1000}
			for range 4 {
				fr.Probes = append(fr.Probes, nearHash(r, all[r.IntN(len(all))], r.IntN(40), Threshold))
			}
			q.Frames = append(q.Frames, fr)
		}
		want := brutePairs(x, lib, q, LookupOptions{})
		require.Equal(t, x.result(q, want), x.Lookup(q, LookupOptions{}))
	}
}
