// Command load is the load test of `elib serve` (issue 6): it serves a
// library of 100k elements on loopback, runs 200 concurrent clients doing
// 10,000 POST /v1/check of a ~300-character script while an import runs
// through POST /v1/import, and reports errors, whether the import landed and
// p50/p99 latency.
//
// The check clients (-client raw, the default) each keep one connection and
// write prebuilt requests, so that the clients, which share the machine's
// cores with the server, cost it as little as possible; -client std uses
// net/http.Client. -think D turns them into writers who read each result
// before checking again. Results and commands: benchmarks/RESULTS.md, ## Serve.
//
// Data enters as a generated library (built once into -library and reused)
// and leaves as a report on stdout (text, or JSON with -json).
//
// -postgres (postgres.go) loads `elib serve` processes on a PostgreSQL
// library instead: two on one primary, one on a streaming replica.
//
//	go run ./benchmarks/load -library /tmp/elib-load-100k
//	go run ./benchmarks/load -postgres -keep /tmp/elib-pgload-100k
package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"math"
	"math/rand/v2"
	"net"
	"net/http"
	"net/url"
	"os"
	"runtime"
	"runtime/pprof"
	"runtime/trace"
	"sort"
	"strings"
	"sync"
	"time"
	"unicode"

	"elib/corpus"
	"elib/element"
	"elib/fingerprint"
	"elib/fingerprint/wordseg"
	"elib/fulltext"
	"elib/index"
	"elib/library"
	"elib/library/kit"
	"elib/server"
)

// options are the program's flags.
type options struct {
	library      string
	elements     int
	clients      int
	requests     int
	scriptChars  int
	importAssets int
	seed         uint64
	scripts      int
	jsonOut      bool
	buildOnly    bool
	mutexProfile string
	blockProfile string
	traceFile    string
	cpuProfile   string
	think        time.Duration
	slow         time.Duration
	client       string

	// The -postgres mode (postgres.go).
	postgres   bool
	url        string
	replicaURL string
	keep       string
	elibBin    string
	pgFast     bool
	// searchEvery makes every n-th request of the replica load a search.
	searchEvery int
}

func main() {
	var o options
	flag.StringVar(&o.library, "library", os.TempDir()+"/elib-load-100k", "library directory (built when missing, reused otherwise)")
	flag.IntVar(&o.elements, "elements", 100_000, "elements in a newly built library")
	flag.IntVar(&o.clients, "clients", 200, "concurrent clients")
	flag.IntVar(&o.requests, "requests", 10_000, "POST /v1/check requests in total")
	flag.IntVar(&o.scriptChars, "chars", 300, "characters per checked script")
	flag.IntVar(&o.importAssets, "import-assets", 200, "assets imported through the API during the load")
	flag.Uint64Var(&o.seed, "seed", 1, "generator seed")
	flag.IntVar(&o.scripts, "scripts", 32, "distinct scripts the clients send in turn (-scripts 10000 with -requests 10000: every check a new text, nothing of it cached)")
	flag.BoolVar(&o.jsonOut, "json", false, "print the report as JSON")
	flag.BoolVar(&o.buildOnly, "build-only", false, "build the library and exit")
	flag.StringVar(&o.mutexProfile, "mutexprofile", "", "write a mutex contention profile of the run to this file")
	flag.StringVar(&o.traceFile, "trace", "", "write an execution trace of the run to this file (go tool trace)")
	flag.StringVar(&o.blockProfile, "blockprofile", "", "write a profile of where goroutines waited (locks, channels) during the run to this file")
	flag.DurationVar(&o.think, "think", 0, "each client waits this long (±50 %, random) between its requests; 0 = saturate")
	flag.DurationVar(&o.slow, "slow", 0, "print when checks slower than this were sent (100 ms steps) and when the import ran")
	flag.StringVar(&o.cpuProfile, "cpuprofile", "", "write a CPU profile of the whole run to this file")
	flag.StringVar(&o.client, "client", "raw", "check clients: raw (one keep-alive connection each, prebuilt request bytes, std response parsing: little client CPU next to the server) or std (net/http.Client)")
	flag.BoolVar(&o.postgres, "postgres", false, "load three `elib serve` processes on PostgreSQL: two on one primary, one on a streaming replica (see postgres.go)")
	flag.StringVar(&o.url, "url", "", "with -postgres: the library's database (built when it holds fewer than -elements); default: a private primary")
	flag.StringVar(&o.replicaURL, "replica-url", "", "with -url: the same database on a streaming replica")
	flag.StringVar(&o.keep, "keep", "", "with -postgres: keep the private primary's data in this directory, to build the library once and reuse it")
	flag.StringVar(&o.elibBin, "elib", "", "with -postgres: the elib binary to serve with (default: go build elib/cmd/elib)")
	flag.BoolVar(&o.pgFast, "pg-test-settings", false, "with -postgres: start the private primary with the tests' settings (fsync off, small buffers) instead of durable benchmark settings")
	flag.IntVar(&o.searchEvery, "search-every", 4, "with -postgres: every n-th request of the replica load is a GET /v1/search (0: checks only)")
	flag.Parse()
	if o.postgres {
		// Sane for two cores that also run PostgreSQL and three servers.
		set := map[string]bool{}
		flag.Visit(func(f *flag.Flag) { set[f.Name] = true })
		if !set["clients"] {
			o.clients = 48
		}
		if !set["requests"] {
			o.requests = 4000
		}
		if _, err := runPostgres(context.Background(), o, os.Stdout); err != nil {
			fmt.Fprintf(os.Stderr, "load: %v\n", err)
			os.Exit(1)
		}
		return
	}
	if o.cpuProfile != "" {
		f, err := os.Create(o.cpuProfile)
		if err == nil && pprof.StartCPUProfile(f) == nil {
			defer pprof.StopCPUProfile()
		}
	}
	if err := run(context.Background(), o); err != nil {
		fmt.Fprintf(os.Stderr, "load: %v\n", err)
		os.Exit(1)
	}
}

// report is the outcome of one load run.
type report struct {
	Date          string  `json:"date"`
	Machine       string  `json:"machine"`
	LibraryAssets int     `json:"library_assets"`
	LibraryElems  int     `json:"library_elements"`
	Clients       int     `json:"clients"`
	ClientKind    string  `json:"client"`
	Requests      int     `json:"requests"`
	Errors        int64   `json:"errors"`
	Rejected      int64   `json:"rejected"`
	ScriptChars   int     `json:"script_chars"`
	Scripts       int     `json:"scripts"`
	WallSeconds   float64 `json:"wall_seconds"`
	Throughput    float64 `json:"requests_per_second"`
	P50Ms         float64 `json:"p50_ms"`
	P90Ms         float64 `json:"p90_ms"`
	P99Ms         float64 `json:"p99_ms"`
	// CPUPerCheckMs is the process's CPU time (server, clients, any
	// import) during the load over the checks made: less noisy than
	// throughput on a shared machine.
	CPUPerCheckMs  float64 `json:"cpu_per_check_ms"`
	MaxMs          float64 `json:"max_ms"`
	ImportAssets   int     `json:"import_assets"`
	ImportElements int     `json:"import_elements"`
	ImportMs       float64 `json:"import_ms"`
	ImportVisible  bool    `json:"import_visible"`
	ImportChecked  bool    `json:"import_found_by_check"`
	FirstError     string  `json:"first_error,omitempty"`
}

// tools returns the fingerprinting engine (the one tokenizer of the
// process) and the generator of library and load text.
func tools(seed uint64) (*fingerprint.Engine, *generator, error) {
	seg, err := wordseg.Default()
	if err != nil {
		return nil, nil, fmt.Errorf("tokenizer: %w", err)
	}
	engine, err := fingerprint.New(fingerprint.Options{}, seg)
	if err != nil {
		return nil, nil, fmt.Errorf("engine: %w", err)
	}
	gen, err := newGenerator(seed, seg)
	if err != nil {
		return nil, nil, err
	}
	return engine, gen, nil
}

func run(ctx context.Context, o options) error {
	engine, gen, err := tools(o.seed)
	if err != nil {
		return err
	}
	if !library.Exists(ctx, o.library) {
		if err := build(ctx, o, engine, gen); err != nil {
			return err
		}
	}
	if o.buildOnly {
		return nil
	}

	const token = "load-test-token"
	fulltext.SetAnalysisWorkers(1) // as elib serve does
	// As elib serve opens it.
	lib, err := library.Open(ctx, o.library, library.Options{Engine: engine, Workers: 1,
		File: index.Options{MergeAfterWrites: true, WarmSegments: true}})
	if err != nil {
		return fmt.Errorf("open %s: %w", o.library, err)
	}
	defer lib.Close()
	srv, err := server.New(server.Options{Library: lib, Engine: engine, Token: token,
		LibraryDesc: o.library, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return fmt.Errorf("listen: %w", err)
	}
	sctx, stop := context.WithCancel(ctx)
	defer stop()
	served := make(chan error, 1)
	go func() { served <- server.Run(sctx, srv, server.RunOptions{Listener: ln}) }()
	base := "http://" + ln.Addr().String()

	client := &http.Client{Timeout: 60 * time.Second, Transport: &http.Transport{
		MaxIdleConns: o.clients * 2, MaxIdleConnsPerHost: o.clients * 2, IdleConnTimeout: time.Minute}}

	// Scripts: half copy most of a library asset (rejected), half original.
	if o.scripts < 1 {
		return fmt.Errorf("-scripts %d: want at least 1", o.scripts)
	}
	scripts := make([][]byte, o.scripts)
	for i := range scripts {
		text := gen.script(o.scriptChars, i%2 == 0, o.elements)
		b, _ := json.Marshal(map[string]any{"text": text, "format": "txt", "id": fmt.Sprintf("load/%d.txt", i)})
		scripts[i] = b
	}
	if o.client != "raw" && o.client != "std" {
		return fmt.Errorf("-client %q: want raw or std", o.client)
	}
	rawScripts := make([][]byte, len(scripts))
	for i, b := range scripts {
		rawScripts[i] = rawRequest("POST", "/v1/check", ln.Addr().String(), b)
	}
	// Warm up connections and caches.
	for i := 0; i < 20; i++ {
		if _, _, err := post(client, base+"/v1/check", scripts[i%len(scripts)], ""); err != nil {
			return fmt.Errorf("warm-up: %w", err)
		}
	}

	st, err := lib.Stats()
	if err != nil {
		return err
	}
	rep := report{Date: time.Now().UTC().Format(time.RFC3339), Machine: machine(), LibraryAssets: st.Assets,
		LibraryElems: st.Elements, Clients: o.clients, ClientKind: o.client, Requests: o.requests, ScriptChars: o.scriptChars, Scripts: len(scripts),
		ImportAssets: o.importAssets}

	// The import, started once the load is running.
	importBody, importID, importText := gen.importBatch(max(1, o.importAssets), 10_000_000, "api/")
	var importWG sync.WaitGroup
	importWG.Add(1)
	var importErr error
	var importStart time.Time
	go func() {
		defer importWG.Done()
		if o.importAssets == 0 {
			return
		}
		time.Sleep(200 * time.Millisecond)
		t0 := time.Now()
		importStart = t0
		status, body, err := post(client, base+"/v1/import", importBody, token)
		rep.ImportMs = ms(time.Since(t0))
		if err == nil && status != http.StatusOK {
			err = fmt.Errorf("import: HTTP %d: %s", status, body)
		}
		if err != nil {
			importErr = err
			return
		}
		var ir struct{ Imported, Elements int }
		if err := json.Unmarshal(body, &ir); err != nil {
			importErr = fmt.Errorf("import response: %w", err)
			return
		}
		rep.ImportElements = ir.Elements
	}()

	if o.traceFile != "" {
		f, err := os.Create(o.traceFile)
		if err != nil {
			return err
		}
		if err := trace.Start(f); err != nil {
			return err
		}
		defer func() {
			trace.Stop()
			f.Close()
		}()
	}
	if o.blockProfile != "" {
		runtime.SetBlockProfileRate(int(time.Microsecond))
		defer func() {
			if f, err := os.Create(o.blockProfile); err == nil {
				_ = pprof.Lookup("block").WriteTo(f, 0)
				f.Close()
			}
		}()
	}
	if o.mutexProfile != "" {
		runtime.SetMutexProfileFraction(5)
		defer func() {
			if f, err := os.Create(o.mutexProfile); err == nil {
				_ = pprof.Lookup("mutex").WriteTo(f, 0)
				f.Close()
			}
		}()
	}
	l := load{clients: o.clients, requests: o.requests, think: o.think, seed: o.seed,
		dial: func() (func(i int) (int, []byte, error), func()) {
			if o.client == "raw" {
				rc := &rawClient{addr: ln.Addr().String()}
				return func(i int) (int, []byte, error) { return rc.do(rawScripts[i%len(rawScripts)]) }, rc.close
			}
			return func(i int) (int, []byte, error) { return post(client, base+"/v1/check", scripts[i%len(scripts)], "") }, func() {}
		}}
	cpu0 := procCPU(os.Getpid())
	loadStart := time.Now()
	out := l.run()
	cpu := procCPU(os.Getpid()) - cpu0
	importWG.Wait()
	if importErr != nil {
		out.errors++
		if out.firstErr == "" {
			out.firstErr = importErr.Error()
		}
	}

	// Did the import land? The element is visible and a check finds it.
	status, _, err := get(client, base+"/v1/elements/"+url.PathEscape(importID+"#1"))
	rep.ImportVisible = err == nil && status == http.StatusOK
	b, _ := json.Marshal(map[string]any{"text": importText, "format": "txt", "id": "load/probe.txt"})
	if status, body, err := post(client, base+"/v1/check", b, ""); err == nil && status == http.StatusOK {
		rep.ImportChecked = bytes.Contains(body, []byte(`"asset_id": "`+importID+`"`))
	}

	stop()
	if err := <-served; err != nil {
		return err
	}

	sum := summarize(out.lat, out.wall)
	rep.Errors, rep.Rejected, rep.FirstError = out.errors, out.rejected, out.firstErr
	rep.WallSeconds = round(out.wall.Seconds(), 2)
	rep.Throughput = sum.Throughput
	rep.P50Ms, rep.P90Ms, rep.P99Ms, rep.MaxMs = sum.P50Ms, sum.P90Ms, sum.P99Ms, sum.MaxMs
	if rep.Requests > 0 {
		rep.CPUPerCheckMs = round(1000*cpu/float64(rep.Requests), 3)
	}
	if o.jsonOut {
		enc := json.NewEncoder(os.Stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(rep)
	}
	fmt.Printf("machine:   %s\ndate:      %s\nlibrary:   %d assets, %d elements (%s)\n", rep.Machine, rep.Date, rep.LibraryAssets, rep.LibraryElems, o.library)
	fmt.Printf("load:      %d %s clients (think %v), %d POST /v1/check of %d %d-char scripts in %.2f s (%.1f req/s), %d rejected\n",
		rep.Clients, rep.ClientKind, o.think, rep.Requests, rep.Scripts, rep.ScriptChars, rep.WallSeconds, rep.Throughput, rep.Rejected)
	fmt.Printf("latency:   p50 %.1f ms, p90 %.1f ms, p99 %.1f ms, max %.1f ms\n", rep.P50Ms, rep.P90Ms, rep.P99Ms, rep.MaxMs)
	fmt.Printf("cpu:       %.3f ms of process CPU per check\n", rep.CPUPerCheckMs)
	if o.slow > 0 {
		if !importStart.IsZero() {
			at := importStart.Sub(loadStart)
			fmt.Printf("import:    sent at %.0f ms, answered at %.0f ms\n", ms(at), ms(at)+rep.ImportMs)
		}
		for _, s := range out.slowTimeline(o.slow, 100*time.Millisecond) {
			fmt.Printf("slow:      %5.0f ms: %d of %d checks sent took over %v\n", ms(s.At), s.Slow, s.Sent, o.slow)
		}
	}
	fmt.Printf("import:    %d assets / %d elements in %.0f ms during the load; visible afterwards: %v; found by check: %v\n",
		rep.ImportAssets, rep.ImportElements, rep.ImportMs, rep.ImportVisible, rep.ImportChecked)
	fmt.Printf("errors:    %d\n", rep.Errors)
	if rep.FirstError != "" {
		fmt.Printf("first error: %s\n", rep.FirstError)
	}
	if rep.Errors > 0 || (o.importAssets > 0 && !rep.ImportVisible) {
		return errors.New("load test failed: errors or the import did not land")
	}
	return nil
}

func ms(d time.Duration) float64 { return round(float64(d.Microseconds())/1000, 2) }

func round(x float64, digits int) float64 {
	p := math.Pow(10, float64(digits))
	return math.Round(x*p) / p
}

func post(c *http.Client, u string, body []byte, token string) (int, []byte, error) {
	req, err := http.NewRequest("POST", u, bytes.NewReader(body))
	if err != nil {
		return 0, nil, err
	}
	req.Header.Set("Content-Type", "application/json")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	return send(c, req)
}

func get(c *http.Client, u string) (int, []byte, error) {
	req, err := http.NewRequest("GET", u, nil)
	if err != nil {
		return 0, nil, err
	}
	return send(c, req)
}

func send(c *http.Client, req *http.Request) (int, []byte, error) {
	resp, err := c.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return resp.StatusCode, b, err
}

// rawClient is one keep-alive HTTP/1.1 connection that writes prebuilt
// requests and parses responses with net/http: the load's clients share
// the server's two cores, so they should cost as little as possible.
type rawClient struct {
	addr string
	conn net.Conn
	r    *bufio.Reader
}

// do sends one prebuilt request, reconnecting once if the kept-alive
// connection was closed, and returns the status and body.
func (c *rawClient) do(req []byte) (int, []byte, error) {
	for attempt := 0; ; attempt++ {
		status, body, err := c.try(req)
		if err == nil || attempt > 0 {
			return status, body, err
		}
		c.close() // a stale connection: dial again once
	}
}

func (c *rawClient) try(req []byte) (int, []byte, error) {
	if c.conn == nil {
		conn, err := net.Dial("tcp", c.addr)
		if err != nil {
			return 0, nil, err
		}
		c.conn, c.r = conn, bufio.NewReaderSize(conn, 16<<10)
	}
	if _, err := c.conn.Write(req); err != nil {
		return 0, nil, err
	}
	resp, err := http.ReadResponse(c.r, nil)
	if err != nil {
		return 0, nil, err
	}
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.Close {
		c.close()
	}
	return resp.StatusCode, body, err
}

func (c *rawClient) close() {
	if c.conn != nil {
		c.conn.Close()
		c.conn, c.r = nil, nil
	}
}

func machine() string {
	host, _ := os.Hostname()
	cpu := ""
	if b, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		for _, line := range strings.Split(string(b), "\n") {
			if strings.HasPrefix(line, "model name") {
				cpu = strings.TrimSpace(line[strings.Index(line, ":")+1:])
				break
			}
		}
	}
	return fmt.Sprintf("%s, %s/%s, %d CPUs (%s), %s", host, runtime.GOOS, runtime.GOARCH, runtime.NumCPU(), cpu, runtime.Version())
}

// build creates the library with n generated elements, importing them in
// batches through the library's Import.
func build(ctx context.Context, o options, engine *fingerprint.Engine, gen *generator) error {
	if err := library.Init(ctx, o.library); err != nil {
		return fmt.Errorf("init %s: %w", o.library, err)
	}
	lib, err := library.Open(ctx, o.library, library.Options{Engine: engine})
	if err != nil {
		return fmt.Errorf("open %s: %w", o.library, err)
	}
	if err := importGenerated(ctx, lib, gen, 0, 0, o.elements); err != nil {
		lib.Close()
		return err
	}
	return lib.Close()
}

// importer is the write side of a library (file or PostgreSQL).
type importer interface {
	Import(ctx context.Context, assets []element.Asset) (kit.ImportResult, error)
}

// importGenerated imports generated assets next, next+1, … into lib, in
// transactions of about 5,000 elements, until it holds n elements (have
// now); the assets are a pure function of their number, so an interrupted
// build resumes where it stopped.
func importGenerated(ctx context.Context, lib importer, gen *generator, next, have, n int) error {
	start, done := time.Now(), 0
	for have+done < n {
		var batch []element.Asset
		k := 0
		for k < 5000 && have+done+k < n {
			a := gen.asset(next, n)
			next++
			k += len(a.Elements)
			batch = append(batch, a)
		}
		if _, err := lib.Import(ctx, batch); err != nil {
			return fmt.Errorf("import: %w", err)
		}
		done += k
		fmt.Fprintf(os.Stderr, "load: built %d/%d elements (%.0f elements/s)\n", have+done, n, float64(done)/time.Since(start).Seconds())
	}
	return nil
}

// generator makes deterministic synthetic Chinese marketing copy: the real
// words of the embedded sample library (gojieba's cut), drawn with
// Zipf-distributed frequencies in order of how often the sample uses them,
// so common words and shingles recur across the library as they do in real
// copy, and the text segments like real copy (known words, not runs of
// random characters that send gojieba's HMM through every character).
type generator struct {
	mu    sync.Mutex
	rng   *rand.Rand
	words []string
	zipf  *rand.Zipf
	seed  uint64
}

var punct = []string{"，", "，", "，", "。", "！", "？"}

func newGenerator(seed uint64, seg *wordseg.Segmenter) (*generator, error) {
	assets, err := corpus.SampleAssets()
	if err != nil {
		return nil, fmt.Errorf("sample corpus: %w", err)
	}
	counts := map[string]int{}
	for _, a := range assets {
		for _, w := range seg.Cut(a.CopyText()) {
			for _, r := range w {
				if unicode.Is(unicode.Han, r) {
					counts[w]++
					break
				}
			}
		}
	}
	if len(counts) < 100 {
		return nil, fmt.Errorf("sample corpus has only %d distinct words", len(counts))
	}
	g := &generator{rng: rand.New(rand.NewPCG(seed, 0x5eed)), seed: seed}
	for w := range counts {
		g.words = append(g.words, w)
	}
	sort.Slice(g.words, func(i, j int) bool {
		if counts[g.words[i]] != counts[g.words[j]] {
			return counts[g.words[i]] > counts[g.words[j]]
		}
		return g.words[i] < g.words[j]
	})
	g.zipf = rand.NewZipf(g.rng, 1.1, 2, uint64(len(g.words)-1))
	return g, nil
}

// sentence returns about n characters of copy.
func (g *generator) sentence(rng *rand.Rand, zipf *rand.Zipf, n int) string {
	var b strings.Builder
	count, clause := 0, 0
	for count < n {
		w := g.words[zipf.Uint64()]
		b.WriteString(w)
		count += len([]rune(w))
		clause++
		if clause >= 4+rng.IntN(6) && count < n {
			b.WriteString(punct[rng.IntN(len(punct))])
			clause = 0
		}
	}
	b.WriteString("。")
	return b.String()
}

// elementLens are typical element lengths in characters per type.
var elementLens = map[element.Type]int{element.Hook: 15, element.Conflict: 30, element.Testimonial: 50, element.Conversion: 40, element.Story: 120}

// asset returns library asset i of a library of total elements. It is a
// pure function of (seed, i), so the load can later copy from asset i.
func (g *generator) asset(i, total int) element.Asset {
	rng := rand.New(rand.NewPCG(g.seed, uint64(i)+1))
	zipf := rand.NewZipf(rng, 1.1, 2, uint64(len(g.words)-1))
	a := element.Asset{ID: fmt.Sprintf("gen/%06d.txt", i), Title: fmt.Sprintf("生成素材 %d", i),
		Meta: map[string]any{"campaign": fmt.Sprintf("c%02d", i%40), "platform": []string{"douyin", "kuaishou", "xhs"}[i%3]}}
	types := []element.Type{element.Hook, element.Conflict, element.Testimonial, element.Conversion}
	if i%7 == 0 {
		types = append(types, element.Story)
	}
	for _, t := range types {
		n := elementLens[t]
		a.Elements = append(a.Elements, element.Element{Type: t, Text: g.sentence(rng, zipf, n/2+rng.IntN(n))})
	}
	a.Reoffset()
	return a
}

// assetsIn estimates how many generated assets a library of total elements
// holds (about 4.14 elements per asset).
func assetsIn(total int) int { return max(1, total*100/414) }

// script returns a labelled script of about n characters: with copy, its
// first half is copied from a library asset, the rest is original.
func (g *generator) script(n int, copied bool, total int) string {
	g.mu.Lock()
	defer g.mu.Unlock()
	var b strings.Builder
	labels := []string{"钩子", "冲突", "证言", "转化"}
	size := 0
	k := 0
	if copied {
		src := g.asset(g.rng.IntN(assetsIn(total)*9/10), total)
		for _, e := range src.Elements {
			if size > n/2 {
				break
			}
			fmt.Fprintf(&b, "【%s】%s\n", e.Type.Chinese(), e.Text)
			size += len([]rune(e.Text))
			k++
		}
	}
	zipf := rand.NewZipf(g.rng, 1.1, 2, uint64(len(g.words)-1))
	for size < n {
		s := g.sentence(g.rng, zipf, min(80, n-size))
		fmt.Fprintf(&b, "【%s】%s\n", labels[min(k, 3)], s)
		size += len([]rune(s))
		k++
	}
	return b.String()
}

// importBatch returns a JSON array of m new assets (generated assets
// first, first+1, … with ids prefix000000.txt, prefix000001.txt, …), the id
// of the first and that asset's first two element texts as a script.
func (g *generator) importBatch(m, first int, prefix string) ([]byte, string, string) {
	var assets []element.Asset
	for i := 0; i < m; i++ {
		a := g.asset(first+i, 0)
		a.ID = fmt.Sprintf("%s%06d.txt", prefix, i)
		assets = append(assets, a)
	}
	body, _ := json.Marshal(assets)
	return body, assets[0].ID, "【钩子】" + assets[0].Elements[0].Text + "\n【冲突】" + assets[0].Elements[1].Text
}
