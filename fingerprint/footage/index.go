package footage

import (
	"math/bits"
	"runtime"
	"slices"
	"sort"
	"sync"

	"elib/media/pdq"
)

// Bands is how many 16-bit words of a hash the index keys on.
const Bands = pdq.Bits / 16

// Index finds library videos whose stored frame hashes are within
// Threshold of a probed video's frames. Add and Remove take a write lock,
// Lookup a read lock; call Compact after a bulk load to pack the buckets.
type Index struct {
	mu     sync.RWMutex
	videos []video
	byID   map[string]int32
	hashes []pdq.Hash
	owner  []int32 // video of each entry; -1 once removed
	ms     []int64 // library time of each entry's frame
	packed [Bands]packedBand
	fresh  [Bands]map[uint16][]uint32 // entries added since the last Compact
	nfresh int
	stale  bool // entries beyond the buckets: Compact before the next Lookup
	dead   int
}

type video struct {
	id         string
	intervalMs int64
	sampled    int
	entries    []uint32
}

// packedBand is one band's buckets in one array: bucket k holds
// ids[start[k]:start[k+1]].
type packedBand struct {
	start []uint32
	ids   []uint32
}

// NewIndex returns an empty index.
func NewIndex() *Index {
	x := &Index{byID: map[string]int32{}}
	for b := range x.fresh {
		x.fresh[b] = map[uint16][]uint32{}
	}
	return x
}

// Len is the number of videos indexed.
func (x *Index) Len() int {
	x.mu.RLock()
	defer x.mu.RUnlock()
	return len(x.byID)
}

// Entries is the number of stored hashes indexed (removed ones included
// until Compact).
func (x *Index) Entries() int {
	x.mu.RLock()
	defer x.mu.RUnlock()
	return len(x.hashes) - x.dead
}

// Add indexes a library video's stored hashes under id, replacing what id
// had.
func (x *Index) Add(id string, f *Fingerprint) {
	x.mu.Lock()
	defer x.mu.Unlock()
	x.remove(id)
	v := video{id: id, intervalMs: max(f.IntervalMs, 1), sampled: f.Sampled}
	vi := int32(len(x.videos))
	for _, fr := range f.Frames {
		for _, h := range fr.Stored {
			x.addEntry(&v, vi, h, fr.Ms)
		}
	}
	x.finishAdd(v, vi)
}

// addEntry adds one stored hash of video v (number vi) at time ms. The
// caller holds the write lock.
func (x *Index) addEntry(v *video, vi int32, h pdq.Hash, ms int64) {
	e := uint32(len(x.hashes))
	x.hashes = append(x.hashes, h)
	x.owner = append(x.owner, vi)
	x.ms = append(x.ms, ms)
	v.entries = append(v.entries, e)
	if x.stale {
		return
	}
	for b := 0; b < Bands; b++ {
		k := h.Word(b)
		x.fresh[b][k] = append(x.fresh[b][k], e)
	}
	x.nfresh++
}

// finishAdd records video v (number vi) once its entries are added. The
// caller holds the write lock.
func (x *Index) finishAdd(v video, vi int32) {
	v.intervalMs = max(v.intervalMs, 1)
	x.videos = append(x.videos, v)
	x.byID[v.id] = vi
	// Buckets in maps cost ~10× their packed size and time: past 64k
	// fresh entries a bulk load stops filling them and the next Lookup
	// (or Compact) packs everything once.
	if !x.stale && x.nfresh > 1<<16 {
		x.stale = true
		for b := range x.fresh {
			x.fresh[b] = map[uint16][]uint32{}
		}
	}
}

// Bulk makes the next Adds skip the per-bucket maps a Lookup would read
// them from until Compact packs everything at once: for a bulk load (a
// library opening), where filling those maps first costs ~10× the packing.
// Call Compact after the load; a Lookup before it compacts first.
func (x *Index) Bulk() {
	x.mu.Lock()
	defer x.mu.Unlock()
	if !x.stale {
		x.stale = true
		for b := range x.fresh {
			x.fresh[b] = map[uint16][]uint32{}
		}
	}
}

// Remove drops a video from the index; it reports whether id was there.
func (x *Index) Remove(id string) bool {
	x.mu.Lock()
	defer x.mu.Unlock()
	return x.remove(id)
}

func (x *Index) remove(id string) bool {
	vi, ok := x.byID[id]
	if !ok {
		return false
	}
	for _, e := range x.videos[vi].entries {
		x.owner[e] = -1
	}
	x.dead += len(x.videos[vi].entries)
	x.videos[vi].entries = nil
	delete(x.byID, id)
	return true
}

// AddEncoded is Add of an encoded fingerprint (Encode's bytes), read
// straight into the index without building a Fingerprint: a library
// opening adds its videos this way. Nothing is added when b is corrupt
// (ErrCorrupt).
func (x *Index) AddEncoded(id string, b []byte) error {
	if err := walk(b, nil, nil); err != nil {
		return err
	}
	x.mu.Lock()
	defer x.mu.Unlock()
	x.remove(id)
	vi := int32(len(x.videos))
	v := video{id: id}
	_ = walk(b, func(interval int64, sampled, _ int) {
		v.intervalMs, v.sampled = interval, sampled
	}, func(ms int64, stored, _ []byte) {
		for i := 0; i+32 <= len(stored); i += 32 {
			h, _ := pdq.FromBytes(stored[i : i+32])
			x.addEntry(&v, vi, h, ms)
		}
	})
	x.finishAdd(v, vi)
	return nil
}

// Has reports whether id is indexed.
func (x *Index) Has(id string) bool {
	x.mu.RLock()
	defer x.mu.RUnlock()
	_, ok := x.byID[id]
	return ok
}

// Each calls fn with every indexed video's id and stored fingerprint (the
// frames as added, without probes), in the order they were added, under
// the read lock: fn must not call the index.
func (x *Index) Each(fn func(id string, f *Fingerprint)) {
	x.mu.RLock()
	defer x.mu.RUnlock()
	for vi, v := range x.videos {
		if cur, ok := x.byID[v.id]; !ok || cur != int32(vi) {
			continue // removed or replaced
		}
		f := &Fingerprint{IntervalMs: v.intervalMs, Sampled: v.sampled}
		for _, e := range v.entries {
			ms := x.ms[e]
			if n := len(f.Frames); n > 0 && f.Frames[n-1].Ms == ms {
				f.Frames[n-1].Stored = append(f.Frames[n-1].Stored, x.hashes[e])
				continue
			}
			f.Frames = append(f.Frames, Frame{Ms: ms, Stored: []pdq.Hash{x.hashes[e]}})
		}
		fn(v.id, f)
	}
}

// Compact packs every bucket into one array per band and drops removed
// entries' ids from the buckets.
func (x *Index) Compact() {
	x.mu.Lock()
	defer x.mu.Unlock()
	x.compact()
}

func (x *Index) compact() {
	x.nfresh = 0
	x.stale = false
	// The bands are independent: packed on all cores (an Open of 100k
	// videos packs 16 × 3 M entries).
	var wg sync.WaitGroup
	sem := make(chan struct{}, max(1, runtime.GOMAXPROCS(0)))
	for b := 0; b < Bands; b++ {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			x.packBand(b)
		}()
	}
	wg.Wait()
}

// packBand packs band b's buckets of the live entries into one array.
func (x *Index) packBand(b int) {
	counts := make([]uint32, 1<<16+1)
	for e, h := range x.hashes {
		if x.owner[e] >= 0 {
			counts[int(h.Word(b))+1]++
		}
	}
	for k := 1; k < len(counts); k++ {
		counts[k] += counts[k-1]
	}
	ids := make([]uint32, counts[1<<16])
	fill := slices.Clone(counts[:1<<16])
	for e, h := range x.hashes {
		if x.owner[e] >= 0 {
			k := h.Word(b)
			ids[fill[k]] = uint32(e)
			fill[k]++
		}
	}
	x.packed[b] = packedBand{start: counts, ids: ids}
	x.fresh[b] = map[uint16][]uint32{}
}

// Range is a stretch of the probed video matched to a stretch of one
// library video.
type Range struct {
	StartMs        int64 `json:"start_ms"`
	EndMs          int64 `json:"end_ms"`
	LibraryStartMs int64 `json:"library_start_ms"`
	LibraryEndMs   int64 `json:"library_end_ms"`
}

// Match is one library video that a probed video's frames match.
type Match struct {
	// ID is the library video's id.
	ID string `json:"asset_id"`
	// Frames is how many of the probed video's frames this video matches.
	Frames int `json:"frames"`
	// Coverage is Frames over the probed video's frames.
	Coverage float64 `json:"coverage"`
	// Ranges are the matched stretches, in the probed video's order.
	Ranges []Range `json:"ranges"`
}

// Result is what Lookup finds for a probed video.
type Result struct {
	// Frames is how many of the probed video's frames were fingerprinted.
	Frames int `json:"frames"`
	// Matched is how many of them match some library video.
	Matched int `json:"matched"`
	// Duplication is Matched over Frames (0 without frames): the share of
	// the footage found in the library, union over all sources.
	Duplication float64 `json:"duplication"`
	// Matches are the library videos matched, most frames first.
	Matches []Match `json:"matches"`
	// FrameMatched[i] reports whether the probed video's Frames[i]
	// matches some library video (for unions over several indexes).
	FrameMatched []bool `json:"-"`
}

// LookupOptions refine Lookup.
type LookupOptions struct {
	// Exclude is a library video id to ignore (the probed video's own).
	Exclude string
	// Threshold is the largest Hamming distance that matches. The default
	// value is footage.Threshold (31); at most 31, the banding's
	// guarantee.
	Threshold int
	// Exhaustive probes every word's sixteen one-bit flips for every
	// probed frame, which finds every stored hash within Threshold of any
	// probe. The default (false) finds the candidate videos more cheaply —
	// every probed frame's exact words (any video with a frame pair within
	// 15 bits shares a word with it) and the one-bit flips of every
	// FlipEvery-th frame (any video with a pair within 31 bits at one of
	// those frames) — then compares every probed frame with every frame
	// of each candidate exactly.
	Exhaustive bool
	// FlipEvery is how often the default lookup probes a frame's one-bit
	// flips: every FlipEvery-th probed frame, from the first. The default
	// value is 3; 1 makes the default lookup find the same videos as an
	// exhaustive one.
	FlipEvery int
}

type pair struct {
	frame int32 // probed frame
	dist  int16
	ms    int64 // library time
}

// Lookup finds the library videos whose frames the probed video's Probes
// match. The probed frames are split between two goroutines.
func (x *Index) Lookup(q *Fingerprint, opts LookupOptions) Result {
	t := opts.Threshold
	if t <= 0 || t > Threshold {
		t = Threshold
	}
	x.mu.RLock()
	if x.stale {
		x.mu.RUnlock()
		x.mu.Lock()
		if x.stale {
			x.compact()
		}
		x.mu.Unlock()
		x.mu.RLock()
	}
	defer x.mu.RUnlock()
	excluded := int32(-1)
	if vi, ok := x.byID[opts.Exclude]; ok && opts.Exclude != "" {
		excluded = vi
	}
	flipEvery := opts.FlipEvery
	if flipEvery <= 0 {
		flipEvery = 3
	}
	if opts.Exhaustive {
		flipEvery = 1
	}
	const workers = 2
	parts := [workers]map[int32][]pair{}
	var wg sync.WaitGroup
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			parts[w] = x.probeFrames(q, w, workers, t, excluded, flipEvery)
		}()
	}
	wg.Wait()
	found := parts[0]
	for _, p := range parts[1:] {
		for v, ps := range p {
			found[v] = append(found[v], ps...)
		}
	}
	if !opts.Exhaustive {
		for v := range found {
			found[v] = x.compareVideo(q, v, t, found[v][:0])
		}
	}
	return x.result(q, found)
}

// compareVideo compares every probe of every probed frame with every
// stored hash of library video v.
func (x *Index) compareVideo(q *Fingerprint, v int32, t int, pairs []pair) []pair {
	entries := x.videos[v].entries
	for fi := range q.Frames {
		probes := q.Frames[fi].Probes
		if len(probes) == 0 {
			probes = q.Frames[fi].Stored
		}
		for _, p := range probes {
			for _, e := range entries {
				h := &x.hashes[e]
				d := bits.OnesCount64(h[0]^p[0]) + bits.OnesCount64(h[1]^p[1]) +
					bits.OnesCount64(h[2]^p[2]) + bits.OnesCount64(h[3]^p[3])
				if d <= t {
					pairs = append(pairs, pair{int32(fi), int16(d), x.ms[e]})
				}
			}
		}
	}
	return pairs
}

// probeFrames looks up every step-th probed frame from first: each probe's
// sixteen words (and their one-bit flips on every flipEvery-th frame),
// every entry in those buckets verified by its exact distance.
func (x *Index) probeFrames(q *Fingerprint, first, step, t int, excluded int32, flipEvery int) map[int32][]pair {
	found := map[int32][]pair{}
	seen := map[pdq.Hash]bool{}
	for fi := first; fi < len(q.Frames); fi += step {
		probes := q.Frames[fi].Probes
		if len(probes) == 0 {
			probes = q.Frames[fi].Stored
		}
		clear(seen)
		flips := 0
		if fi%flipEvery == 0 {
			flips = 16
		}
		for _, p := range probes {
			if seen[p] {
				continue
			}
			seen[p] = true
			for b := 0; b < Bands; b++ {
				w := p.Word(b)
				pb := &x.packed[b]
				fresh := x.fresh[b]
				for flip := -1; flip < flips; flip++ {
					k := w
					if flip >= 0 {
						k ^= 1 << uint(flip)
					}
					var ids []uint32
					if pb.start != nil {
						ids = pb.ids[pb.start[k]:pb.start[int(k)+1]]
					}
					for pass := 0; pass < 2; pass++ {
						for _, e := range ids {
							h := &x.hashes[e]
							d := bits.OnesCount64(h[0]^p[0]) + bits.OnesCount64(h[1]^p[1]) +
								bits.OnesCount64(h[2]^p[2]) + bits.OnesCount64(h[3]^p[3])
							if d > t {
								continue
							}
							if v := x.owner[e]; v >= 0 && v != excluded {
								found[v] = append(found[v], pair{int32(fi), int16(d), x.ms[e]})
							}
						}
						if len(fresh) == 0 {
							break
						}
						ids = fresh[k]
					}
				}
			}
		}
	}
	return found
}

// result turns the verified pairs into per-video matches and the union.
func (x *Index) result(q *Fingerprint, found map[int32][]pair) Result {
	res := Result{Frames: len(q.Frames)}
	matched := make([]bool, len(q.Frames))
	interval := max(q.IntervalMs, 1)
	for v, pairs := range found {
		vid := x.videos[v]
		// The best library frame for each probed frame: the closest hash,
		// then the earliest time.
		sort.Slice(pairs, func(i, j int) bool {
			a, b := pairs[i], pairs[j]
			if a.frame != b.frame {
				return a.frame < b.frame
			}
			if a.dist != b.dist {
				return a.dist < b.dist
			}
			return a.ms < b.ms
		})
		best := pairs[:0]
		for i, p := range pairs {
			if i == 0 || p.frame != pairs[i-1].frame {
				best = append(best, p)
			}
		}
		m := Match{ID: vid.id, Frames: len(best)}
		if res.Frames > 0 {
			m.Coverage = float64(m.Frames) / float64(res.Frames)
		}
		for _, p := range best {
			matched[p.frame] = true
			qms := q.Frames[p.frame].Ms
			n := len(m.Ranges)
			if n > 0 {
				r := &m.Ranges[n-1]
				// A range goes on while the probed frames follow within
				// two intervals and the library frames stay near.
				if qms-r.EndMs <= interval && p.ms >= r.LibraryStartMs-2*vid.intervalMs && p.ms <= r.LibraryEndMs+3*vid.intervalMs {
					r.EndMs = qms + interval
					r.LibraryStartMs = min(r.LibraryStartMs, p.ms)
					r.LibraryEndMs = max(r.LibraryEndMs, p.ms+vid.intervalMs)
					continue
				}
			}
			m.Ranges = append(m.Ranges, Range{StartMs: qms, EndMs: qms + interval, LibraryStartMs: p.ms, LibraryEndMs: p.ms + vid.intervalMs})
		}
		res.Matches = append(res.Matches, m)
	}
	for _, ok := range matched {
		if ok {
			res.Matched++
		}
	}
	res.FrameMatched = matched
	if res.Frames > 0 {
		res.Duplication = float64(res.Matched) / float64(res.Frames)
	}
	sort.Slice(res.Matches, func(i, j int) bool {
		a, b := res.Matches[i], res.Matches[j]
		if a.Frames != b.Frames {
			return a.Frames > b.Frames
		}
		return a.ID < b.ID
	})
	return res
}
