package shingle

import (
	"slices"
	"unicode/utf8"

	"github.com/cespare/xxhash/v2"
)

// Defaults, chosen by measurement (see the package comment).
const (
	DefaultSize     = 1
	DefaultCharSize = 3
	// DefaultMinShingles is the number of token shingles below which
	// character n-grams are added as well.
	DefaultMinShingles = 8
)

// Options configures shingling. Zero fields take the defaults.
type Options struct {
	// Size is the number of consecutive tokens per shingle (default 1).
	Size int
	// CharSize is the character n-gram length of the fallback for short
	// texts (default 3).
	CharSize int
	// MinShingles: texts with fewer token shingles also get character
	// n-grams (default 8).
	MinShingles int
}

// EnsureDefaults fills zero fields with the defaults and returns o.
func (o Options) EnsureDefaults() Options {
	if o.Size <= 0 {
		o.Size = DefaultSize
	}
	if o.CharSize <= 0 {
		o.CharSize = DefaultCharSize
	}
	if o.MinShingles <= 0 {
		o.MinShingles = DefaultMinShingles
	}
	return o
}

// Domain prefixes keep token shingles and character n-grams apart, and the
// separator between tokens is a byte that never occurs in UTF-8 text
// (0xFF), so "ab"+"c" and "a"+"bc" hash differently.
const (
	domainToken byte = 0x01
	domainChar  byte = 0x02
	separator   byte = 0xFF
)

// Hashes appends to dst the 64-bit xxhash of every shingle of tokens — n
// consecutive token texts joined by a separator that cannot appear in
// text — and returns dst sorted and deduplicated. Short texts (fewer than
// MinShingles token shingles) also get character CharSize-grams of their
// concatenated tokens, so they never end up with an empty or one-element
// set that would make all short texts look identical; a text shorter than
// CharSize runes gets one hash of its whole text. Tokens with no runes
// are ignored; no tokens give an empty set. Hashes are stable across
// processes and machines.
func Hashes(dst []uint64, tokens []string, opts Options) []uint64 {
	opts = opts.EnsureDefaults()
	start := len(dst)
	var d xxhash.Digest
	nonEmpty := 0
	for _, t := range tokens {
		if t != "" {
			nonEmpty++
		}
	}
	if nonEmpty == 0 {
		return dst
	}
	toks := tokens
	if nonEmpty != len(tokens) {
		toks = make([]string, 0, nonEmpty)
		for _, t := range tokens {
			if t != "" {
				toks = append(toks, t)
			}
		}
	}
	sep := []byte{separator}
	nTok := len(toks) - opts.Size + 1
	for i := 0; i < nTok; i++ {
		d.Reset()
		d.Write([]byte{domainToken})
		for k := 0; k < opts.Size; k++ {
			if k > 0 {
				d.Write(sep)
			}
			d.WriteString(toks[i+k])
		}
		dst = append(dst, d.Sum64())
	}
	if nTok < opts.MinShingles {
		dst = appendCharGrams(dst, &d, toks, opts.CharSize)
	}
	set := dst[start:]
	slices.Sort(set)
	set = slices.Compact(set)
	return dst[:start+len(set)]
}

// appendCharGrams hashes the character n-grams of the concatenation of
// toks (or the whole text if it is shorter than n runes).
func appendCharGrams(dst []uint64, d *xxhash.Digest, toks []string, n int) []uint64 {
	var buf []byte
	var ends []int // byte end of each rune in buf
	for _, t := range toks {
		for _, r := range t {
			buf = utf8.AppendRune(buf, r)
			ends = append(ends, len(buf))
		}
	}
	if len(ends) == 0 {
		return dst
	}
	if len(ends) < n {
		d.Reset()
		d.Write([]byte{domainChar})
		d.Write(buf)
		return append(dst, d.Sum64())
	}
	for i := 0; i+n <= len(ends); i++ {
		from := 0
		if i > 0 {
			from = ends[i-1]
		}
		d.Reset()
		d.Write([]byte{domainChar})
		d.Write(buf[from:ends[i+n-1]])
		dst = append(dst, d.Sum64())
	}
	return dst
}
