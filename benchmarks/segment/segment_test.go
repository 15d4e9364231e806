package segment

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/yanyiwu/gojieba"

	"elib/fingerprint/segment"
)

// sampleLines returns real Chinese text lines for the benchmark.
func sampleLines(b *testing.B) []string {
	if data, err := os.ReadFile("../testdata/poetry-sample.txt"); err == nil {
		var out []string
		for _, l := range strings.Split(string(data), "\n") {
			if l = strings.TrimSpace(l); l != "" {
				out = append(out, l)
			}
		}
		if len(out) > 0 {
			return out
		}
	}
	data, err := os.ReadFile("../../../shared/dev/split_truth.json")
	if err != nil {
		b.Skip("no sample text: neither ../testdata/poetry-sample.txt nor ../shared/dev")
	}
	var split struct {
		Files []struct {
			Assets []struct {
				Elements []struct{ Text string }
			}
		}
	}
	if err := json.Unmarshal(data, &split); err != nil {
		b.Fatal(err)
	}
	var out []string
	for _, f := range split.Files {
		for _, a := range f.Assets {
			for _, e := range a.Elements {
				out = append(out, e.Text)
			}
		}
	}
	return out
}

func countRunes(lines []string) int {
	n := 0
	for _, l := range lines {
		n += utf8.RuneCountInString(l)
	}
	return n
}

var raw = sync.OnceValue(func() *gojieba.Jieba { return gojieba.NewJieba() })

func report(b *testing.B, runes int, start time.Time) {
	b.ReportMetric(float64(runes)*float64(b.N)/time.Since(start).Seconds(), "runes/s")
}

// BenchmarkTokenize: elib's wrapper, one pass over the sample per op.
func BenchmarkTokenize(b *testing.B) {
	lines := sampleLines(b)
	s, err := segment.Default()
	if err != nil {
		b.Fatal(err)
	}
	runes := countRunes(lines)
	b.ResetTimer()
	start := time.Now()
	for i := 0; i < b.N; i++ {
		for _, l := range lines {
			s.Tokenize(l)
		}
	}
	report(b, runes, start)
}

// BenchmarkCut: elib's Cut (words only, no offsets).
func BenchmarkCut(b *testing.B) {
	lines := sampleLines(b)
	s, err := segment.Default()
	if err != nil {
		b.Fatal(err)
	}
	runes := countRunes(lines)
	b.ResetTimer()
	start := time.Now()
	for i := 0; i < b.N; i++ {
		for _, l := range lines {
			s.Cut(l)
		}
	}
	report(b, runes, start)
}

// BenchmarkRawCut: gojieba Cut (HMM on) with its default dictionaries.
func BenchmarkRawCut(b *testing.B) {
	lines := sampleLines(b)
	j := raw()
	runes := countRunes(lines)
	b.ResetTimer()
	start := time.Now()
	for i := 0; i < b.N; i++ {
		for _, l := range lines {
			j.Cut(l, true)
		}
	}
	report(b, runes, start)
}

// BenchmarkRawTokenize: gojieba Tokenize (offsets, HMM on).
func BenchmarkRawTokenize(b *testing.B) {
	lines := sampleLines(b)
	j := raw()
	runes := countRunes(lines)
	b.ResetTimer()
	start := time.Now()
	for i := 0; i < b.N; i++ {
		for _, l := range lines {
			j.Tokenize(l, gojieba.DefaultMode, true)
		}
	}
	report(b, runes, start)
}

// BenchmarkCutDefaultDicts: elib's Cut loaded with gojieba's own default
// dictionary directory, isolating the wrapper's overhead from the effect
// of the marketing user dictionary.
func BenchmarkCutDefaultDicts(b *testing.B) {
	lines := sampleLines(b)
	s, err := defaultDictSeg()
	if err != nil {
		b.Fatal(err)
	}
	runes := countRunes(lines)
	b.ResetTimer()
	start := time.Now()
	for i := 0; i < b.N; i++ {
		for _, l := range lines {
			s.Cut(l)
		}
	}
	report(b, runes, start)
}

var defaultDictSeg = sync.OnceValues(func() (*segment.Segmenter, error) {
	return segment.New(segment.Options{DictDir: filepath.Dir(gojieba.DICT_PATH)})
})
