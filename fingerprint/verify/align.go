package verify

import (
	"slices"

	"elib/fingerprint/normalize"
)

// AlignOptions configure Aligner.Align: what counts as an edited copy.
type AlignOptions struct {
	// MinLen is the shortest edited stretch, in query runes (default 12).
	MinLen int
	// EditEvery: a stretch may hold at most one edit per EditEvery query
	// runes on average (default 4).
	EditEvery int
	// MinBlock is the shortest identical block an alignment is built from
	// (default 2): single shared characters are chance.
	MinBlock int
	// MaxGap is the longest edit bridged between two blocks, in runes on
	// either side (default 6): a longer rewrite ends the stretch.
	MaxGap int
}

// EnsureDefaults fills zero fields with defaults and returns o.
func (o AlignOptions) EnsureDefaults() AlignOptions {
	if o.MinLen <= 0 {
		o.MinLen = 12
	}
	if o.EditEvery <= 0 {
		o.EditEvery = 4
	}
	if o.MinBlock <= 0 {
		o.MinBlock = 2
	}
	if o.MaxGap <= 0 {
		o.MaxGap = 6
	}
	return o
}

// Stretch is an edited copy: query runes [Start, End) aligned, in order,
// with library runes [LibStart, LibEnd). Blocks are the identical parts
// (the characters that count); the rest are Edits.
type Stretch struct {
	Start, End, LibStart, LibEnd int
	Blocks                       []Run
	Edits                        int
}

// Matched is the number of query runes inside the stretch's blocks.
func (s Stretch) Matched() int {
	n := 0
	for _, b := range s.Blocks {
		n += b.End - b.Start
	}
	return n
}

// GapEdits is how many edits a gap of q query runes against l library
// runes stands for: a changed, inserted or dropped character is one, a
// swapped word (two characters for two) is one, and longer rewrites one
// per two characters.
func GapEdits(q, l int) int {
	return max(1, (max(q, l)+1)/2)
}

// Aligner finds edited copies, reusing its scratch memory between calls.
// The zero value is ready; an Aligner is not safe for concurrent use.
type Aligner struct {
	head   []int32 // bigram bucket → first lib position+1
	next   []int32 // lib position → next lib position+1 in the bucket
	blocks []Run
	score  []int
	kept   []int // matched runes along the best chain (ties)
	prev   []int
	used   []bool
	chain  []int // the best chain's blocks, first to last
}

// Align finds the stretches of query that are edited copies of stretches
// of lib: chains of identical blocks (maximal, at least MinBlock runes)
// in order on both sides, bridged by gaps of at most MaxGap runes, with
// on average at most one edit per EditEvery query runes (GapEdits) and at
// least MinLen query runes. Stretches do not overlap in the query; the
// best (most matched runes) come first.
//
// Chaining is local alignment over blocks: a block scores its length, a
// gap its alignment columns (the longer side) minus EditEvery per edit,
// so a stretch whose score is at least zero holds at most one edit per
// EditEvery columns. On its way a chain may dip below zero a little (see
// bestChain); the stretch is trimmed back to a score of at least zero.
func (a *Aligner) Align(query, lib normalize.Text, opts AlignOptions) []Stretch {
	opts = opts.EnsureDefaults()
	q, l := query.Runes, lib.Runes
	if len(q) < opts.MinLen || len(l) < opts.MinBlock {
		return nil
	}
	a.findBlocks(q, l, opts.MinBlock)
	var out []Stretch
	a.used = resize(a.used, len(a.blocks))
	clear(a.used)
	for {
		st, ok := a.bestChain(opts)
		if !ok {
			break
		}
		if st.Blocks != nil {
			out = append(out, st)
		}
	}
	slices.SortStableFunc(out, func(x, y Stretch) int { return y.Matched() - x.Matched() })
	return out
}

// maxBlocks bounds the blocks chained per pair of texts, so highly
// repetitive text stays cheap.
const maxBlocks = 4096

// findBlocks lists the maximal identical blocks of at least minBlock runes
// shared by q and l, in order of query start then library start.
func (a *Aligner) findBlocks(q, l []rune, minBlock int) {
	a.blocks = a.blocks[:0]
	n := len(l) - 1
	if n <= 0 || len(q) < 2 {
		return
	}
	size := 16
	for size < 2*n {
		size <<= 1
	}
	a.head = resize(a.head, size)
	clear(a.head)
	a.next = resize(a.next, n)
	mask := uint64(size - 1)
	for j := n - 1; j >= 0; j-- {
		b := bigramHash(l[j], l[j+1]) & mask
		a.next[j] = a.head[b]
		a.head[b] = int32(j + 1)
	}
	for i := 0; i+1 < len(q); i++ {
		h := bigramHash(q[i], q[i+1]) & mask
		for p, seen := a.head[h], 0; p != 0 && seen < maxCandidates; p, seen = a.next[p-1], seen+1 {
			j := int(p - 1)
			if l[j] != q[i] || l[j+1] != q[i+1] {
				continue
			}
			if i > 0 && j > 0 && q[i-1] == l[j-1] {
				continue // inside a block found at an earlier start
			}
			e := 2
			for i+e < len(q) && j+e < len(l) && q[i+e] == l[j+e] {
				e++
			}
			if e >= minBlock {
				a.blocks = append(a.blocks, Run{Start: i, End: i + e, LibStart: j, LibEnd: j + e})
				if len(a.blocks) == maxBlocks {
					return
				}
			}
		}
	}
}

// bestChain finds the chain of unused blocks with the most matched runes
// (then the highest score) and marks its blocks and every block
// overlapping it in the query used; false when no block is left. The
// stretch has its Blocks only when it is an edited copy (at least MinLen
// query runes, at least one edit: one identical block is Compare's).
func (a *Aligner) bestChain(opts AlignOptions) (Stretch, bool) {
	bs := a.blocks
	longest := 0
	for _, b := range bs {
		longest = max(longest, b.End-b.Start)
	}
	// "On average" one edit per EditEvery runes, not in every prefix: a
	// chain may dip below zero on its way, by one for every EditEvery
	// runes it has matched, at most two edits' worth; a short chain gets
	// no such credit. The stretch kept is then trimmed to a part whose own
	// score is at least zero.
	credit := func(kept int) int { return min(2*opts.EditEvery, kept/opts.EditEvery) }
	a.score = resize(a.score, len(bs))
	a.kept = resize(a.kept, len(bs))
	a.prev = resize(a.prev, len(bs))
	best := -1
	for b := range bs {
		if a.used[b] {
			continue
		}
		n := bs[b].End - bs[b].Start
		a.score[b], a.kept[b], a.prev[b] = n, n, -1
		// Predecessors end at most MaxGap before b starts, on both sides.
		for p := b - 1; p >= 0; p-- {
			if bs[p].Start < bs[b].Start-opts.MaxGap-longest {
				break // blocks are sorted by start: none earlier reaches b
			}
			if a.used[p] {
				continue
			}
			gq, gl := bs[b].Start-bs[p].End, bs[b].LibStart-bs[p].LibEnd
			if gq < 0 || gl < 0 || gq > opts.MaxGap || gl > opts.MaxGap || gq+gl == 0 {
				continue
			}
			s := a.score[p] - (opts.EditEvery*GapEdits(gq, gl) - max(gq, gl))
			if s < -credit(a.kept[p]) {
				continue
			}
			s += n
			if k := a.kept[p] + n; k > a.kept[b] || k == a.kept[b] && s > a.score[b] {
				a.score[b], a.kept[b], a.prev[b] = s, k, p
			}
		}
		if best < 0 || a.kept[b] > a.kept[best] || a.kept[b] == a.kept[best] && a.score[b] > a.score[best] {
			best = b
		}
	}
	if best < 0 {
		return Stretch{}, false
	}
	chain := a.chain[:0]
	for b := best; b >= 0; b = a.prev[b] {
		chain = append(chain, b)
	}
	slices.Reverse(chain)
	a.chain = chain
	// Trim the front to the first block from which the chain's score is at
	// least zero: score[best] less the score reached just before it.
	first := 0
	if total := a.score[best]; total < 0 {
		before := 0 // the chain's score before block chain[i]
		for i, b := range chain {
			if i > 0 {
				p := chain[i-1]
				gq, gl := bs[b].Start-bs[p].End, bs[b].LibStart-bs[p].LibEnd
				before = a.score[p] - (opts.EditEvery*GapEdits(gq, gl) - max(gq, gl))
			}
			if before <= total {
				first = i
				break
			}
		}
	}
	chain = chain[first:]
	st := Stretch{Start: bs[chain[0]].Start, LibStart: bs[chain[0]].LibStart, End: bs[best].End, LibEnd: bs[best].LibEnd}
	for i := 1; i < len(chain); i++ {
		b, p := chain[i], chain[i-1]
		st.Edits += GapEdits(bs[b].Start-bs[p].End, bs[b].LibStart-bs[p].LibEnd)
	}
	if st.End-st.Start >= opts.MinLen && st.Edits > 0 {
		st.Blocks = make([]Run, len(chain))
		for i, b := range chain {
			st.Blocks[i] = bs[b]
		}
	}
	for b := range bs {
		if bs[b].Start < st.End && bs[b].End > st.Start {
			a.used[b] = true
		}
	}
	return st, true
}

func bigramHash(a, b rune) uint64 {
	h := uint64(a)<<21 ^ uint64(b)
	h *= 0x9e3779b97f4a7c15
	return h ^ h>>29
}

func resize[T any](s []T, n int) []T {
	if cap(s) >= n {
		return s[:n]
	}
	return make([]T, n)
}

// Spans maps the stretch to code points of the original texts: the whole
// stretch, and its edits (the gaps between blocks; one side of a gap is
// empty where a character was only inserted or only dropped).
func (st Stretch) Spans(query, lib normalize.Text) (Span, []Span) {
	whole := Span{
		Start:    origStart(query, st.Start),
		End:      origEnd(query, st.End-1),
		LibStart: origStart(lib, st.LibStart),
		LibEnd:   origEnd(lib, st.LibEnd-1),
	}
	edits := make([]Span, 0, len(st.Blocks)-1)
	for i := 1; i < len(st.Blocks); i++ {
		p, b := st.Blocks[i-1], st.Blocks[i]
		edits = append(edits, Span{
			Start:    origEnd(query, p.End-1),
			End:      origStart(query, b.Start),
			LibStart: origEnd(lib, p.LibEnd-1),
			LibEnd:   origStart(lib, b.LibStart),
		})
	}
	return whole, edits
}
