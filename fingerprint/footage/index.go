package footage

import (
	"encoding/binary"
	"math/bits"
	"runtime"
	"slices"
	"sort"
	"sync"
	"sync/atomic"

	"elib/media/pdq"
)

// The index is multi-index hashing with a filter beside every bucket
// entry. A hash is sixteen 16-bit words; words 2j and 2j+1 form part j
// (32 bits, eight parts). By the pigeonhole principle two hashes within
// Threshold (31) bits differ by at most 3 bits in some part (eight parts
// of 4 bits would be 32), and then by at most 1 bit in one of its two
// words. So each word has its own index: the entries whose word is k
// sit together in one flat array, each with its partner word (the other
// half of its part) beside it. A probe reads, for each word, the bucket
// of its own value and of its sixteen one-bit flips, and keeps the
// entries whose part is within 3 bits — a sequential scan of 2-byte
// partners that passes about 1 in 300 unrelated entries — before it reads
// any hash; the exact Hamming distance then decides. Every pair within
// the threshold is found, and found once: an entry is taken from the
// first word through which the index can reach it. For a threshold t the
// part bound is ⌈(t+1)/8⌉−1 bits and the word bound half of it (t ≤ 15
// probes each word's own value only).

// words is how many 16-bit words of a hash the index keys on.
const words = pdq.Bits / 16

// parts is how many 32-bit parts (two words each) the pigeonhole bound
// counts.
const parts = words / 2

// freshLimit is how many entries an Add keeps in per-word maps before
// the index stops filling them and the next Lookup (or Compact) packs
// everything: buckets in maps cost ~10× their packed size and time.
const freshLimit = 1 << 16

// Index finds library videos whose stored frame hashes are within
// Threshold of a probed video's frames. Add and Remove take a write lock,
// Lookup a read lock; call Compact after a bulk load to pack the buckets.
type Index struct {
	mu     sync.RWMutex
	videos []video // in the order added; removed ones until the next pack
	byID   map[string]int32
	ents   entryStore // every entry's hash and sample number; a video's entries are contiguous
	dead   int        // entries of removed videos (still in ents)
	// packed are the word indexes of the first npacked entries; the
	// entries after them are in fresh, or nowhere while stale.
	packed  [words]wordIndex
	npacked int
	fresh   [words]map[uint16][]uint32
	stale   bool // entries beyond packed and fresh: pack before the next Lookup
	packs   int  // how many times pack rebuilt the word indexes
}

type video struct {
	id         string
	intervalMs int64
	sampled    int
	first, n   uint32 // its entries: first … first+n−1
	removed    bool
}

// wordIndex is one word's buckets in flat arrays: the entries whose word
// is k are ids(start[k]) … ids(start[k+1]−1), and partner(j) is the other
// word of entry j's part.
type wordIndex struct {
	start   []uint32
	partner []byte // two bytes an entry, little-endian: read four at a time
	ids     idList
}

// idList holds entry numbers in 3 bytes each while there are fewer than
// 2^24 entries (30 million seconds of footage), else in 4.
type idList struct {
	b     []byte
	width int
}

func (l *idList) at(j uint32) uint32 {
	i := int(j) * l.width
	if l.width == 3 {
		b := l.b[i : i+3 : i+3]
		return uint32(b[0]) | uint32(b[1])<<8 | uint32(b[2])<<16
	}
	b := l.b[i : i+4 : i+4]
	return uint32(b[0]) | uint32(b[1])<<8 | uint32(b[2])<<16 | uint32(b[3])<<24
}

func (l *idList) put(j, e uint32) {
	i := int(j) * l.width
	l.b[i], l.b[i+1], l.b[i+2] = byte(e), byte(e>>8), byte(e>>16)
	if l.width == 4 {
		l.b[i+3] = byte(e >> 24)
	}
}

// NewIndex returns an empty index.
func NewIndex() *Index {
	x := &Index{byID: map[string]int32{}}
	x.emptyFresh()
	return x
}

func (x *Index) emptyFresh() {
	for w := range x.fresh {
		x.fresh[w] = map[uint16][]uint32{}
	}
}

// Len is the number of videos indexed.
func (x *Index) Len() int {
	x.mu.RLock()
	defer x.mu.RUnlock()
	return len(x.byID)
}

// Entries is the number of stored hashes indexed.
func (x *Index) Entries() int {
	x.mu.RLock()
	defer x.mu.RUnlock()
	return x.ents.n - x.dead
}

// Add indexes a library video's stored hashes under id, replacing what id
// had.
func (x *Index) Add(id string, f *Fingerprint) {
	x.mu.Lock()
	defer x.mu.Unlock()
	x.remove(id)
	v := x.startVideo(id, f.IntervalMs, f.Sampled)
	for _, fr := range f.Frames {
		for _, h := range fr.Stored {
			x.addEntry(h, fr.Ms/v.intervalMs)
		}
	}
	x.finishVideo(v)
}

// AddEncoded is Add of an encoded fingerprint (Encode's bytes), read
// straight into the index without building a Fingerprint: a library
// opening adds its videos this way. Nothing is added when b is corrupt
// (ErrCorrupt).
func (x *Index) AddEncoded(id string, b []byte) error {
	x.mu.Lock()
	defer x.mu.Unlock()
	v := x.startVideo(id, 1, 0)
	err := walk(b, func(interval int64, sampled, _ int) {
		v.intervalMs, v.sampled = max(interval, 1), sampled
	}, func(ms int64, stored, _ []byte) {
		for i := 0; i+32 <= len(stored); i += 32 {
			h, _ := pdq.FromBytes(stored[i : i+32])
			x.addEntry(h, ms/v.intervalMs)
		}
	})
	if err != nil {
		x.truncate(v.first)
		return err
	}
	x.remove(id)
	x.finishVideo(v)
	return nil
}

// truncate drops the entries from n on (those of a video whose bytes
// turned out corrupt), from the per-word maps too. The caller holds the
// write lock.
func (x *Index) truncate(n uint32) {
	if !x.stale {
		for e := x.ents.n - 1; e >= int(n); e-- {
			for w := range words {
				k := x.ents.hash(uint32(e)).Word(w)
				s := x.fresh[w][k]
				if len(s) == 1 {
					delete(x.fresh[w], k)
				} else {
					x.fresh[w][k] = s[:len(s)-1]
				}
			}
		}
	}
	x.ents.truncate(int(n))
}

// startVideo begins a video whose entries the next addEntry calls add.
// The caller holds the write lock.
func (x *Index) startVideo(id string, intervalMs int64, sampled int) video {
	return video{id: id, intervalMs: max(intervalMs, 1), sampled: sampled, first: uint32(x.ents.n)}
}

// addEntry adds one stored hash, of sample n of the video being added.
// The caller holds the write lock.
func (x *Index) addEntry(h pdq.Hash, n int64) {
	e := uint32(x.ents.n)
	x.ents.add(h, uint32(min(max(n, 0), 1<<32-1)))
	if x.stale {
		return
	}
	for w := range words {
		k := h.Word(w)
		x.fresh[w][k] = append(x.fresh[w][k], e)
	}
}

// finishVideo records video v once its entries are added. The caller
// holds the write lock.
func (x *Index) finishVideo(v video) {
	v.n = uint32(x.ents.n) - v.first
	x.byID[v.id] = int32(len(x.videos))
	x.videos = append(x.videos, v)
	if !x.stale && x.ents.n-x.npacked > freshLimit {
		x.goStale()
	}
}

// goStale stops filling the per-word maps: the next Lookup packs.
func (x *Index) goStale() {
	x.stale = true
	for w := range x.fresh {
		x.fresh[w] = nil
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
		x.goStale()
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
	x.videos[vi].removed = true
	x.dead += int(x.videos[vi].n)
	delete(x.byID, id)
	if !x.stale && x.dead > freshLimit && x.dead > x.ents.n/2 {
		x.goStale() // mostly removed entries: the next Lookup packs the rest
	}
	return true
}

// Packs is how many times the index has packed its entries (Compact, or
// a Lookup after Bulk or after the per-word maps filled up): each is a
// rebuild of every word index over every entry, so a library that follows
// small changes should see it stay put.
func (x *Index) Packs() int {
	x.mu.RLock()
	defer x.mu.RUnlock()
	return x.packs
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
	for _, v := range x.videos {
		if v.removed {
			continue
		}
		f := &Fingerprint{IntervalMs: v.intervalMs, Sampled: v.sampled}
		for e := v.first; e < v.first+v.n; e++ {
			ms := int64(x.ents.sampleAt(e)) * v.intervalMs
			h := *x.ents.hash(e)
			if n := len(f.Frames); n > 0 && f.Frames[n-1].Ms == ms {
				f.Frames[n-1].Stored = append(f.Frames[n-1].Stored, h)
				continue
			}
			f.Frames = append(f.Frames, Frame{Ms: ms, Stored: []pdq.Hash{h}})
		}
		fn(v.id, f)
	}
}

// Compact drops removed videos' entries and packs every entry into the
// flat per-word arrays.
func (x *Index) Compact() {
	x.mu.Lock()
	defer x.mu.Unlock()
	x.pack()
}

// pack renumbers the live entries (dropping removed videos) and rebuilds
// every word index. The caller holds the write lock.
func (x *Index) pack() {
	if !x.stale && x.dead == 0 && x.npacked == x.ents.n {
		return
	}
	if x.dead > 0 {
		x.dropRemoved()
	}
	for w := range x.packed {
		x.packed[w] = wordIndex{} // let the old arrays go first
	}
	n := x.ents.n
	width := 3
	if n >= 1<<24 {
		width = 4
	}
	// The words are packed one at a time on each core (an Open of 100k
	// videos packs 16 × 3 M entries).
	var wg sync.WaitGroup
	var next atomic.Int32
	for range min(words, max(1, runtime.GOMAXPROCS(0))) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var a, b []uint64
			for w := int(next.Add(1)) - 1; w < words; w = int(next.Add(1)) - 1 {
				a, b = x.packWord(w, width, a, b)
			}
		}()
	}
	wg.Wait()
	x.npacked = n
	x.packs++
	x.stale = false
	x.emptyFresh()
}

// packWord builds word w's index from every entry: records of its key,
// partner word and entry number, sorted by key with a two-pass radix sort
// (each pass writes to 256 places at once, which the caches hold, where
// writing straight to 65,536 buckets would miss on nearly every entry).
// a and b are scratch space, returned for the next word.
func (x *Index) packWord(w, width int, a, b []uint64) ([]uint64, []uint64) {
	n := x.ents.n
	a, b = slices.Grow(a[:0], n)[:n], slices.Grow(b[:0], n)[:n]
	shift, pshift := uint(w&3)*16, uint(w&3^1)*16
	var lo, hi [256]uint32
	e := 0
	for _, chunk := range x.ents.hashes {
		for i := range chunk {
			u := chunk[i][w>>2]
			k := uint16(u >> shift)
			a[e] = uint64(k)<<48 | uint64(uint16(u>>pshift))<<32 | uint64(e)
			lo[uint8(k)]++
			hi[k>>8]++
			e++
		}
	}
	start := make([]uint32, 1<<16+1)
	for _, pass := range []struct {
		count *[256]uint32
		shift uint
	}{{&lo, 48}, {&hi, 56}} {
		var pos [256]uint32
		sum := uint32(0)
		for d, c := range pass.count {
			pos[d] = sum
			sum += c
		}
		for _, r := range a {
			d := uint8(r >> pass.shift)
			b[pos[d]] = r
			pos[d]++
		}
		a, b = b, a
	}
	ix := wordIndex{
		start:   start,
		partner: make([]byte, 2*n),
		ids:     idList{b: make([]byte, n*width), width: width},
	}
	for j, r := range a {
		start[int(r>>48)+1]++
		ix.partner[2*j], ix.partner[2*j+1] = byte(r>>32), byte(r>>40)
		ix.ids.put(uint32(j), uint32(r))
	}
	for k := 1; k < len(start); k++ {
		start[k] += start[k-1]
	}
	x.packed[w] = ix
	return a, b
}

// dropRemoved renumbers the entries of the live videos, dropping the
// removed ones'. The caller holds the write lock.
func (x *Index) dropRemoved() {
	var ents entryStore
	videos := make([]video, 0, len(x.byID))
	for _, v := range x.videos {
		if v.removed {
			continue
		}
		first := uint32(ents.n)
		for e := v.first; e < v.first+v.n; e++ {
			ents.add(*x.ents.hash(e), x.ents.sampleAt(e))
		}
		v.first = first
		x.byID[v.id] = int32(len(videos))
		videos = append(videos, v)
	}
	x.ents, x.videos = ents, videos
	x.dead = 0
}

// ownerOf is the video holding entry e.
func (x *Index) ownerOf(e uint32) int32 {
	vs := x.videos
	i := sort.Search(len(vs), func(i int) bool { return vs[i].first+vs[i].n > e })
	return int32(i)
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
	// value is footage.Threshold (31), which is also the most: the index
	// finds every stored hash within Threshold of any probe, no farther.
	Threshold int
}

// pair is a probed frame matched to one stored entry.
type pair struct {
	frame int32 // probed frame
	dist  int16
	ms    int64 // library time
}

// bounds are a lookup's filters: the part bound tau and the word bound
// rho that the pigeonhole principle gives for threshold t.
type bounds struct {
	t, tau, rho int
}

func boundsFor(t int) bounds {
	tau := (t+1+parts-1)/parts - 1
	return bounds{t: t, tau: tau, rho: tau / 2}
}

// reaches reports whether the index reaches entry hash h through word w
// of probe p: the word within rho bits, its part within tau.
func (b bounds) reaches(h, p *pdq.Hash, w int) bool {
	d := h[w>>2] ^ p[w>>2]
	dw := bits.OnesCount16(uint16(d >> (uint(w&3) * 16)))
	return dw <= b.rho && bits.OnesCount32(uint32(d>>(uint(w&2)*16))) <= b.tau
}

// firstWord is the first word through which the index reaches h from p
// (words if none): the word a pair is taken from.
func (b bounds) firstWord(h, p *pdq.Hash) int {
	for w := range words {
		if b.reaches(h, p, w) {
			return w
		}
	}
	return words
}

// Lookup finds the library videos whose frames the probed video's Probes
// (or, for frames without probes, Stored hashes) match: every stored hash
// within the threshold of a probe counts, as a comparison with every
// stored hash would find. The probed frames are split between two
// goroutines.
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
			x.pack()
		}
		x.mu.Unlock()
		x.mu.RLock()
	}
	defer x.mu.RUnlock()
	excluded := int32(-1)
	if vi, ok := x.byID[opts.Exclude]; ok && opts.Exclude != "" {
		excluded = vi
	}
	const workers = 2
	outs := [workers]map[int32][]pair{}
	var wg sync.WaitGroup
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			outs[w] = x.probeFrames(q, w, workers, boundsFor(t), excluded)
		}()
	}
	wg.Wait()
	found := outs[0]
	for _, p := range outs[1:] {
		for v, ps := range p {
			found[v] = append(found[v], ps...)
		}
	}
	return x.result(q, found)
}

// probeFrames looks up every step-th probed frame from first.
func (x *Index) probeFrames(q *Fingerprint, first, step int, b bounds, excluded int32) map[int32][]pair {
	found := map[int32][]pair{}
	var seen []pdq.Hash
	var sc scratch
	for fi := first; fi < len(q.Frames); fi += step {
		probes := q.Frames[fi].Probes
		if len(probes) == 0 {
			probes = q.Frames[fi].Stored
		}
		seen = seen[:0]
		for _, p := range probes {
			if slices.Contains(seen, p) {
				continue
			}
			seen = append(seen, p)
			x.probe(&p, int32(fi), b, excluded, found, &sc)
		}
	}
	return found
}

// scratch is one lookup goroutine's working memory.
type scratch struct {
	buckets []bucket
	cands   []cand
	sink    byte
}

// bucket is one packed bucket a probe reads: entries lo … hi−1 of word
// w's index, kept when their partner word is within lim bits.
type bucket struct {
	lo, hi uint32
	w      uint8
	lim    int8
}

// cand is an entry that passed the partner filter in word w's index.
type cand struct {
	e uint32
	w uint8
}

// probe finds the entries within b.t of p and adds them to found as
// pairs of probed frame fi. Each step (find the buckets, touch them,
// filter their entries, compare the candidates' hashes) runs over all of
// a probe's buckets or candidates before the next, so that their reads
// from memory overlap instead of waiting one for another.
func (x *Index) probe(p *pdq.Hash, fi int32, b bounds, excluded int32, found map[int32][]pair, sc *scratch) {
	flips := 0
	if b.rho > 0 {
		flips = 16
	}
	bs := sc.buckets[:0]
	cs := sc.cands[:0]
	if x.packed[0].start != nil {
		for w := range words {
			start := x.packed[w].start
			qk := p.Word(w)
			bs = append(bs, bucket{start[qk], start[int(qk)+1], uint8(w), int8(b.tau)})
			for f := range flips {
				k := qk ^ 1<<uint(f)
				bs = append(bs, bucket{start[k], start[int(k)+1], uint8(w), int8(b.tau - 1)})
			}
		}
		var sink byte
		for _, c := range bs {
			if c.hi > c.lo {
				pa := x.packed[c.w].partner
				sink += pa[2*c.lo] + pa[2*c.hi-1]
			}
		}
		sc.sink += sink
		for _, c := range bs {
			cs = x.packed[c.w].scan(cs, c, p.Word(int(c.w)^1))
		}
	}
	for w := range words {
		fresh := x.fresh[w]
		if len(fresh) == 0 {
			continue
		}
		qk, qp := p.Word(w), p.Word(w^1)
		for flip := -1; flip < flips; flip++ {
			k, lim := qk, b.tau
			if flip >= 0 {
				k ^= 1 << uint(flip)
				lim--
			}
			for _, e := range fresh[k] {
				if bits.OnesCount16(x.ents.hash(e).Word(w^1)^qp) <= lim {
					cs = append(cs, cand{e, uint8(w)})
				}
			}
		}
	}
	for _, c := range cs {
		h := x.ents.hash(c.e)
		d := bits.OnesCount64(h[0]^p[0]) + bits.OnesCount64(h[1]^p[1]) +
			bits.OnesCount64(h[2]^p[2]) + bits.OnesCount64(h[3]^p[3])
		if d > b.t || b.firstWord(h, p) != int(c.w) {
			continue
		}
		v := x.ownerOf(c.e)
		if v == excluded || x.videos[v].removed {
			continue
		}
		found[v] = append(found[v], pair{fi, int16(d), int64(x.ents.sampleAt(c.e)) * x.videos[v].intervalMs})
	}
	sc.buckets, sc.cands = bs, cs
}

// Lane masks for counting the bits of four 16-bit words at once.
const (
	lanes1   = 0x5555555555555555
	lanes2   = 0x3333333333333333
	lanes4   = 0x0f0f0f0f0f0f0f0f
	lanes8   = 0x00ff00ff00ff00ff
	laneHigh = 0x8000800080008000
	laneOne  = 0x0001000100010001
)

// scan appends to cs the entries of bucket c whose partner word is within
// c.lim bits of qp, comparing four partners at a time.
func (ix *wordIndex) scan(cs []cand, c bucket, qp uint16) []cand {
	q4 := uint64(qp) * laneOne
	// A lane's count plus over has its high bit set iff the count
	// exceeds lim (counts are at most 16: no carry between lanes).
	over := (0x8000 - uint64(c.lim) - 1) * laneOne
	pb := ix.partner[2*c.lo : 2*c.hi]
	j := c.lo
	for ; len(pb) >= 8; pb, j = pb[8:], j+4 {
		d := binary.LittleEndian.Uint64(pb) ^ q4
		d -= (d >> 1) & lanes1
		d = d&lanes2 + (d>>2)&lanes2
		d = (d + d>>4) & lanes4
		d = (d + d>>8) & lanes8
		pass := ^(d + over) & laneHigh
		for pass != 0 {
			lane := uint32(bits.TrailingZeros64(pass) >> 4)
			cs = append(cs, cand{ix.ids.at(j + lane), c.w})
			pass &= pass - 1
		}
	}
	for ; len(pb) >= 2; pb, j = pb[2:], j+1 {
		if bits.OnesCount16((uint16(pb[0])|uint16(pb[1])<<8)^qp) <= int(c.lim) {
			cs = append(cs, cand{ix.ids.at(j), c.w})
		}
	}
	return cs
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
