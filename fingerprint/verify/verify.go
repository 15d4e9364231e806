package verify

import (
	"elib/fingerprint/normalize"
)

// DefaultMinRun is the default minimum length of a copied run.
const DefaultMinRun = 5

// maxCandidates bounds the library positions examined per query position,
// so highly repetitive text (哈哈哈哈…) stays linear.
const maxCandidates = 64

// Options configures Matcher.Compare.
type Options struct {
	// MinRun: a copied run must cover >= MinRun consecutive countable
	// runes (default 5).
	MinRun int
	// WordStarts, when set, has len(query.Runes)+1 entries: true where a
	// word of the query starts (and at the end). Matched runs are then
	// trimmed to whole words, so a run that begins or ends inside a word
	// the writer swapped for a synonym (中午 → 晌午) does not count the
	// word's surviving character as copied (at most MaxTrim runes per
	// end). Runs shorter than MinRun after trimming are dropped.
	WordStarts []bool
}

// EnsureDefaults fills zero fields with defaults and returns o.
func (o Options) EnsureDefaults() Options {
	if o.MinRun <= 0 {
		o.MinRun = DefaultMinRun
	}
	return o
}

// Span is a matched run in code-point offsets of the ORIGINAL texts (mapped
// through normalize.Text.Offsets); End and LibEnd are exclusive (offset of
// the last covered rune + 1).
type Span struct{ Start, End, LibStart, LibEnd int }

// Run is a matched run in normalised rune positions of both texts.
type Run struct{ Start, End, LibStart, LibEnd int }

// Result is the outcome of comparing a query with one library text.
type Result struct {
	// Spans are the matched runs, in order of Start, not overlapping in
	// the query.
	Spans []Span
	// Runs are the same runs in normalised positions.
	Runs []Run
	// Covered has one entry per rune of the query's normalize.Text: true
	// when the rune lies inside a matched run.
	Covered []bool
	// CoveredCount is the number of true entries in Covered.
	CoveredCount int
	// Containment is the share of the query's MinRun-grams (by position)
	// present in the library text; 0 when the query has none.
	Containment float64
}

// Matcher compares texts, reusing its hash table between calls. The zero
// value is ready; a Matcher is not safe for concurrent use.
type Matcher struct {
	head   []int32 // hash bucket → first lib position+1 (0 = empty)
	next   []int32 // lib position → next lib position+1 in the same bucket
	hashes []uint64
}

// Compare finds the common runs of >= MinRun countable runes between query
// and lib (both normalised), reusing m's scratch memory.
//
// Greedy string tiling, left to right: the library's MinRun-grams are
// hashed into a table; the query is walked, and at each position the
// longest match among the library positions sharing its MinRun-gram is
// taken as a tile, after which the walk continues behind the tile.
func (m *Matcher) Compare(query, lib normalize.Text, opts Options) Result {
	opts = opts.EnsureDefaults()
	k := opts.MinRun
	q, l := query.Runes, lib.Runes
	res := Result{Covered: make([]bool, len(q))}
	if len(q) < k || len(l) < k {
		return res
	}
	m.index(l, k)
	mask := uint64(len(m.head) - 1)
	grams := len(q) - k + 1
	present := 0
	tiledTo := 0 // query positions < tiledTo are inside a tile
	for i := 0; i < grams; i++ {
		h := gramHash(q[i : i+k])
		bestLen, bestJ, found := 0, -1, false
		for p, n := m.head[h&mask], 0; p != 0 && n < maxCandidates; p, n = m.next[p-1], n+1 {
			j := int(p - 1)
			if m.hashes[j] != h || !equal(q[i:i+k], l[j:j+k]) {
				continue
			}
			found = true
			if i < tiledTo {
				break // only containment is needed here
			}
			L := k
			for i+L < len(q) && j+L < len(l) && q[i+L] == l[j+L] {
				L++
			}
			if L > bestLen {
				bestLen, bestJ = L, j
			}
		}
		if found {
			present++
		}
		if bestJ >= 0 {
			s, e := i, i+bestLen
			if ws := opts.WordStarts; len(ws) == len(q)+1 {
				s, e = trimToWords(ws, s, e)
				if e-s < k {
					// Too short once trimmed. Any run starting before s
					// would be trimmed to start at s too, and the walk
					// finds it there: resume at s (linear time, and a
					// longer run through this one is never skipped).
					tiledTo = s
					continue
				}
			}
			tiledTo = i + bestLen
			j := bestJ + (s - i)
			for x := s; x < e; x++ {
				res.Covered[x] = true
			}
			res.CoveredCount += e - s
			res.Runs = append(res.Runs, Run{Start: s, End: e, LibStart: j, LibEnd: j + e - s})
			res.Spans = append(res.Spans, Span{
				Start:    origStart(query, s),
				End:      origEnd(query, e-1),
				LibStart: origStart(lib, j),
				LibEnd:   origEnd(lib, j+e-s-1),
			})
		}
	}
	res.Containment = float64(present) / float64(grams)
	return res
}

// MaxTrim is the most a run loses at either end to word trimming: the
// surviving part of a swapped word (a Chinese word is 1–4 characters). A
// run ending inside a long token (a URL, a model number) keeps it.
const MaxTrim = 3

// trimToWords moves s forward to the next word start and e back to the
// previous one, each by at most MaxTrim runes (else that end stays).
func trimToWords(ws []bool, s, e int) (int, int) {
	for d := 0; d <= MaxTrim && s+d < e; d++ {
		if ws[s+d] {
			s += d
			break
		}
	}
	for d := 0; d <= MaxTrim && e-d > s; d++ {
		if ws[e-d] {
			e -= d
			break
		}
	}
	return s, e
}

// index builds the MinRun-gram hash table of l.
func (m *Matcher) index(l []rune, k int) {
	n := len(l) - k + 1
	size := 16
	for size < 2*n {
		size <<= 1
	}
	if cap(m.head) >= size {
		m.head = m.head[:size]
		clear(m.head)
	} else {
		m.head = make([]int32, size)
	}
	if cap(m.next) >= n {
		m.next = m.next[:n]
		m.hashes = m.hashes[:n]
	} else {
		m.next = make([]int32, n)
		m.hashes = make([]uint64, n)
	}
	mask := uint64(size - 1)
	// Insert in reverse so that chains list positions in increasing order.
	for j := n - 1; j >= 0; j-- {
		h := gramHash(l[j : j+k])
		m.hashes[j] = h
		b := h & mask
		m.next[j] = m.head[b]
		m.head[b] = int32(j + 1)
	}
}

// gramHash mixes the runes of a gram (FNV-1a style over whole runes with a
// final avalanche).
func gramHash(g []rune) uint64 {
	h := uint64(14695981039346656037)
	for _, r := range g {
		h ^= uint64(r)
		h *= 1099511628211
	}
	h ^= h >> 29
	h *= 0xbf58476d1ce4e5b9
	h ^= h >> 32
	return h
}

func equal(a, b []rune) bool {
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// origStart maps normalised position i to an original code-point offset.
func origStart(t normalize.Text, i int) int {
	if len(t.Offsets) == len(t.Runes) {
		return t.Offsets[i]
	}
	return i
}

// origEnd maps the last covered normalised position i to an exclusive
// original end offset.
func origEnd(t normalize.Text, i int) int { return origStart(t, i) + 1 }

// Jaccard returns |a∩b| / |a∪b| of two sorted, deduplicated hash sets
// (0 when both are empty).
func Jaccard(a, b []uint64) float64 {
	inter := intersect(a, b)
	union := len(a) + len(b) - inter
	if union == 0 {
		return 0
	}
	return float64(inter) / float64(union)
}

func intersect(a, b []uint64) int {
	i, j, n := 0, 0, 0
	for i < len(a) && j < len(b) {
		switch {
		case a[i] == b[j]:
			n++
			i++
			j++
		case a[i] < b[j]:
			i++
		default:
			j++
		}
	}
	return n
}

// Screen tells quickly whether a library text shares any MinRun-gram with a
// query: one set of the query's gram hashes, then one lookup per library
// position. It lets a check discard the many LSH candidates that share no
// copied run before paying for Compare. A Screen is safe for concurrent use.
type Screen struct {
	k     int
	grams map[uint64]struct{}
	// bigrams is a bit set of the query's bigram hashes (a false hit only
	// lets a candidate through to alignment).
	bigrams []uint64
}

// bigramBits is the size of Screen's bigram bit set (8 KiB).
const bigramBits = 1 << 16

// NewScreen indexes the query's MinRun-grams.
func NewScreen(query normalize.Text, opts Options) *Screen {
	opts = opts.EnsureDefaults()
	s := &Screen{k: opts.MinRun, grams: make(map[uint64]struct{}, max(0, len(query.Runes)-opts.MinRun+1)),
		bigrams: make([]uint64, bigramBits/64)}
	for i := 0; i+s.k <= len(query.Runes); i++ {
		s.grams[gramHash(query.Runes[i:i+s.k])] = struct{}{}
	}
	for i := 0; i+1 < len(query.Runes); i++ {
		b := bigramHash(query.Runes[i], query.Runes[i+1]) % bigramBits
		s.bigrams[b/64] |= 1 << (b % 64)
	}
	return s
}

// SharedBigrams returns how many of lib's character bigrams (by position)
// occur in the query (rarely more: the set is a bit set of hashes): an edited copy of a stretch of n characters with e
// edits shares at least n-1-2e of them (the q-gram lemma), where exact
// MinRun-grams may share none.
func (s *Screen) SharedBigrams(lib normalize.Text) int {
	n := 0
	for i := 0; i+1 < len(lib.Runes); i++ {
		b := bigramHash(lib.Runes[i], lib.Runes[i+1]) % bigramBits
		n += int(s.bigrams[b/64] >> (b % 64) & 1)
	}
	return n
}
