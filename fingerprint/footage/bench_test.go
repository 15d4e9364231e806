package footage

import (
	"fmt"
	"math/rand/v2"
	"runtime"
	"slices"
	"testing"
	"time"

	"elib/media/pdq"
)

// The generated library of BenchmarkLookup: benchVideos videos of
// benchSeconds each, one stored hash a second (as package media stores),
// in shots of 3–8 s within which the picture drifts by 3 bits a second
// and between which it changes entirely.
const (
	benchVideos  = 100_000
	benchSeconds = 30
)

var (
	benchLib     *Index
	benchLibHeap float64 // heap bytes per video of benchLib
)

func quickHash(r *rand.Rand) pdq.Hash {
	return pdq.Hash{r.Uint64(), r.Uint64(), r.Uint64(), r.Uint64()}
}

func quickFlip(r *rand.Rand, h pdq.Hash, n int) pdq.Hash {
	for range n {
		k := r.IntN(256)
		h[k>>6] ^= 1 << (uint(k) & 63)
	}
	return h
}

// benchVideo regenerates video i's per-second whole-frame hashes.
func benchVideo(i int) []pdq.Hash {
	r := rand.New(rand.NewPCG(uint64(i), 99))
	out := make([]pdq.Hash, benchSeconds)
	shotLeft := 0
	var h pdq.Hash
	for s := range out {
		if shotLeft == 0 {
			h = quickHash(r)
			shotLeft = 3 + r.IntN(6)
		} else {
			h = quickFlip(r, h, 3)
		}
		shotLeft--
		out[s] = h
	}
	return out
}

func benchFingerprint(i int) *Fingerprint {
	f := &Fingerprint{IntervalMs: 1000, Sampled: benchSeconds}
	for s, h := range benchVideo(i) {
		f.Frames = append(f.Frames, Frame{Ms: int64(s) * 1000, Stored: []pdq.Hash{h}})
	}
	return f
}

func buildBenchLib(b *testing.B) *Index {
	if benchLib != nil {
		return benchLib
	}
	runtime.GC()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	start := time.Now()
	x := NewIndex()
	for i := range benchVideos {
		x.Add(fmt.Sprintf("video-%06d.mp4", i), benchFingerprint(i))
	}
	x.Compact()
	runtime.GC()
	runtime.ReadMemStats(&after)
	b.Logf("library of %d videos × %d s: %d stored hashes, built in %v, heap %.0f MB",
		benchVideos, benchSeconds, x.Entries(), time.Since(start).Round(time.Millisecond),
		float64(after.HeapAlloc-before.HeapAlloc)/1e6)
	benchLib = x
	benchLibHeap = float64(after.HeapAlloc-before.HeapAlloc) / benchVideos
	return x
}

// benchQuery is a 30 s video to check, with the six probes a frame has
// when no inner picture is found (three regions and their mirror images):
// here the stored hash of a library video's frame (or of nothing) with 10
// bits of re-encoding noise, and five unrelated variants.
func benchQuery(r *rand.Rand, reupload bool) *Fingerprint {
	var src []pdq.Hash
	if reupload {
		src = benchVideo(r.IntN(benchVideos))
	} else {
		src = make([]pdq.Hash, benchSeconds)
		for i := range src {
			src[i] = quickHash(r)
		}
	}
	q := &Fingerprint{IntervalMs: 1000, Sampled: benchSeconds}
	for s, h := range src {
		fr := Frame{Ms: int64(s) * 1000}
		fr.Probes = append(fr.Probes, quickFlip(r, h, 10))
		for range 5 {
			fr.Probes = append(fr.Probes, quickHash(r))
		}
		q.Frames = append(q.Frames, fr)
	}
	return q
}

// BenchmarkLookup looks up 30 s videos (half re-uploads of a library
// video, half unrelated) in a library of 100,000 generated 30 s videos and
// reports the latency percentiles.
func BenchmarkLookup(b *testing.B) {
	b.Run("default", func(b *testing.B) { benchLookup(b, LookupOptions{}) })
}

func benchLookup(b *testing.B, opts LookupOptions) {
	x := buildBenchLib(b)
	r := rand.New(rand.NewPCG(5, 5))
	queries := make([]*Fingerprint, 64)
	for i := range queries {
		queries[i] = benchQuery(r, i%2 == 0)
	}
	var lat []time.Duration
	var found int
	cpu0 := cpuTime()
	b.ResetTimer()
	i := 0
	for b.Loop() {
		q := queries[i%len(queries)]
		start := time.Now()
		res := x.Lookup(q, opts)
		lat = append(lat, time.Since(start))
		if i%2 == 0 && res.Duplication >= 0.9 {
			found++
		}
		i++
	}
	b.StopTimer()
	if i >= 2 && found == 0 {
		b.Errorf("no re-upload found in %d lookups", (i+1)/2)
	}
	cpu := cpuTime() - cpu0
	slices.Sort(lat)
	pct := func(p float64) float64 {
		return float64(lat[min(len(lat)-1, int(p*float64(len(lat))))].Microseconds()) / 1000
	}
	b.ReportMetric(pct(0.5), "p50-ms")
	b.ReportMetric(pct(0.99), "p99-ms")
	b.ReportMetric(float64(found)/float64((i+1)/2), "reuploads-found")
	// CPU time per lookup, which load from other processes does not
	// stretch the way it stretches wall time.
	b.ReportMetric(float64(cpu.Microseconds())/1000/float64(len(lat)), "cpu-ms/op")
	b.ReportMetric(benchLibHeap, "heap-B/video")
}

// BenchmarkLoad is the footage part of a library's Open at 100,000
// generated 30 s videos: their stored forms added in bulk (AddEncoded
// after Bulk), then packed (Compact); it reports the time of each and the
// heap the index holds per video.
func BenchmarkLoad(b *testing.B) {
	encoded := make([][]byte, benchVideos)
	ids := make([]string, benchVideos)
	for i := range encoded {
		encoded[i] = benchFingerprint(i).Encode()
		ids[i] = fmt.Sprintf("v/%06d.mp4", i)
	}
	for b.Loop() {
		runtime.GC()
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		t0 := time.Now()
		x := NewIndex()
		x.Bulk()
		for i, e := range encoded {
			if err := x.AddEncoded(ids[i], e); err != nil {
				b.Fatal(err)
			}
		}
		t1 := time.Now()
		x.Compact()
		t2 := time.Now()
		runtime.GC()
		runtime.ReadMemStats(&after)
		b.ReportMetric(t1.Sub(t0).Seconds(), "add-s")
		b.ReportMetric(t2.Sub(t1).Seconds(), "pack-s")
		b.ReportMetric(float64(after.HeapAlloc-before.HeapAlloc)/benchVideos, "heap-B/video")
		runtime.KeepAlive(x)
	}
}
