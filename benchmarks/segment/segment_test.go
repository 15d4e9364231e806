package segment

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/yanyiwu/gojieba"

	"elib/corpus"
	"elib/fingerprint/normalize"
	"elib/fingerprint/wordseg"
	"elib/internal/devdata"
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
	data, err := os.ReadFile(filepath.Join(devdata.DevDir(b), "split_truth.json"))
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

// benchLines runs seg over every sample line once per op and reports
// runes per second.
func benchLines(b *testing.B, seg func(line string)) {
	lines := sampleLines(b)
	runes := countRunes(lines)
	b.ResetTimer()
	start := time.Now()
	for i := 0; i < b.N; i++ {
		for _, l := range lines {
			seg(l)
		}
	}
	b.ReportMetric(float64(runes)*float64(b.N)/time.Since(start).Seconds(), "runes/s")
}

// elibSegmenter returns the shared segmenter or fails the benchmark.
func elibSegmenter(b *testing.B) *wordseg.Segmenter {
	s, err := wordseg.Default()
	if err != nil {
		b.Fatal(err)
	}
	return s
}

// BenchmarkTokenize: elib's wrapper, one pass over the sample per op.
func BenchmarkTokenize(b *testing.B) {
	s := elibSegmenter(b)
	benchLines(b, func(l string) { s.Tokenize(l) })
}

// BenchmarkCut: elib's Cut (words only, no offsets).
func BenchmarkCut(b *testing.B) {
	s := elibSegmenter(b)
	benchLines(b, func(l string) { s.Cut(l) })
}

// BenchmarkRawCut: gojieba Cut (HMM on) with its default dictionaries.
func BenchmarkRawCut(b *testing.B) {
	j := raw()
	benchLines(b, func(l string) { j.Cut(l, true) })
}

// BenchmarkRawTokenize: gojieba Tokenize (offsets, HMM on).
func BenchmarkRawTokenize(b *testing.B) {
	j := raw()
	benchLines(b, func(l string) { j.Tokenize(l, gojieba.DefaultMode, true) })
}

// BenchmarkCutDefaultDicts: elib's Cut loaded with gojieba's own default
// dictionary directory, isolating the wrapper's overhead from the effect
// of the marketing user dictionary.
func BenchmarkCutDefaultDicts(b *testing.B) {
	s, err := defaultDictSeg()
	if err != nil {
		b.Fatal(err)
	}
	benchLines(b, func(l string) { s.Cut(l) })
}

var defaultDictSeg = sync.OnceValues(func() (*wordseg.Segmenter, error) {
	return wordseg.New(wordseg.Options{DictDir: filepath.Dir(gojieba.DICT_PATH)})
})

// BenchmarkCallLength: 300 runes of the sample library's copy, normalised
// as fingerprinting passes it to gojieba (no punctuation), segmented by
// elib's Tokenize in calls of n runes from GOMAXPROCS goroutines at once, as
// a busy server does. Long cgo calls lose their P to the scheduler's
// sysmon and the threads then compete for the cores;
// fingerprint.segmentCallRunes is chosen from this. Run with -cpu 1,2.
func BenchmarkCallLength(b *testing.B) {
	s := elibSegmenter(b)
	assets, err := corpus.SampleAssets()
	if err != nil {
		b.Fatal(err)
	}
	norm := normalize.New()
	var text []rune
	for _, a := range assets {
		text = append(text, norm.Normalize(a.CopyText()).Runes...)
		if len(text) >= 300 {
			break
		}
	}
	text = text[:min(300, len(text))]
	for _, n := range []int{300, 150, 64, 32} {
		var calls []string
		for i := 0; i < len(text); i += n {
			calls = append(calls, string(text[i:min(len(text), i+n)]))
		}
		b.Run(fmt.Sprintf("runes=%d", n), func(b *testing.B) {
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					for _, c := range calls {
						s.Tokenize(c)
					}
				}
			})
			b.ReportMetric(float64(len(text))*float64(b.N)/b.Elapsed().Seconds(), "runes/s")
		})
	}
}
