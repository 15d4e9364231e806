// Command statsphases times the phases of elib stats over stored check
// outcomes in one process (issue 25): opening a file library read-only
// without its candidate indexes (index.Options.LazyIndex, segment
// checksums verified), its counts and asset ids, decoding the stored
// outcomes, and insight.Overview (the library's reuse and the period's
// stats). The engine is never loaded: the run panics if an outcome must
// be checked. -stored-only restricts the library's asset list to the
// assets that have a stored outcome, the case of a library whose every
// asset has one; otherwise the published times of the assets without one
// come from the library's published files (kit.PublishedIndex; the first
// run on a library written before them rebuilds them).
//
//	go run ./benchmarks/statsphases -lib LIB -since 30d [-stored-only] [-cpuprofile F]
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"runtime/pprof"
	"time"

	"elib/fingerprint"
	"elib/index"
	"elib/insight"
)

// storedOnly is the library with only the assets that have a stored outcome.
type storedOnly struct {
	*index.Library
	ids []string
}

func (s storedOnly) AssetIDs() ([]string, error) { return s.ids, nil }

func main() {
	dir := flag.String("lib", "", "")
	since := flag.String("since", "", "")
	only := flag.Bool("stored-only", false, "")
	prof := flag.String("cpuprofile", "", "")
	flag.Parse()
	if *prof != "" {
		f, _ := os.Create(*prof)
		pprof.StartCPUProfile(f)
		defer pprof.StopCPUProfile()
	}
	t0 := time.Now()
	t := time.Now()
	l, err := index.Open(index.Options{Dir: *dir, ReadOnly: true, LazyIndex: true})
	if err != nil {
		panic(err)
	}
	fmt.Printf("open (lazy index, checksums) %.3f s\n", time.Since(t).Seconds())
	t = time.Now()
	st, _ := l.Stats()
	ids, err := l.AssetIDs()
	if err != nil {
		panic(err)
	}
	fmt.Printf("stats+ids %.3f s (%d assets, %d elements)\n", time.Since(t).Seconds(), st.Assets, len(ids))
	t = time.Now()
	outs, _ := l.Outcomes(ids)
	var kept []string
	for i, o := range outs {
		if o != nil {
			kept = append(kept, ids[i])
		}
	}
	fmt.Printf("outcomes decoded %.3f s (%d stored)\n", time.Since(t).Seconds(), len(kept))
	s, _ := insight.ParseSince(*since, time.Now())
	opts := insight.Options{Since: s, LoadEngine: func() (*fingerprint.Engine, error) { panic("engine") }}
	t = time.Now()
	if *only {
		r, p, err := insight.Overview(context.Background(), nil, storedOnly{l, kept}, opts, true)
		fmt.Printf("overview over stored only %.3f s %v reuse-assets %d period %d\n", time.Since(t).Seconds(), err, r.Assets, p.Assets)
	} else {
		r, p, err := insight.Overview(context.Background(), nil, l, opts, true)
		fmt.Printf("overview %.3f s %v reuse-assets %d period %d\n", time.Since(t).Seconds(), err, r.Assets, p.Assets)
	}
	fmt.Printf("total %.3f s\n", time.Since(t0).Seconds())
	l.Close()
}
