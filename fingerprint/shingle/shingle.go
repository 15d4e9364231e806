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
	toks := nonEmpty(tokens)
	if len(toks) == 0 {
		return dst
	}
	dst = Positions(dst, toks, opts.Size)
	if nTok := len(toks) - opts.Size + 1; nTok < opts.MinShingles {
		dst = appendCharGrams(dst, toks, opts.CharSize)
	}
	set := dst[start:]
	slices.Sort(set)
	set = slices.Compact(set)
	return dst[:start+len(set)]
}

// nonEmpty returns tokens without the empty ones (tokens itself when none
// is empty).
func nonEmpty(tokens []string) []string {
	n := 0
	for _, t := range tokens {
		if t != "" {
			n++
		}
	}
	if n == len(tokens) {
		return tokens
	}
	out := make([]string, 0, n)
	for _, t := range tokens {
		if t != "" {
			out = append(out, t)
		}
	}
	return out
}

// Positions appends to dst the hash of the token shingle starting at each
// position of tokens, in order and with repeats: len(tokens)-size+1 hashes
// (none when there are fewer tokens than size). These are exactly the token
// hashes Hashes puts in its set, so the set of any run of positions
// tokens[i:j] is Set(Positions(...)[i:j-size+1]) whenever that run has at
// least MinShingles shingles; callers slicing one text into windows hash
// each shingle once. tokens must not contain empty strings.
func Positions(dst []uint64, tokens []string, size int) []uint64 {
	if size <= 0 {
		size = DefaultSize
	}
	var buf [128]byte
	for i := 0; i+size <= len(tokens); i++ {
		b := append(buf[:0], domainToken)
		for k := 0; k < size; k++ {
			if k > 0 {
				b = append(b, separator)
			}
			b = append(b, tokens[i+k]...)
		}
		dst = append(dst, xxhash.Sum64(b))
	}
	return dst
}

// Set appends hashes to dst sorted and deduplicated, like the set Hashes
// returns.
func Set(dst, hashes []uint64) []uint64 {
	start := len(dst)
	dst = append(dst, hashes...)
	set := dst[start:]
	slices.Sort(set)
	set = slices.Compact(set)
	return dst[:start+len(set)]
}

// appendCharGrams appends the hashes of the character n-grams of the
// concatenated tokens (one hash of the whole text when it is shorter than
// n runes).
func appendCharGrams(dst []uint64, toks []string, n int) []uint64 {
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
	var gram []byte
	if len(ends) < n {
		gram = append(append(gram, domainChar), buf...)
		return append(dst, xxhash.Sum64(gram))
	}
	for i := 0; i+n <= len(ends); i++ {
		from := 0
		if i > 0 {
			from = ends[i-1]
		}
		gram = append(append(gram[:0], domainChar), buf[from:ends[i+n-1]]...)
		dst = append(dst, xxhash.Sum64(gram))
	}
	return dst
}
