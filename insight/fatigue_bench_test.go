package insight

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"elib/check"
	"elib/corpus"
	"elib/element"
	"elib/index"
	"elib/internal/elibtest"
	"elib/library/kit"
)

// BenchmarkCheckFatigue is what a fatigue warning adds to a check (issue
// 25: at most 1 ms): the same checks with and without the library's
// current fatigue as the session's Warner, the fatigue computed once
// beforehand as elib serve and elib check's cache keep it. The checked
// scripts are the assets of the busiest fatigue windows under new ids, so
// each reuses a fatigued element and gets warnings (warnings/op). The
// library is the embedded sample with its creator variants (fatigue at
// the newest one's time), or the file library $ELIB_BENCH_LIBRARY
// (fatigue now; its stored outcomes are read, and missing ones are
// computed and stored: use a copy), the fatigue computed over its newest
// $ELIB_BENCH_FATIGUE_ASSETS assets when set (default
// DefaultFatigueAssets: a generated library may have no fatigued element
// among its newest 500).
//
//	go test -run '^$' -bench '^BenchmarkCheckFatigue$' -count 10 ./insight/ | tee fatigue.txt
//	benchstat -col /warnings fatigue.txt
func BenchmarkCheckFatigue(b *testing.B) {
	ctx := context.Background()
	engine := elibtest.Engine(b)
	var lib kit.Library
	var err error
	now := time.Now()
	if dir := os.Getenv("ELIB_BENCH_LIBRARY"); dir != "" {
		l, err := index.Open(index.Options{Dir: dir, ReadOnly: true})
		require.NoError(b, err)
		b.Cleanup(func() { l.Close() })
		lib = l
	} else {
		var assets []element.Asset
		assets, err = corpus.SampleAssets()
		require.NoError(b, err)
		variants, err := corpus.CreatorVariants()
		require.NoError(b, err)
		assets = append(assets, variants...)
		now = time.Time{}
		for i := range assets {
			if p, ok := assets[i].Published(); ok && p.After(now) {
				now = p
			}
		}
		l, err := index.Memory(ctx, engine, assets)
		require.NoError(b, err)
		b.Cleanup(func() { l.Close() })
		lib = l
	}
	fopts := Options{}
	if n := os.Getenv("ELIB_BENCH_FATIGUE_ASSETS"); n != "" {
		fopts.MaxAssets, err = strconv.Atoi(n)
		require.NoError(b, err)
	}
	fat, err := CurrentFatigue(ctx, engine, lib, now, fopts)
	require.NoError(b, err)
	if len(fat.Elements) == 0 {
		b.Fatal("no fatigued element: nothing to warn about")
	}
	type query struct {
		id    string
		asset *element.Asset
	}
	var queries []query
	seen := map[string]bool{}
	for _, f := range fat.Elements {
		for _, u := range f.WindowUses {
			if seen[u.AssetID] || len(queries) >= 20 {
				continue
			}
			seen[u.AssetID] = true
			a, err := lib.Asset(u.AssetID)
			require.NoError(b, err)
			q := *a
			q.ID, q.File = fmt.Sprintf("bench/fatigue-%d.md", len(queries)), ""
			queries = append(queries, query{q.ID, &q})
		}
	}
	c, err := check.New(engine, check.Options{}, lib)
	require.NoError(b, err)
	for _, warn := range []bool{false, true} {
		b.Run(fmt.Sprintf("warnings=%v", warn), func(b *testing.B) {
			sopts := check.SessionOptions{Threshold: check.DefaultThreshold}
			if warn {
				sopts.Warner = fat
			}
			sess, err := c.Session(sopts)
			require.NoError(b, err)
			warnings, i := 0, 0
			for b.Loop() {
				q := queries[i%len(queries)]
				i++
				res, err := sess.Check(ctx, q.id, q.asset)
				if err != nil {
					b.Fatal(err)
				}
				warnings += len(res.Warnings)
			}
			b.ReportMetric(float64(warnings)/float64(i), "warnings/op")
		})
	}
}
