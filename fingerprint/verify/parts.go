package verify

import (
	"math/bits"
	"sync"

	"elib/fingerprint/normalize"
)

// MaxParts is how many parts a PartScreen tells apart: parts from
// MaxParts-1 on share the last bit.
const MaxParts = 64

// PartScreen screens library texts against a query made of parts (the
// elements of a checked asset, concatenated), in one pass over each
// library text: it gives the whole query's Screen answers (Shared,
// SharedBigrams) and, per part, what that part's own Screen would answer —
// whether they share a MinRun-gram (so Compare can find a run) and whether
// they share enough bigrams for alignment. A PartScreen is safe for
// concurrent use.
type PartScreen struct {
	k       int
	grams   table // MinRun-gram hash → parts holding it, whole-text flag
	bigrams table // Screen bigram bucket → parts holding it, whole-text flag
}

// Reach is what a PartScreen tells about one library text.
type Reach struct {
	// Shared and SharedBigrams are Screen's answers for the whole query.
	Shared, SharedBigrams int
	// Exact has bit i (PartBit) set when the text shares a MinRun-gram with
	// part i; Align when it shares at least the asked number of bigrams.
	Exact, Align uint64
}

// NewPartScreen indexes the MinRun-grams and bigrams of whole and of each
// part; whole is the parts' runes back to back.
func NewPartScreen(whole normalize.Text, parts []normalize.Text, opts Options) *PartScreen {
	opts = opts.EnsureDefaults()
	k := opts.MinRun
	s := &PartScreen{k: k, grams: getTable(len(whole.Runes)), bigrams: getTable(len(whole.Runes))}
	rs := whole.Runes
	for j := 0; j+k <= len(rs); j++ {
		s.grams.add(gramHash(rs[j:j+k]), 0, true)
	}
	for j := 0; j+1 < len(rs); j++ {
		s.bigrams.add(bigramHash(rs[j], rs[j+1])%bigramBits, 0, true)
	}
	for i, p := range parts {
		bit := PartBit(i)
		for j := 0; j+k <= len(p.Runes); j++ {
			s.grams.add(gramHash(p.Runes[j:j+k]), bit, false)
		}
		for j := 0; j+1 < len(p.Runes); j++ {
			s.bigrams.add(bigramHash(p.Runes[j], p.Runes[j+1])%bigramBits, bit, false)
		}
	}
	return s
}

// Release hands the screen's memory back for later screens; s must not be
// used after.
func (s *PartScreen) Release() {
	putTable(s.grams)
	putTable(s.bigrams)
	s.grams, s.bigrams = table{}, table{}
}

// Reach screens lib; minBigrams is the bigram count that sets a part's
// Align bit. Parts from MaxParts-1 on are answered together: their bit is
// set when any of them would be (their bigrams counted as one part's).
func (s *PartScreen) Reach(lib normalize.Text, minBigrams int) Reach {
	var r Reach
	rs := lib.Runes
	for j := 0; j+s.k <= len(rs); j++ {
		if parts, whole, ok := s.grams.get(gramHash(rs[j : j+s.k])); ok {
			r.Exact |= parts
			if whole {
				r.Shared++
			}
		}
	}
	var counts [MaxParts]int
	for j := 0; j+1 < len(rs); j++ {
		parts, whole, ok := s.bigrams.get(bigramHash(rs[j], rs[j+1]) % bigramBits)
		if !ok {
			continue
		}
		if whole {
			r.SharedBigrams++
		}
		for m := parts; m != 0; m &= m - 1 {
			counts[bits.TrailingZeros64(m)]++
		}
	}
	for i, n := range counts {
		if n >= minBigrams {
			r.Align |= 1 << i
		}
	}
	return r
}

// PartBit is the bit of part i in Reach's masks.
func PartBit(i int) uint64 { return 1 << min(i, MaxParts-1) }

// table is an open-addressing hash table from well-mixed uint64 keys to a
// parts mask and a whole-text flag: the screens' hot loop, where a Go
// map costs several times more.
type table struct {
	keys  []uint64 // key+1; 0 is empty
	parts []uint64
	whole []bool
	mask  uint64
}

func newTable(n int) table {
	size := 16
	for size < 2*n {
		size <<= 1
	}
	return table{keys: make([]uint64, size), parts: make([]uint64, size), whole: make([]bool, size), mask: uint64(size - 1)}
}

// tables keeps released tables (*table) for getTable: a check screens one
// text, and its tables are the same few sizes check after check.
var tables sync.Pool

// getTable is newTable(n), reusing a released table of the same size.
func getTable(n int) table {
	t, ok := tables.Get().(*table)
	if !ok {
		return newTable(n)
	}
	size := 16
	for size < 2*n {
		size <<= 1
	}
	if len(t.keys) != size {
		tables.Put(t)
		return newTable(n)
	}
	clear(t.keys)
	clear(t.parts)
	clear(t.whole)
	return *t
}

// putTable releases t for getTable.
func putTable(t table) {
	if t.keys != nil {
		tables.Put(&t)
	}
}

// slot finds key's slot: where it is, or the empty slot where it goes.
// The largest key shares a slot with the one below it (a hash collision,
// as the screens already allow).
func (t *table) slot(key uint64) (uint64, uint64) {
	stored := min(key, ^uint64(0)-1) + 1
	h := key * 0x9e3779b97f4a7c15
	for i := h >> 40 & t.mask; ; i = (i + 1) & t.mask {
		if t.keys[i] == stored || t.keys[i] == 0 {
			return i, stored
		}
	}
}

func (t *table) add(key, parts uint64, whole bool) {
	i, stored := t.slot(key)
	t.keys[i] = stored
	t.parts[i] |= parts
	t.whole[i] = t.whole[i] || whole
}

func (t *table) get(key uint64) (parts uint64, whole, ok bool) {
	i, _ := t.slot(key)
	if t.keys[i] == 0 {
		return 0, false, false
	}
	return t.parts[i], t.whole[i], true
}
