package main

import (
	"bufio"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	iofs "io/fs"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"runtime/pprof"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"time"
	"unicode/utf8"

	"github.com/longbridgeapp/opencc"

	"elib/check"
	"elib/element"
	"elib/fingerprint"
	"elib/fingerprint/wordseg"
	"elib/index"
	"elib/insight"
	"elib/library"
	"elib/library/kit"
)

type config struct {
	n        int
	dir      string
	batch    int
	fulltext bool
	keep     bool
	phase    string
	// cpuProfile receives a CPU profile of the lookup queries.
	cpuProfile string
	// memProfile receives a heap profile taken after the open (after a GC).
	memProfile string
	// results receives each check's result as one JSON line (to compare
	// two builds' answers on the same library).
	results string
	// cacheBlocks is index.Options.CacheBlocks of the open phase (0: the
	// library's default).
	cacheBlocks int
	// each receives one line per query in order: its wall and CPU time,
	// page faults, element fetches and LSH candidates.
	each string
	// release returns the free heap to the OS after the open, before RSS
	// is read (debug.FreeOSMemory), so the checks start on an untouched
	// heap; a server does not do this.
	release bool
	// warm sets index.Options.WarmSegments in the open phase, as elib
	// serve does.
	warm     bool
	direct   bool
	outcomes bool
	queries  int
	seed     uint64
	corpus   string
}

func main() {
	var c config
	fs := flag.NewFlagSet("library", flag.ExitOnError)
	fs.IntVar(&c.n, "n", 100_000, "library size in elements")
	fs.StringVar(&c.dir, "dir", "", "library directory (default: a temporary directory)")
	fs.IntVar(&c.batch, "batch", 5000, "elements per Import call (one segment each)")
	fs.BoolVar(&c.direct, "direct", false, "one Import call per batch instead of elib import's pipelined batcher")
	fs.BoolVar(&c.outcomes, "outcomes", true, "compute and store each asset's check outcome as elib import does (insight.AfterImport)")
	fs.BoolVar(&c.fulltext, "fulltext", false, "also maintain the full-text index during import")
	fs.BoolVar(&c.keep, "keep", false, "keep the library directory")
	fs.StringVar(&c.phase, "phase", "all", "all; open (internal: measure a read-only open in this process); refresh (a read-only reader follows a 40-element import made by a writer, as elib serve without a token does; the import is removed again afterwards); more (import -n more generated elements, -seed choosing them, into the library at -dir as elib import does, with outcomes unless -outcomes=false: the rate in wall and CPU time)")
	fs.IntVar(&c.queries, "queries", 300, "lookup queries")
	fs.Uint64Var(&c.seed, "seed", 1, "generator seed")
	fs.StringVar(&c.cpuProfile, "cpuprofile", "", "write a CPU profile of the lookup queries to this file")
	fs.StringVar(&c.memProfile, "memprofile", "", "open phase: write a heap profile taken after the open to this file")
	fs.StringVar(&c.results, "results", "", "open phase: write each check's result to this file, one JSON line per query")
	fs.IntVar(&c.cacheBlocks, "cache-blocks", 0, "open phase: decoded blocks the library caches (0: the library's default)")
	fs.StringVar(&c.each, "each", "", "open phase: write each query's wall and CPU time, page faults (minor/major), fetches and candidates to this file, in query order")
	fs.BoolVar(&c.release, "release", true, "open phase: return the free heap to the OS after the open (debug.FreeOSMemory) before reading RSS; the checks then allocate on pages never touched")
	fs.BoolVar(&c.warm, "warm", false, "open phase: map the segments' element blocks in the background after the open (index.Options.WarmSegments), as elib serve does")
	fs.StringVar(&c.corpus, "corpus", "", "sentence source files, comma-separated (default: poetry sample + benchmarks/data/tang.txt if present)")
	if err := fs.Parse(os.Args[1:]); err != nil {
		os.Exit(2)
	}
	if err := run(c); err != nil {
		fmt.Fprintln(os.Stderr, "library benchmark:", err)
		os.Exit(1)
	}
}

func run(c config) error {
	switch c.phase {
	case "open":
		return measureOpen(c)
	case "refresh":
		return measureRefresh(c)
	case "more":
		return measureMore(c)
	}
	if c.dir == "" {
		d, err := os.MkdirTemp("", "elib-bench-lib-")
		if err != nil {
			return err
		}
		c.dir = filepath.Join(d, "lib")
		if !c.keep {
			defer os.RemoveAll(d)
		}
	}
	pool, engine, err := generatorTools(c.corpus)
	if err != nil {
		return err
	}
	fmt.Printf("sentence pool: %d sentences\n", len(pool))
	if err := index.Init(c.dir); err != nil {
		return err
	}
	lib, err := index.Open(index.Options{Dir: c.dir, Engine: engine, NoFulltext: !c.fulltext})
	if err != nil {
		return err
	}
	gen := &generator{rng: rand.New(rand.NewPCG(c.seed, 7)), pool: pool}
	ctx := context.Background()
	start := time.Now()
	var runes int
	// The import as `elib import` runs it: a Batcher fingerprinting the
	// next batch while the library stores the previous (-direct: one
	// Import call per batch).
	done := 0
	b := library.NewBatcher(lib, c.batch, func(_ string, _, elements int) {
		done += elements
		fmt.Fprintf(os.Stderr, "\rimported %d/%d", done, c.n)
	})
	if c.outcomes {
		b.BeforeStore = func(ctx context.Context, as []element.Asset) error {
			_, err := insight.BeforeImport(ctx, engine, lib, as, insight.Options{})
			return err
		}
		b.AfterStore = func(ctx context.Context, batch []kit.Prepared) error {
			return insight.AfterImportPrepared(ctx, engine, lib, batch, insight.Options{})
		}
	}
	for generated := 0; generated < c.n; {
		assets := gen.assets(min(c.batch, c.n-generated))
		for _, a := range assets {
			generated += len(a.Elements)
			for _, e := range a.Elements {
				runes += utf8.RuneCountInString(e.Text)
			}
		}
		if !c.direct {
			if err := b.Add(ctx, "batch", assets); err != nil {
				return err
			}
			continue
		}
		res, err := lib.Import(ctx, assets)
		if err != nil {
			return err
		}
		done += res.Elements
		fmt.Fprintf(os.Stderr, "\rimported %d/%d", done, c.n)
	}
	if err := b.Flush(ctx); err != nil {
		return err
	}
	fmt.Fprintln(os.Stderr)
	importDur := time.Since(start)
	if err := lib.Close(); err != nil {
		return err
	}
	disk := dirSize(c.dir)
	ftDisk := dirSize(filepath.Join(c.dir, "fulltext"))
	mode := "pipelined batches as elib import"
	if c.direct {
		mode = "one Import call per batch"
	}
	fmt.Printf("import: %d elements (%.0f runes avg) in %v: %.0f elements/s (fulltext %v, outcomes %v, %s of %d)\n",
		c.n, float64(runes)/float64(c.n), importDur.Round(time.Millisecond), float64(c.n)/importDur.Seconds(), c.fulltext, c.outcomes && !c.direct, mode, c.batch)
	fmt.Printf("disk: %d bytes total, %.0f bytes/element (store+LSH+sketch %.0f, fulltext %.0f)\n",
		disk, float64(disk)/float64(c.n), float64(disk-ftDisk)/float64(c.n), float64(ftDisk)/float64(c.n))

	// Open and lookups in a fresh process: only the library in RAM.
	exe, err := os.Executable()
	if err != nil {
		return err
	}
	for _, verify := range []bool{true, false} {
		args := []string{"-phase", "open", "-dir", c.dir, "-n", strconv.Itoa(c.n), "-queries", strconv.Itoa(c.queries),
			"-seed", strconv.FormatUint(c.seed, 10), "-corpus", c.corpus}
		if !verify {
			args = append(args, "-batch", "0") // batch 0 marks SkipVerify in the open phase
		}
		cmd := exec.Command(exe, args...)
		cmd.Stdout, cmd.Stderr = os.Stdout, os.Stderr
		if err := cmd.Run(); err != nil {
			return fmt.Errorf("open phase: %w", err)
		}
	}
	return nil
}

// measureOpen opens the library read-only and reports open time, memory
// and lookup latency.
func measureOpen(c config) error {
	skip := c.batch == 0
	runtime.GC()
	var m0 runtime.MemStats
	runtime.ReadMemStats(&m0)
	rss0 := rssBytes()
	start, cpu0 := time.Now(), cpuTime()
	lib, err := index.Open(index.Options{Dir: c.dir, ReadOnly: true, SkipVerify: skip, CacheBlocks: c.cacheBlocks, WarmSegments: c.warm})
	if err != nil {
		return err
	}
	openDur := time.Since(start)
	openCPU := cpuTime() - cpu0
	var mo runtime.MemStats
	runtime.ReadMemStats(&mo)
	runtime.GC()
	if c.release {
		debug.FreeOSMemory()
	}
	var m1 runtime.MemStats
	runtime.ReadMemStats(&m1)
	rss1 := rssBytes()
	n, err := lib.ElementCount()
	if err != nil {
		return err
	}
	fmt.Printf("open (verify=%v): %v for %d elements; heap %+.0f B/element, RSS %+.0f B/element\n",
		!skip, openDur.Round(time.Millisecond), n,
		float64(int64(m1.HeapAlloc)-int64(m0.HeapAlloc))/float64(n), float64(rss1-rss0)/float64(n))
	// What the open cost beyond its wall time: its CPU (the page faults
	// of fresh memory are system time) and the memory it allocated on the
	// way, most of it garbage once it returns.
	fmt.Printf("open cost: %v CPU, %d MB allocated, %d collections\n", openCPU.Round(time.Millisecond),
		(mo.TotalAlloc-m0.TotalAlloc)>>20, mo.NumGC-m0.NumGC)
	if c.memProfile != "" {
		if err := writeHeapProfile(c.memProfile); err != nil {
			return err
		}
	}
	if !skip {
		return lib.Close()
	}

	pool, engine, err := generatorTools(c.corpus)
	if err != nil {
		return err
	}
	rng := rand.New(rand.NewPCG(c.seed, 99))
	gen := &generator{rng: rng, pool: pool}
	counted := &countingSource{Library: lib}
	copts := check.Options{}
	if v, err := strconv.Atoi(os.Getenv("XEDIT_MIN")); err == nil {
		copts.Tuning.EditMinShared = v
	}
	if v, err := strconv.Atoi(os.Getenv("XEDIT_MAX")); err == nil {
		copts.Tuning.MaxEditCandidates = v
	}
	checker, err := check.New(engine, copts, counted)
	if err != nil {
		return err
	}
	ids, err := lib.AssetIDs()
	if err != nil {
		return err
	}
	if c.cpuProfile != "" {
		f, err := os.Create(c.cpuProfile)
		if err != nil {
			return err
		}
		if err := pprof.StartCPUProfile(f); err != nil {
			return err
		}
		defer pprof.StopCPUProfile()
	}
	var results *json.Encoder
	if c.results != "" {
		f, err := os.Create(c.results)
		if err != nil {
			return err
		}
		defer f.Close()
		bw := bufio.NewWriter(f)
		defer bw.Flush()
		results = json.NewEncoder(bw)
	}
	var each *bufio.Writer
	if c.each != "" {
		f, err := os.Create(c.each)
		if err != nil {
			return err
		}
		defer f.Close()
		each = bufio.NewWriter(f)
		defer each.Flush()
		fmt.Fprintln(each, "query\twall_us\tcpu_us\tsys_us\tminflt\tmajflt\tfetches\tcandidates")
	}
	var full []time.Duration
	var cands, fetches []int
	var cpu time.Duration // CPU time of the checks alone (less noisy than wall time on a shared machine)
	for q := 0; q < c.queries; q++ {
		// Half the scripts are a library asset with one sentence changed
		// per element, half are new; each is cut to 300 characters and
		// checked element by element plus sliding windows, as elib check does.
		var parts []string
		if q%2 == 0 && len(ids) > 0 {
			a, err := lib.Asset(ids[rng.IntN(len(ids))])
			if err != nil {
				return err
			}
			for _, e := range a.Elements {
				parts = append(parts, e.Text+gen.text(8))
			}
		} else {
			for _, n := range []int{25, 50, 80, 60} {
				parts = append(parts, gen.text(n))
			}
		}
		text := truncateRunes(strings.Join(parts, "\n")+"\n"+gen.text(300), 300)
		script := element.Asset{ID: fmt.Sprintf("bench/query-%d.md", q)}
		for i, p := range strings.Split(text, "\n") {
			script.Elements = append(script.Elements, element.Element{Type: element.Types[i%4], Text: p})
		}
		script.Reoffset()
		// The whole check path: fingerprinting, candidates (strongest
		// first, capped), exact verification, asset expansion, spans. It
		// runs first: the lookup count below fingerprints the same text,
		// and the segmenter remembers what it cut.
		counted.fetches = 0
		f0, s0 := faults(), sysTime()
		c0 := cpuTime()
		t0 := time.Now()
		res, err := checker.Check(context.Background(), script.ID, &script)
		if err != nil {
			return err
		}
		full = append(full, time.Since(t0))
		qcpu := cpuTime() - c0
		cpu += qcpu
		f1, s1 := faults(), sysTime()
		if results != nil {
			if err := results.Encode(res); err != nil {
				return err
			}
		}
		// Lookup cost alone: LSH candidates for every signature the check
		// computes (elements, whole text, windows).
		var sigs [][]uint32
		var fps []*fingerprint.Fingerprint
		var starts []int
		for _, e := range script.Elements {
			fps = append(fps, engine.Fingerprint(e.Text))
			starts = append(starts, e.Start)
			sigs = append(sigs, fps[len(fps)-1].Signature)
		}
		whole := engine.Concat(fps, starts)
		sigs = append(sigs, whole.Signature)
		tuning := checker.Options().Tuning
		for _, w := range engine.Windows(whole, tuning.WindowTokens, tuning.WindowStride) {
			sigs = append(sigs, w.Signature)
		}
		seen := map[uint32]bool{}
		var keys []uint64
		for _, sig := range sigs {
			keys = engine.BandKeys(keys[:0], sig)
			lib.Candidates(keys, func(ref uint32) { seen[ref] = true })
		}
		cands = append(cands, len(seen))
		fetches = append(fetches, counted.fetches)
		if each != nil {
			fmt.Fprintf(each, "%d\t%d\t%d\t%d\t%d\t%d\t%d\t%d\n", q, full[len(full)-1].Microseconds(), qcpu.Microseconds(), (s1 - s0).Microseconds(),
				f1[0]-f0[0], f1[1]-f0[1], counted.fetches, len(seen))
		}
	}
	if len(full) == 0 { // -queries 0: the open figures only
		return lib.Close()
	}
	// Where the slowest queries fall: the p99 of 300 is the fourth
	// slowest, and the first queries after the open find the caches empty.
	order := make([]int, len(full))
	for i := range order {
		order[i] = i
	}
	sort.SliceStable(order, func(i, j int) bool { return full[order[i]] > full[order[j]] })
	var slow []string
	for _, q := range order[:min(8, len(order))] {
		slow = append(slow, fmt.Sprintf("#%d %.1f ms", q, float64(full[q].Microseconds())/1000))
	}
	sort.Slice(full, func(i, j int) bool { return full[i] < full[j] })
	sort.Ints(cands)
	sort.Ints(fetches)
	pct := func(d []time.Duration, p float64) time.Duration { return d[int(p*float64(len(d)-1))] }
	fmt.Printf("check (300-char script, %d queries): fingerprint+candidates+verify p50 %v p99 %v; LSH candidates p50 %d p99 %d; element fetches p50 %d p99 %d\n",
		len(full), pct(full, .5), pct(full, .99), cands[len(cands)/2], cands[int(.99*float64(len(cands)-1))],
		fetches[len(fetches)/2], fetches[int(.99*float64(len(fetches)-1))])
	fmt.Printf("check CPU time: %v per check (mean, process user+system)\n", cpu/time.Duration(max(1, len(full))))
	fmt.Printf("slowest queries (position from 0 after the open): %s\n", strings.Join(slow, ", "))
	// What the checks left: the block cache's blocks and decoded
	// elements on the heap; in RSS also the segment pages they touched
	// (mapped pages of the page cache, shared and reclaimable).
	runtime.GC()
	var m2 runtime.MemStats
	runtime.ReadMemStats(&m2)
	fmt.Printf("after the checks: heap %+.0f B/element, RSS %+.0f B/element\n",
		float64(int64(m2.HeapAlloc)-int64(m0.HeapAlloc))/float64(n), float64(rssBytes()-rss0)/float64(n))
	return lib.Close()
}

// writeHeapProfile writes a heap profile of what is live now (after a GC)
// to path.
func writeHeapProfile(path string) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	runtime.GC()
	if err := pprof.WriteHeapProfile(f); err != nil {
		f.Close()
		return fmt.Errorf("heap profile: %w", err)
	}
	return f.Close()
}

// measureRefresh opens the library read-only, lets a writer in the same
// process import 40 elements (no full-text index, as the benchmark library
// has none), and times the reader's Refresh and the heap it keeps; the
// writer then removes the import again, so the library keeps its size.
func measureRefresh(c config) error {
	reader, err := index.Open(index.Options{Dir: c.dir, ReadOnly: true, SkipVerify: true})
	if err != nil {
		return err
	}
	defer reader.Close()
	pool, engine, err := generatorTools(c.corpus)
	if err != nil {
		return err
	}
	gen := &generator{rng: rand.New(rand.NewPCG(c.seed, 42)), pool: pool, count: 9_000_000}
	assets := gen.assets(40)
	writer, err := index.Open(index.Options{Dir: c.dir, Engine: engine, NoFulltext: true, SkipVerify: true})
	if err != nil {
		return err
	}
	if _, err := writer.Import(context.Background(), assets); err != nil {
		writer.Close()
		return err
	}
	runtime.GC()
	var m0 runtime.MemStats
	runtime.ReadMemStats(&m0)
	start := time.Now()
	changed, err := reader.Refresh()
	dur := time.Since(start)
	if err != nil {
		writer.Close()
		return err
	}
	var m1 runtime.MemStats
	runtime.ReadMemStats(&m1)
	runtime.GC()
	var m2 runtime.MemStats
	runtime.ReadMemStats(&m2)
	refs, err := reader.AssetElements(assets[0].ID)
	if err == nil {
		_, err = reader.Element(refs[0])
	}
	fmt.Printf("refresh after importing %d elements: changed %v in %v; heap before %d MB, after (before GC) %d MB, after GC %d MB; new element readable: %v\n",
		40, changed, dur.Round(time.Millisecond), m0.HeapAlloc>>20, m1.HeapAlloc>>20, m2.HeapAlloc>>20, err == nil)
	for _, a := range assets {
		if _, err := writer.Remove(context.Background(), a.ID); err != nil {
			writer.Close()
			return err
		}
	}
	return writer.Close()
}

// newEngine loads the tokenizer and returns elib's default fingerprint engine.
// generatorTools returns the generator's sentence pool (see loadSentences)
// and the engine that fingerprints what it writes.
func generatorTools(corpus string) ([]string, *fingerprint.Engine, error) {
	pool, err := loadSentences(corpus)
	if err != nil {
		return nil, nil, err
	}
	engine, err := newEngine()
	return pool, engine, err
}

func newEngine() (*fingerprint.Engine, error) {
	seg, err := wordseg.Default()
	if err != nil {
		return nil, err
	}
	return fingerprint.New(fingerprint.Options{}, seg)
}

func truncateRunes(s string, n int) string {
	r := []rune(s)
	if len(r) > n {
		r = r[:n]
	}
	return string(r)
}

// rssBytes reads the resident set size from /proc (0 elsewhere).
func rssBytes() int64 {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		return 0
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), "VmRSS:"); ok {
			kb, _ := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 10, 64)
			return kb * 1024
		}
	}
	return 0
}

func dirSize(dir string) int64 {
	var n int64
	_ = filepath.WalkDir(dir, func(_ string, d iofs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			if info, err := d.Info(); err == nil {
				n += info.Size()
			}
		}
		return nil
	})
	return n
}

// moduleRoot finds the directory holding go.mod from the working directory.
func moduleRoot() string {
	dir, _ := os.Getwd()
	for d := dir; ; d = filepath.Dir(d) {
		if _, err := os.Stat(filepath.Join(d, "go.mod")); err == nil {
			return d
		}
		if filepath.Dir(d) == d {
			return dir
		}
	}
}

// loadSentences reads the corpus files, splits them into sentences at
// Chinese punctuation and converts them to Simplified Chinese once.
func loadSentences(spec string) ([]string, error) {
	var files []string
	if spec != "" {
		files = strings.Split(spec, ",")
	} else {
		root := moduleRoot()
		files = []string{filepath.Join(root, "benchmarks/testdata/poetry-sample.txt")}
		if _, err := os.Stat(filepath.Join(root, "benchmarks/data/tang.txt")); err == nil {
			files = append(files, filepath.Join(root, "benchmarks/data/tang.txt"))
		}
	}
	conv, err := opencc.New("t2s")
	if err != nil {
		return nil, fmt.Errorf("opencc: %w", err)
	}
	seen := map[string]bool{}
	var out []string
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			return nil, err
		}
		text := string(b)
		if len(text) > 4<<20 {
			text = text[:4<<20] // enough variety; OpenCC costs ~2 µs/rune
		}
		text, err = conv.Convert(text)
		if err != nil {
			return nil, fmt.Errorf("opencc: %w", err)
		}
		for _, s := range strings.FieldsFunc(text, func(r rune) bool { return strings.ContainsRune("，。！？；：\n\r「」『』、", r) }) {
			s = strings.TrimSpace(s)
			if n := utf8.RuneCountInString(s); n >= 4 && n <= 30 && !seen[s] {
				seen[s] = true
				out = append(out, s)
			}
		}
	}
	if len(out) < 100 {
		return nil, fmt.Errorf("corpus too small: %d sentences", len(out))
	}
	return out, nil
}

// generator recombines sentences into assets of 4–5 typed elements.
type generator struct {
	rng   *rand.Rand
	pool  []string
	count int
}

var marketing = []string{"点击下方链接", "今天下单立减五十", "限时三天", "我用了一个月", "亲测有效", "你是不是还在",
	"千万别再", "没想到", "直播间还有赠品", "回购第三次了"}

func (g *generator) text(runes int) string {
	var b strings.Builder
	for utf8.RuneCountInString(b.String()) < runes {
		if g.rng.IntN(4) == 0 {
			b.WriteString(marketing[g.rng.IntN(len(marketing))])
		} else {
			b.WriteString(g.pool[g.rng.IntN(len(g.pool))])
		}
		b.WriteString([]string{"，", "。", "！"}[g.rng.IntN(3)])
	}
	return b.String()
}

func (g *generator) assets(elements int) []element.Asset {
	var out []element.Asset
	types := []element.Type{element.Hook, element.Conflict, element.Testimonial, element.Conversion, element.Story}
	lengths := []int{25, 50, 80, 60, 150}
	for elements > 0 {
		k := min(elements, 4+g.rng.IntN(2))
		g.count++
		a := element.Asset{ID: fmt.Sprintf("gen/%07d.txt", g.count), Title: g.pool[g.rng.IntN(len(g.pool))],
			Meta: map[string]any{"platform": "抖音"}}
		for i := 0; i < k; i++ {
			a.Elements = append(a.Elements, element.Element{Type: types[i], Text: g.text(lengths[i]/2 + g.rng.IntN(lengths[i]))})
		}
		a.Reoffset()
		out = append(out, a)
		elements -= k
	}
	return out
}

// countingSource counts the element fetches of a check: each is a block
// read and decode, the check's main cost at scale.
type countingSource struct {
	*index.Library
	fetches int
}

func (s *countingSource) Element(ref uint32) (*element.Stored, error) {
	s.fetches++
	return s.Library.Element(ref)
}

// measureMore imports c.n more generated elements into the existing
// library at c.dir as elib import does — a Batcher of c.batch elements
// whose hooks keep the stored outcomes (insight.BeforeImport before each
// batch, insight.AfterImport after it) — and reports the rate in wall and
// CPU time and the wall time of the hooks. The assets are new, ids and
// texts by -seed (ids from gen/<seed>000001 up, seed ≥ 1): a different
// seed per run imports other assets; the same seed replaces the previous
// run's.
func measureMore(c config) error {
	if c.dir == "" {
		return fmt.Errorf("-phase more needs -dir")
	}
	pool, engine, err := generatorTools(c.corpus)
	if err != nil {
		return err
	}
	t := time.Now()
	lib, err := index.Open(index.Options{Dir: c.dir, Engine: engine, NoFulltext: !c.fulltext})
	if err != nil {
		return err
	}
	defer lib.Close()
	n0, err := lib.AssetCount()
	if err != nil {
		return err
	}
	fmt.Printf("open: %d assets in %.1f s\n", n0, time.Since(t).Seconds())
	gen := &generator{rng: rand.New(rand.NewPCG(c.seed, 99)), pool: pool, count: int(c.seed) * 1_000_000}
	var batches [][]element.Asset
	for made := 0; made < c.n; {
		as := gen.assets(min(c.batch, c.n-made))
		for _, a := range as {
			made += len(a.Elements)
		}
		batches = append(batches, as)
	}
	if c.cpuProfile != "" {
		f, err := os.Create(c.cpuProfile)
		if err != nil {
			return err
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return err
		}
		defer pprof.StopCPUProfile()
	}
	ctx := context.Background()
	b := library.NewBatcher(lib, c.batch, nil)
	var before, after time.Duration // the hooks run one at a time
	if c.outcomes {
		b.BeforeStore = func(ctx context.Context, as []element.Asset) error {
			t := time.Now()
			defer func() { before += time.Since(t) }()
			_, err := insight.BeforeImport(ctx, engine, lib, as, insight.Options{})
			return err
		}
		b.AfterStore = func(ctx context.Context, batch []kit.Prepared) error {
			t := time.Now()
			defer func() { after += time.Since(t) }()
			return insight.AfterImportPrepared(ctx, engine, lib, batch, insight.Options{})
		}
	}
	start, cpu0 := time.Now(), cpuTime()
	for _, as := range batches {
		if err := b.Add(ctx, "batch", as); err != nil {
			return err
		}
	}
	if err := b.Flush(ctx); err != nil {
		return err
	}
	wall, cpu := time.Since(start).Seconds(), (cpuTime() - cpu0).Seconds()
	el := b.Result.Elements
	fmt.Printf("more: %d elements (%d assets) in %.1f s wall, %.1f CPU-s: %.0f el/s wall, %.0f el/CPU-s (outcomes %v, batches of %d); BeforeImport %.1f s wall, AfterImport %.1f s wall\n",
		el, b.Result.Assets, wall, cpu, float64(el)/wall, float64(el)/cpu, c.outcomes, c.batch, before.Seconds(), after.Seconds())
	return nil
}

// faults returns the process's minor and major page faults so far.
func faults() [2]int64 {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return [2]int64{}
	}
	return [2]int64{ru.Minflt, ru.Majflt}
}

// sysTime is the process's system CPU time so far.
func sysTime() time.Duration {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return time.Duration(ru.Stime.Nano())
}

// cpuTime is the process's user + system CPU time so far.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
