package lsh

import (
	mathbits "math/bits"
	"slices"
	"unsafe"
)

// run is a sorted sequence of entries (key<<32 | id). A small run keeps
// the entries as they are (e). A large one keeps a directory of offsets by
// the keys' top bits, so a lookup touches one directory word and a few
// neighbouring entries instead of a whole binary search (cache misses
// dominate a query on a large index).
//
// From packMin entries on a run is packed: the directory slot already says
// an entry's top key bits (at least 16 of them), so the entry keeps only
// the key's low bits and its id — 6 bytes instead of 8, side by side so
// that the search and the id read the same cache line. A packed run's
// directory is two-level — a 4-byte base per dirGroup slots and a 2-byte
// offset per slot — so that it takes no more cache than an unpacked run's
// directory of half as many slots; when a very common key overflows the
// offsets, it is one of 4-byte slots as in an unpacked run, or the run
// stays unpacked if that directory would be larger than an unpacked
// run's. A run is never changed once built.
type run struct {
	e      []uint64      // the entries; nil when packed
	dir    []uint32      // dir[p] = first entry whose key>>kshift >= p; len 2^bits+1
	p      []packedEntry // packed: the entries without their top key bits
	base   []uint32      // packed, two-level: the directory's base of each group of dirGroup slots
	off    []uint16      // packed, two-level: dir[p] - base[p/dirGroup]; dir is nil
	kshift uint          // 32 - the directory's bits
}

// packedEntry is an entry of a packed run: the key bits below the
// directory's and the id in two halves (6 bytes, 2-byte aligned).
type packedEntry struct{ lo, idHi, idLo uint16 }

func (e packedEntry) id() uint32 { return uint32(e.idHi)<<16 | uint32(e.idLo) }

// dirMin is the run length from which a directory is built.
const dirMin = 2048

// dirEntries sets the directory's size: one slot per dirEntries to
// 2×dirEntries entries (4 bytes per slot), so a lookup reads one slot
// and one or two neighbouring cache lines of entries.
const dirEntries = 8

// packMin is the run length from which a run is packed: from here on an
// unpacked run's directory has 2^15 slots or more, so the packed one's
// (2^16 slots or more, 2 bytes each) takes no more cache.
const packMin = 1 << 18

// packBits is the fewest directory bits of a packed run: the key bits
// below them must fit packedEntry.lo's 16.
const packBits = 16

// dirGroupBits sets dirGroup, the slots that share a base in a packed
// run's directory.
const (
	dirGroupBits = 8
	dirGroup     = 1 << dirGroupBits
)

func newRun(e []uint64) run {
	if len(e) < dirMin {
		return run{e: e}
	}
	bits := runDirBits(len(e))
	if len(e) >= packMin {
		pb := max(bits, packBits)
		dir := directory(e, pb)
		if base, off, ok := twoLevel(dir); ok {
			return pack(e, pb, run{base: base, off: off})
		}
		if bits >= packBits {
			// Some key is too common for the offsets: a directory of
			// 4-byte slots, no more than an unpacked run's.
			return pack(e, pb, run{dir: dir})
		}
	}
	return run{e: e, dir: directory(e, bits), kshift: uint(32 - bits)}
}

// runBuilder builds the run newRun builds of n sorted entries, given a
// chunk at a time in order, without holding them all as 8-byte entries
// when the run is packed: each entry is packed, and the directory filled,
// as it arrives. ReadIndex and Compact build large runs with it.
type runBuilder struct {
	n     int
	e     []uint64      // unpacked (n < packMin): the entries
	p     []packedEntry // packed: the entries so far
	dir   []uint32      // packed: the directory of the entries so far
	shift uint          // packed: 64 - the directory's bits
	slot  int           // packed: the next slot of dir to fill
}

// newRunBuilder returns a builder of a run of n entries.
func newRunBuilder(n int) *runBuilder {
	if n < packMin {
		return &runBuilder{n: n, e: make([]uint64, 0, n)}
	}
	pb := max(runDirBits(n), packBits)
	return &runBuilder{n: n, p: make([]packedEntry, 0, n), dir: make([]uint32, 1<<pb+1), shift: uint(64 - pb)}
}

// runDirBits is the directory bits newRun gives a run of n >= dirMin
// entries.
func runDirBits(n int) int { return min(mathbits.Len(uint(n/dirEntries))-1, 24) }

// add appends the sorted entries e, each >= the last one added; at most n
// in all.
func (b *runBuilder) add(e []uint64) {
	if b.p == nil {
		b.e = append(b.e, e...)
		return
	}
	mask := uint64(1)<<(b.shift-32) - 1
	for _, v := range e {
		for top := int(v >> b.shift); b.slot <= top; b.slot++ {
			b.dir[b.slot] = uint32(len(b.p))
		}
		b.p = append(b.p, packedEntry{lo: uint16(v >> 32 & mask), idHi: uint16(v >> 16), idLo: uint16(v)})
	}
}

// run returns the run of the n entries added: the run newRun would.
func (b *runBuilder) run() run {
	if len(b.e)+len(b.p) != b.n {
		panic("lsh: runBuilder given fewer entries than announced")
	}
	if b.p == nil {
		return newRun(b.e)
	}
	for ; b.slot < len(b.dir); b.slot++ {
		b.dir[b.slot] = uint32(len(b.p))
	}
	r := run{p: b.p, dir: b.dir, kshift: b.shift - 32}
	if base, off, ok := twoLevel(b.dir); ok {
		return run{p: b.p, base: base, off: off, kshift: r.kshift}
	}
	if bits := runDirBits(b.n); bits < packBits {
		// Some key is too common for the offsets and a directory of
		// 4-byte slots would be larger than an unpacked run's: unpacked.
		e := r.entries()
		return run{e: e, dir: directory(e, bits), kshift: uint(32 - bits)}
	}
	return r
}

// directory returns the offsets of the sorted entries e by the top bits of
// their keys: dir[p] is the first entry whose key's top bits are >= p.
func directory(e []uint64, bits int) []uint32 {
	dir := make([]uint32, 1<<bits+1)
	shift := uint(64 - bits)
	j := 0
	for p := range dir {
		for j < len(e) && e[j]>>shift < uint64(p) {
			j++
		}
		dir[p] = uint32(j)
	}
	return dir
}

// twoLevel returns dir as a base per dirGroup slots and a 2-byte offset
// per slot; false when some group holds more than 65,535 entries (a very
// common key), which the offsets cannot say.
func twoLevel(dir []uint32) (base []uint32, off []uint16, ok bool) {
	base = make([]uint32, len(dir)>>dirGroupBits+1)
	off = make([]uint16, len(dir))
	for p, v := range dir {
		g := p >> dirGroupBits
		if p&(dirGroup-1) == 0 {
			base[g] = v
		}
		d := v - base[g]
		if d > 0xffff {
			return nil, nil, false
		}
		off[p] = uint16(d)
	}
	return base, off, true
}

// pack returns r, which holds a directory of bits bits (>= packBits) of
// the sorted entries e, with e's entries packed.
func pack(e []uint64, bits int, r run) run {
	r.kshift = uint(32 - bits)
	r.p = make([]packedEntry, len(e))
	mask := uint64(1)<<r.kshift - 1
	for i, v := range e {
		r.p[i] = packedEntry{lo: uint16(v >> 32 & mask), idHi: uint16(v >> 16), idLo: uint16(v)}
	}
	return r
}

// packed reports whether the run keeps packed entries.
func (r *run) packed() bool { return r.p != nil }

// indexed reports whether the run has a directory.
func (r *run) indexed() bool { return r.dir != nil || r.off != nil }

// slot returns the entries [a, b) of directory slot p (an indexed run).
func (r *run) slot(p uint64) (a, b int) {
	if r.off != nil {
		return int(r.base[p>>dirGroupBits] + uint32(r.off[p])), int(r.base[(p+1)>>dirGroupBits] + uint32(r.off[p+1]))
	}
	return int(r.dir[p]), int(r.dir[p+1])
}

// len returns the number of entries.
func (r *run) len() int {
	if r.packed() {
		return len(r.p)
	}
	return len(r.e)
}

// id returns the id of entry j.
func (r *run) id(j int) uint32 {
	if r.packed() {
		return r.p[j].id()
	}
	return uint32(r.e[j])
}

// span returns the entries [j, k) whose key's top 32 bits are hi.
func (r *run) span(hi uint64) (j, k int) {
	if !r.packed() {
		j = r.find(hi << 32)
		return j, r.end(j, hi)
	}
	a, end := r.slot(hi >> r.kshift)
	rem := uint16(hi & (1<<r.kshift - 1))
	for b := end; a < b; { // the first entry >= rem
		m := int(uint(a+b) >> 1)
		if r.p[m].lo < rem {
			a = m + 1
		} else {
			b = m
		}
	}
	j, k = a, a
	for k < end && r.p[k].lo == rem {
		if k-j == 8 { // a stock key: search for the end of its entries
			for lo, hi := k, end; ; {
				if lo >= hi {
					return j, lo
				}
				m := int(uint(lo+hi) >> 1)
				if r.p[m].lo <= rem {
					lo = m + 1
				} else {
					hi = m
				}
			}
		}
		k++
	}
	return j, k
}

// find returns the index of the first entry >= t (an unpacked run).
func (r *run) find(t uint64) int {
	if r.dir == nil {
		i, _ := slices.BinarySearch(r.e, t)
		return i
	}
	lo, hi := r.slot(t >> 32 >> r.kshift)
	i, _ := slices.BinarySearch(r.e[lo:hi], t)
	return lo + i
}

// end returns the index after the last entry of key hi from j on (the
// first entry of hi) in an unpacked run: galloping, so a rare key costs a
// step or two and a stock key a logarithmic search.
func (r *run) end(j int, hi uint64) int {
	lo, step := j, 1 // r.e[lo] is hi's or lo == j
	for lo+step < len(r.e) && r.e[lo+step]>>32 == hi {
		lo += step
		step *= 2
	}
	top := min(lo+step, len(r.e))
	k, _ := slices.BinarySearchFunc(r.e[lo:top], hi, func(e, hi uint64) int {
		if e>>32 <= hi {
			return -1
		}
		return 1
	})
	return lo + k
}

// touch reads the directory slot of key k (a band key) and one word per
// cache line of the entries it spans, and returns their sum; 0 for a run
// without a directory.
func (r *run) touch(k uint64) uint64 {
	if !r.indexed() {
		return 0
	}
	var sum uint64
	lo, hi := r.slot(k >> 32 >> r.kshift)
	if r.packed() {
		for j := lo; j < hi; j += 10 { // 60 bytes
			sum += uint64(r.p[j].lo)
		}
		return sum
	}
	for j := lo; j < hi; j += entriesPerLine {
		sum += r.e[j]
	}
	return sum
}

// slotPointer returns the address of directory slot p of an indexed run.
func (r *run) slotPointer(p uint64) unsafe.Pointer {
	if r.off != nil {
		return unsafe.Pointer(&r.off[p])
	}
	return unsafe.Pointer(&r.dir[p])
}

// prefetchSlot prefetches the entries of directory slot p of an indexed
// run, one address per cache line.
func (r *run) prefetchSlot(p uint64) {
	lo, hi := r.slot(p)
	if lo == hi {
		return
	}
	if r.packed() {
		for j := lo; j < hi; j += 10 { // 60 bytes
			prefetchLine(unsafe.Pointer(&r.p[j]))
		}
		prefetchLine(unsafe.Pointer(&r.p[hi-1]))
		return
	}
	for j := lo; j < hi; j += entriesPerLine {
		prefetchLine(unsafe.Pointer(&r.e[j]))
	}
	prefetchLine(unsafe.Pointer(&r.e[hi-1]))
}

// mergeInto appends the merge of the run's entries and the sorted b to dst.
func (r *run) mergeInto(dst, b []uint64) []uint64 {
	if !r.packed() {
		return mergeSorted(dst, r.e, b)
	}
	i := 0
	slots := max(len(r.off), len(r.dir)) - 1
	for p := range slots {
		top := uint64(p) << r.kshift
		lo, hi := r.slot(uint64(p))
		for _, pe := range r.p[lo:hi] {
			e := (top|uint64(pe.lo))<<32 | uint64(pe.id())
			for i < len(b) && b[i] < e {
				dst = append(dst, b[i])
				i++
			}
			dst = append(dst, e)
		}
	}
	return append(dst, b[i:]...)
}

// mergeTo passes the merge of the run's entries and the sorted b to add,
// len(buf) entries at a time (the last chunk shorter), in buf: mergeInto
// without holding the whole merge.
func (r *run) mergeTo(b, buf []uint64, add func([]uint64)) {
	out, i := buf[:0], 0
	put := func(e uint64) {
		for i < len(b) && b[i] < e {
			if out = append(out, b[i]); len(out) == cap(out) {
				add(out)
				out = out[:0]
			}
			i++
		}
		if out = append(out, e); len(out) == cap(out) {
			add(out)
			out = out[:0]
		}
	}
	if !r.packed() {
		for _, e := range r.e {
			put(e)
		}
	} else {
		slots := max(len(r.off), len(r.dir)) - 1
		for p := range slots {
			top := uint64(p) << r.kshift
			lo, hi := r.slot(uint64(p))
			for _, pe := range r.p[lo:hi] {
				put((top|uint64(pe.lo))<<32 | uint64(pe.id()))
			}
		}
	}
	for ; i < len(b); i++ {
		if out = append(out, b[i]); len(out) == cap(out) {
			add(out)
			out = out[:0]
		}
	}
	if len(out) > 0 {
		add(out)
	}
}

// entries returns the run's entries as one new slice.
func (r *run) entries() []uint64 {
	return r.mergeInto(make([]uint64, 0, r.len()), nil)
}

// bytes returns the heap the run holds, by capacity.
func (r *run) bytes() int {
	return 8*cap(r.e) + 4*cap(r.dir) + 6*cap(r.p) + 4*cap(r.base) + 2*cap(r.off)
}
