package insight

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"elib/check"
	"elib/corpus"
	"elib/element"
	"elib/fingerprint"
	"elib/index"
	"elib/internal/cputime"
	"elib/internal/elibtest"
	"elib/library/kit"
)

// fatigueBenchSetup is what the fatigue benchmarks share: a library, its
// current fatigue computed once as elib serve and elib check's cache keep
// it, a checker, and scripts that reuse fatigued material (the assets of
// the busiest fatigue windows under new ids, so each gets warnings).
type fatigueBenchSetup struct {
	lib     kit.Library
	fat     *Fatigue
	checker *check.Checker
	queries []*element.Asset
	// took is how long CurrentFatigue took on the library as opened.
	took time.Duration
}

var (
	fatigueBenchOnce sync.Once
	fatigueBench     *fatigueBenchSetup
	fatigueBenchErr  error
)

// fatigueBenchLibrary opens the benchmarks' library once per process:
// the embedded sample with its creator variants (fatigue at the newest
// one's time), or the file library $ELIB_BENCH_LIBRARY (fatigue now; its
// stored outcomes are read, and missing ones are computed and stored: use
// a copy), the fatigue computed over its newest
// $ELIB_BENCH_FATIGUE_ASSETS assets when set (default
// DefaultFatigueAssets: a generated library may have no fatigued element
// among its newest 500).
func fatigueBenchLibrary(b *testing.B) *fatigueBenchSetup {
	fatigueBenchOnce.Do(func() { fatigueBench, fatigueBenchErr = openFatigueBench(b) })
	require.NoError(b, fatigueBenchErr)
	return fatigueBench
}

func openFatigueBench(b *testing.B) (*fatigueBenchSetup, error) {
	ctx := context.Background()
	engine := elibtest.Engine(b)
	s := &fatigueBenchSetup{}
	now := time.Now()
	if dir := os.Getenv("ELIB_BENCH_LIBRARY"); dir != "" {
		l, err := index.Open(index.Options{Dir: dir, ReadOnly: true})
		if err != nil {
			return nil, err
		}
		s.lib = l
	} else {
		assets, err := corpus.SampleAssets()
		if err != nil {
			return nil, err
		}
		variants, err := corpus.CreatorVariants()
		if err != nil {
			return nil, err
		}
		assets = append(assets, variants...)
		now = time.Time{}
		for i := range assets {
			if p, ok := assets[i].Published(); ok && p.After(now) {
				now = p
			}
		}
		if s.lib, err = index.Memory(ctx, engine, assets); err != nil {
			return nil, err
		}
	}
	fopts := Options{}
	if n := os.Getenv("ELIB_BENCH_FATIGUE_ASSETS"); n != "" {
		var err error
		if fopts.MaxAssets, err = strconv.Atoi(n); err != nil {
			return nil, err
		}
	}
	start := time.Now()
	fat, err := CurrentFatigue(ctx, engine, s.lib, now, fopts)
	if err != nil {
		return nil, err
	}
	s.took, s.fat = time.Since(start), fat
	if len(fat.Elements) == 0 {
		return nil, fmt.Errorf("no fatigued element: nothing to warn about")
	}
	seen := map[string]bool{}
	for _, f := range fat.Elements {
		for _, u := range f.WindowUses {
			if seen[u.AssetID] || len(s.queries) >= 20 {
				continue
			}
			seen[u.AssetID] = true
			a, err := s.lib.Asset(u.AssetID)
			if err != nil {
				return nil, err
			}
			q := *a
			q.ID, q.File = fmt.Sprintf("bench/fatigue-%d.md", len(s.queries)), ""
			s.queries = append(s.queries, &q)
		}
	}
	if s.checker, err = check.New(engine, check.Options{}, s.lib); err != nil {
		return nil, err
	}
	return s, nil
}

// BenchmarkCheckFatigue is what a fatigue warning adds to a check (issue
// 25: at most 1 ms): the same checks with and without the library's
// current fatigue as the session's Warner (fatigueBenchLibrary).
//
//	go test -run '^$' -bench '^BenchmarkCheckFatigue$' -count 10 ./insight/ | tee fatigue.txt
//	benchstat -col /warnings fatigue.txt
func BenchmarkCheckFatigue(b *testing.B) {
	ctx := context.Background()
	s := fatigueBenchLibrary(b)
	for _, warn := range []bool{false, true} {
		b.Run(fmt.Sprintf("warnings=%v", warn), func(b *testing.B) {
			sopts := check.SessionOptions{Threshold: check.DefaultThreshold}
			if warn {
				sopts.Warner = s.fat
			}
			sess, err := s.checker.Session(sopts)
			require.NoError(b, err)
			warnings, i := 0, 0
			cpu := cputime.Start()
			for b.Loop() {
				q := s.queries[i%len(s.queries)]
				i++
				res, err := sess.Check(ctx, q.ID, q)
				if err != nil {
					b.Fatal(err)
				}
				warnings += len(res.Warnings)
			}
			cpu.Report(b)
			b.ReportMetric(float64(warnings)/float64(i), "warnings/op")
		})
	}
}

// BenchmarkCheckFatiguePaired runs each check twice in a row, without
// and with the warnings (which first alternating), so that both see the
// same machine: ns/op is the pair, off-ns and on-ns each one's wall time
// per check, and added-ns their difference.
//
//	go test -run '^$' -bench '^BenchmarkCheckFatiguePaired$' -count 6 ./insight/ | tee paired.txt
//	benchstat paired.txt
func BenchmarkCheckFatiguePaired(b *testing.B) {
	ctx := context.Background()
	s := fatigueBenchLibrary(b)
	off, err := s.checker.Session(check.SessionOptions{Threshold: check.DefaultThreshold})
	require.NoError(b, err)
	on, err := s.checker.Session(check.SessionOptions{Threshold: check.DefaultThreshold, Warner: s.fat})
	require.NoError(b, err)
	var offT, onT time.Duration
	warnings, i := 0, 0
	run := func(sess *check.Session, q *element.Asset, into *time.Duration) int {
		t := time.Now()
		res, err := sess.Check(ctx, q.ID, q)
		*into += time.Since(t)
		if err != nil {
			b.Fatal(err)
		}
		return len(res.Warnings)
	}
	for b.Loop() {
		q := s.queries[i%len(s.queries)]
		if i%2 == 0 {
			run(off, q, &offT)
			warnings += run(on, q, &onT)
		} else {
			warnings += run(on, q, &onT)
			run(off, q, &offT)
		}
		i++
	}
	n := float64(i)
	b.ReportMetric(float64(offT.Nanoseconds())/n, "off-ns")
	b.ReportMetric(float64(onT.Nanoseconds())/n, "on-ns")
	b.ReportMetric(float64((onT-offT).Nanoseconds())/n, "added-ns")
	b.ReportMetric(float64(warnings)/n, "warnings/op")
}

// BenchmarkFatigueWarn is exactly what a check does beyond the verdict
// when the warnings are on, as elib serve runs it: the library's
// generation asked (Server.currentFatigue, per request), and Fatigue.Warn
// over the judged result's matches. The results are those of the
// benchmark's scripts (fatigued=true: each reuses fatigued material) or
// of the library's other assets checked as new (fatigued=false: the
// usual check, which warns about nothing), judged beforehand.
//
//	go test -run '^$' -bench '^BenchmarkFatigueWarn$' -count 6 ./insight/ | tee warn.txt
//	benchstat -col /fatigued warn.txt
func BenchmarkFatigueWarn(b *testing.B) {
	ctx := context.Background()
	s := fatigueBenchLibrary(b)
	sess, err := s.checker.Session(check.SessionOptions{Threshold: check.DefaultThreshold})
	require.NoError(b, err)
	judged := func(qs []*element.Asset) []check.Result {
		var out []check.Result
		for _, q := range qs {
			res, err := sess.Check(ctx, q.ID, q)
			require.NoError(b, err)
			out = append(out, *res)
		}
		return out
	}
	fatigued := judged(s.queries)
	ids, err := s.lib.AssetIDs()
	require.NoError(b, err)
	var others []*element.Asset
	for k := 0; k < len(ids) && len(others) < 20; k += max(1, len(ids)/20) {
		a, err := s.lib.Asset(ids[k])
		require.NoError(b, err)
		q := *a
		q.ID, q.File = fmt.Sprintf("bench/other-%d.md", len(others)), ""
		others = append(others, &q)
	}
	for _, c := range []struct {
		name    string
		results []check.Result
	}{{"fatigued=true", fatigued}, {"fatigued=false", judged(others)}} {
		b.Run(c.name, func(b *testing.B) {
			warnings, matches, i := 0, 0, 0
			cpu := cputime.Start()
			for b.Loop() {
				res := c.results[i%len(c.results)]
				i++
				res.Warnings = nil
				if _, err := s.lib.Generation(); err != nil {
					b.Fatal(err)
				}
				s.fat.Warn(&res)
				warnings += len(res.Warnings)
				for _, er := range res.Elements {
					matches += len(er.Matches)
				}
			}
			cpu.Report(b)
			b.ReportMetric(float64(warnings)/float64(i), "warnings/op")
			b.ReportMetric(float64(matches)/float64(i), "matches/op")
		})
	}
}

// BenchmarkCurrentFatigue is a cold warning's cost: the fatigue computed
// from the stored outcomes, as elib serve does (in the background) when
// the library changed, on its open library (open=false), and as elib
// check does once an hour per library generation, after opening it
// (open=true: a fresh reader of $ELIB_BENCH_LIBRARY each time, without
// its candidate indexes, as a check over stored outcomes needs none).
//
//	ELIB_BENCH_LIBRARY=LIB go test -run '^$' -bench '^BenchmarkCurrentFatigue$' -benchtime 5x -count 6 ./insight/
func BenchmarkCurrentFatigue(b *testing.B) {
	ctx := context.Background()
	s := fatigueBenchLibrary(b)
	dir := os.Getenv("ELIB_BENCH_LIBRARY")
	opts := Options{LoadEngine: func() (*fingerprint.Engine, error) { return elibtest.Engine(b), nil }}
	if n := os.Getenv("ELIB_BENCH_FATIGUE_ASSETS"); n != "" {
		var err error
		opts.MaxAssets, err = strconv.Atoi(n)
		require.NoError(b, err)
	}
	now := time.Now()
	if dir == "" {
		now = time.Time{}
		ids, err := s.lib.AssetIDs()
		require.NoError(b, err)
		for _, id := range ids {
			a, err := s.lib.Asset(id)
			require.NoError(b, err)
			if p, ok := a.Published(); ok && p.After(now) {
				now = p
			}
		}
	}
	for _, open := range []bool{false, true} {
		if open && dir == "" {
			continue
		}
		b.Run(fmt.Sprintf("open=%v", open), func(b *testing.B) {
			cpu := cputime.Start()
			for b.Loop() {
				lib := s.lib
				if open {
					l, err := index.Open(index.Options{Dir: dir, ReadOnly: true, LazyIndex: true})
					require.NoError(b, err)
					lib = l
				}
				if _, err := CurrentFatigue(ctx, nil, lib, now, opts); err != nil {
					b.Fatal(err)
				}
				if open {
					lib.Close()
				}
			}
			cpu.Report(b)
		})
	}
}
