package boilerplate

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"

	"github.com/cespare/xxhash/v2"

	"elib/fingerprint/normalize"
)

// Sentence is one sentence of a normalised text.
type Sentence struct {
	// Hash identifies the sentence's normalised runes.
	Hash uint64
	// Start and End are rune offsets into the normalised text.
	Start, End int
}

// isBreak reports whether r ends a sentence. Spaces do not: writers insert
// them freely, and a slogan with a space in it is still the slogan.
func isBreak(r rune) bool {
	switch r {
	case '\n', '\r', '，', '。', '！', '？', '；', '：', '、', ',', '.', '!', '?', ';', ':',
		'…', '~', '～', '|', '｜', '【', '】', '「', '」', '『', '』', '“', '”', '"':
		return true
	}
	return false
}

// Sentences splits norm, the normalised form of original, at the sentence
// punctuation of the original. Sentences shorter than minRunes are skipped.
func Sentences(original string, norm normalize.Text, minRunes int) []Sentence {
	if len(norm.Runes) == 0 {
		return nil
	}
	orig := []rune(original)
	var out []Sentence
	start := 0
	flush := func(end int) {
		if end-start >= minRunes && end > start {
			out = append(out, Sentence{Hash: HashRunes(norm.Runes[start:end]), Start: start, End: end})
		}
		start = end
	}
	for i := 1; i < len(norm.Runes); i++ {
		lo, hi := norm.Offsets[i-1]+1, norm.Offsets[i]
		if hi > len(orig) {
			hi = len(orig)
		}
		for k := lo; k < hi; k++ {
			if isBreak(orig[k]) {
				flush(i)
				break
			}
		}
	}
	flush(len(norm.Runes))
	return out
}

// HashRunes is the sentence hash of normalised runes.
func HashRunes(rs []rune) uint64 {
	var buf [256]byte
	b := buf[:0]
	for _, r := range rs {
		b = binary.LittleEndian.AppendUint32(b, uint32(r))
	}
	return xxhash.Sum64(b)
}

// Phrases matches allowlisted phrases inside normalised text.
type Phrases struct {
	phrases [][]rune
}

// NewPhrases normalises each phrase with n; empty phrases are ignored.
func NewPhrases(n *normalize.Normalizer, phrases []string) *Phrases {
	p := &Phrases{}
	for _, s := range phrases {
		t := n.Normalize(s)
		if len(t.Runes) > 0 {
			p.phrases = append(p.phrases, t.Runes)
		}
	}
	return p
}

// Len returns the number of usable phrases.
func (p *Phrases) Len() int { return len(p.phrases) }

// Mark sets mask[i] for every rune of text inside an occurrence of a phrase.
func (p *Phrases) Mark(text []rune, mask []bool) {
	for _, ph := range p.phrases {
		for i := 0; i+len(ph) <= len(text); i++ {
			if text[i] != ph[0] {
				continue
			}
			match := true
			for k := 1; k < len(ph); k++ {
				if text[i+k] != ph[k] {
					match = false
					break
				}
			}
			if match {
				for k := range ph {
					mask[i+k] = true
				}
			}
		}
	}
}

// Rule says when a sentence is common enough to be boilerplate: it occurs in
// at least MinAssets assets and in at least Share of all assets.
type Rule struct {
	MinAssets int
	Share     float64
}

// DefaultRule treats a sentence as boilerplate when at least 8 assets and 2 %
// of the library hold it. Small libraries therefore never auto-mask: eight
// copies of one sentence is a house phrase, not a coincidence.
func DefaultRule() Rule { return Rule{MinAssets: 8, Share: 0.02} }

// Common reports whether a sentence found in df of assets assets is boilerplate.
func (r Rule) Common(df, assets int) bool {
	if df < r.MinAssets || assets <= 0 {
		return false
	}
	return float64(df) >= r.Share*float64(assets)
}

const (
	sketchDepth    = 4
	sketchWidthLog = 18
	sketchWidth    = 1 << sketchWidthLog
	sketchVersion  = 1
)

// Sketch is a count-min sketch of sentence hashes: Count never
// underestimates, and overestimates by little while the number of counted
// sentences stays below a few million. The zero value is not usable; call
// NewSketch.
type Sketch struct {
	cells []uint32 // sketchDepth rows of sketchWidth
}

// NewSketch returns an empty sketch (4 MiB).
func NewSketch() *Sketch {
	return &Sketch{cells: make([]uint32, sketchDepth*sketchWidth)}
}

func cell(row int, h uint64) int {
	h1, h2 := uint32(h), uint32(h>>32)|1
	return row*sketchWidth + int((h1+uint32(row)*h2)&(sketchWidth-1))
}

// Add counts each hash once (callers pass an asset's distinct sentences).
func (s *Sketch) Add(hashes []uint64) {
	for _, h := range hashes {
		for r := 0; r < sketchDepth; r++ {
			c := &s.cells[cell(r, h)]
			if *c < math.MaxUint32 {
				*c++
			}
		}
	}
}

// Remove undoes Add for the same hashes.
func (s *Sketch) Remove(hashes []uint64) {
	for _, h := range hashes {
		for r := 0; r < sketchDepth; r++ {
			c := &s.cells[cell(r, h)]
			if *c > 0 {
				*c--
			}
		}
	}
}

// Count estimates how many times h was added.
func (s *Sketch) Count(h uint64) int {
	m := uint32(math.MaxUint32)
	for r := 0; r < sketchDepth; r++ {
		m = min(m, s.cells[cell(r, h)])
	}
	return int(m)
}

// ErrBadSketch is returned when encoded sketch data is malformed.
var ErrBadSketch = errors.New("boilerplate: malformed sketch data")

// MarshalBinary encodes the non-zero cells sparsely (a version byte, then
// uvarint pairs of index gap and count).
func (s *Sketch) MarshalBinary() ([]byte, error) {
	out := []byte{sketchVersion}
	prev := -1
	for i, c := range s.cells {
		if c == 0 {
			continue
		}
		out = binary.AppendUvarint(out, uint64(i-prev))
		out = binary.AppendUvarint(out, uint64(c))
		prev = i
	}
	return out, nil
}

// UnmarshalBinary decodes data written by MarshalBinary into s.
func (s *Sketch) UnmarshalBinary(data []byte) error {
	if len(data) == 0 || data[0] != sketchVersion {
		return fmt.Errorf("%w: unknown version", ErrBadSketch)
	}
	cells := make([]uint32, sketchDepth*sketchWidth)
	data = data[1:]
	pos := -1
	for len(data) > 0 {
		gap, n := binary.Uvarint(data)
		if n <= 0 || gap == 0 {
			return fmt.Errorf("%w: bad gap", ErrBadSketch)
		}
		data = data[n:]
		c, n := binary.Uvarint(data)
		if n <= 0 || c > math.MaxUint32 {
			return fmt.Errorf("%w: bad count", ErrBadSketch)
		}
		data = data[n:]
		pos += int(gap)
		if pos >= len(cells) {
			return fmt.Errorf("%w: cell %d out of range", ErrBadSketch, pos)
		}
		cells[pos] = uint32(c)
	}
	s.cells = cells
	return nil
}
