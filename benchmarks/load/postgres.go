package main

// The -postgres mode (issue 14): the load against `elib serve` processes
// sharing one PostgreSQL library and a streaming replica of it.
//
// It starts a private primary (pgtest, durable, benchmark memory settings)
// or uses -url, builds a generated library of -elements in it once (a
// database that already holds them is reused), starts a streaming replica,
// builds the elib binary and starts three `elib serve` processes: two on the
// primary (server 1 takes imports, ELIB_TOKEN set; server 2 is a check-only
// server, no token) and one on the replica (ELIB_TOKEN set, so a write
// reaches the database and is refused there). Then it measures:
//
//	(a) the check load against server 1 alone;
//	(b) the same load round-robin over servers 1 and 2, with an import of
//	    new assets through POST /v1/import on server 1 during it, and the
//	    time until a check of the new text on server 2 and on the replica
//	    server names the new asset;
//	(c) checks and searches (3:1, -search-every) against the replica server;
//
// and the answer of the replica server to POST /v1/import. The assets the
// run imported are removed afterwards, so the library stays at -elements.

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/jackc/pgx/v5"

	"elib/fingerprint"
	"elib/library/kit"
	"elib/library/postgres"
	"elib/library/postgres/pgtest"
)

// pgDatabase is the name of the library's database on a kept (-keep)
// server.
const pgDatabase = "elib_load"

// pgToken is the ELIB_TOKEN of the servers that take writes.
const pgToken = "load-test-token-postgres"

// pgReport is the outcome of the -postgres mode.
type pgReport struct {
	Date          string `json:"date"`
	Machine       string `json:"machine"`
	LoadAvgBefore string `json:"load_average_before"`
	LoadAvgAfter  string `json:"load_average_after"`
	Database      string `json:"database"`
	Assets        int    `json:"library_assets"`
	Elements      int    `json:"library_elements"`
	// BuiltElements were imported by this run (0: the library was reused).
	BuiltElements int     `json:"built_elements"`
	BuildSeconds  float64 `json:"build_seconds,omitempty"`
	Clients       int     `json:"clients"`
	ScriptChars   int     `json:"script_chars"`

	OnePrimary   loadFigures `json:"one_primary"`
	TwoPrimaries loadFigures `json:"two_primaries"`
	Replica      loadFigures `json:"replica"`
	Import       pgImport    `json:"import"`
	ReplicaWrite refusal     `json:"replica_write"`
	// Servers are the warnings and errors the servers logged.
	Servers []serverLog `json:"servers"`
}

// serverLog counts what one server logged at WARN and ERROR.
type serverLog struct {
	Name     string `json:"name"`
	Warnings int    `json:"warnings"`
	Errors   int    `json:"errors"`
	First    string `json:"first,omitempty"`
}

// loadFigures are one load run's figures.
type loadFigures struct {
	Servers     []string `json:"servers"`
	Requests    int      `json:"requests"`
	Errors      int64    `json:"errors"`
	Rejected    int64    `json:"rejected"`
	WallSeconds float64  `json:"wall_seconds"`
	// Throughput counts every request (checks and searches).
	Throughput float64  `json:"requests_per_second"`
	Check      summary  `json:"check"`
	Search     *summary `json:"search,omitempty"`
	FirstError string   `json:"first_error,omitempty"`
	// CPU is where the machine's CPU time went during the run.
	CPU cpuShare `json:"cpu_ms_per_request"`
	// Statements is about how many statements (transactions, by
	// pg_stat_database: each of the library's reads is one) the two
	// PostgreSQL servers ran per request; their statistics lag by up to a
	// second or so.
	Statements float64 `json:"statements_per_request"`
}

// cpuShare is CPU milliseconds per request: all three servers, both
// PostgreSQL servers (with -url: not measured, 0), the load's clients.
type cpuShare struct {
	Servers    float64 `json:"servers"`
	PostgreSQL float64 `json:"postgresql"`
	Clients    float64 `json:"clients"`
}

// pgImport is the import during load (b) and where it became visible.
type pgImport struct {
	Assets     int    `json:"assets"`
	Elements   int    `json:"elements"`
	ProbeAsset string `json:"probe_asset"`
	// Ms is the POST /v1/import on server 1, request to answer.
	Ms float64 `json:"ms"`
	// DuringLoad: the import answered before load (b) ended.
	DuringLoad bool   `json:"during_load"`
	Error      string `json:"error,omitempty"`
	// Server2 and Replica: from the import's answer to the first check
	// there that names the probe asset.
	Server2 visibility `json:"server2"`
	Replica visibility `json:"replica"`
	// ReplayMs: from the import's answer until the replica had replayed
	// the primary's WAL up to where it stood then (the database's own lag,
	// without the servers).
	ReplayMs float64 `json:"replica_replay_ms"`
	// WALBytes the primary wrote from the import's start to its answer
	// (the servers' reads write none): what the replica receives and
	// replays.
	WALBytes int64 `json:"wal_bytes"`
	// WALFrom and WALTo are the primary's WAL insert positions at the
	// import's start and answer.
	WALFrom string `json:"wal_from"`
	WALTo   string `json:"wal_to"`
	// FPIBytes of WALBytes are full-page images, by pg_waldump --stats
	// (private primary only; -1: not known).
	FPIBytes int64 `json:"wal_fpi_bytes"`
	// Removed assets after the run (the library stays at -elements).
	Removed int `json:"removed"`
}

// visibility is how long until a check on one server found the import.
type visibility struct {
	// Before: a check before the import did not name the probe asset.
	Before bool `json:"absent_before"`
	Found  bool `json:"found"`
	// DelayMs runs from the import's answer to the answer of the first
	// check naming the probe asset (an upper bound: it includes that
	// check's own latency under the load).
	DelayMs float64 `json:"delay_ms"`
	// SentMs is when that check was sent (the check before it, sent
	// earlier, did not find the asset): with Checks = 1, the first check
	// sent after the import's answer found it.
	SentMs float64 `json:"sent_ms"`
	Checks int     `json:"checks"`
	Last   string  `json:"last_answer,omitempty"`
}

// refusal is the replica server's answer to a write.
type refusal struct {
	Status  int    `json:"status"`
	Message string `json:"message"`
	// Refused: not 200, and the asset is on neither server afterwards.
	Refused bool `json:"refused"`
}

func runPostgres(ctx context.Context, o options, stdout io.Writer) (*pgReport, error) {
	rep := &pgReport{Date: time.Now().UTC().Format(time.RFC3339), Machine: machine(), LoadAvgBefore: loadAvg(),
		Clients: o.clients, ScriptChars: o.scriptChars}
	engine, gen, err := tools(o.seed)
	if err != nil {
		return nil, err
	}
	db, err := startPrimary(ctx, o)
	if err != nil {
		return nil, err
	}
	defer db.close()
	rep.Database = db.desc

	lib, err := openLibrary(ctx, o, db.primary, engine, gen, rep)
	if err != nil {
		return nil, err
	}
	defer lib.Close()
	if o.buildOnly {
		return rep, nil
	}
	if err := db.startReplica(); err != nil {
		return nil, err
	}

	servers, err := startServers(ctx, o, db)
	var stopped bool
	stopAll := func() {
		if !stopped {
			for _, s := range servers {
				s.stop()
			}
		}
		stopped = true
	}
	defer stopAll()
	if err != nil {
		return nil, err
	}
	s1, s2, sr := servers[0], servers[1], servers[2]

	w := newPgWorkload(o, gen)
	client := &http.Client{Timeout: 60 * time.Second}
	for _, s := range servers { // warm up connections, caches and the tokenizer
		for i := 0; i < 20; i++ {
			if status, body, err := post(client, s.base()+"/v1/check", w.checks[i%len(w.checks)], ""); err != nil || status != http.StatusOK {
				return nil, fmt.Errorf("warm-up check on %s: HTTP %d %.200s %v\n%s", s.name, status, body, err, s.logTail())
			}
		}
	}

	m, err := newMeter(ctx, db, servers)
	if err != nil {
		return nil, err
	}
	defer m.close()
	measure := func(l load, targets []*serveProc) (loadFigures, time.Time) {
		before := m.sample(ctx)
		out := l.run()
		end := time.Now()
		after := m.sample(ctx)
		f := w.figures(out, targets)
		per := func(i int) float64 { return round((after[i]-before[i])*1000/float64(max(1, len(out.lat))), 2) }
		f.CPU = cpuShare{Servers: per(0), PostgreSQL: per(1), Clients: per(2)}
		f.Statements = round((after[3]-before[3])/float64(max(1, len(out.lat))), 1)
		return f, end
	}

	// (a) one server.
	rep.OnePrimary, _ = measure(w.on([]*serveProc{s1}, false), []*serveProc{s1})

	// (b) two servers, an import on server 1 during the load.
	stamp := time.Now().UnixMicro()
	body, probeID, probeText := gen.importBatch(max(1, o.importAssets), 1_000_000_000_000+int(stamp%1_000_000_000_000), fmt.Sprintf("pgload/%d/", stamp))
	probe, _ := json.Marshal(map[string]any{"text": probeText, "format": "txt", "id": "load/probe.txt"})
	rep.Import.ProbeAsset = probeID
	rep.Import.Server2.Before = !names(client, s2, probe, probeID)
	rep.Import.Replica.Before = !names(client, sr, probe, probeID)
	var importWG sync.WaitGroup
	var importDone time.Time
	importWG.Add(1)
	go func() {
		defer importWG.Done()
		importDone = importAndWatch(ctx, db, client, s1, s2, sr, body, probe, probeID, &rep.Import)
	}()
	both := []*serveProc{s1, s2}
	two, loadEnd := measure(w.on(both, false), both)
	importWG.Wait()
	rep.Import.FPIBytes = -1
	if db.pg != nil && rep.Import.WALFrom != "" {
		rep.Import.FPIBytes = walFPIBytes(filepath.Join(db.pg.Dir, "data", "pg_wal"), rep.Import.WALFrom, rep.Import.WALTo)
	}
	rep.TwoPrimaries = two
	rep.Import.DuringLoad = rep.Import.Error == "" && importDone.Before(loadEnd)

	// (c) the replica: checks and searches.
	rep.Replica, _ = measure(w.on([]*serveProc{sr}, true), []*serveProc{sr})

	// A write to the replica server is refused.
	rb, rid, _ := gen.importBatch(1, 2_000_000_000_000+int(stamp%1_000_000_000_000), fmt.Sprintf("pgload/%d/replica-", stamp))
	rep.ReplicaWrite = refuse(client, sr, s1, rb, rid)

	// Leave the library as it was.
	ids, err := importedIDs(lib, fmt.Sprintf("pgload/%d/", stamp))
	if err != nil {
		return rep, fmt.Errorf("the assets the run imported: %w", err)
	}
	if len(ids) > 0 {
		n, err := lib.Remove(ctx, ids...)
		if err != nil {
			return rep, fmt.Errorf("remove the assets the run imported: %w", err)
		}
		rep.Import.Removed = n
	}
	rep.LoadAvgAfter = loadAvg()
	stopAll()
	for _, s := range servers {
		s.mu.Lock()
		rep.Servers = append(rep.Servers, s.log)
		s.mu.Unlock()
	}

	if o.jsonOut {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(rep); err != nil {
			return rep, err
		}
	} else {
		rep.print(stdout, o)
	}
	return rep, rep.failure()
}

// meter samples where the machine's time goes: the CPU seconds of the
// servers, of the PostgreSQL servers (not with -url) and of the clients,
// and the transactions the databases counted.
type meter struct {
	servers []*serveProc
	dirs    []string // PostgreSQL data directories
	conns   []*pgx.Conn
}

func newMeter(ctx context.Context, db *pgDatabases, servers []*serveProc) (*meter, error) {
	m := &meter{servers: servers}
	for _, pg := range []*pgtest.Server{db.pg, db.rep} {
		if pg != nil {
			m.dirs = append(m.dirs, filepath.Join(pg.Dir, "data"))
		}
	}
	for _, u := range []string{db.primary, db.replica} {
		c, err := pgx.Connect(ctx, u)
		if err != nil {
			m.close()
			return nil, err
		}
		m.conns = append(m.conns, c)
	}
	return m, nil
}

// sample returns the CPU seconds so far of the servers, PostgreSQL and
// the clients, and the databases' transactions.
func (m *meter) sample(ctx context.Context) [4]float64 {
	var c [4]float64
	for _, s := range m.servers {
		c[0] += procCPU(s.cmd.Process.Pid)
	}
	for _, dir := range m.dirs {
		c[1] += treeCPU(postmasterPID(dir))
	}
	c[2] = selfCPU()
	for _, conn := range m.conns {
		var n float64
		if conn.QueryRow(ctx, `SELECT sum(xact_commit + xact_rollback)::float8 FROM pg_stat_database`).Scan(&n) == nil {
			c[3] += n
		}
	}
	return c
}

func (m *meter) close() {
	for _, c := range m.conns {
		c.Close(context.Background())
	}
}

// openLibrary opens the library at url, creating or migrating its schema,
// and imports generated assets until it holds o.elements (none when it
// already does: the library is built once and reused).
func openLibrary(ctx context.Context, o options, url string, engine *fingerprint.Engine, gen *generator, rep *pgReport) (*postgres.Library, error) {
	if err := postgres.Init(ctx, url); err != nil && !errors.Is(err, kit.ErrExists) {
		return nil, err
	}
	lib, err := postgres.Open(ctx, postgres.Options{URL: url, Engine: engine, Workers: 2})
	if err != nil {
		return nil, err
	}
	have, err := lib.ElementCount()
	if err != nil {
		lib.Close()
		return nil, err
	}
	if have < o.elements {
		ids, err := importedIDs(lib, "gen/")
		if err != nil {
			lib.Close()
			return nil, err
		}
		next := len(ids) // generated assets are numbered from 0
		t0 := time.Now()
		if err := importGenerated(ctx, lib, gen, next, have, o.elements); err != nil {
			lib.Close()
			return nil, err
		}
		rep.BuildSeconds = round(time.Since(t0).Seconds(), 1)
	}
	if rep.Assets, err = lib.AssetCount(); err == nil {
		rep.Elements, err = lib.ElementCount()
	}
	if err != nil {
		lib.Close()
		return nil, err
	}
	rep.BuiltElements = max(0, rep.Elements-have)
	return lib, nil
}

// importedIDs returns the ids of lib's assets that start with prefix.
func importedIDs(lib *postgres.Library, prefix string) ([]string, error) {
	all, err := lib.AssetIDs()
	if err != nil {
		return nil, err
	}
	var ids []string
	for _, id := range all {
		if strings.HasPrefix(id, prefix) {
			ids = append(ids, id)
		}
	}
	return ids, nil
}

// startServers builds the elib binary (unless -elib names one) and starts
// server 1 and 2 on the primary and one on the replica; the caller stops
// those returned, also on error.
func startServers(ctx context.Context, o options, db *pgDatabases) ([]*serveProc, error) {
	bin := o.elibBin
	if bin == "" {
		dir, err := os.MkdirTemp("", "elib-pgload-")
		if err != nil {
			return nil, err
		}
		defer os.RemoveAll(dir) // the running servers keep their open binary
		if bin, err = buildElib(ctx, dir); err != nil {
			return nil, err
		}
	}
	var servers []*serveProc
	for _, s := range []struct{ name, url, token string }{
		{"server 1 (primary, takes imports)", db.primary, pgToken},
		{"server 2 (primary, checks only)", db.primary, ""},
		{"replica server", db.replica, pgToken},
	} {
		p, err := startServe(ctx, bin, s.name, s.url, s.token)
		if err != nil {
			return servers, err
		}
		servers = append(servers, p)
	}
	return servers, nil
}

// importAndWatch imports body through server 1 (300 ms into the load),
// then checks probe on server 2 and on the replica server until each
// names asset probeID, and measures the replica's replay; it fills im and
// returns when the import answered.
func importAndWatch(ctx context.Context, db *pgDatabases, client *http.Client, s1, s2, sr *serveProc, body, probe []byte, probeID string, im *pgImport) (importDone time.Time) {
	wal, err := pgx.Connect(ctx, db.primary) // its own: a pgx.Conn is not shared
	if err != nil {
		im.Error = err.Error()
		return importDone
	}
	defer wal.Close(context.Background())
	time.Sleep(300 * time.Millisecond)
	lsn0 := walLSN(ctx, wal)
	t0 := time.Now()
	status, answer, err := post(client, s1.base()+"/v1/import", body, pgToken)
	importDone = time.Now()
	im.Ms = ms(importDone.Sub(t0))
	if err == nil && status != http.StatusOK {
		err = fmt.Errorf("HTTP %d: %.300s", status, answer)
	}
	var ir struct{ Imported, Elements int }
	if err == nil {
		err = json.Unmarshal(answer, &ir)
	}
	if err != nil {
		im.Error = err.Error()
		return importDone
	}
	im.Assets, im.Elements = ir.Imported, ir.Elements
	im.WALBytes = walSince(ctx, wal, lsn0)
	im.WALFrom, im.WALTo = lsn0, walLSN(ctx, wal)
	var vis sync.WaitGroup
	vis.Add(1)
	go func() {
		defer vis.Done()
		im.ReplayMs = replayDelay(ctx, db, importDone)
	}()
	for _, v := range []struct {
		s   *serveProc
		out *visibility
	}{{s2, &im.Server2}, {sr, &im.Replica}} {
		vis.Add(1)
		go func() {
			defer vis.Done()
			waitVisible(v.out, v.s, probe, probeID, importDone)
		}()
	}
	vis.Wait()
	return importDone
}

// failure is the error of a run that failed the brief: errors in a check
// load, an import that failed or stayed invisible, or a replica that took a
// write.
func (r *pgReport) failure() error {
	var bad []string
	for _, f := range []struct {
		name string
		l    loadFigures
	}{{"one server", r.OnePrimary}, {"two servers", r.TwoPrimaries}, {"replica", r.Replica}} {
		if f.l.Errors > 0 {
			bad = append(bad, fmt.Sprintf("%d errors under load (%s): %s", f.l.Errors, f.name, f.l.FirstError))
		}
	}
	if r.Import.Error != "" {
		bad = append(bad, "import on server 1: "+r.Import.Error)
	}
	if !r.Import.Server2.Found || !r.Import.Replica.Found {
		bad = append(bad, fmt.Sprintf("import not found by checks: server 2 %v, replica %v", r.Import.Server2.Found, r.Import.Replica.Found))
	}
	if !r.ReplicaWrite.Refused {
		bad = append(bad, fmt.Sprintf("the replica server did not refuse a write: HTTP %d %s", r.ReplicaWrite.Status, r.ReplicaWrite.Message))
	}
	if len(bad) > 0 {
		return errors.New("load test failed: " + strings.Join(bad, "; "))
	}
	return nil
}

func (r *pgReport) print(w io.Writer, o options) {
	fmt.Fprintf(w, "machine:   %s\ndate:      %s\nload avg:  %s before, %s after\ndatabase:  %s\n", r.Machine, r.Date, r.LoadAvgBefore, r.LoadAvgAfter, r.Database)
	fmt.Fprintf(w, "library:   %d assets, %d elements", r.Assets, r.Elements)
	if r.BuiltElements > 0 {
		fmt.Fprintf(w, " (%d built by this run in %.0f s)", r.BuiltElements, r.BuildSeconds)
	}
	fmt.Fprintf(w, "\nload:      %d raw clients (think %v), %d-char scripts, %d requests a run\n", r.Clients, o.think, r.ScriptChars, o.requests)
	for _, f := range []struct {
		name string
		l    loadFigures
	}{{"(a) one primary server", r.OnePrimary}, {"(b) two primary servers", r.TwoPrimaries}, {"(c) replica server", r.Replica}} {
		fmt.Fprintf(w, "%s: %.1f req/s in %.1f s, %d errors; check p50 %.1f p90 %.1f p99 %.1f max %.1f ms (%d, %d rejected)",
			f.name, f.l.Throughput, f.l.WallSeconds, f.l.Errors, f.l.Check.P50Ms, f.l.Check.P90Ms, f.l.Check.P99Ms, f.l.Check.MaxMs, f.l.Check.Requests, f.l.Rejected)
		if s := f.l.Search; s != nil {
			fmt.Fprintf(w, "; search p50 %.1f p90 %.1f p99 %.1f max %.1f ms (%d)", s.P50Ms, s.P90Ms, s.P99Ms, s.MaxMs, s.Requests)
		}
		fmt.Fprintf(w, "\n    per request: CPU of the servers %.1f ms, of PostgreSQL %.1f ms, of the clients %.1f ms; about %.1f statements\n",
			f.l.CPU.Servers, f.l.CPU.PostgreSQL, f.l.CPU.Clients, f.l.Statements)
		if f.l.FirstError != "" {
			fmt.Fprintf(w, "    first error: %s\n", f.l.FirstError)
		}
	}
	im := r.Import
	fmt.Fprintf(w, "import:    %d assets / %d elements on server 1 in %.0f ms during (b): %v", im.Assets, im.Elements, im.Ms, im.DuringLoad)
	if im.Error != "" {
		fmt.Fprintf(w, " — %s", im.Error)
	}
	fmt.Fprintln(w)
	for _, v := range []struct {
		name string
		v    visibility
	}{{"server 2", im.Server2}, {"replica", im.Replica}} {
		fmt.Fprintf(w, "visible:   %s: %v, by check %d (sent %.1f ms after the import's answer, answered at %.1f ms); absent before the import: %v\n",
			v.name, v.v.Found, v.v.Checks, v.v.SentMs, v.v.DelayMs, v.v.Before)
		if !v.v.Found {
			fmt.Fprintf(w, "    last answer: %s\n", v.v.Last)
		}
	}
	fmt.Fprintf(w, "replayed:  the replica replayed the import's %.1f MB of WAL (%.1f MB of it full-page images) %.1f ms after its answer\n",
		float64(im.WALBytes)/1e6, float64(im.FPIBytes)/1e6, im.ReplayMs)
	fmt.Fprintf(w, "replica write: HTTP %d %q; refused: %v\n", r.ReplicaWrite.Status, r.ReplicaWrite.Message, r.ReplicaWrite.Refused)
	for _, s := range r.Servers {
		fmt.Fprintf(w, "log:       %s: %d warnings, %d errors", s.Name, s.Warnings, s.Errors)
		if s.First != "" {
			fmt.Fprintf(w, "; first: %.300s", s.First)
		}
		fmt.Fprintln(w)
	}
}

// loadAvg returns the 1, 5 and 15 minute load averages.
func loadAvg() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "?"
	}
	f := strings.Fields(string(b))
	return strings.Join(f[:min(3, len(f))], " ")
}

// pgDatabases are the primary and replica URLs the servers use.
type pgDatabases struct {
	primary, replica string
	desc             string
	pg               *pgtest.Server // nil with -url
	rep              *pgtest.Server
}

// startPrimary starts the private primary (kept in -keep DIR) or takes
// -url, and returns the library database's URL.
func startPrimary(ctx context.Context, o options) (*pgDatabases, error) {
	if o.url != "" {
		return &pgDatabases{primary: o.url, replica: o.replicaURL, desc: "PostgreSQL at " + postgres.Redact(o.url)}, nil
	}
	bin := pgtest.FindBin()
	if bin == "" {
		return nil, errors.New("no PostgreSQL binaries (initdb, pg_ctl): install the Debian package postgresql, or pass -url")
	}
	opts := pgtest.Options{Durable: true, Conf: pgtest.BenchConf, Dir: o.keep}
	desc := "private PostgreSQL primary (durable: fsync and synchronous_commit on; " + strings.Join(pgtest.BenchConf, ", ") + ")"
	if o.pgFast {
		opts = pgtest.Options{Dir: o.keep}
		desc = "private PostgreSQL primary (test settings: fsync off, 64 MB shared buffers)"
	}
	srv, err := pgtest.StartWith(bin, opts)
	if err != nil {
		return nil, fmt.Errorf("start PostgreSQL: %w", err)
	}
	d := &pgDatabases{pg: srv, desc: desc}
	if o.keep != "" {
		d.desc += ", kept in " + srv.Dir
		d.primary, err = srv.EnsureDatabase(ctx, pgDatabase)
	} else {
		d.primary, err = srv.NewDatabase(ctx, "load")
	}
	if err != nil {
		srv.Close()
		return nil, err
	}
	return d, nil
}

// startReplica starts a streaming replica of the private primary (unless
// -url named the databases).
func (d *pgDatabases) startReplica() error {
	if d.pg == nil {
		if d.replica == "" {
			return errors.New("-url needs -replica-url: the URL of the same database on a streaming replica")
		}
		return nil
	}
	r, err := d.pg.StartReplica()
	if err != nil {
		return fmt.Errorf("start the replica: %w", err)
	}
	d.rep = r
	u, err := url.Parse(d.primary)
	if err != nil {
		return err
	}
	d.replica = r.URL(strings.TrimPrefix(u.Path, "/"))
	d.desc += "; a streaming replica (pg_basebackup -R)"
	return nil
}

func (d *pgDatabases) close() {
	if d.rep != nil {
		d.rep.Close()
	}
	if d.pg != nil {
		d.pg.Close()
	}
}

// buildElib builds the elib binary into dir (the load runs inside the elib
// module: `go run ./benchmarks/load` from its root, or its tests).
func buildElib(ctx context.Context, dir string) (string, error) {
	bin := filepath.Join(dir, "elib")
	t0 := time.Now()
	out, err := exec.CommandContext(ctx, "go", "build", "-o", bin, "elib/cmd/elib").CombinedOutput()
	if err != nil {
		return "", fmt.Errorf("go build elib/cmd/elib (run inside the elib module, or pass -elib BINARY): %v\n%s", err, out)
	}
	fmt.Fprintf(os.Stderr, "load: built %s in %.1f s\n", bin, time.Since(t0).Seconds())
	return bin, nil
}

// serveProc is one `elib serve` process of the load.
type serveProc struct {
	name string
	addr string
	cmd  *exec.Cmd
	done chan struct{}

	mu   sync.Mutex
	tail []string // its last stderr lines
	log  serverLog
}

func (p *serveProc) base() string { return "http://" + p.addr }

// logTail returns the process's last stderr lines, for error messages.
func (p *serveProc) logTail() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.name + " stderr:\n  " + strings.Join(p.tail, "\n  ")
}

var servingRe = regexp.MustCompile(`on http://([0-9.:]+) `)

// startServe runs `elib serve --library lib` on a free loopback port and
// waits until it serves.
func startServe(ctx context.Context, bin, name, lib, token string) (*serveProc, error) {
	cmd := exec.CommandContext(ctx, bin, "--library", lib, "serve", "--addr", "127.0.0.1:0")
	cmd.Env = append(os.Environ(), "ELIB_LIBRARY=", "ELIB_TOKEN="+token, "NO_COLOR=1")
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL} // never outlive the load
	pipe, err := cmd.StderrPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start %s: %w", name, err)
	}
	p := &serveProc{name: name, cmd: cmd, done: make(chan struct{}), log: serverLog{Name: name}}
	ready := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(pipe)
		for sc.Scan() {
			line := sc.Text()
			if m := servingRe.FindStringSubmatch(line); m != nil {
				select {
				case ready <- m[1]:
				default:
				}
			}
			p.mu.Lock()
			warn, bad := strings.Contains(line, "level=WARN"), strings.Contains(line, "level=ERROR")
			if warn {
				p.log.Warnings++
			}
			if bad {
				p.log.Errors++
			}
			if (warn || bad) && p.log.First == "" {
				p.log.First = line
			}
			p.tail = append(p.tail, line)
			if len(p.tail) > 20 {
				p.tail = p.tail[1:]
			}
			p.mu.Unlock()
		}
		_ = cmd.Wait()
		close(p.done)
	}()
	select {
	case p.addr = <-ready:
		return p, nil
	case <-p.done:
		return nil, fmt.Errorf("%s exited before serving: %s", name, p.logTail())
	case <-time.After(2 * time.Minute):
		p.stop()
		return nil, fmt.Errorf("%s did not serve within 2 minutes: %s", name, p.logTail())
	}
}

// stop ends the process gracefully (SIGTERM), killing it after 15 s.
func (p *serveProc) stop() {
	_ = p.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-p.done:
	case <-time.After(15 * time.Second):
		_ = p.cmd.Process.Kill()
		<-p.done
	}
}

// pgWorkload holds the requests of the PostgreSQL loads.
type pgWorkload struct {
	o        options
	checks   [][]byte // JSON bodies of POST /v1/check
	searches []string // paths of GET /v1/search
}

func newPgWorkload(o options, gen *generator) *pgWorkload {
	w := &pgWorkload{o: o}
	// Half copy most of a library asset (rejected), half original.
	for i := 0; i < max(o.scripts, 1); i++ {
		b, _ := json.Marshal(map[string]any{"text": gen.script(o.scriptChars, i%2 == 0, o.elements), "format": "txt", "id": fmt.Sprintf("load/%d.txt", i)})
		w.checks = append(w.checks, b)
	}
	// Searches for single words ranked 200–975 by frequency in the
	// sample (about 100–1,600 hits at 100k elements, like a product or
	// topic word); the commonest words hit a quarter of the library.
	for i := 0; i < 32 && 200+25*i < len(gen.words); i++ {
		w.searches = append(w.searches, "/v1/search?q="+url.QueryEscape(gen.words[200+25*i]))
	}
	return w
}

// on is the load against targets, request i going to target i mod
// len(targets); with search, every -search-every'th request is a search.
func (w *pgWorkload) on(targets []*serveProc, search bool) load {
	checks := make([][][]byte, len(targets))
	searches := make([][][]byte, len(targets))
	for t, s := range targets {
		for _, b := range w.checks {
			checks[t] = append(checks[t], rawRequest("POST", "/v1/check", s.addr, b))
		}
		for _, path := range w.searches {
			searches[t] = append(searches[t], rawRequest("GET", path, s.addr, nil))
		}
	}
	every := w.o.searchEvery
	isSearch := func(i int) bool { return search && every > 0 && i%every == every-1 }
	return load{clients: w.o.clients, requests: w.o.requests, think: w.o.think, seed: w.o.seed,
		kind: func(i int) string {
			if isSearch(i) {
				return "search"
			}
			return "check"
		},
		dial: func() (func(i int) (int, []byte, error), func()) {
			rcs := make([]*rawClient, len(targets))
			for t, s := range targets {
				rcs[t] = &rawClient{addr: s.addr}
			}
			send := func(i int) (int, []byte, error) {
				t, j := i%len(targets), i/len(targets)
				if isSearch(i) {
					return rcs[t].do(searches[t][j%len(searches[t])])
				}
				return rcs[t].do(checks[t][j%len(checks[t])])
			}
			return send, func() {
				for _, rc := range rcs {
					rc.close()
				}
			}
		}}
}

// figures summarises a run against targets.
func (w *pgWorkload) figures(out outcome, targets []*serveProc) loadFigures {
	f := loadFigures{Requests: len(out.lat), Errors: out.errors, Rejected: out.rejected, FirstError: out.firstErr,
		WallSeconds: round(out.wall.Seconds(), 2), Throughput: round(float64(len(out.lat))/out.wall.Seconds(), 1),
		Check: summarize(out.of("check"), out.wall)}
	if lat := out.of("search"); len(lat) > 0 {
		s := summarize(lat, out.wall)
		f.Search = &s
	}
	for _, t := range targets {
		f.Servers = append(f.Servers, t.name)
	}
	return f
}

// names reports whether a check of probe on s names asset id.
func names(c *http.Client, s *serveProc, probe []byte, id string) bool {
	status, body, err := post(c, s.base()+"/v1/check", probe, "")
	return err == nil && status == http.StatusOK && bytes.Contains(body, []byte(`"asset_id": "`+id+`"`))
}

// waitVisible checks probe on s until the answer names asset id (or 60 s
// pass) and records how long that took from since.
func waitVisible(v *visibility, s *serveProc, probe []byte, id string, since time.Time) {
	c := &http.Client{Timeout: 30 * time.Second}
	for {
		v.Checks++
		sent := time.Since(since)
		status, body, err := post(c, s.base()+"/v1/check", probe, "")
		if err == nil && status == http.StatusOK && bytes.Contains(body, []byte(`"asset_id": "`+id+`"`)) {
			v.Found, v.DelayMs, v.SentMs = true, ms(time.Since(since)), ms(sent)
			return
		}
		v.Last = fmt.Sprintf("HTTP %d %.200s %v", status, body, err)
		if time.Since(since) > time.Minute {
			v.DelayMs = ms(time.Since(since))
			return
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// walLSN returns the primary's current WAL insert position ("" when
// unknown): the insert position, as with synchronous_commit off a commit's
// WAL may not be written yet.
func walLSN(ctx context.Context, c *pgx.Conn) string {
	var lsn string
	_ = c.QueryRow(ctx, `SELECT pg_current_wal_insert_lsn()::text`).Scan(&lsn)
	return lsn
}

// walSince returns the WAL bytes written since lsn (-1 when unknown).
func walSince(ctx context.Context, c *pgx.Conn, lsn string) int64 {
	n := int64(-1)
	if lsn != "" {
		_ = c.QueryRow(ctx, `SELECT pg_wal_lsn_diff(pg_current_wal_insert_lsn(), $1::pg_lsn)::bigint`, lsn).Scan(&n)
	}
	return n
}

// walFPIBytes returns the bytes of full-page images in the WAL in dir
// between two positions, by pg_waldump --stats (-1 when it cannot tell).
func walFPIBytes(dir, from, to string) int64 {
	out, err := exec.Command(filepath.Join(pgtest.FindBin(), "pg_waldump"), "--stats", "-s", from, "-e", to, "-p", dir).CombinedOutput()
	if err != nil {
		return -1
	}
	for _, line := range strings.Split(string(out), "\n") {
		// Total  N  record-bytes [%]  fpi-bytes [%]  combined [%]
		if f := strings.Fields(line); len(f) >= 5 && f[0] == "Total" {
			n, err := strconv.ParseInt(f[4], 10, 64)
			if err == nil {
				return n
			}
		}
	}
	return -1
}

// replayDelay returns how long after since the replica had replayed the
// primary's WAL up to where it stands now (-1 when it could not tell).
func replayDelay(ctx context.Context, db *pgDatabases, since time.Time) float64 {
	ctx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	p, err := pgx.Connect(ctx, db.primary)
	if err != nil {
		return -1
	}
	defer p.Close(ctx)
	r, err := pgx.Connect(ctx, db.replica)
	if err != nil {
		return -1
	}
	defer r.Close(ctx)
	var lsn string
	if err := p.QueryRow(ctx, `SELECT pg_current_wal_insert_lsn()::text`).Scan(&lsn); err != nil {
		return -1
	}
	for {
		var done bool
		if err := r.QueryRow(ctx, `SELECT pg_last_wal_replay_lsn() >= $1::pg_lsn`, lsn).Scan(&done); err != nil {
			return -1
		}
		if done {
			return ms(time.Since(since))
		}
		time.Sleep(time.Millisecond)
	}
}

// refuse posts an import of asset id to the replica server and reports its
// answer; the write is refused if it failed and the asset is on neither
// the replica nor primary server afterwards.
func refuse(c *http.Client, replica, primary *serveProc, body []byte, id string) refusal {
	status, answer, err := post(c, replica.base()+"/v1/import", body, pgToken)
	r := refusal{Status: status}
	var eb struct {
		Error string `json:"error"`
	}
	switch {
	case err != nil:
		r.Message = err.Error()
	case json.Unmarshal(answer, &eb) == nil && eb.Error != "":
		r.Message = eb.Error
	default:
		r.Message = fmt.Sprintf("%.300s", answer)
	}
	absent := func(s *serveProc) bool {
		st, _, err := get(c, s.base()+"/v1/elements/"+url.PathEscape(id+"#1"))
		return err == nil && st == http.StatusNotFound
	}
	r.Refused = err == nil && status != http.StatusOK && absent(primary) && absent(replica)
	return r
}
