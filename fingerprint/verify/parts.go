package verify

import (
	"math/bits"

	"elib/fingerprint/normalize"
)

// MaxParts is how many parts a PartScreen tells apart: parts from
// MaxParts-1 on share the last bit.
const MaxParts = 64

// PartScreen tells, in one pass over a library text, which parts of a
// query (the elements of a checked asset) it can match, with the answers
// a Screen of each part would give: whether they share a MinRun-gram
// (Shared > 0, so Compare can find a run) and whether they share enough
// bigrams for alignment (SharedBigrams). A PartScreen is safe for
// concurrent use.
type PartScreen struct {
	k int
	// grams maps a MinRun-gram hash to the parts holding it (bit i).
	grams map[uint64]uint64
	// bigrams maps a Screen bigram bucket to the parts holding it.
	bigrams map[uint32]uint64
}

// NewPartScreen indexes the MinRun-grams and bigrams of every part.
func NewPartScreen(parts []normalize.Text, opts Options) *PartScreen {
	opts = opts.EnsureDefaults()
	s := &PartScreen{k: opts.MinRun, grams: map[uint64]uint64{}, bigrams: map[uint32]uint64{}}
	for i, p := range parts {
		bit := uint64(1) << min(i, MaxParts-1)
		for j := 0; j+s.k <= len(p.Runes); j++ {
			s.grams[gramHash(p.Runes[j:j+s.k])] |= bit
		}
		for j := 0; j+1 < len(p.Runes); j++ {
			s.bigrams[uint32(bigramHash(p.Runes[j], p.Runes[j+1])%bigramBits)] |= bit
		}
	}
	return s
}

// Reach returns the parts lib shares a MinRun-gram with (exact, bit i for
// part i) and the parts it shares at least minBigrams bigrams with
// (align). Parts from MaxParts-1 on are answered together: their bit is
// set when any of them would be (their bigrams counted as one part's).
func (s *PartScreen) Reach(lib normalize.Text, minBigrams int) (exact, align uint64) {
	for j := 0; j+s.k <= len(lib.Runes); j++ {
		exact |= s.grams[gramHash(lib.Runes[j:j+s.k])]
	}
	var counts [MaxParts]int
	for j := 0; j+1 < len(lib.Runes); j++ {
		for m := s.bigrams[uint32(bigramHash(lib.Runes[j], lib.Runes[j+1])%bigramBits)]; m != 0; m &= m - 1 {
			counts[bits.TrailingZeros64(m)]++
		}
	}
	for i, n := range counts {
		if n >= minBigrams {
			align |= 1 << i
		}
	}
	return exact, align
}

// PartBit is the bit of part i in Reach's masks.
func PartBit(i int) uint64 { return 1 << min(i, MaxParts-1) }
