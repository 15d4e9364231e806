package index

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"testing"
	"time"

	"elib/element"
	"elib/fingerprint/footage"
	"elib/index/manifest"
	"elib/internal/elibtest"
)

// BenchmarkOpenFootage builds a file library of $ELIB_BENCH_VIDEOS
// (default 100,000) video assets of 30 s of footage each (one short
// element of copy each), closes it, and measures what an Open spends on
// footage: the snapshot's size, reading and indexing it, the heap it
// holds, and a lookup through the library.
//
//	go test ./index -run '^$' -bench 'OpenFootage$' -benchtime 1x
func BenchmarkOpenFootage(b *testing.B) {
	n := 100_000
	if v := os.Getenv("ELIB_BENCH_VIDEOS"); v != "" {
		fmt.Sscan(v, &n)
	}
	ctx := context.Background()
	dir := filepath.Join(b.TempDir(), "lib")
	if err := Init(dir); err != nil {
		b.Fatal(err)
	}
	w, err := Open(Options{Dir: dir, Engine: elibtest.Engine(b), NoFulltext: true})
	if err != nil {
		b.Fatal(err)
	}
	start := time.Now()
	const batch = 5000
	for i := 0; i < n; i += batch {
		var assets []element.Asset
		for j := i; j < min(n, i+batch); j++ {
			assets = append(assets, video(fmt.Sprintf("v/%06d.mp4", j), randomFootage(uint64(j), 30)))
		}
		if _, err := w.Import(ctx, assets); err != nil {
			b.Fatal(err)
		}
	}
	b.Logf("%d video assets imported in %v", n, time.Since(start).Round(time.Millisecond))
	if err := w.Close(); err != nil {
		b.Fatal(err)
	}
	man, err := manifest.Read(dir)
	if err != nil {
		b.Fatal(err)
	}
	if man.Footage != nil {
		b.Logf("footage snapshot %s: %.1f MB, covers segment %d of %d", man.Footage.File, float64(man.Footage.Size)/1e6, man.Footage.Seq, man.LastSeq())
	}
	probe := randomFootage(uint64(n/2), 30)
	for b.Loop() {
		runtime.GC()
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		t0 := time.Now()
		r, err := Open(Options{Dir: dir, ReadOnly: true, SkipVerify: true})
		if err != nil {
			b.Fatal(err)
		}
		open := time.Since(t0)
		// What the footage part of that Open took: done again alone.
		r.mu.Lock()
		t1 := time.Now()
		r.openSnapshots()
		err = r.loadFootage()
		r.closeSnapshots()
		foot := time.Since(t1)
		r.mu.Unlock()
		if err != nil {
			b.Fatal(err)
		}
		t2 := time.Now()
		res := elibtest.Must(r.FootageLookup(probe, footage.LookupOptions{}))
		look := time.Since(t2)
		runtime.GC()
		runtime.ReadMemStats(&after)
		if len(res.Matches) != 1 {
			b.Fatalf("lookup found %d videos", len(res.Matches))
		}
		b.ReportMetric(open.Seconds(), "open-s")
		b.ReportMetric(foot.Seconds(), "footage-load-s")
		b.ReportMetric(float64(look.Microseconds())/1000, "lookup-ms")
		b.ReportMetric(float64(after.HeapAlloc-before.HeapAlloc)/1e6, "heap-MB")
		b.ReportMetric(float64(elibtest.Must(r.FootageVideos())), "videos")
		r.Close()
	}
}
