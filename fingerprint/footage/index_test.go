package footage

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"elib/media/pdq"
)

// randomHash returns a hash with 128 of its 256 bits set, as PDQ's median
// threshold gives.
func randomHash(r *rand.Rand) pdq.Hash {
	var h pdq.Hash
	perm := r.Perm(256)
	for _, k := range perm[:128] {
		h[k>>6] |= 1 << (uint(k) & 63)
	}
	return h
}

// flipBits flips n distinct random bits of h.
func flipBits(r *rand.Rand, h pdq.Hash, n int) pdq.Hash {
	for _, k := range r.Perm(256)[:n] {
		h[k>>6] ^= 1 << (uint(k) & 63)
	}
	return h
}

// video makes a fingerprint of n seconds from per-second hashes.
func videoOf(hashes []pdq.Hash) *Fingerprint {
	f := &Fingerprint{IntervalMs: 1000, Sampled: len(hashes)}
	for i, h := range hashes {
		f.Frames = append(f.Frames, Frame{Ms: int64(i) * 1000, Stored: []pdq.Hash{h}, Probes: []pdq.Hash{h}})
	}
	return f
}

func TestEncodeDecode(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 1))
	f := &Fingerprint{IntervalMs: 1000, Sampled: 60}
	for i := 0; i < 60; i++ {
		if i%7 == 3 {
			continue // a dropped, flat frame
		}
		f.Frames = append(f.Frames, Frame{Ms: int64(i) * 1000, Stored: []pdq.Hash{randomHash(r), randomHash(r)}})
	}
	b := f.Encode()
	assert.LessOrEqual(t, len(b), 4096, "a minute in at most 4 KB")
	t.Logf("%d frames of a minute: %d bytes", len(f.Frames), len(b))
	g, err := Decode(b)
	require.NoError(t, err)
	assert.Equal(t, f, g)

	_, err = Decode(nil)
	assert.ErrorIs(t, err, ErrCorrupt)
	_, err = Decode(b[:len(b)-1])
	assert.ErrorIs(t, err, ErrCorrupt)
	_, err = Decode(append(b, 0))
	assert.ErrorIs(t, err, ErrCorrupt)
}

func TestEncodeWithProbes(t *testing.T) {
	r := rand.New(rand.NewPCG(4, 4))
	f := &Fingerprint{IntervalMs: 1000, Sampled: 10}
	for i := 0; i < 10; i++ {
		h := randomHash(r)
		f.Frames = append(f.Frames, Frame{Ms: int64(i) * 1000, Stored: []pdq.Hash{h}, Probes: []pdq.Hash{h, randomHash(r), randomHash(r)}})
	}
	g, err := Decode(f.EncodeWithProbes())
	require.NoError(t, err)
	assert.Equal(t, f, g)
	stored, err := StoredForm(f.EncodeWithProbes())
	require.NoError(t, err)
	assert.Equal(t, f.Encode(), stored, "a library keeps no probes")
	_, err = StoredForm([]byte{9})
	assert.ErrorIs(t, err, ErrCorrupt)
}

func FuzzDecode(f *testing.F) {
	r := rand.New(rand.NewPCG(2, 2))
	fp := videoOf([]pdq.Hash{randomHash(r), randomHash(r)})
	f.Add(fp.Encode())
	f.Add(fp.EncodeWithProbes())
	f.Add([]byte{1, 0xe8, 7, 2, 1})
	f.Fuzz(func(t *testing.T, b []byte) {
		g, err := Decode(b)
		if addErr := NewIndex().AddEncoded("v", b); (addErr == nil) != (err == nil) {
			t.Fatalf("Decode says %v, AddEncoded %v", err, addErr)
		}
		if err != nil {
			return
		}
		again, err := Decode(g.Encode())
		if err != nil {
			t.Fatalf("re-encoded fingerprint does not decode: %v", err)
		}
		if len(again.Frames) != len(g.Frames) {
			t.Fatal("frames changed")
		}
		withProbes, err := Decode(g.EncodeWithProbes())
		if err != nil {
			t.Fatalf("re-encoded fingerprint with probes does not decode: %v", err)
		}
		if len(withProbes.Frames) != len(g.Frames) {
			t.Fatal("frames changed")
		}
		for i := range g.Frames {
			if len(withProbes.Frames[i].Probes) != len(g.Frames[i].Probes) {
				t.Fatal("probes changed")
			}
		}
	})
}

// TestLookupWithinThreshold checks the pigeonhole guarantee: every
// stored hash within 31 bits of a probe is found, whatever the bits
// flipped, packed or not, and none farther is reported.
func TestLookupWithinThreshold(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 3))
	x := NewIndex()
	base := make([]pdq.Hash, 200)
	for i := range base {
		base[i] = randomHash(r)
	}
	x.Add("lib", videoOf(base))
	for _, compact := range []bool{false, true} {
		if compact {
			x.Compact()
		}
		for d := 0; d <= 40; d++ {
			i := r.IntN(len(base))
			p := flipBits(r, base[i], d)
			res := x.Lookup(videoOf([]pdq.Hash{p}), LookupOptions{})
			found := false
			for _, m := range res.Matches {
				for _, rg := range m.Ranges {
					if rg.LibraryStartMs == int64(i)*1000 {
						found = true
					}
				}
			}
			if d <= Threshold {
				assert.True(t, found, "distance %d not found (compact %v)", d, compact)
			} else {
				assert.False(t, found, "distance %d found", d)
			}
		}
	}
	// The worst case for the pigeonhole: four bits flipped in every part
	// (two in each word) but one, which gets three (two and one): 31 bits.
	p := base[0]
	for w := 0; w < 15; w++ {
		p[w/4] ^= 3 << (uint(w%4)*16 + 3)
	}
	p[3] ^= 1 << 60
	require.Equal(t, 31, hamming(p, base[0]))
	res := x.Lookup(videoOf([]pdq.Hash{p}), LookupOptions{})
	require.Len(t, res.Matches, 1)
	assert.Equal(t, 1.0, res.Duplication)
}

// TestLookupRanges checks per-source coverage, the union over sources and
// the matched time ranges on both sides.
func TestLookupRanges(t *testing.T) {
	r := rand.New(rand.NewPCG(4, 4))
	a := make([]pdq.Hash, 30)
	b := make([]pdq.Hash, 20)
	for i := range a {
		a[i] = randomHash(r)
	}
	for i := range b {
		b[i] = randomHash(r)
	}
	x := NewIndex()
	x.Add("a", videoOf(a))
	x.Add("b", videoOf(b))
	x.Add("gone", videoOf(a))
	require.True(t, x.Remove("gone"))
	// The probed video: 5 new seconds, a[10:16] (noisy), 4 new, b[0:5].
	var q []pdq.Hash
	for range 5 {
		q = append(q, randomHash(r))
	}
	for i := 10; i < 16; i++ {
		q = append(q, flipBits(r, a[i], 12))
	}
	for range 4 {
		q = append(q, randomHash(r))
	}
	q = append(q, b[:5]...)
	res := x.Lookup(videoOf(q), LookupOptions{})
	assert.Equal(t, 20, res.Frames)
	assert.Equal(t, 11, res.Matched)
	assert.InDelta(t, 0.55, res.Duplication, 1e-9)
	require.Len(t, res.Matches, 2)
	assert.Equal(t, "a", res.Matches[0].ID)
	assert.Equal(t, 6, res.Matches[0].Frames)
	assert.Equal(t, []Range{{StartMs: 5000, EndMs: 11000, LibraryStartMs: 10000, LibraryEndMs: 16000}}, res.Matches[0].Ranges)
	assert.Equal(t, []Range{{StartMs: 15000, EndMs: 20000, LibraryStartMs: 0, LibraryEndMs: 5000}}, res.Matches[1].Ranges)

	res = x.Lookup(videoOf(q), LookupOptions{Exclude: "a"})
	assert.Equal(t, 5, res.Matched)
	x.Compact()
	assert.Equal(t, 50, x.Entries())
	res = x.Lookup(videoOf(q), LookupOptions{})
	assert.Equal(t, 11, res.Matched)
}

// TestBulkLoad: videos added after Bulk are found (the first Lookup packs
// them), later Adds and Removes still count, and Each gives back what was
// added.
func TestBulkLoad(t *testing.T) {
	r := rand.New(rand.NewPCG(8, 8))
	vids := make([][]pdq.Hash, 5)
	for i := range vids {
		for range 10 {
			vids[i] = append(vids[i], randomHash(r))
		}
	}
	x := NewIndex()
	x.Bulk()
	for i := range 3 {
		x.Add(fmt.Sprint("v", i), videoOf(vids[i]))
	}
	res := x.Lookup(videoOf(vids[1]), LookupOptions{})
	require.Len(t, res.Matches, 1)
	assert.Equal(t, "v1", res.Matches[0].ID)
	x.Add("v3", videoOf(vids[3]))
	require.True(t, x.Remove("v0"))
	assert.Empty(t, x.Lookup(videoOf(vids[0]), LookupOptions{}).Matches)
	assert.Equal(t, "v3", x.Lookup(videoOf(vids[3]), LookupOptions{}).Matches[0].ID)
	assert.True(t, x.Has("v2"))
	got := map[string]int{}
	x.Each(func(id string, f *Fingerprint) { got[id] = len(f.Frames) })
	assert.Equal(t, map[string]int{"v1": 10, "v2": 10, "v3": 10}, got)
}

// TestAddEncoded: a video added from its stored bytes is found like one
// added as a Fingerprint; corrupt bytes add nothing.
func TestAddEncoded(t *testing.T) {
	r := rand.New(rand.NewPCG(9, 9))
	var hs []pdq.Hash
	for range 12 {
		hs = append(hs, randomHash(r))
	}
	f := videoOf(hs)
	f.Sampled = 15
	x := NewIndex()
	require.NoError(t, x.AddEncoded("v", f.Encode()))
	res := x.Lookup(f, LookupOptions{})
	require.Len(t, res.Matches, 1)
	assert.Equal(t, 12, res.Matches[0].Frames)
	var back *Fingerprint
	x.Each(func(_ string, g *Fingerprint) { back = g })
	assert.Equal(t, f.Encode(), back.Encode())
	assert.ErrorIs(t, x.AddEncoded("bad", f.Encode()[:40]), ErrCorrupt)
	assert.False(t, x.Has("bad"))
	assert.Equal(t, 1, x.Len())
}
