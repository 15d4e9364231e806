package check_test

import (
	"context"
	"io/fs"
	"os"
	"testing"

	"github.com/stretchr/testify/require"

	"elib/check"
	"elib/corpus"
	"elib/element"
	"elib/fingerprint"
	"elib/index"
	"elib/internal/cputime"
	"elib/internal/elibtest"
)

// BenchmarkCheck checks each example script against the embedded sample
// library (in memory): the per-file cost once the tokenizer is loaded.
func BenchmarkCheck(b *testing.B) {
	eng := elibtest.Engine(b)
	assets, err := corpus.SampleAssets()
	require.NoError(b, err)
	lib, err := index.Memory(context.Background(), eng, assets)
	require.NoError(b, err)
	require.NoError(b, lib.AllowlistAdd(corpus.Allowlist()...))
	benchExamples(b, eng, lib)
}

// BenchmarkCheckLibrary checks the example scripts against the on-disk
// library named by $ELIB_BENCH_LIBRARY (e.g. one built by benchmarks/library
// at 100k or 1M elements); skipped when unset.
func BenchmarkCheckLibrary(b *testing.B) {
	dir := os.Getenv("ELIB_BENCH_LIBRARY")
	if dir == "" {
		b.Skip("ELIB_BENCH_LIBRARY not set")
	}
	eng := elibtest.Engine(b)
	lib, err := index.Open(index.Options{Dir: dir, ReadOnly: true})
	require.NoError(b, err)
	defer lib.Close()
	benchExamples(b, eng, lib)
}

// benchExamples checks each example script against lib, one sub-benchmark
// per script.
func benchExamples(b *testing.B, eng *fingerprint.Engine, lib check.Source) {
	c, err := check.New(eng, check.Options{}, lib)
	require.NoError(b, err)
	for _, name := range corpus.ExampleScripts() {
		data, err := fs.ReadFile(corpus.Examples(), name)
		require.NoError(b, err)
		got, err := element.Parse(name, data, element.ParseOptions{})
		require.NoError(b, err)
		a := &got[0]
		b.Run(name, func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(data)))
			cpu := cputime.Start()
			for b.Loop() {
				if _, err := c.Check(context.Background(), name, a); err != nil {
					b.Fatal(err)
				}
			}
			cpu.Report(b)
		})
	}
}
