package lsh

import (
	"bytes"
	"context"
	"encoding/binary"
	"fmt"
	"math/rand/v2"
	"reflect"
	"slices"
	"sync"
	"testing"

	"elib/fingerprint/minhash"
	"elib/internal/pace"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestParamsFor(t *testing.T) {
	tests := []struct {
		lanes int
		want  Params
	}{
		{0, Params{}},
		{8, Params{8, 1}},
		{32, Params{16, 2}},
		{64, Params{21, 3}},
		{128, Params{32, 4}},
		{256, Params{51, 5}},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprint(tt.lanes), func(t *testing.T) {
			p := ParamsFor(tt.lanes)
			assert.Equal(t, tt.want, p)
			if tt.lanes > 0 {
				assert.NoError(t, p.Validate(tt.lanes))
				assert.GreaterOrEqual(t, p.Probability(Threshold), MinRecallAtThreshold)
			}
		})
	}
	assert.Equal(t, ParamsFor(128), DefaultParams())
	assert.Error(t, Params{33, 4}.Validate(128))
	assert.Error(t, Params{0, 4}.Validate(128))
}

func TestProbabilityTable(t *testing.T) {
	p := DefaultParams()
	tests := []struct{ j, want float64 }{
		{0, 0}, {0.3, 0.229}, {0.4, 0.564}, {0.5, 0.873}, {0.62, 0.994}, {0.8, 1.0}, {1, 1},
	}
	for _, tt := range tests {
		assert.InDelta(t, tt.want, p.Probability(tt.j), 0.0005, "J=%v", tt.j)
	}
	assert.Zero(t, Params{}.Probability(0.5))
}

func TestBandKeys(t *testing.T) {
	p := DefaultParams()
	sig := make([]uint32, 128)
	for i := range sig {
		sig[i] = uint32(i * 7)
	}
	keys := p.BandKeys(nil, sig)
	require.Len(t, keys, 32)
	assert.Equal(t, keys, p.BandKeys(make([]uint64, 0, 32), sig), "deterministic")
	seen := map[uint64]bool{}
	for _, k := range keys {
		assert.False(t, seen[k], "band keys differ between bands")
		seen[k] = true
	}
	// Changing one lane changes exactly its band's key.
	sig2 := append([]uint32(nil), sig...)
	sig2[9]++ // band 2 (rows 8..11)
	keys2 := p.BandKeys(nil, sig2)
	for b := range keys {
		assert.Equal(t, b != 2, keys[b] == keys2[b], "band %d", b)
	}
	// Appends to dst; short signatures give only full bands; empty set gives none.
	assert.Len(t, p.BandKeys([]uint64{1}, sig), 33)
	assert.Len(t, p.BandKeys(nil, sig[:10]), 2)
	empty := make([]uint32, 128)
	for i := range empty {
		empty[i] = minhash.Empty
	}
	assert.Empty(t, p.BandKeys(nil, empty))
}

// pairGen makes set pairs with a chosen Jaccard similarity.
type pairGen struct {
	r *rand.Rand
	h *minhash.Hasher
}

func (g pairGen) sets(j float64, size int) (a, b []uint64) {
	// |A∩B| = c, |A\B| = |B\A| = d, J = c/(c+2d), |A| = c+d = size.
	d := int(float64(size) * (1 - j) / (1 + j))
	c := size - d
	for range c {
		v := g.r.Uint64()
		a, b = append(a, v), append(b, v)
	}
	for range d {
		a, b = append(a, g.r.Uint64()), append(b, g.r.Uint64())
	}
	return a, b
}

func TestRecallAndCandidateRate(t *testing.T) {
	h, err := minhash.New(minhash.Options{})
	require.NoError(t, err)
	g := pairGen{r: rand.New(rand.NewPCG(1, 1)), h: h}
	p := DefaultParams()
	x := NewIndex(p)

	type pair struct {
		j    float64
		keys []uint64
	}
	var near, far []pair
	id := uint32(0)
	add := func(j float64, out *[]pair) {
		size := 20 + g.r.IntN(200)
		a, b := g.sets(j, size)
		x.Add(id, p.BandKeys(nil, h.Sign(nil, a)))
		*out = append(*out, pair{j: j, keys: p.BandKeys(nil, h.Sign(nil, b))})
		id++
	}
	for i := range 3000 {
		add(0.62+0.38*float64(i%100)/100, &near)
		add(0.2*float64(i%100)/100, &far)
	}
	require.Equal(t, 6000, x.Len())

	found := func(ps []pair, first uint32, step uint32) float64 {
		hits := 0
		for i, pr := range ps {
			want := first + step*uint32(i)
			x.Query(pr.keys, func(got uint32) {
				if got == want {
					hits++
				}
			})
		}
		return float64(hits) / float64(len(ps))
	}
	recall := found(near, 0, 2)
	rate := found(far, 1, 2)
	t.Logf("recall at J in [0.62,1): %.4f; candidate rate at J in [0,0.2): %.4f", recall, rate)
	assert.GreaterOrEqual(t, recall, 0.97)
	assert.Less(t, rate, 0.05)
}

func TestQueryDedupesAndRemove(t *testing.T) {
	p := Params{Bands: 4, Rows: 1}
	x := NewIndex(p)
	k := []uint64{1 << 40, 2 << 40, 3 << 40, 4 << 40}
	x.Add(7, k)
	x.Add(3, k[:2])
	x.Add(9, []uint64{5 << 40, 6 << 40, 7 << 40, 4 << 40})
	collect := func(keys []uint64) []uint32 {
		var ids []uint32
		x.Query(keys, func(id uint32) { ids = append(ids, id) })
		return ids
	}
	assert.Equal(t, []uint32{3, 7, 9}, collect(k))
	assert.Empty(t, collect([]uint64{4 << 40}), "a band-3 key queried as band 0 matches nothing")
	assert.Equal(t, []uint32{9}, collect([]uint64{5 << 40}))
	assert.Equal(t, 3, x.Len())

	x.Remove(7)
	x.Remove(7)
	x.Remove(1000)
	assert.Equal(t, 2, x.Len())
	assert.Equal(t, []uint32{3, 9}, collect(k))

	// Re-adding a removed id replaces its old keys.
	x.Add(7, []uint64{8 << 40})
	assert.Equal(t, []uint32{3, 9}, collect(k))
	assert.Equal(t, []uint32{7}, collect([]uint64{8 << 40}))
	assert.Equal(t, 3, x.Len())

	x.Remove(3)
	x.Compact()
	assert.Equal(t, []uint32{9}, collect(k))
	assert.Equal(t, 2, x.Len())
}

func TestManyAddsKeepRunsBounded(t *testing.T) {
	x := NewIndex(Params{Bands: 2, Rows: 1})
	r := rand.New(rand.NewPCG(2, 2))
	keys := make([][]uint64, 20000)
	for i := range keys {
		keys[i] = []uint64{r.Uint64(), r.Uint64()}
		x.Add(uint32(i), keys[i])
	}
	assert.LessOrEqual(t, len(x.bands[0].runs), 12)
	for i := 0; i < len(keys); i += 97 {
		hit := false
		x.Query(keys[i], func(id uint32) { hit = hit || id == uint32(i) })
		require.True(t, hit, "id %d", i)
	}
}

func TestWriteReadRoundTrip(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 3))
	p := Params{Bands: 8, Rows: 2}
	x := NewIndex(p)
	keys := make([][]uint64, 1000)
	for i := range keys {
		for range p.Bands {
			keys[i] = append(keys[i], r.Uint64())
		}
		x.Add(uint32(i*3), keys[i])
	}
	x.Remove(0)
	x.Remove(30)

	var buf bytes.Buffer
	n, err := x.WriteTo(&buf)
	require.NoError(t, err)
	assert.Equal(t, int64(buf.Len()), n)
	data := buf.Bytes()

	y, err := ReadIndex(bytes.NewReader(data))
	require.NoError(t, err)
	assert.Equal(t, p, y.Params())
	assert.Equal(t, x.Len(), y.Len())
	assert.Equal(t, x.Entries()-2*p.Bands, y.Entries())
	for i, k := range keys {
		var a, b []uint32
		x.Query(k, func(id uint32) { a = append(a, id) })
		y.Query(k, func(id uint32) { b = append(b, id) })
		assert.Equal(t, a, b, "keys %d", i)
	}
	// The reloaded index accepts more ids.
	y.Add(5000, keys[0])
	assert.Equal(t, x.Len()+1, y.Len())

	// Corruptions are detected.
	bad := func(mut func([]byte) []byte) error {
		d := mut(append([]byte(nil), data...))
		_, err := ReadIndex(bytes.NewReader(d))
		return err
	}
	assert.ErrorIs(t, bad(func(d []byte) []byte { d[0] = 'X'; return d }), ErrBadMagic)
	assert.ErrorIs(t, bad(func(d []byte) []byte { d[8] = 9; return d }), ErrVersion)
	assert.ErrorIs(t, bad(func(d []byte) []byte { d[len(d)-20] ^= 1; return d }), ErrCorrupt)
	assert.Error(t, bad(func(d []byte) []byte { return d[:len(d)-1] }))
	assert.Error(t, bad(func(d []byte) []byte { return d[:10] }))
	assert.Error(t, bad(func(d []byte) []byte { return nil }))
}

func TestConcurrentQuery(t *testing.T) {
	r := rand.New(rand.NewPCG(4, 4))
	p := Params{Bands: 4, Rows: 1}
	x := NewIndex(p)
	keys := make([][]uint64, 2000)
	for i := range keys {
		keys[i] = []uint64{r.Uint64(), r.Uint64(), r.Uint64(), r.Uint64()}
		if i < 1000 {
			x.Add(uint32(i), keys[i])
		}
	}
	var wg sync.WaitGroup
	for w := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := w; i < 1000; i += 4 {
				hit := false
				x.Query(keys[i], func(id uint32) { hit = hit || id == uint32(i) })
				assert.True(t, hit)
			}
		}()
	}
	wg.Add(1)
	go func() { // a writer running alongside the readers
		defer wg.Done()
		for i := 1000; i < 2000; i++ {
			x.Add(uint32(i), keys[i])
		}
	}()
	wg.Wait()
	assert.Equal(t, 2000, x.Len())
}

// FuzzReadIndex feeds arbitrary bytes to the parser: it must return an
// error or an index that survives a round trip, never panic.
func FuzzReadIndex(f *testing.F) {
	x := NewIndex(Params{Bands: 2, Rows: 2})
	x.Add(1, []uint64{1 << 40, 2 << 40})
	x.Add(70, []uint64{3 << 40, 2 << 40})
	var buf bytes.Buffer
	_, err := x.WriteTo(&buf)
	require.NoError(f, err)
	f.Add(buf.Bytes())
	f.Add([]byte(magic))
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, data []byte) {
		y, err := ReadIndex(bytes.NewReader(data))
		z, zerr := ReadIndexSize(bytes.NewReader(data), int64(len(data)))
		require.Equal(t, err == nil, zerr == nil, "ReadIndex: %v; ReadIndexSize: %v", err, zerr)
		if err != nil {
			return
		}
		require.True(t, reflect.DeepEqual(y.bands, z.bands))
		var out bytes.Buffer
		_, err = y.WriteTo(&out)
		require.NoError(t, err)
		// Bytes after the checksum are not part of the index.
		require.LessOrEqual(t, out.Len(), len(data))
		assert.Equal(t, data[:out.Len()], out.Bytes())
	})
}

func TestHolders(t *testing.T) {
	x := NewIndex(Params{Bands: 1, Rows: 1})
	x.AddKeys(1, 0, []uint64{10 << 32, 20 << 32})
	x.AddKeys(2, 0, []uint64{20 << 32})
	for id := uint32(100); id < 3100; id++ {
		x.AddKeys(id, 0, []uint64{99 << 32}) // a stock key
	}
	x.AddKeys(7, 0, []uint64{^uint64(0)}) // the largest key
	x.AddKeys(3, 5, []uint64{20 << 32})   // no such band: ignored
	holders := func(keys []uint64, limit int) (map[int][]uint32, []int) {
		got := map[int][]uint32{}
		counts := x.Holders(0, keys, limit, func(i int, id uint32) { got[i] = append(got[i], id) })
		for i := range got {
			slices.Sort(got[i])
		}
		return got, counts
	}
	for _, compacted := range []bool{false, true} {
		if compacted {
			x.Compact() // the same from sorted runs with a directory
		}
		got, counts := holders([]uint64{20 << 32, 99 << 32, 42 << 32, ^uint64(0)}, 4)
		assert.Equal(t, []int{2, 3000, 0, 1}, counts, "counts are exact whatever the limit")
		assert.Equal(t, []uint32{1, 2}, got[0])
		assert.Len(t, got[1], 4, "a stock key gives at most limit holders")
		assert.Empty(t, got[2])
		assert.Equal(t, []uint32{7}, got[3])
	}
	x.Remove(2)
	got, counts := holders([]uint64{20 << 32}, 4)
	assert.Equal(t, []uint32{1}, got[0], "removed ids are not reported")
	assert.Equal(t, []int{2}, counts, "but still counted until compaction")
	assert.Equal(t, []int{0}, x.Holders(7, []uint64{20 << 32}, 4, func(int, uint32) { t.Fatal("no band 7") }))
}

// TestHoldersCountsProperty: for random keys held by random numbers of
// ids, Holders counts every entry of each key, in runs of every size.
func TestHoldersCountsProperty(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 8))
	for round := range 20 {
		x := NewIndex(Params{Bands: 1, Rows: 1})
		want := map[uint64]int{}
		id := uint32(0)
		for range rng.IntN(3000) {
			key := uint64(rng.IntN(200)) << 32
			if rng.IntN(50) == 0 {
				key = ^uint64(0) >> 32 << 32
			}
			for range 1 + rng.IntN(40) {
				x.AddKeys(id, 0, []uint64{key})
				want[key]++
				id++
			}
			if rng.IntN(500) == 0 {
				x.Compact()
			}
		}
		keys := []uint64{^uint64(0) >> 32 << 32}
		for k := range 201 {
			keys = append(keys, uint64(k)<<32)
		}
		counts := x.Holders(0, keys, 3, func(int, uint32) {})
		for i, k := range keys {
			require.Equal(t, want[k], counts[i], "round %d key %d", round, k>>32)
		}
	}
}

// TestRareHoldersProperty: RareHolders gives the same counts as Holders
// and the same ids for every key with at most limit entries, none for the
// others — in runs of every size, with a tail and removed ids.
func TestRareHoldersProperty(t *testing.T) {
	rng := rand.New(rand.NewPCG(6, 2))
	for round := range 20 {
		x := NewIndex(Params{Bands: 1, Rows: 1})
		id := uint32(0)
		for range rng.IntN(2000) {
			key := uint64(rng.IntN(120)) << 32
			for range 1 + rng.IntN(12) {
				x.AddKeys(id, 0, []uint64{key})
				if rng.IntN(20) == 0 {
					x.Remove(id)
				}
				id++
			}
			if rng.IntN(300) == 0 {
				x.Compact()
			}
		}
		keys := make([]uint64, 0, 121)
		for k := range 121 {
			keys = append(keys, uint64(k)<<32)
		}
		limit := 1 + rng.IntN(30)
		all, rare := map[int][]uint32{}, map[int][]uint32{}
		counts := x.Holders(0, keys, limit, func(i int, id uint32) { all[i] = append(all[i], id) })
		rareCounts := x.RareHolders(0, keys, limit, func(i int, id uint32) { rare[i] = append(rare[i], id) })
		require.Equal(t, counts, rareCounts, "round %d", round)
		for i := range keys {
			if counts[i] > limit {
				require.Empty(t, rare[i], "round %d key %d: a stock key gives no ids", round, i)
				continue
			}
			require.Equal(t, all[i], rare[i], "round %d key %d", round, i)
		}
	}
}

// TestMergeKeepsAnswers: adds, removals, re-adds and Merge in any order
// answer every query as a model of live ids per band key does, and a
// Merge leaves each band one run with no tail.
func TestMergeKeepsAnswers(t *testing.T) {
	r := rand.New(rand.NewPCG(9, 9))
	p := Params{Bands: 3, Rows: 1}
	x := NewIndex(p)
	keyOf := func(id uint32, band int) uint64 { return uint64(id%97+uint32(band)*1000) << 32 }
	live := map[uint32]bool{}
	for step := range 3000 {
		id := uint32(r.IntN(600))
		switch op := r.IntN(10); {
		case op < 6:
			if live[id] {
				continue // Add to a present id adds keys; keep the model simple
			}
			x.Add(id, []uint64{keyOf(id, 0), keyOf(id, 1), keyOf(id, 2)})
			live[id] = true
		case op < 8:
			x.Remove(id)
			delete(live, id)
		default:
			x.Merge()
			for i := range x.bands {
				require.LessOrEqual(t, len(x.bands[i].runs), 1)
				require.Empty(t, x.bands[i].tail)
			}
			require.Zero(t, x.Merge(), "nothing left to merge")
		}
		if step%50 == 0 {
			for probe := uint32(0); probe < 97; probe++ {
				want := map[uint32]int{}
				for id := range live {
					if id%97 == probe {
						want[id] = 3
					}
				}
				got := map[uint32]int{}
				x.QueryCounts([]uint64{keyOf(probe, 0), keyOf(probe, 1), keyOf(probe, 2)}, func(id uint32, n int) { got[id] = n })
				require.Equal(t, want, got, "step %d probe %d", step, probe)
			}
		}
	}
}

// TestMergeAlongsideAddsAndQueries runs Merge while a writer adds and
// readers query (run with -race): every id added before a query is found.
func TestMergeAlongsideAddsAndQueries(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 5))
	x := NewIndex(Params{Bands: 4, Rows: 1})
	keys := make([][]uint64, 6000)
	for i := range keys {
		keys[i] = []uint64{r.Uint64(), r.Uint64(), r.Uint64(), r.Uint64()}
	}
	for i := range 3000 {
		x.Add(uint32(i), keys[i])
	}
	var wg sync.WaitGroup
	stop := make(chan struct{})
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			select {
			case <-stop:
				return
			default:
				x.Merge()
			}
		}
	}()
	wg.Add(1)
	go func() {
		defer wg.Done()
		for i := 3000; i < 6000; i++ {
			x.Add(uint32(i), keys[i])
			if i%7 == 0 {
				x.Remove(uint32(i - 3000))
				x.Add(uint32(i-3000), keys[i-3000]) // a re-add purges
			}
		}
	}()
	for i := range 3000 {
		x.Query(keys[i], func(uint32) {}) // readers alongside (for -race)
	}
	close(stop)
	wg.Wait()
	x.Merge()
	for i := range 6000 {
		hit := false
		x.Query(keys[i], func(id uint32) { hit = hit || id == uint32(i) })
		require.True(t, hit, "id %d", i)
	}
}

// Under a pace, MergeContext waits before each band it merges (none for a
// band with nothing to merge) and stops when the context ends during a
// wait, leaving the other bands for the next Merge.
func TestMergeContextPaced(t *testing.T) {
	x := NewIndex(Params{Bands: 4, Rows: 1})
	for i := range 100 {
		x.Add(uint32(i), []uint64{uint64(i), uint64(i), uint64(i), uint64(i)})
	}
	x.Merge()
	x.Add(100, []uint64{1, 2, 3, 4}) // every band has a tail again
	waits := 0
	n, err := x.MergeContext(pace.With(context.Background(), func(context.Context) { waits++ }))
	require.NoError(t, err)
	require.Equal(t, 4, n)
	require.Equal(t, 4, waits, "a wait before each band merged")
	_, err = x.MergeContext(pace.With(context.Background(), func(context.Context) { waits++ }))
	require.NoError(t, err)
	require.Equal(t, 4, waits, "nothing to merge: no wait")

	x.Add(101, []uint64{1, 2, 3, 4})
	ctx, cancel := context.WithCancel(context.Background())
	calls := 0
	n, err = x.MergeContext(pace.With(ctx, func(context.Context) {
		if calls++; calls == 2 {
			cancel()
		}
	}))
	require.ErrorIs(t, err, context.Canceled)
	require.Equal(t, 1, n, "the band before the cancelled wait is merged")
	require.Equal(t, 3, x.Merge(), "the rest is left for the next Merge")
}

// TestReadIndexSizeAndCompact checks that ReadIndexSize builds the runs
// ReadIndex builds and rejects a count its size cannot hold, and that
// Compact of a loaded index with ids added builds the runs of merging
// every entry and packing the merge.
func TestReadIndexSizeAndCompact(t *testing.T) {
	p := Params{Bands: 2, Rows: 1}
	x := NewIndex(p)
	r := rand.New(rand.NewPCG(9, 9))
	add := func(x *Index, id uint32) {
		x.Add(id, []uint64{r.Uint64(), uint64(r.Uint32N(3000)) << 32}) // band 1: common keys
	}
	for id := range uint32(packMin + 1000) {
		add(x, 2*id)
	}
	var buf bytes.Buffer
	_, err := x.WriteTo(&buf)
	require.NoError(t, err)
	data := buf.Bytes()

	a, err := ReadIndex(bytes.NewReader(data))
	require.NoError(t, err)
	b, err := ReadIndexSize(bytes.NewReader(data), int64(len(data)))
	require.NoError(t, err)
	require.True(t, reflect.DeepEqual(a.bands, b.bands), "ReadIndexSize and ReadIndex")
	require.True(t, b.bands[0].runs[0].packed())
	_, err = ReadIndexSize(bytes.NewReader(data), int64(len(data))+100)
	require.NoError(t, err, "a size past the input's end")

	countAt := 24 + 8 + 8*len(x.live) // band 0's entry count
	d := append([]byte(nil), data...)
	binary.LittleEndian.PutUint64(d[countAt:], 1<<39)
	_, err = ReadIndexSize(bytes.NewReader(d), int64(len(d)))
	require.ErrorIs(t, err, ErrCorrupt, "a count the size cannot hold")
	_, err = ReadIndexSize(bytes.NewReader(data), int64(len(data))-9)
	require.ErrorIs(t, err, ErrCorrupt, "a size too short for the entries")
	d = append([]byte(nil), data...)
	d[countAt+8+8*1000+4] ^= 0x80 // a key in band 0: out of order
	_, err = ReadIndexSize(bytes.NewReader(d), int64(len(d)))
	require.ErrorIs(t, err, ErrCorrupt, "unsorted")

	// Compact of a loaded index with adds (the catch-up of an Open).
	c, err := ReadIndexSize(bytes.NewReader(data), int64(len(data)))
	require.NoError(t, err)
	for _, y := range []*Index{a, b, c} {
		r = rand.New(rand.NewPCG(10, 10))
		for id := range uint32(5000) {
			add(y, 2*id+1)
		}
	}
	var want []run
	for i := range a.bands {
		merged := a.snapshot(&a.bands[i])
		want = append(want, newRun(append(make([]uint64, 0, len(merged)), merged...)))
	}
	b.Compact()
	for i := range b.bands {
		require.Len(t, b.bands[i].runs, 1)
		require.True(t, reflect.DeepEqual(want[i], b.bands[i].runs[0]), "band %d", i)
		require.Equal(t, want[i].bytes(), b.bands[i].runs[0].bytes(), "band %d", i)
	}
	a.Compact()
	require.True(t, reflect.DeepEqual(a.bands, b.bands))
	require.Equal(t, len(c.bands), c.Merge())
	for i := range c.bands {
		require.True(t, reflect.DeepEqual(want[i], c.bands[i].runs[0]), "Merge, band %d", i)
	}

	// With a removed id Compact drops its entries, as before.
	b.Remove(3)
	b.Compact()
	require.Equal(t, packMin+1000+5000-1, b.Len())
	require.Equal(t, b.Entries(), 2*b.Len())
}

// TestAddBatch checks that AddBatch answers as the same Add and AddKeys
// calls one at a time do, a removed id re-added included, and that a
// loaded index's band keeps its large run and gains one small run.
func TestAddBatch(t *testing.T) {
	p := Params{Bands: 3, Rows: 1}
	r := rand.New(rand.NewPCG(12, 12))
	keysOf := make([][]uint64, 3300)
	for i := range keysOf {
		keysOf[i] = []uint64{r.Uint64(), uint64(r.Uint32N(40)) << 32, r.Uint64(), r.Uint64()}
	}
	base := NewIndex(p)
	for id := range uint32(3000) {
		base.Add(id, keysOf[id][:3])
	}
	var buf bytes.Buffer
	_, err := base.WriteTo(&buf)
	require.NoError(t, err)
	load := func() *Index {
		x, err := ReadIndex(bytes.NewReader(buf.Bytes()))
		require.NoError(t, err)
		x.Remove(7)
		return x
	}
	one, batched := load(), load()
	b := NewBatch(p.Bands)
	for id := uint32(2990); id < 3300; id++ { // 2990-2999 again: more keys
		one.Add(id, keysOf[id][:3])
		b.Add(id, keysOf[id][:3])
		one.AddKeys(id, 2, keysOf[id][3:])
		b.AddKeys(id, 2, keysOf[id][3:])
	}
	one.Add(7, keysOf[7][:3]) // a removed id re-added: its old entries purged
	b.Add(7, keysOf[7][:3])
	b.AddKeys(7, 5, keysOf[7]) // no such band
	batched.AddBatch(b)
	require.Equal(t, one.Len(), batched.Len())
	require.Equal(t, one.Entries(), batched.Entries())
	for i := range batched.bands {
		require.Len(t, batched.bands[i].runs, 2, "band %d: the loaded run and the batch's", i)
	}
	for id := range keysOf {
		var a, c []uint32
		var na, nc []int
		one.QueryCounts(keysOf[id], func(id uint32, n int) { a, na = append(a, id), append(na, n) })
		batched.QueryCounts(keysOf[id], func(id uint32, n int) { c, nc = append(c, id), append(nc, n) })
		require.Equal(t, a, c, "keys of %d", id)
		require.Equal(t, na, nc, "keys of %d", id)
		require.Equal(t, one.Holders(2, keysOf[id], 100, func(int, uint32) {}), batched.Holders(2, keysOf[id], 100, func(int, uint32) {}))
	}
	one.Compact()
	batched.Compact()
	for i := range one.bands {
		require.Equal(t, one.bands[i].runs[0].entries(), batched.bands[i].runs[0].entries(), "band %d", i)
	}
}
