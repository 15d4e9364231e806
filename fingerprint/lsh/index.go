package lsh

import (
	"context"
	mathbits "math/bits"
	"slices"
	"sync"

	"elib/internal/pace"
)

// tailMax is how many unsorted entries a band buffers before sorting them
// into a run; Query scans this tail linearly.
const tailMax = 64

// runRatio bounds the number of runs per band: a run is merged into the one
// before it as soon as it reaches 1/runRatio of its size, so run sizes
// shrink geometrically and a band of n entries has O(log n) runs.
const runRatio = 4

// Index maps band keys to uint32 ids.
//
// Each band stores entries as uint64 (top 32 bits of the band key << 32 |
// id) — 8 bytes per (band, id), 6 in runs of packMin entries or more (see
// run), plus at most 0.25 byte of directory in large runs — in a few sorted
// runs plus a short unsorted
// tail; Add sorts and merges them incrementally (log-structured, amortised
// O(log n) per entry), Query binary-searches each run. Keeping only 32 bits
// of each band key lets unrelated ids collide in a band with probability
// about n/2^32 per band; such spurious candidates are removed by the
// caller's exact verification like any other LSH false positive.
//
// Locking: a sync.RWMutex inside. Add, Remove and Compact take the write
// lock; Query, Len, WriteTo take the read lock, so any number of Query calls
// run concurrently, and Add and Query may be called from different
// goroutines. Query calls fn after releasing the lock, so fn may call Add.
type Index struct {
	mu    sync.RWMutex
	p     Params
	bands []band
	live  bitset    // ids present
	dead  bitset    // removed ids that still have entries in some band
	n     int       // number of live ids
	hits  sync.Pool // *[]uint64: Holders' scratch, reused between lookups
}

type band struct {
	runs []run    // sizes decrease geometrically
	tail []uint64 // unsorted, len < tailMax
	gen  uint64   // counts changes of runs and tail (Merge's check)
}

// NewIndex returns an empty index for the banding p (p.Bands > 0).
func NewIndex(p Params) *Index {
	return &Index{p: p, bands: make([]band, max(p.Bands, 0))}
}

// Params returns the banding the index was built for.
func (x *Index) Params() Params { return x.p }

func entry(key uint64, id uint32) uint64 { return key>>32<<32 | uint64(id) }

// Add records id under keys (from BandKeys: keys[i] belongs to band i;
// keys beyond Bands are ignored, missing ones leave their band untouched).
// Adding an id that is present adds to its keys; to replace an id's keys,
// Remove it first (re-adding a removed id purges its old entries, O(index)).
func (x *Index) Add(id uint32, keys []uint64) {
	x.mu.Lock()
	defer x.mu.Unlock()
	x.revive(id)
	for i, k := range keys[:min(len(keys), len(x.bands))] {
		x.bands[i].add(entry(k, id))
	}
}

// revive makes id live, purging the entries of an earlier removal; the
// caller holds the write lock.
func (x *Index) revive(id uint32) {
	if x.dead.has(id) {
		x.purge(id)
	}
	if !x.live.has(id) {
		x.live.set(id)
		x.n++
	}
}

// add appends one entry to the band's tail, sorting it into a run when full.
func (b *band) add(e uint64) {
	b.gen++
	b.tail = append(b.tail, e)
	if len(b.tail) >= tailMax {
		b.flush()
	}
}

// AddKeys records id under every key of keys in one band (an inverted
// index of many keys per id, such as a text's anchors, rather than one key
// per band). Like Add, adding to a present id adds to its keys.
func (x *Index) AddKeys(id uint32, band int, keys []uint64) {
	if band < 0 || band >= len(x.bands) {
		return
	}
	x.mu.Lock()
	defer x.mu.Unlock()
	x.revive(id)
	for _, k := range keys {
		x.bands[band].add(entry(k, id))
	}
}

// flush sorts the tail into a new run and merges runs that became too
// similar in size.
func (b *band) flush() {
	if len(b.tail) == 0 {
		return
	}
	e := slices.Clone(b.tail)
	slices.Sort(e)
	b.tail = b.tail[:0]
	b.addRun(e)
}

// addRun adds the sorted entries e as a run and merges runs that became
// too similar in size.
func (b *band) addRun(e []uint64) {
	b.runs = append(b.runs, newRun(e))
	for n := len(b.runs); n >= 2 && b.runs[n-1].len()*runRatio >= b.runs[n-2].len(); n = len(b.runs) {
		a, c := &b.runs[n-2], &b.runs[n-1]
		small := c.e
		if c.packed() {
			small = c.entries()
		}
		b.runs[n-2] = newRun(a.mergeInto(make([]uint64, 0, a.len()+c.len()), small))
		b.runs = b.runs[:n-1]
	}
}

// Batch collects ids and their keys for AddBatch, which adds them at
// once: each band's new entries sorted into one run, instead of Add's
// tail and log-structured merges (an Open adding the segments its
// snapshot does not cover).
type Batch struct {
	ids   []uint32
	bands [][]uint64
}

// NewBatch returns an empty batch for an index of bands bands.
func NewBatch(bands int) *Batch { return &Batch{bands: make([][]uint64, max(bands, 0))} }

// Add is Index.Add into the batch.
func (b *Batch) Add(id uint32, keys []uint64) {
	b.ids = append(b.ids, id)
	for i, k := range keys[:min(len(keys), len(b.bands))] {
		b.bands[i] = append(b.bands[i], entry(k, id))
	}
}

// AddKeys is Index.AddKeys into the batch.
func (b *Batch) AddKeys(id uint32, band int, keys []uint64) {
	if band < 0 || band >= len(b.bands) {
		return
	}
	b.ids = append(b.ids, id)
	for _, k := range keys {
		b.bands[band] = append(b.bands[band], entry(k, id))
	}
}

// AddBatch adds the ids and keys of b (made for an index of as many
// bands), as b's Add and AddKeys calls would have on x in their order,
// and empties b. Each band's new entries become one sorted run after the
// band's runs, merged into them only as Add's runs would be: a band of a
// loaded index keeps its one large run and gains a small one.
func (x *Index) AddBatch(b *Batch) {
	x.mu.Lock()
	defer x.mu.Unlock()
	for _, id := range b.ids {
		x.revive(id)
	}
	for i, e := range b.bands[:min(len(b.bands), len(x.bands))] {
		if len(e) == 0 {
			continue
		}
		slices.Sort(e)
		if len(e) < packMin && cap(e)-len(e) > len(e)/8 {
			e = append(make([]uint64, 0, len(e)), e...) // kept as it is: no growth slack
		}
		x.bands[i].gen++
		x.bands[i].addRun(e)
	}
	b.ids = b.ids[:0]
	for i := range b.bands {
		b.bands[i] = nil
	}
}

// mergeSorted appends the merge of sorted a and b to dst.
func mergeSorted(dst, a, b []uint64) []uint64 {
	i, j := 0, 0
	for i < len(a) && j < len(b) {
		if a[i] <= b[j] {
			dst = append(dst, a[i])
			i++
		} else {
			dst = append(dst, b[j])
			j++
		}
	}
	dst = append(dst, a[i:]...)
	return append(dst, b[j:]...)
}

// Remove tombstones id: queries skip it from now on. Its entries are
// dropped physically by Compact, WriteTo, or a later Add of the same id.
func (x *Index) Remove(id uint32) {
	x.mu.Lock()
	defer x.mu.Unlock()
	if x.live.has(id) {
		x.live.clear(id)
		x.dead.set(id)
		x.n--
	}
}

// purge drops every entry of id; the caller holds the write lock. Runs
// are replaced, never changed in place: Merge reads them unlocked.
func (x *Index) purge(id uint32) {
	keep := func(e uint64) bool { return uint32(e) != id }
	for i := range x.bands {
		b := &x.bands[i]
		b.gen++
		for r := range b.runs {
			b.runs[r] = newRun(filterInPlace(b.runs[r].entries(), keep))
		}
		b.tail = filterInPlace(b.tail, keep)
	}
	x.dead.clear(id)
}

func filterInPlace(s []uint64, keep func(uint64) bool) []uint64 {
	out := s[:0]
	for _, e := range s {
		if keep(e) {
			out = append(out, e)
		}
	}
	return out
}

// Compact merges each band into a single sorted run without removed ids,
// making queries as fast as after ReadIndex. Call it after a bulk load.
func (x *Index) Compact() {
	x.mu.Lock()
	defer x.mu.Unlock()
	// Without removed ids every entry is live (a removed id is dead
	// until its entries are dropped): nothing to filter.
	noDead := x.dead.count() == 0
	for i := range x.bands {
		b := &x.bands[i]
		var r run
		if noDead {
			r = mergeRuns(b.runs, b.tail)
		} else if merged := x.snapshot(b); len(merged) > 0 {
			r = newRun(merged)
		}
		b.runs = nil
		if r.len() > 0 {
			b.runs = append(b.runs, r)
		}
		b.tail = nil
		b.gen++
	}
	x.dead = nil
}

// Merge merges each band's runs and unsorted tail into one run, as Compact
// does, but holds the write lock only to swap the merged run in: queries
// and adds go on while it merges, and a band that changed meanwhile is
// left for the next Merge. Removed ids' entries stay until Compact. Call
// it after adding a batch (an import) to make queries as fast as before
// it. It returns how many bands it merged.
func (x *Index) Merge() int {
	merged, _ := x.MergeContext(context.Background())
	return merged
}

// MergeContext is Merge that, under a pace (package pace) in ctx, waits
// for it before each band it merges, and stops once ctx is done: the bands
// not merged are left for the next Merge. It returns how many bands it
// merged and ctx's error if it stopped.
func (x *Index) MergeContext(ctx context.Context) (int, error) {
	merged := 0
	for i := range x.bands {
		x.mu.RLock()
		b := &x.bands[i]
		if len(b.runs) <= 1 && len(b.tail) == 0 {
			x.mu.RUnlock()
			continue
		}
		x.mu.RUnlock()
		if err := pace.Wait(ctx); err != nil {
			return merged, err
		}
		x.mu.RLock()
		gen, runs, tail := b.gen, slices.Clone(b.runs), slices.Clone(b.tail)
		x.mu.RUnlock()

		r := mergeRuns(runs, tail)

		x.mu.Lock()
		if b.gen == gen {
			b.runs, b.tail = []run{r}, b.tail[:0]
			b.gen++
			merged++
		}
		x.mu.Unlock()
	}
	return merged, nil
}

// snapshot returns the band's live entries as one new sorted slice; the
// caller holds a lock.
func (x *Index) snapshot(b *band) []uint64 {
	return filterInPlace(mergeAll(b.runs, b.tail), func(e uint64) bool { return x.live.has(uint32(e)) })
}

// mergeRuns returns the run of every entry of runs and of the unsorted
// tail (runs and tail are left as they are). A large first run (the
// largest) is merged with the merge of the rest straight into the new
// run, packed as it goes, without an 8-byte copy of every entry.
func mergeRuns(runs []run, tail []uint64) run {
	if len(runs) == 0 || runs[0].len() < packMin {
		return newRun(mergeAll(runs, tail))
	}
	rest := mergeAll(runs[1:], tail)
	b := newRunBuilder(runs[0].len() + len(rest))
	runs[0].mergeTo(rest, make([]uint64, mergeChunk), b.add)
	return b.run()
}

// mergeChunk is how many entries mergeRuns passes on at a time.
const mergeChunk = 1 << 12

// mergeAll returns the entries of runs and of the unsorted tail as one new
// sorted slice (runs and tail are left as they are).
func mergeAll(runs []run, tail []uint64) []uint64 {
	all := slices.Clone(tail)
	slices.Sort(all)
	for j := len(runs) - 1; j >= 0; j-- { // smallest first
		all = runs[j].mergeInto(make([]uint64, 0, len(all)+runs[j].len()), all)
	}
	return all
}

// Query calls fn once for every live id that shares at least one band key
// with keys (keys[i] is matched against band i % Bands), in ascending id
// order.
// fn runs after the index lock is released.
func (x *Index) Query(keys []uint64, fn func(id uint32)) {
	x.QueryCounts(keys, func(id uint32, _ int) { fn(id) })
}

// QueryCounts is Query that also reports in how many bands each id
// collided: pairs near the LSH threshold share one band, copies share many,
// so callers can verify the strongest candidates first.
//
// keys may hold the band keys of several signatures back to back: keys[i]
// is matched against band i % Bands, and the counts are summed over all of
// them. One call for all the signatures of a query takes the lock once and
// overlaps the cache misses of every lookup.
func (x *Index) QueryCounts(keys []uint64, fn func(id uint32, bands int)) {
	var stack [256]uint32
	ids := stack[:0]
	x.mu.RLock()
	nb := len(x.bands)
	if nb == 0 {
		x.mu.RUnlock()
		return
	}
	x.prefetch(keys)
	for i, k := range keys {
		hi := k >> 32
		b := &x.bands[i%nb]
		for ri := range b.runs {
			r := &b.runs[ri]
			j, k := r.span(hi)
			if r.packed() {
				for _, e := range r.p[j:k] {
					if id := e.id(); x.live.has(id) {
						ids = append(ids, id)
					}
				}
				continue
			}
			for _, e := range r.e[j:k] {
				if id := uint32(e); x.live.has(id) {
					ids = append(ids, id)
				}
			}
		}
		for _, e := range b.tail {
			if e>>32 == hi {
				if id := uint32(e); x.live.has(id) {
					ids = append(ids, id)
				}
			}
		}
	}
	x.mu.RUnlock()
	slices.Sort(ids)
	for i := 0; i < len(ids); {
		j := i + 1
		for j < len(ids) && ids[j] == ids[i] {
			j++
		}
		fn(ids[i], j-i)
		i = j
	}
}

// prefetchBand is prefetch for keys all of band b.
func (x *Index) prefetchBand(b *band, keys []uint64) {
	if havePrefetch {
		prefetchKeys(keys, func(int) *band { return b })
		return
	}
	var sink uint64
	for _, k := range keys {
		sink += b.touch(k)
	}
	keep(sink)
}

// prefetch brings into the cache, for every key and large run of its band,
// the directory slot and the entries a lookup will search, so that the
// CPU overlaps their cache misses instead of paying them one lookup (and
// one step of its binary search) at a time.
func (x *Index) prefetch(keys []uint64) {
	nb := len(x.bands)
	if havePrefetch {
		prefetchKeys(keys, func(i int) *band { return &x.bands[i%nb] })
		return
	}
	var sink uint64
	for i, k := range keys {
		sink += x.bands[i%nb].touch(k)
	}
	keep(sink)
}

// prefetchKeys issues prefetches in two passes: every key's directory
// slots, then, reading those slots (in the cache by then), the entries
// they point to. Prefetches do not wait for memory, so every miss of a
// pass is in flight at once; loads (band.touch) keep only as many as the
// CPU's reorder window holds.
func prefetchKeys(keys []uint64, bandOf func(i int) *band) {
	for i, k := range keys {
		b := bandOf(i)
		for ri := range b.runs {
			r := &b.runs[ri]
			if !r.indexed() {
				break // runs shrink: the rest are small too
			}
			prefetchLine(r.slotPointer(k >> 32 >> r.kshift))
		}
	}
	for i, k := range keys {
		b := bandOf(i)
		for ri := range b.runs {
			r := &b.runs[ri]
			if !r.indexed() {
				break
			}
			r.prefetchSlot(k >> 32 >> r.kshift)
		}
	}
}

// touch reads the directory slot of key k in b's large runs and one entry
// per cache line of the entries it spans, and returns their sum.
func (b *band) touch(k uint64) uint64 {
	var sum uint64
	for ri := range b.runs {
		r := &b.runs[ri]
		if !r.indexed() {
			break // runs shrink: the rest are small too
		}
		sum += r.touch(k)
	}
	return sum
}

// entriesPerLine is how many entries share a 64-byte cache line.
const entriesPerLine = 8

// keep consumes a value so the compiler cannot drop the loads behind it.
//
//go:noinline
func keep(uint64) {}

// Len returns the number of live ids.
func (x *Index) Len() int {
	x.mu.RLock()
	defer x.mu.RUnlock()
	return x.n
}

// MemoryBytes estimates the heap the index holds (entries and bitsets, by
// capacity), for stats and the bytes-per-entry benchmark.
func (x *Index) MemoryBytes() int {
	x.mu.RLock()
	defer x.mu.RUnlock()
	n := 8 * (cap(x.live) + cap(x.dead))
	for i := range x.bands {
		b := &x.bands[i]
		n += 8*cap(b.tail) + 56*cap(b.runs)
		for _, r := range b.runs {
			n += r.bytes()
		}
	}
	return n
}

// Entries returns the number of stored (band, id) entries, removed ids included until compaction.
func (x *Index) Entries() int {
	x.mu.RLock()
	defer x.mu.RUnlock()
	n := 0
	for i := range x.bands {
		n += len(x.bands[i].tail)
		for _, r := range x.bands[i].runs {
			n += r.len()
		}
	}
	return n
}

// bitset is a growable set of uint32.
type bitset []uint64

func (s bitset) has(i uint32) bool {
	w := int(i >> 6)
	return w < len(s) && s[w]&(1<<(i&63)) != 0
}

func (s *bitset) set(i uint32) {
	w := int(i >> 6)
	if w >= len(*s) {
		*s = append(*s, make([]uint64, w+1-len(*s))...)
	}
	(*s)[w] |= 1 << (i & 63)
}

func (s bitset) clear(i uint32) {
	if w := int(i >> 6); w < len(s) {
		s[w] &^= 1 << (i & 63)
	}
}

func (s bitset) count() int {
	n := 0
	for _, w := range s {
		n += mathbits.OnesCount64(w)
	}
	return n
}

// Holders calls fn(i, id) for at most limit live ids stored under keys[i]
// in band (in id order within each run), and returns for every key how
// many entries carry it (live or not), however many that is: a caller can
// tell a rare key from a stock one and still sample a stock key's
// holders. All keys are looked up under one read lock; fn runs after it is
// released.
func (x *Index) Holders(band int, keys []uint64, limit int, fn func(i int, id uint32)) []int {
	return x.holders(band, keys, limit, false, fn)
}

// RareHolders is Holders for callers that drop stock keys: a key carried
// by more than limit entries gives no ids (its count is still returned).
func (x *Index) RareHolders(band int, keys []uint64, limit int, fn func(i int, id uint32)) []int {
	return x.holders(band, keys, limit, true, fn)
}

// holders is Holders; rareOnly skips the ids of keys with more than limit
// entries.
func (x *Index) holders(band int, keys []uint64, limit int, rareOnly bool, fn func(i int, id uint32)) []int {
	counts := make([]int, len(keys))
	if band < 0 || band >= len(x.bands) {
		return counts
	}
	buf, _ := x.hits.Get().(*[]uint64)
	if buf == nil {
		buf = new([]uint64)
	}
	hits := (*buf)[:0] // key index << 32 | id
	x.mu.RLock()
	b := &x.bands[band]
	x.prefetchBand(b, keys)
	var stack [8][2]int
	var inTail []uint32 // the ids of the tail's entries under one key
	spans := stack[:0]
	if len(b.runs) > len(stack) {
		spans = make([][2]int, 0, len(b.runs))
	}
	for i, key := range keys {
		hi := key >> 32
		spans = spans[:0]
		for ri := range b.runs {
			j, k := b.runs[ri].span(hi)
			spans = append(spans, [2]int{j, k})
			counts[i] += k - j
		}
		inTail = inTail[:0]
		for _, e := range b.tail {
			if e>>32 == hi {
				inTail = append(inTail, uint32(e))
			}
		}
		counts[i] += len(inTail)
		if rareOnly && counts[i] > limit {
			continue
		}
		taken := 0
		for ri, sp := range spans {
			r := &b.runs[ri]
			for j := sp[0]; j < sp[1] && taken < limit; j++ {
				if id := r.id(j); x.live.has(id) {
					hits = append(hits, uint64(i)<<32|uint64(id))
					taken++
				}
			}
		}
		for _, id := range inTail {
			if taken < limit && x.live.has(id) {
				hits = append(hits, uint64(i)<<32|uint64(id))
				taken++
			}
		}
	}
	x.mu.RUnlock()
	for _, h := range hits {
		fn(int(h>>32), uint32(h))
	}
	*buf = hits
	x.hits.Put(buf)
	return counts
}
