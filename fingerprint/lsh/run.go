package lsh

import (
	mathbits "math/bits"
	"slices"
)

// run is a sorted sequence of entries (key<<32 | id). A small run keeps
// the entries as they are (e). A large one keeps a directory of offsets by
// the keys' top bits, so a lookup touches one directory word and a few
// neighbouring entries instead of a whole binary search (cache misses
// dominate a query on a large index). From packMin entries on it is also
// packed: the directory slot already says an entry's top key bits (at
// least 16 of them), so the entry keeps only the key's low bits (lo) and
// its id (ids) — 6 bytes instead of 8. A run is never changed once built.
type run struct {
	e      []uint64 // the entries; nil when packed
	lo     []uint16 // packed: the key bits below the directory's
	ids    []uint32 // packed: the ids, in entry order
	dir    []uint32 // dir[p] = first entry whose key>>kshift >= p; len 2^bits+1
	kshift uint     // 32 - the directory's bits
}

// dirMin is the run length from which a directory is built.
const dirMin = 2048

// dirEntries sets the directory's size: one slot per dirEntries to
// 2×dirEntries entries (4 bytes per slot), so a lookup reads one slot
// and a few neighbouring cache lines of entries.
const dirEntries = 16

// packMin is the run length from which a run is packed. A packed run's
// directory has at least 2^16 slots (256 KiB), at most 1 byte per entry
// from here on, less than the 2 bytes per entry packing saves.
const packMin = 1 << 18

// packBits is the fewest directory bits of a packed run: the key bits
// below them must fit lo's 16.
const packBits = 16

func newRun(e []uint64) run {
	if len(e) < dirMin {
		return run{e: e}
	}
	bits := min(mathbits.Len(uint(len(e)/dirEntries))-1, 24)
	if len(e) >= packMin {
		bits = max(bits, packBits)
	}
	r := run{kshift: uint(32 - bits), dir: make([]uint32, 1<<bits+1)}
	j := 0
	for p := range r.dir {
		for j < len(e) && e[j]>>32>>r.kshift < uint64(p) {
			j++
		}
		r.dir[p] = uint32(j)
	}
	if len(e) < packMin {
		r.e = e
		return r
	}
	r.lo = make([]uint16, len(e))
	r.ids = make([]uint32, len(e))
	mask := uint64(1)<<r.kshift - 1
	for i, v := range e {
		r.lo[i] = uint16(v >> 32 & mask)
		r.ids[i] = uint32(v)
	}
	return r
}

// packed reports whether the run keeps lo and ids instead of entries.
func (r *run) packed() bool { return r.ids != nil }

// len returns the number of entries.
func (r *run) len() int {
	if r.packed() {
		return len(r.ids)
	}
	return len(r.e)
}

// id returns the id of entry j.
func (r *run) id(j int) uint32 {
	if r.packed() {
		return r.ids[j]
	}
	return uint32(r.e[j])
}

// span returns the entries [j, k) whose key's top 32 bits are hi.
func (r *run) span(hi uint64) (j, k int) {
	if r.packed() {
		p := hi >> r.kshift
		a, b := int(r.dir[p]), int(r.dir[p+1])
		rem := uint16(hi & (1<<r.kshift - 1))
		j, _ = slices.BinarySearch(r.lo[a:b], rem)
		j += a
		k, _ = slices.BinarySearch(r.lo[j:b], rem+1)
		if rem == 0xffff {
			k = b - j
		}
		return j, j + k
	}
	j = r.find(hi << 32)
	return j, r.end(j, hi)
}

// find returns the index of the first entry >= t (an unpacked run).
func (r *run) find(t uint64) int {
	if r.dir == nil {
		i, _ := slices.BinarySearch(r.e, t)
		return i
	}
	p := t >> 32 >> r.kshift
	lo, hi := int(r.dir[p]), int(r.dir[p+1])
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
	if r.dir == nil {
		return 0
	}
	var sum uint64
	p := k >> 32 >> r.kshift
	lo, hi := int(r.dir[p]), int(r.dir[p+1])
	if r.packed() {
		for j := lo; j < hi; j += 2 * entriesPerLine {
			sum += uint64(r.lo[j]) + uint64(r.ids[j])
		}
		return sum
	}
	for j := lo; j < hi; j += entriesPerLine {
		sum += r.e[j]
	}
	return sum
}

// mergeInto appends the merge of the run's entries and the sorted b to dst.
func (r *run) mergeInto(dst, b []uint64) []uint64 {
	if !r.packed() {
		return mergeSorted(dst, r.e, b)
	}
	i := 0
	for p := 0; p+1 < len(r.dir); p++ {
		top := uint64(p) << r.kshift
		for j := r.dir[p]; j < r.dir[p+1]; j++ {
			e := (top|uint64(r.lo[j]))<<32 | uint64(r.ids[j])
			for i < len(b) && b[i] < e {
				dst = append(dst, b[i])
				i++
			}
			dst = append(dst, e)
		}
	}
	return append(dst, b[i:]...)
}

// entries returns the run's entries as one new slice.
func (r *run) entries() []uint64 {
	return r.mergeInto(make([]uint64, 0, r.len()), nil)
}

// bytes returns the heap the run holds, by capacity.
func (r *run) bytes() int {
	return 8*cap(r.e) + 2*cap(r.lo) + 4*cap(r.ids) + 4*cap(r.dir)
}
