package insight

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"elib/corpus"
	"elib/index"
	"elib/internal/elibtest"
)

// BenchmarkComputeSample measures period stats on the embedded sample
// library and its creator variants (58 assets, all in the period): one
// check per asset against the library as of its publication.
//
//	go test -run '^$' -bench '^BenchmarkComputeSample$' -benchtime 5x ./insight/
func BenchmarkComputeSample(b *testing.B) {
	assets, err := corpus.SampleAssets()
	require.NoError(b, err)
	variants, err := corpus.CreatorVariants()
	require.NoError(b, err)
	lib, err := index.Memory(context.Background(), elibtest.Engine(b), append(assets, variants...))
	require.NoError(b, err)
	defer lib.Close()
	opts := Options{Since: time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC), Until: time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)}
	b.ResetTimer()
	var st *Stats
	for i := 0; i < b.N; i++ {
		st, err = Compute(context.Background(), elibtest.Engine(b), lib, opts)
		require.NoError(b, err)
	}
	b.ReportMetric(float64(st.Checks), "assets/op")
	b.ReportMetric(float64(b.Elapsed().Microseconds())/1000/float64(b.N)/float64(max(1, st.Checks)), "ms/asset")
}
