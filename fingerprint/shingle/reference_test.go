package shingle

import (
	"slices"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/cespare/xxhash/v2"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// referenceHashes is the streaming-digest implementation libraries were
// fingerprinted with before Hashes hashed whole byte buffers; stored
// signatures depend on both giving the same values.
func referenceHashes(tokens []string, opts Options) []uint64 {
	opts = opts.EnsureDefaults()
	var toks []string
	for _, t := range tokens {
		if t != "" {
			toks = append(toks, t)
		}
	}
	if len(toks) == 0 {
		return nil
	}
	var d xxhash.Digest
	var out []uint64
	nTok := len(toks) - opts.Size + 1
	for i := 0; i < nTok; i++ {
		d.Reset()
		d.Write([]byte{domainToken})
		for k := 0; k < opts.Size; k++ {
			if k > 0 {
				d.Write([]byte{separator})
			}
			d.WriteString(toks[i+k])
		}
		out = append(out, d.Sum64())
	}
	if nTok < opts.MinShingles {
		var buf []byte
		var ends []int
		for _, t := range toks {
			for _, r := range t {
				buf = utf8.AppendRune(buf, r)
				ends = append(ends, len(buf))
			}
		}
		if len(ends) > 0 && len(ends) < opts.CharSize {
			d.Reset()
			d.Write([]byte{domainChar})
			d.Write(buf)
			out = append(out, d.Sum64())
		}
		for i := 0; len(ends) >= opts.CharSize && i+opts.CharSize <= len(ends); i++ {
			from := 0
			if i > 0 {
				from = ends[i-1]
			}
			d.Reset()
			d.Write([]byte{domainChar})
			d.Write(buf[from:ends[i+opts.CharSize-1]])
			out = append(out, d.Sum64())
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}

func TestHashesGolden(t *testing.T) {
	// Fixed values: a change here changes every stored fingerprint.
	got := Hashes(nil, []string{"领券", "立减", "到手价", "只要", "九块九", "今天", "最后", "一天", "赶紧"}, Options{Size: 2})
	require.Len(t, got, 8)
	assert.Equal(t, referenceHashes([]string{"领券", "立减", "到手价", "只要", "九块九", "今天", "最后", "一天", "赶紧"}, Options{Size: 2}), got)
	assert.Equal(t, uint64(0x1ac49e671b2a889f), got[0])
}

// FuzzHashesMatchReference asserts Hashes equals the reference digest
// implementation, and that windows cut from Positions give the same sets as
// hashing each window's tokens.
func FuzzHashesMatchReference(f *testing.F) {
	f.Add("领券 立减 到手价 只要 九块九 今天 最后 一天 赶紧 下单", 2, 3, 3, 8)
	f.Add("a  b", 1, 3, 0, 1)
	f.Add("", 2, 3, 0, 0)
	f.Fuzz(func(t *testing.T, s string, size, char, from, width int) {
		size, char = 1+abs(size)%4, 1+abs(char)%5
		toks := strings.Split(s, " ") // empty tokens included
		opts := Options{Size: size, CharSize: char}
		want := referenceHashes(toks, opts)
		got := Hashes(nil, toks, opts)
		if len(want) == 0 {
			require.Empty(t, got)
		} else {
			require.Equal(t, want, got)
		}

		toks = nonEmpty(toks)
		pos := Positions(nil, toks, size)
		require.Len(t, pos, max(0, len(toks)-size+1))
		if len(toks) == 0 {
			return
		}
		i := abs(from) % len(toks)
		j := min(len(toks), i+abs(width)%(len(toks)+1))
		if j-i-size+1 < opts.EnsureDefaults().MinShingles {
			return // windows that short take the character fallback
		}
		require.Equal(t, referenceHashes(toks[i:j], opts), Set(nil, pos[i:j-size+1]))
	})
}

func abs(x int) int {
	if x < 0 {
		return -x
	}
	return x
}
