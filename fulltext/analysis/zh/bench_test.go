package zh_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/blevesearch/bleve/v2/registry"

	"elib/fulltext/analysis/jieba"
	"elib/fulltext/analysis/zh"
	"elib/internal/devdata"
)

// benchText returns copy text lines of the dev set (../shared/dev).
func benchText(b *testing.B) [][]byte {
	var out [][]byte
	_ = filepath.WalkDir(filepath.Join(devdata.DevDir(b), "library"), func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return nil
		}
		data, err := os.ReadFile(p)
		if err != nil || !utf8.Valid(data) {
			return nil
		}
		for _, l := range strings.Split(string(data), "\n") {
			if utf8.RuneCountInString(l) >= 8 {
				out = append(out, []byte(l))
			}
		}
		return nil
	})
	if len(out) == 0 {
		b.Skip("../shared/dev not present")
	}
	return out
}

// BenchmarkAnalyze compares the whole elib_zh analyzer with its tokenizer
// alone (the normalise and lower-case filters' share).
func BenchmarkAnalyze(b *testing.B) {
	lines := benchText(b)
	cache := registry.NewCache()
	an, err := cache.AnalyzerNamed(zh.Name)
	if err != nil {
		b.Fatal(err)
	}
	tok, err := cache.TokenizerNamed(jieba.Name)
	if err != nil {
		b.Fatal(err)
	}
	n := 0
	for _, l := range lines {
		n += len(l)
	}
	b.Run("analyzer", func(b *testing.B) {
		b.SetBytes(int64(n))
		for b.Loop() {
			for _, l := range lines {
				an.Analyze(l)
			}
		}
	})
	b.Run("tokenizer", func(b *testing.B) {
		b.SetBytes(int64(n))
		for b.Loop() {
			for _, l := range lines {
				tok.Tokenize(l)
			}
		}
	})
}
