package shingle

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestHashes(t *testing.T) {
	opts := Options{Size: 1}
	tests := []struct {
		name   string
		tokens []string
		want   int // number of distinct hashes
	}{
		{"empty", nil, 0},
		{"only empty tokens", []string{"", ""}, 0},
		{"one short token", []string{"好"}, 1 + 1},         // unigram + whole-text hash
		{"one token", []string{"小黄车"}, 1 + 1},             // unigram + one char 3-gram
		{"two tokens", []string{"领券", "立减"}, 2 + 2},       // 2 unigrams + 2 char trigrams
		{"repeated", []string{"买", "买", "买", "买"}, 1 + 1}, // dedup
		{"bigrams", nil, 0},
		{"long text no char grams", []string{"a", "b", "c", "d", "e", "f", "g", "h", "i", "j"}, 10},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Hashes(nil, tt.tokens, opts)
			assert.Len(t, got, tt.want)
			assert.IsIncreasing(t, got)
		})
	}
}

func TestHashesStableAndDistinct(t *testing.T) {
	a := Hashes(nil, []string{"ab", "c", "d"}, Options{Size: 2})
	b := Hashes(nil, []string{"a", "bc", "d"}, Options{Size: 2})
	require.NotEmpty(t, a)
	assert.NotEqual(t, a, b, "token boundaries matter")
	// Stable across processes: a fixed value.
	assert.Equal(t, Hashes(nil, []string{"领券", "立减"}, Options{}), Hashes(nil, []string{"领券", "立减"}, Options{}))
	// Appends to dst without touching its prefix.
	dst := []uint64{42}
	out := Hashes(dst, []string{"领券", "立减"}, Options{})
	assert.Equal(t, uint64(42), out[0])
	assert.Len(t, out, 5)
}

func TestShortTextsDiffer(t *testing.T) {
	a := Hashes(nil, []string{"好"}, Options{})
	b := Hashes(nil, []string{"棒"}, Options{})
	assert.NotEqual(t, a, b, "short texts must not all share one set")
}

func FuzzHashes(f *testing.F) {
	f.Add("领券 立减 到手价", 2, 3)
	f.Add("", 1, 1)
	f.Fuzz(func(t *testing.T, s string, size, char int) {
		size, char = size%5, char%5
		toks := strings.Split(s, " ") // empty tokens included
		got := Hashes(nil, toks, Options{Size: size, CharSize: char})
		for i := 1; i < len(got); i++ {
			if got[i] <= got[i-1] {
				t.Fatalf("not sorted/dedup: %v", got)
			}
		}
	})
}

func TestBigrams(t *testing.T) {
	toks := []string{"a", "b", "c", "d", "e", "f", "g", "h", "i", "j"}
	assert.Len(t, Hashes(nil, toks, Options{Size: 2}), 9)
	// Two tokens with Size 2: 1 bigram + 2 char trigrams of "领券立减".
	assert.Len(t, Hashes(nil, []string{"领券", "立减"}, Options{Size: 2}), 3)
}
