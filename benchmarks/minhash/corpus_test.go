package minhashbench_test

import (
	"bufio"
	"os"
	"path/filepath"
	"testing"
	"unicode"

	"github.com/cespare/xxhash/v2"
)

// shingleSize is the n of the character n-gram shingles.
const shingleSize = 3

// corpusPath is the benchmark corpus: $ELIB_BENCH_CORPUS or the committed sample.
func corpusPath() string {
	if p := os.Getenv("ELIB_BENCH_CORPUS"); p != "" {
		return p
	}
	return filepath.Join("..", "testdata", "poetry-sample.txt")
}

// loadDocs reads one document per non-empty line.
func loadDocs(tb testing.TB) []string {
	tb.Helper()
	f, err := os.Open(corpusPath())
	if err != nil {
		tb.Skipf("corpus: %v (run benchmarks/fetch-corpus.sh)", err)
	}
	defer f.Close()
	var docs []string
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<24)
	for sc.Scan() {
		if line := sc.Text(); line != "" {
			docs = append(docs, line)
		}
	}
	if err := sc.Err(); err != nil {
		tb.Fatalf("read corpus: %v", err)
	}
	return docs
}

// hanOnly keeps the Han characters of s (drops punctuation).
func hanOnly(s string) []rune {
	var rs []rune
	for _, r := range s {
		if unicode.Is(unicode.Han, r) {
			rs = append(rs, r)
		}
	}
	return rs
}

// shingles returns the UTF-8 character n-grams of the text's Han characters,
// in order, duplicates included (every method receives the same list).
func shingles(runes []rune) [][]byte {
	if len(runes) < shingleSize {
		if len(runes) == 0 {
			return nil
		}
		return [][]byte{[]byte(string(runes))}
	}
	out := make([][]byte, 0, len(runes)-shingleSize+1)
	for i := 0; i+shingleSize <= len(runes); i++ {
		out = append(out, []byte(string(runes[i:i+shingleSize])))
	}
	return out
}

// shingled is a corpus cut into shingles, with elib's 64-bit shingle hashes.
type shingled struct {
	docs   [][][]byte // per document, its shingles
	hashes [][]uint64 // per document, xxhash64 of each shingle
	total  int        // shingles in all documents
}

func shingleDocs(docs []string) shingled {
	var s shingled
	for _, d := range docs {
		sh := shingles(hanOnly(d))
		if len(sh) == 0 {
			continue
		}
		hs := make([]uint64, len(sh))
		for i, b := range sh {
			hs[i] = xxhash.Sum64(b)
		}
		s.docs = append(s.docs, sh)
		s.hashes = append(s.hashes, hs)
		s.total += len(sh)
	}
	return s
}

// fnv1a is the second hash the dgryski MinWise needs (64-bit FNV-1a).
func fnv1a(b []byte) uint64 {
	h := uint64(14695981039346656037)
	for _, c := range b {
		h ^= uint64(c)
		h *= 1099511628211
	}
	return h
}
