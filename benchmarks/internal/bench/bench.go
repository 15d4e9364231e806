// Package bench holds what the benchmark programs share: the default
// fingerprint engine, the clauses of the poetry sample they generate
// libraries from, and latency percentiles.
package bench

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"time"
	"unicode/utf8"

	"elib/fingerprint"
	"elib/fingerprint/wordseg"
)

// Engine returns the default fingerprint engine (gojieba's default
// dictionaries), as the elib command builds it.
func Engine() (*fingerprint.Engine, error) {
	seg, err := wordseg.Default()
	if err != nil {
		return nil, err
	}
	return fingerprint.New(fingerprint.Options{}, seg)
}

// Clauses returns the clauses (4–30 characters) of the poetry sample
// shipped for benchmarks (benchmarks/testdata/poetry-sample.txt).
func Clauses() ([]string, error) {
	_, self, _, _ := runtime.Caller(0)
	path := filepath.Join(filepath.Dir(self), "..", "..", "testdata", "poetry-sample.txt")
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, s := range strings.FieldsFunc(string(b), func(r rune) bool { return strings.ContainsRune("，。！？；：\n\r", r) }) {
		if n := utf8.RuneCountInString(strings.TrimSpace(s)); n >= 4 && n <= 30 {
			out = append(out, strings.TrimSpace(s))
		}
	}
	if len(out) < 100 {
		return nil, fmt.Errorf("%s: too few clauses (%d)", path, len(out))
	}
	return out, nil
}

// Percentiles sorts d and returns its median and 99th percentile, rounded
// to 10 µs (zero for no samples).
func Percentiles(d []time.Duration) (p50, p99 time.Duration) {
	if len(d) == 0 {
		return 0, 0
	}
	sort.Slice(d, func(i, j int) bool { return d[i] < d[j] })
	return d[len(d)/2].Round(10 * time.Microsecond), d[len(d)*99/100].Round(10 * time.Microsecond)
}
