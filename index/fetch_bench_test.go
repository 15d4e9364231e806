package index

import (
	"fmt"
	"math/rand/v2"
	"os"
	"testing"

	"elib/internal/cputime"
)

// BenchmarkElementFetch reads random live elements of the file library
// named by $ELIB_BENCH_LIBRARY (read-only; skipped when unset): a check's
// element fetch alone, with a one-block cache (every fetch reads its
// block) and the default cache. The refs repeat every 1<<16 fetches, so
// the figure is a warm process's: the pages they touch stay mapped.
func BenchmarkElementFetch(b *testing.B) {
	dir := os.Getenv("ELIB_BENCH_LIBRARY")
	if dir == "" {
		b.Skip("ELIB_BENCH_LIBRARY not set")
	}
	for _, blocks := range []int{1, 4096} {
		b.Run(fmt.Sprintf("cache=%d", blocks), func(b *testing.B) {
			l, err := Open(Options{Dir: dir, ReadOnly: true, SkipVerify: true, LazyIndex: true, CacheBlocks: blocks})
			if err != nil {
				b.Fatal(err)
			}
			defer l.Close()
			var live []uint32
			for ref, t := range l.types {
				if t != 0 {
					live = append(live, uint32(ref))
				}
			}
			rng := rand.New(rand.NewPCG(1, 2))
			refs := make([]uint32, 1<<16)
			for i := range refs {
				refs[i] = live[rng.IntN(len(live))]
			}
			b.ReportAllocs()
			ct := cputime.Start()
			for i := 0; b.Loop(); i++ {
				if _, err := l.Element(refs[i&(len(refs)-1)]); err != nil {
					b.Fatal(err)
				}
			}
			ct.Report(b)
		})
	}
}
