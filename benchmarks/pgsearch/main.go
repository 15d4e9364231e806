// Command pgsearch measures `elib search` on a PostgreSQL library: p50/p99
// of several query mixes (short words with facets, multi-word queries,
// filters, sorts, deep pages) on a database of N synthetic elements with
// metadata and attributes. The server lives in -dir and outlives the run
// (pgtest Options.Dir), so the same database can be searched by two elib
// builds — before and after a change — and a database made by an older
// elib is migrated by this one's Init (timed: migration fills included).
//
//	go run ./benchmarks/pgsearch -server /tmp/elib-pgsearch -n 100000 -queries 300
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"elib/benchmarks/internal/bench"
	"elib/element"
	"elib/fulltext"
	"elib/library/kit"
	"elib/library/postgres"
	"elib/library/postgres/pgtest"
)

func main() {
	dir := flag.String("server", "/tmp/elib-pgsearch", "directory of the kept PostgreSQL server")
	n := flag.Int("n", 100000, "elements in the library (imported when the database holds fewer)")
	queries := flag.Int("queries", 300, "searches per mix")
	only := flag.String("mixes", "", "comma-separated numbers (1-5) of the mixes to run (default: all)")
	flag.Parse()
	if err := run(*dir, *n, *queries, *only); err != nil {
		fmt.Fprintln(os.Stderr, "pgsearch benchmark:", err)
		os.Exit(1)
	}
}

func run(dir string, n, queries int, only string) error {
	ctx := context.Background()
	bin := pgtest.FindBin()
	if bin == "" {
		return fmt.Errorf("no PostgreSQL binaries: install the Debian package postgresql")
	}
	srv, err := pgtest.StartWith(bin, pgtest.Options{Dir: dir, Durable: true, Conf: pgtest.BenchConf})
	if err != nil {
		return err
	}
	defer srv.Close()
	url, err := srv.EnsureDatabase(ctx, "bench")
	if err != nil {
		return err
	}
	start := time.Now()
	switch err := postgres.Init(ctx, url); {
	case errors.Is(err, kit.ErrExists):
		fmt.Println("schema: current")
	case err != nil:
		return err
	default:
		fmt.Printf("schema: migrated to %d in %v (fills included)\n", postgres.SchemaVersion, time.Since(start).Round(time.Millisecond))
	}
	engine, err := bench.Engine()
	if err != nil {
		return err
	}
	lib, err := postgres.Open(ctx, postgres.Options{URL: url, Engine: engine, Workers: 2, Timeout: time.Minute})
	if err != nil {
		return err
	}
	defer lib.Close()
	pool, err := bench.Clauses()
	if err != nil {
		return err
	}
	rng := rand.New(rand.NewPCG(1, 2))
	have, err := lib.ElementCount()
	if err != nil {
		return err
	}
	if have < n {
		start := time.Now()
		for done, seq := have, have; done < n; {
			assets := generate(rng, pool, min(5000, n-done), seq)
			if _, err := lib.Import(ctx, assets); err != nil {
				return err
			}
			for _, a := range assets {
				done += len(a.Elements)
			}
			seq += len(assets)
			fmt.Fprintf(os.Stderr, "\rimported %d/%d", done, n)
		}
		fmt.Fprintln(os.Stderr)
		fmt.Printf("import: %d elements in %v\n", n-have, time.Since(start).Round(time.Second))
	}
	st, err := lib.Stats()
	if err != nil {
		return err
	}
	fmt.Printf("library: %d elements, %d bytes for the library's tables (%.0f B/element)\n", st.Elements, st.DiskBytes, float64(st.DiskBytes)/float64(max(1, st.Elements)))

	// The queries have their own generator: the same queries whether or
	// not this run imported.
	rng = rand.New(rand.NewPCG(3, 4))
	word := func() string {
		w := []rune(pool[rng.IntN(len(pool))])
		return string(w[:min(len(w), 2+rng.IntN(3))])
	}
	mixes := []struct {
		name string
		q    func() fulltext.Query
	}{
		{"2-4 character words, facets, 20 hits", func() fulltext.Query { return fulltext.Query{Text: word(), Limit: 20, Facets: true} }},
		{"a clause (5-12 characters, several words), 20 hits", func() fulltext.Query {
			return fulltext.Query{Text: pool[rng.IntN(len(pool))], Limit: 20}
		}},
		{"word + platform filter + bpm range, facets", func() fulltext.Query {
			return fulltext.Query{Text: word(), Facets: true, Where: []fulltext.Filter{{Key: "platform", Value: platforms[rng.IntN(len(platforms))]}},
				BPM: &fulltext.Range{Lo: 100, Hi: 130}}
		}},
		{"filters only (camera, campaign), sort plays", func() fulltext.Query {
			return fulltext.Query{Sort: fulltext.SortPlays, Where: []fulltext.Filter{{Key: "camera", Value: cameras[rng.IntN(len(cameras))]},
				{Key: "campaign", Value: campaigns[rng.IntN(len(campaigns))]}}}
		}},
		{"word, page 5 (offset 80), sort created", func() fulltext.Query {
			return fulltext.Query{Text: word(), Limit: 20, Offset: 80, Sort: fulltext.SortCreated}
		}},
	}
	for i, m := range mixes {
		if only != "" && !slices.Contains(strings.Split(only, ","), strconv.Itoa(i+1)) {
			continue
		}
		var lat []time.Duration
		var hits uint64
		for i := 0; i < queries; i++ {
			q := m.q()
			t := time.Now()
			res, err := lib.Search(ctx, q)
			if err != nil {
				return fmt.Errorf("%s: %w", m.name, err)
			}
			lat = append(lat, time.Since(t))
			hits += res.Total
		}
		p50, p99 := bench.Percentiles(lat)
		fmt.Printf("search %d, %s: %d queries, p50 %v p99 %v (mean total %d)\n", i+1, m.name, queries, p50, p99, hits/uint64(queries))
	}
	return nil
}

var (
	platforms = []string{"抖音", "快手", "小红书", "视频号"}
	campaigns = []string{"双11", "年货节", "618", "开学季", "七夕"}
	cameras   = []string{"推近", "拉远", "固定", "左摇", "右摇", "晃动"}
)

// generate makes assets of 4-5 elements from the poetry sample, with the
// metadata and attributes search filters, sorts and facets on.
func generate(rng *rand.Rand, pool []string, elements, seq int) []element.Asset {
	types := []element.Type{element.Hook, element.Conflict, element.Testimonial, element.Conversion, element.Story}
	var out []element.Asset
	for elements > 0 {
		k := min(elements, 4+rng.IntN(2))
		seq++
		a := element.Asset{ID: fmt.Sprintf("gen/%07d.txt", seq), Title: pool[rng.IntN(len(pool))], Meta: map[string]any{
			"platform":  platforms[rng.IntN(len(platforms))],
			"campaign":  campaigns[rng.IntN(len(campaigns))],
			"plays":     rng.IntN(100000),
			"published": time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC).Add(time.Duration(rng.IntN(330*24)) * time.Hour).Format(time.RFC3339),
		}}
		for i := 0; i < k; i++ {
			var b strings.Builder
			for utf8.RuneCountInString(b.String()) < 20+rng.IntN(60) {
				b.WriteString(pool[rng.IntN(len(pool))] + "，")
			}
			a.Elements = append(a.Elements, element.Element{Type: types[i], Text: b.String(), Attributes: map[string]any{
				"camera": cameras[rng.IntN(len(cameras))], "bgm_bpm": 70 + rng.IntN(90)}})
		}
		a.Reoffset()
		out = append(out, a)
		elements -= k
	}
	return out
}
