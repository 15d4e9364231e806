// Command outcomes computes the missing check outcomes of a file library
// — the work an import with outcomes does after each batch
// (insight.AfterImport), without the import — newest assets first, in
// chunks stored as they finish, and reports the rate per chunk in assets
// and elements per second of wall and CPU time (issue 25's import at 1M).
// -cpuprofile writes a CPU profile of the whole run; -decode hides the
// library's published times (the path before them); -newest computes the
// newest assets' outcomes whether or not one is stored, as an import does
// for its batch (the newest assets of the library).
//
//	go run ./benchmarks/outcomes -lib LIB [-max N] [-chunk 2000] [-newest] [-decode] [-cpuprofile F]
package main

import (
	"cmp"
	"context"
	"flag"
	"fmt"
	"log"
	"os"
	"os/signal"
	"runtime/pprof"
	"slices"
	"syscall"
	"time"

	"elib/fingerprint"
	"elib/fingerprint/wordseg"
	"elib/index"
	"elib/insight"
	"elib/library/kit"
)

func main() {
	dir := flag.String("lib", "", "the file library (written to: its outcomes)")
	most := flag.Int("max", 0, "compute at most this many outcomes (0: every missing one)")
	chunk := flag.Int("chunk", 2000, "assets per insight.AfterImport call")
	prof := flag.String("cpuprofile", "", "write a CPU profile here")
	newest := flag.Bool("newest", false, "compute the newest assets' outcomes, stored or not (an import's batch is the library's newest)")
	decode := flag.Bool("decode", false, "hide the library's published times (kit.PublishedIndex): every asset without an outcome is decoded for its time, as before them")
	flag.Parse()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	seg, err := wordseg.Default()
	if err != nil {
		log.Fatal(err)
	}
	engine, err := fingerprint.New(fingerprint.Options{}, seg)
	if err != nil {
		log.Fatal(err)
	}
	t := time.Now()
	lib, err := index.Open(index.Options{Dir: *dir, Engine: engine, NoFulltext: true})
	if err != nil {
		log.Fatal(err)
	}
	defer lib.Close()
	fmt.Printf("open %.1f s\n", time.Since(t).Seconds())

	ids, err := lib.AssetIDs()
	if err != nil {
		log.Fatal(err)
	}
	outs, err := lib.Outcomes(ids)
	if err != nil {
		log.Fatal(err)
	}
	times, _, err := lib.PublishedTimes(ids)
	if err != nil {
		log.Fatal(err)
	}
	type todo struct {
		id string
		at time.Time
	}
	var missing []todo
	for i, o := range outs {
		if o == nil || *newest {
			missing = append(missing, todo{ids[i], times[i]})
		}
	}
	slices.SortFunc(missing, func(a, b todo) int { return cmp.Or(b.at.Compare(a.at), cmp.Compare(a.id, b.id)) })
	if *most > 0 && len(missing) > *most {
		missing = missing[:*most]
	}
	fmt.Printf("%d assets, %d without an outcome; computing %d\n", len(ids), len(outs)-countFresh(outs), len(missing))

	if *prof != "" {
		f, err := os.Create(*prof)
		if err != nil {
			log.Fatal(err)
		}
		pprof.StartCPUProfile(f)
		defer pprof.StopCPUProfile()
	}
	start, cpu0 := time.Now(), processCPU()
	done, elements := 0, 0
	for lo := 0; lo < len(missing) && ctx.Err() == nil; lo += *chunk {
		part := make([]string, 0, *chunk)
		for _, m := range missing[lo:min(lo+*chunk, len(missing))] {
			part = append(part, m.id)
		}
		n := 0
		for _, id := range part {
			refs, err := lib.AssetElements(id)
			if err != nil {
				log.Fatal(err)
			}
			n += len(refs)
		}
		t, c := time.Now(), processCPU()
		var into kit.Library = lib
		if *decode {
			into = decoding{lib, lib}
		}
		if err := insight.AfterImport(ctx, engine, into, part, insight.Options{}); err != nil {
			log.Printf("stopped: %v", err)
			break
		}
		wall, cpu := time.Since(t).Seconds(), (processCPU() - c).Seconds()
		done += len(part)
		elements += n
		fmt.Printf("%s chunk of %d assets (%d elements): %.1f s wall, %.1f CPU-s: %.1f assets/s, %.0f el/s wall, %.0f el/CPU-s\n",
			time.Now().UTC().Format(time.TimeOnly), len(part), n, wall, cpu, float64(len(part))/wall, float64(n)/wall, float64(n)/cpu)
	}
	wall, cpu := time.Since(start).Seconds(), (processCPU() - cpu0).Seconds()
	fmt.Printf("total %d assets (%d elements) in %.1f s wall, %.1f CPU-s: %.0f el/s wall, %.0f el/CPU-s\n",
		done, elements, wall, cpu, float64(elements)/wall, float64(elements)/cpu)
}

// decoding is a library without its published times.
type decoding struct {
	kit.Library
	kit.OutcomeStore
}

// countFresh counts the stored fresh outcomes.
func countFresh(outs []*kit.Outcome) int {
	n := 0
	for _, o := range outs {
		if o != nil {
			n++
		}
	}
	return n
}

// processCPU is the process's CPU time so far (user and system).
func processCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
