package lsh

import (
	"bytes"
	"elib/internal/cputime"
	"math/rand/v2"
	"runtime"
	"testing"
	"time"
)

const benchIDs = 1 << 20

// benchSig regenerates id's random 128-lane signature.
func benchSig(id uint32, sig []uint32) []uint32 {
	r := rand.New(rand.NewPCG(uint64(id), 77))
	sig = sig[:0]
	for range 128 {
		sig = append(sig, r.Uint32())
	}
	return sig
}

// Built once per benchmark binary run and shared by the benchmarks (-count
// repeats them in one process): benchIndex as Add leaves it, benchCompact
// the same index through WriteTo/ReadIndex (one sorted run per band).
var benchIndex, benchCompact *Index

func buildBenchIndex(b *testing.B) *Index {
	if benchIndex != nil {
		return benchIndex
	}
	p := DefaultParams()
	runtime.GC()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	start := time.Now()
	x := NewIndex(p)
	sig := make([]uint32, 0, 128)
	keys := make([]uint64, 0, p.Bands)
	for id := range uint32(benchIDs) {
		sig = benchSig(id, sig)
		keys = p.BandKeys(keys[:0], sig)
		x.Add(id, keys)
	}
	built := time.Since(start)
	runtime.GC()
	runtime.ReadMemStats(&after)
	b.Logf("built index of %d ids in %v (random signatures + BandKeys + Add): %d entries, %.2f bytes/entry by capacity, %.2f by heap delta",
		x.Len(), built.Round(time.Millisecond), x.Entries(), float64(x.MemoryBytes())/float64(x.Entries()),
		float64(after.HeapAlloc-before.HeapAlloc)/float64(x.Entries()))
	benchIndex = x
	return x
}

func compactBenchIndex(b *testing.B) *Index {
	if benchCompact == nil {
		var buf bytes.Buffer
		if _, err := buildBenchIndex(b).WriteTo(&buf); err != nil {
			b.Fatal(err)
		}
		y, err := ReadIndex(&buf)
		if err != nil {
			b.Fatal(err)
		}
		benchCompact = y
	}
	return benchCompact
}

// benchQueries returns n queries, each the band keys of sigs signatures
// back to back: stored ids' signatures, each replaced by a random one with
// probability randomQuarters/4.
func benchQueries(n, sigs, randomQuarters int) [][]uint64 {
	p := DefaultParams()
	r := rand.New(rand.NewPCG(1, 2))
	queries := make([][]uint64, n)
	sig := make([]uint32, 0, 128)
	for i := range queries {
		for range sigs {
			sig = benchSig(uint32(r.IntN(benchIDs)), sig)
			if randomQuarters > 0 && r.IntN(4) < randomQuarters {
				for j := range sig {
					sig[j] = r.Uint32()
				}
			}
			queries[i] = p.BandKeys(queries[i], sig)
		}
	}
	return queries
}

// BenchmarkQuery queries a 1M-id index with the band keys of stored ids
// (one true hit per query plus any 32-bit key collisions): "incremental" as
// built by Add, "compacted" as loaded by ReadIndex (or after Compact).
func BenchmarkQuery(b *testing.B) {
	const nq = 1024
	queries := benchQueries(nq, 1, 0)
	run := func(x *Index) func(b *testing.B) {
		return func(b *testing.B) {
			b.ReportAllocs()
			hits := 0
			i := 0
			cpu := cputime.Start()
			for b.Loop() {
				x.Query(queries[i%nq], func(uint32) { hits++ })
				i++
			}
			cpu.Report(b)
			b.ReportMetric(float64(hits)/float64(b.N), "ids/query")
			b.ReportMetric(float64(x.MemoryBytes())/float64(x.Entries()), "bytes/entry")
		}
	}
	b.Run("incremental", run(buildBenchIndex(b)))
	b.Run("compacted", run(compactBenchIndex(b)))
}

// BenchmarkQueryCounts looks up, in one call, the band keys of 14
// signatures against the compacted 1M-id index, as a check does (its
// elements, the whole text and its windows), a quarter of them stored ids'
// and the rest random: the cost of a check's LSH lookup.
func BenchmarkQueryCounts(b *testing.B) {
	const nq = 256
	queries := benchQueries(nq, 14, 3)
	x := compactBenchIndex(b)
	hits := 0
	i := 0
	cpu := cputime.Start()
	for b.Loop() {
		x.QueryCounts(queries[i%nq], func(uint32, int) { hits++ })
		i++
	}
	cpu.Report(b)
	b.ReportMetric(float64(hits)/float64(b.N), "ids/query")
}

// BenchmarkReadIndex measures opening a 1M-id index from its binary form.
func BenchmarkReadIndex(b *testing.B) {
	x := buildBenchIndex(b)
	var buf bytes.Buffer
	if _, err := x.WriteTo(&buf); err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(buf.Len()))
	for b.Loop() {
		if _, err := ReadIndex(bytes.NewReader(buf.Bytes())); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkQueryCountsCatchUp is BenchmarkQueryCounts on the compacted
// 1M-id index with 20,000 more ids (2 %) added as an Open adds the
// segments its snapshot does not cover: "batch run" as AddBatch leaves
// them (a second, small run per band), "merged" after Merge.
func BenchmarkQueryCountsCatchUp(b *testing.B) {
	const nq, more = 256, 20_000
	queries := benchQueries(nq, 14, 3)
	var buf bytes.Buffer
	if _, err := compactBenchIndex(b).WriteTo(&buf); err != nil {
		b.Fatal(err)
	}
	load := func() *Index {
		x, err := ReadIndexSize(bytes.NewReader(buf.Bytes()), int64(buf.Len()))
		if err != nil {
			b.Fatal(err)
		}
		p := x.Params()
		batch := NewBatch(p.Bands)
		sig := make([]uint32, 0, 128)
		var keys []uint64
		for id := uint32(benchIDs); id < benchIDs+more; id++ {
			sig = benchSig(id, sig)
			keys = p.BandKeys(keys[:0], sig)
			batch.Add(id, keys)
		}
		x.AddBatch(batch)
		return x
	}
	batched := load()
	merged := load()
	merged.Merge()
	for _, tc := range []struct {
		name string
		x    *Index
	}{{"batch run", batched}, {"merged", merged}} {
		b.Run(tc.name, func(b *testing.B) {
			hits, i := 0, 0
			cpu := cputime.Start()
			for b.Loop() {
				tc.x.QueryCounts(queries[i%nq], func(uint32, int) { hits++ })
				i++
			}
			cpu.Report(b)
			b.ReportMetric(float64(hits)/float64(b.N), "ids/query")
		})
	}
}

// BenchmarkReadIndexSize is BenchmarkReadIndex through ReadIndexSize, as
// a library opens its snapshots: each band decoded into its final arrays.
func BenchmarkReadIndexSize(b *testing.B) {
	x := buildBenchIndex(b)
	var buf bytes.Buffer
	if _, err := x.WriteTo(&buf); err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(buf.Len()))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := ReadIndexSize(bytes.NewReader(buf.Bytes()), int64(buf.Len())); err != nil {
			b.Fatal(err)
		}
	}
}
