package fulltext_test

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/blevesearch/bleve/v2"

	"elib/fulltext"
	"elib/internal/devdata"
)

// benchLines returns real Chinese lines. Source "poetry" is
// benchmarks/testdata/poetry-sample.txt (Tang poems in Traditional Chinese,
// so every line goes through OpenCC); "copy" is the copy text of the
// ../shared/dev and corpus/ scripts (Simplified marketing text). A missing
// poetry sample falls back to "copy".
func benchLines(tb testing.TB, source string) (lines []string, used string) {
	root := devdata.ModuleRoot(tb)
	keep := func(s string) {
		s = strings.TrimSpace(s)
		if utf8.ValidString(s) && utf8.RuneCountInString(s) >= 8 && !strings.HasPrefix(s, "#") && !strings.HasPrefix(s, "【") {
			lines = append(lines, s)
		}
	}
	poetry := filepath.Join(root, "benchmarks", "testdata", "poetry-sample.txt")
	if f, err := os.Open(poetry); source == "poetry" && err == nil {
		defer f.Close()
		sc := bufio.NewScanner(f)
		sc.Buffer(make([]byte, 1<<20), 1<<20)
		for sc.Scan() {
			keep(sc.Text())
		}
		if len(lines) > 0 {
			return lines, "poetry"
		}
	}
	for _, dir := range []string{filepath.Join(root, "..", "shared", "dev"), filepath.Join(root, "corpus")} {
		_ = filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
			if err != nil || d.IsDir() || !(strings.HasSuffix(p, ".txt") || strings.HasSuffix(p, ".md")) {
				return nil
			}
			data, err := os.ReadFile(p)
			if err != nil {
				return nil
			}
			for _, l := range strings.Split(string(data), "\n") {
				keep(l)
			}
			return nil
		})
	}
	if len(lines) == 0 {
		tb.Skip("no Chinese text for benchmarks")
	}
	return lines, "copy"
}

func benchDocs(lines []string, n, offset int) []fulltext.Doc {
	types := []string{"hook", "conflict", "testimonial", "conversion", "story"}
	docs := make([]fulltext.Doc, n)
	for i := range docs {
		k := offset + i
		docs[i] = fulltext.Doc{
			ID: fmt.Sprintf("e%d", k), AssetID: fmt.Sprintf("a%d", k/5), Type: types[k%5],
			Text: lines[k%len(lines)], Campaign: fmt.Sprintf("c%d", k%7), Platform: "douyin",
		}
	}
	return docs
}

// BenchmarkApply measures durable indexing: one op is one Apply of a batch.
// perApply opens and closes the writer inside Apply (the default, which lets
// other processes search between imports); exclusive keeps it open.
func BenchmarkApply(b *testing.B) {
	for _, source := range []string{"copy", "poetry"} {
		lines, used := benchLines(b, source)
		if used != source {
			continue
		}
		for _, size := range []int{1000, 5000} {
			for _, mode := range []string{"perApply", "exclusive"} {
				b.Run(fmt.Sprintf("text=%s/batch=%d/%s", source, size, mode), func(b *testing.B) {
					benchApply(b, lines, size, mode == "exclusive")
				})
			}
		}
	}
}

func benchApply(b *testing.B, lines []string, size int, exclusive bool) {
	dir := filepath.Join(b.TempDir(), "ft")
	x, err := fulltext.Open(dir, fulltext.Options{BatchSize: size, Exclusive: exclusive})
	if err != nil {
		b.Fatal(err)
	}
	defer x.Close()
	if err := x.Apply(benchDocs(lines, 1, 0), nil); err != nil { // load jieba and OpenCC first
		b.Fatal(err)
	}
	bytes := 0
	for _, d := range benchDocs(lines, size, 0) {
		bytes += len(d.Text)
	}
	b.SetBytes(int64(bytes))
	b.ResetTimer()
	i := 0
	for b.Loop() {
		if err := x.Apply(benchDocs(lines, size, i*size), nil); err != nil {
			b.Fatal(err)
		}
		i++
	}
	b.ReportMetric(float64(size*i)/b.Elapsed().Seconds(), "docs/s")
	b.ReportMetric(float64(dirSize(dir))/float64(bytes*i), "disk/text")
}

// dirSize is the total size of the files under dir.
func dirSize(dir string) int64 {
	var n int64
	_ = filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			if fi, err := d.Info(); err == nil {
				n += fi.Size()
			}
		}
		return nil
	})
	return n
}

// searchFixture builds an index of n docs once.
func searchFixture(b *testing.B, n int) (string, []string) {
	lines, _ := benchLines(b, "copy")
	dir := filepath.Join(b.TempDir(), "ft")
	x, err := fulltext.Open(dir, fulltext.Options{Exclusive: true, BatchSize: 5000})
	if err != nil {
		b.Fatal(err)
	}
	if err := x.Apply(benchDocs(lines, n, 0), nil); err != nil {
		b.Fatal(err)
	}
	if err := x.Close(); err != nil {
		b.Fatal(err)
	}
	// Queries: 2–6 character pieces of indexed lines.
	var queries []string
	for i := 0; len(queries) < 64; i += 37 {
		rs := []rune(lines[i%len(lines)])
		start := (i / 3) % max(1, len(rs)-6)
		queries = append(queries, string(rs[start:start+2+i%5]))
	}
	return dir, queries
}

// BenchmarkSearch measures query latency on a 10,000-element index,
// including the per-search read-only open and close (the default) and with a
// handle kept open (bleve alone).
func BenchmarkSearch(b *testing.B) {
	dir, queries := searchFixture(b, 10000)
	ctx := context.Background()
	b.Run("perSearchOpen", func(b *testing.B) {
		x, err := fulltext.Open(dir, fulltext.Options{ReadOnly: true})
		if err != nil {
			b.Fatal(err)
		}
		defer x.Close()
		i := 0
		for b.Loop() {
			if _, err := x.Search(ctx, fulltext.Query{Text: queries[i%len(queries)], Facets: true}); err != nil {
				b.Fatal(err)
			}
			i++
		}
	})
	b.Run("heldOpen", func(b *testing.B) {
		x, err := fulltext.Open(dir, fulltext.Options{Exclusive: true})
		if err != nil {
			b.Fatal(err)
		}
		defer x.Close()
		i := 0
		for b.Loop() {
			if _, err := x.Search(ctx, fulltext.Query{Text: queries[i%len(queries)], Facets: true}); err != nil {
				b.Fatal(err)
			}
			i++
		}
	})
}

// BenchmarkOpenClose measures the cost of the lock-sharing scheme: opening
// and closing a 10,000-element index read-only and for writing.
func BenchmarkOpenClose(b *testing.B) {
	dir, _ := searchFixture(b, 10000)
	for _, ro := range []bool{true, false} {
		b.Run(fmt.Sprintf("readOnly=%v", ro), func(b *testing.B) {
			cfg := map[string]interface{}{"read_only": ro}
			for b.Loop() {
				bi, err := bleve.OpenUsing(dir, cfg)
				if err != nil {
					b.Fatal(err)
				}
				if err := bi.Close(); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
