package main

import (
	"context"
	"os"
	"testing"

	"github.com/stretchr/testify/require"

	"elib/check"
	"elib/element"
	"elib/internal/cputime"
	"elib/library"
)

// BenchmarkLoadScripts checks the load's 32 scripts (half copying a library
// asset, half original) one after another through check.Checker against the
// library at $ELIB_BENCH_LIBRARY, built by this program (-build-only): the
// check's CPU per request of the load, without HTTP or other clients'
// interference. The scripts repeat, as the load's 32 do: after the first
// round the segmenter's piece cache answers their cuts. Skipped when
// $ELIB_BENCH_LIBRARY is unset.
func BenchmarkLoadScripts(b *testing.B) {
	dir := os.Getenv("ELIB_BENCH_LIBRARY")
	if dir == "" {
		b.Skip("ELIB_BENCH_LIBRARY not set")
	}
	engine, gen, err := tools(1)
	require.NoError(b, err)
	ctx := context.Background()
	lib, err := library.Open(ctx, dir, library.Options{Engine: engine, Workers: 1, ReadOnly: true})
	require.NoError(b, err)
	b.Cleanup(func() { lib.Close() })
	st, err := lib.Stats()
	require.NoError(b, err)
	var assets []element.Asset
	for i := 0; i < 32; i++ {
		got, err := element.Parse("load.txt", []byte(gen.script(300, i%2 == 0, st.Elements)), element.ParseOptions{})
		require.NoError(b, err)
		assets = append(assets, got[0])
	}
	c, err := check.New(engine, check.Options{}, lib)
	require.NoError(b, err)
	b.ReportAllocs()
	cpu := cputime.Start()
	i := 0
	for b.Loop() {
		if _, err := c.Check(ctx, "load.txt", &assets[i%len(assets)]); err != nil {
			b.Fatal(err)
		}
		i++
	}
	cpu.Report(b)
}
