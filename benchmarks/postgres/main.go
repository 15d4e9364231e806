// Command postgres measures the PostgreSQL library backend on this
// machine: import rate (elements/s, one transaction per batch), check and
// search latency (p50/p99, checks querying the posting tables directly),
// and database bytes per element. It starts a private PostgreSQL server
// (Debian's binaries, as the tests do) unless -url names a database.
//
//	go run ./benchmarks/postgres -n 20000 -queries 300
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"runtime"
	"runtime/pprof"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/jackc/pgx/v5"

	"elib/benchmarks/internal/bench"
	"elib/check"
	"elib/element"
	"elib/fingerprint/lsh"
	"elib/fulltext"
	"elib/library"
	"elib/library/kit"
	"elib/library/postgres"
	"elib/library/postgres/pgtest"
)

func main() {
	n := flag.Int("n", 20000, "elements to import")
	batch := flag.Int("batch", 2000, "elements per import transaction")
	queries := flag.Int("queries", 300, "checks and searches to time")
	url := flag.String("url", "", "postgres:// URL of an empty database (default: a private server)")
	durable := flag.Bool("durable", true, "private server: fsync, full_page_writes and synchronous_commit on")
	workers := flag.Int("workers", 2, "fingerprinting goroutines")
	direct := flag.Bool("direct", false, "import with one Import call per batch instead of elib import's pipelined batcher")
	simplified := flag.Bool("simplified", false, "convert the Traditional poetry sample to Simplified Chinese first")
	keep := flag.String("keep", "", "private server: keep its data in this directory (a second run reuses the library)")
	cpuProfile := flag.String("cpuprofile", "", "write a CPU profile of the import to this file")
	flag.Parse()
	if *cpuProfile != "" {
		f, err := os.Create(*cpuProfile)
		if err != nil {
			fmt.Fprintln(os.Stderr, "postgres benchmark:", err)
			os.Exit(1)
		}
		if err := pprof.StartCPUProfile(f); err != nil {
			fmt.Fprintln(os.Stderr, "postgres benchmark:", err)
			os.Exit(1)
		}
		defer pprof.StopCPUProfile()
	}
	if err := run(*n, *batch, *queries, *url, *keep, *durable, *simplified, *direct, *workers); err != nil {
		pprof.StopCPUProfile()
		fmt.Fprintln(os.Stderr, "postgres benchmark:", err)
		os.Exit(1)
	}
}

func run(n, batch, queries int, url, keep string, durable, simplified, direct bool, workers int) error {
	ctx := context.Background()
	if url == "" {
		bin := pgtest.FindBin()
		if bin == "" {
			return fmt.Errorf("no PostgreSQL binaries: install the Debian package postgresql")
		}
		srv, err := pgtest.StartWith(bin, pgtest.Options{Durable: durable, Conf: pgtest.BenchConf, Dir: keep})
		if err != nil {
			return err
		}
		defer srv.Close()
		if keep != "" {
			url, err = srv.EnsureDatabase(ctx, "bench")
		} else {
			url, err = srv.NewDatabase(ctx, "bench")
		}
		if err != nil {
			return err
		}
		fmt.Printf("private PostgreSQL server (unix socket, durable %v): %s\n", durable, strings.Join(pgtest.BenchConf, ", "))
	}
	engine, err := bench.Engine()
	if err != nil {
		return err
	}
	if err := postgres.Init(ctx, url); err != nil && !errors.Is(err, kit.ErrExists) {
		return err
	}
	lib, err := postgres.Open(ctx, postgres.Options{URL: url, Engine: engine, Workers: workers})
	if err != nil {
		return err
	}
	defer lib.Close()
	pool, err := bench.Clauses()
	if err != nil {
		return err
	}
	if simplified {
		// The sample is Traditional; users' copy is Simplified, which
		// skips OpenCC's conversion when fingerprinting and indexing.
		for i, s := range pool {
			pool[i] = string(engine.Normalizer().Normalize(s).Runes)
		}
	}
	rng := rand.New(rand.NewPCG(1, 2))
	var all []element.Asset
	// A database holding elements already (-url) is reused: the same
	// generator rebuilds the assets it holds, and only the rest (if n is
	// larger) is imported and timed — an import into a library of that size.
	existing, err := lib.ElementCount()
	if err != nil {
		return err
	}
	var todo [][]element.Asset
	for done := 0; done < n; {
		assets := generate(rng, pool, min(batch, n-done), len(all))
		if done >= existing {
			todo = append(todo, assets)
		}
		all = append(all, assets...)
		for _, a := range assets {
			done += len(a.Elements)
		}
	}
	// The import as `elib import` runs it: a Batcher storing one batch
	// while it fingerprints the next (-direct: one Import call at a time).
	imported := 0
	start := time.Now()
	b := library.NewBatcher(lib, batch, func(_ string, _, elements int) {
		imported += elements
		fmt.Fprintf(os.Stderr, "\rimported %d of %d", imported, n-existing)
	})
	for _, assets := range todo {
		if direct {
			res, err := lib.Import(ctx, assets)
			if err != nil {
				return err
			}
			imported += res.Elements
			fmt.Fprintf(os.Stderr, "\rimported %d of %d", imported, n-existing)
		} else if err := b.Add(ctx, "batch", assets); err != nil {
			return err
		}
	}
	if err := b.Flush(ctx); err != nil {
		return err
	}
	dur := time.Since(start)
	fmt.Fprintln(os.Stderr)
	if imported == 0 {
		fmt.Printf("import: skipped, the database holds the %d elements\n", n)
	} else {
		mode := "pipelined batches as elib import"
		if direct {
			mode = "one Import call per batch"
		}
		fmt.Printf("import: %d elements into a library of %d in %v: %.0f elements/s (%s of %d, fingerprinting included, %d workers)\n",
			imported, n-imported, dur.Round(time.Millisecond), float64(imported)/dur.Seconds(), mode, batch, workers)
	}
	st, err := lib.Stats()
	if err != nil {
		return err
	}
	fmt.Printf("database: %d bytes for the library's tables, %.0f bytes/element\n", st.DiskBytes, float64(st.DiskBytes)/float64(n))
	if queries <= 0 {
		return nil
	}

	// The same probes against both designs: checks querying the posting
	// tables, and a server holding LSH and anchor indexes built from them.
	probes := make([]element.Asset, queries)
	for i := range probes {
		probes[i] = all[rng.IntN(len(all))]
		probes[i].ID = "probe"
		if i%2 == 1 { // half copies, half new material
			probes[i] = generate(rng, pool, 4, 1<<30)[0]
		}
	}
	timeChecks := func(name string, src check.Source) error {
		checker, err := check.New(engine, check.Options{}, src)
		if err != nil {
			return err
		}
		var lat []time.Duration
		for i := range probes {
			t := time.Now()
			if _, err := checker.Check(ctx, "probe", &probes[i]); err != nil {
				return err
			}
			lat = append(lat, time.Since(t))
		}
		p50, p99 := bench.Percentiles(lat)
		fmt.Printf("check, %s: %d checks (half copies of library assets, half new), p50 %v p99 %v\n", name, queries, p50, p99)
		return nil
	}
	// The first pass fills the element cache both designs share.
	if err := timeChecks("posting tables queried per check, element cache cold", lib); err != nil {
		return err
	}
	if err := timeChecks("posting tables queried per check, element cache warm", lib); err != nil {
		return err
	}
	mem, err := loadIndexes(ctx, url, lib)
	if err != nil {
		return err
	}
	if err := timeChecks("in-memory indexes loaded from the database, element cache warm", mem); err != nil {
		return err
	}
	var lat []time.Duration
	for i := 0; i < queries; i++ {
		words := []rune(pool[rng.IntN(len(pool))])
		q := string(words[:min(len(words), 2+rng.IntN(3))])
		t := time.Now()
		if _, err := lib.Search(ctx, fulltext.Query{Text: q, Limit: 20, Facets: true}); err != nil {
			return err
		}
		lat = append(lat, time.Since(t))
	}
	p50, p99 := bench.Percentiles(lat)
	fmt.Printf("search: %d queries (2-4 character words, facets), p50 %v p99 %v\n", queries, p50, p99)
	return nil
}

// generate builds assets of 4-5 typed elements from random clauses.
func generate(rng *rand.Rand, pool []string, elements, seq int) []element.Asset {
	types := []element.Type{element.Hook, element.Conflict, element.Testimonial, element.Conversion, element.Story}
	var out []element.Asset
	for elements > 0 {
		k := min(elements, 4+rng.IntN(2))
		seq++
		a := element.Asset{ID: fmt.Sprintf("gen/%07d.txt", seq), Title: pool[rng.IntN(len(pool))]}
		for i := 0; i < k; i++ {
			var b strings.Builder
			for utf8.RuneCountInString(b.String()) < 20+rng.IntN(60) {
				b.WriteString(pool[rng.IntN(len(pool))] + "，")
			}
			a.Elements = append(a.Elements, element.Element{Type: types[i], Text: b.String()})
		}
		a.Reoffset()
		out = append(out, a)
		elements -= k
	}
	return out
}

// memIndexes is the other design: the server loads the LSH and anchor
// postings into lsh.Index values (following changes by LISTEN/NOTIFY, not
// measured here) and reads elements from the database.
type memIndexes struct {
	*postgres.Library
	lsh, anchors *lsh.Index
}

func (m *memIndexes) CandidateCounts(keys []uint64, fn func(ref uint32, bands int)) error {
	m.lsh.QueryCounts(keys, fn)
	return nil
}

func (m *memIndexes) AnchorHolders(hashes []uint64, limit int, fn func(i int, ref uint32)) ([]int, error) {
	return m.anchors.Holders(0, hashes, limit, fn), nil
}

// loadIndexes builds the in-memory indexes from the posting tables and
// reports the time and memory it took.
func loadIndexes(ctx context.Context, url string, lib *postgres.Library) (*memIndexes, error) {
	var before runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	start := time.Now()
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		return nil, err
	}
	defer conn.Close(ctx)
	params := lsh.DefaultParams()
	m := &memIndexes{Library: lib, lsh: lsh.NewIndex(params), anchors: lsh.NewIndex(lsh.Params{Bands: 1, Rows: 1})}
	rows, err := conn.Query(ctx, `SELECT ref, array_agg(bkey ORDER BY bkey) FROM elib_lsh GROUP BY ref`)
	if err != nil {
		return nil, err
	}
	for rows.Next() {
		var ref int64
		var bkeys []int64
		if err := rows.Scan(&ref, &bkeys); err != nil {
			return nil, err
		}
		keys := make([]uint64, len(bkeys))
		for i, k := range bkeys { // bkey = band<<32 | top 32 bits of the key
			keys[i] = uint64(k) << 32
		}
		m.lsh.Add(uint32(ref), keys)
	}
	rows.Close()
	rows, err = conn.Query(ctx, `SELECT ref, array_agg(hkey) FROM elib_anchors GROUP BY ref`)
	if err != nil {
		return nil, err
	}
	for rows.Next() {
		var ref int64
		var hk []int64
		if err := rows.Scan(&ref, &hk); err != nil {
			return nil, err
		}
		keys := make([]uint64, len(hk))
		for i, k := range hk {
			keys[i] = uint64(k) << 32
		}
		m.anchors.AddKeys(uint32(ref), 0, keys)
	}
	rows.Close()
	m.lsh.Compact()
	m.anchors.Compact()
	var after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&after)
	fmt.Printf("in-memory indexes: loaded from the posting tables in %v, +%d MB heap\n",
		time.Since(start).Round(time.Millisecond), (int64(after.HeapAlloc)-int64(before.HeapAlloc))>>20)
	return m, nil
}
