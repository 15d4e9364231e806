// Package pgtest starts a private PostgreSQL server for tests: Debian's
// binaries (package postgresql), initdb in a temporary directory, a unix
// socket in that directory and no TCP listener, run as the postgres user
// when the test runs as root. No mocks: the tests of the PostgreSQL library
// backend run against the real server.
//
// Without the binaries a test skips with a loud message, unless
// ELIB_REQUIRE_POSTGRES is set (CI sets it after installing postgresql),
// when it fails.
package pgtest

import (
	"context"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// RequireEnv, when set, turns a missing PostgreSQL into a test failure.
const RequireEnv = "ELIB_REQUIRE_POSTGRES"

// Server is a running private PostgreSQL server.
type Server struct {
	// Dir holds the data directory (Dir/data) and the socket.
	Dir string
	// Port is the (socket) port number.
	Port int
	bin  string
	asPG bool
	logf string
	kept bool
}

// FindBin returns the directory of Debian's PostgreSQL binaries, or "".
func FindBin() string {
	if p, err := exec.LookPath("pg_ctl"); err == nil {
		if _, err := os.Stat(filepath.Join(filepath.Dir(p), "initdb")); err == nil {
			if r, err := filepath.EvalSymlinks(p); err == nil {
				return filepath.Dir(r)
			}
			return filepath.Dir(p)
		}
	}
	dirs, _ := filepath.Glob("/usr/lib/postgresql/*/bin")
	sort.Strings(dirs)
	for i := len(dirs) - 1; i >= 0; i-- {
		if _, err := os.Stat(filepath.Join(dirs[i], "initdb")); err == nil {
			return dirs[i]
		}
	}
	return ""
}

// Skip skips (or, with RequireEnv, fails) t when PostgreSQL is missing and
// returns the binary directory otherwise.
func Skip(t testing.TB) string {
	t.Helper()
	bin := FindBin()
	if bin == "" {
		msg := "PostgreSQL tests SKIPPED: no initdb/pg_ctl found — install the Debian package `postgresql`"
		if os.Getenv(RequireEnv) != "" {
			t.Fatal(msg + " (" + RequireEnv + " is set)")
		}
		fmt.Fprintln(os.Stderr, "!!! "+msg)
		t.Skip(msg)
	}
	return bin
}

var (
	sharedMu  sync.Mutex
	shared    *Server
	sharedErr error
	dbSeq     atomic.Int64
)

// Options configure StartWith.
type Options struct {
	// Durable keeps fsync, full_page_writes and synchronous_commit on, as
	// a production server has them; tests turn them off for speed.
	Durable bool
	// Conf are extra postgresql.conf lines (e.g. "shared_buffers = 4GB"),
	// applied after the defaults.
	Conf []string
	// Dir, when set, is where the server lives instead of a temporary
	// directory, and it outlives the process: a benchmark builds a large
	// database once and reuses it. initdb (and Conf) run only when
	// Dir/data is missing; Close and the watchdog stop the server and keep
	// Dir. Under root the server runs as the postgres user, which must be
	// able to reach Dir (a directory in /tmp, not in a t.TempDir).
	Dir string
}

// BenchConf is a server configuration for benchmarks on a machine of
// 24 GiB or more (the one RESULTS names): a quarter of that memory as
// shared buffers and checkpoints far enough apart not to dominate bulk
// imports.
var BenchConf = []string{
	"shared_buffers = 6GB",
	"effective_cache_size = 16GB",
	"maintenance_work_mem = 1GB",
	"work_mem = 32MB",
	"max_wal_size = 16GB",
	"checkpoint_timeout = 30min",
	"wal_buffers = 64MB",
	// Most of a bulk import's WAL is full-page images of posting btree
	// pages; compressing them shrinks the WAL to write and checkpoint.
	"wal_compression = lz4",
}

// Start starts a new server for tests (not durable); the caller stops it.
func Start(bin string) (*Server, error) { return StartWith(bin, Options{}) }

// StartWith starts a new server configured by opts; the caller stops it.
func StartWith(bin string, opts Options) (*Server, error) {
	var dir string
	var err error
	if opts.Dir != "" {
		dir, err = filepath.Abs(opts.Dir)
		if err == nil {
			err = os.MkdirAll(dir, 0o700)
		}
	} else {
		dir, err = os.MkdirTemp("", "elib-pg-")
	}
	if err != nil {
		return nil, err
	}
	s := &Server{Dir: dir, bin: bin, Port: 20000 + os.Getpid()%20000, logf: filepath.Join(dir, "log"), kept: opts.Dir != ""}
	s.asPG = os.Geteuid() == 0
	if s.asPG {
		u, err := user.Lookup("postgres")
		if err != nil {
			return nil, fmt.Errorf("running as root and there is no postgres user: %w", err)
		}
		uid, _ := strconv.Atoi(u.Uid)
		gid, _ := strconv.Atoi(u.Gid)
		if err := os.Chown(dir, uid, gid); err != nil {
			return nil, err
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "data")); err == nil && s.kept {
		if err := s.Restart(); err != nil {
			return nil, err
		}
		s.watchdog()
		return s, nil
	}
	if out, err := s.run("initdb", "-D", filepath.Join(dir, "data"), "-U", "postgres", "-A", "trust", "-E", "UTF8", "--locale=C", "--no-sync"); err != nil {
		return nil, fmt.Errorf("initdb: %v: %s", err, out)
	}
	conf := "\nlisten_addresses = ''\nmax_connections = 100\n"
	if !opts.Durable {
		conf += "fsync = off\nsynchronous_commit = off\nfull_page_writes = off\nshared_buffers = 64MB\n"
	}
	for _, line := range opts.Conf {
		conf += line + "\n"
	}
	f, err := os.OpenFile(filepath.Join(dir, "data", "postgresql.conf"), os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		return nil, err
	}
	f.WriteString(conf)
	f.Close()
	if err := s.Restart(); err != nil {
		return nil, err
	}
	s.watchdog()
	return s, nil
}

// watchdog starts a detached shell that stops the server and removes its
// directory (unless kept) once this process is gone, so a test binary
// killed before its cleanup (a timeout, Ctrl-C) leaves no server running.
func (s *Server) watchdog() {
	stop := fmt.Sprintf("%s -D %s -m immediate -w stop", filepath.Join(s.bin, "pg_ctl"), filepath.Join(s.Dir, "data"))
	if s.asPG {
		stop = "runuser -u postgres -- " + stop
	}
	remove := "rm -rf " + s.Dir
	if s.kept {
		remove = "true"
	}
	// A kept directory may have been taken over by a later process (its
	// own server started there): then the owner file names that process,
	// and its server is left alone.
	script := fmt.Sprintf("while kill -0 %d 2>/dev/null; do sleep 2; done; if [ -d %s/data ] && [ \"$(cat %s 2>/dev/null)\" = %d ]; then %s >/dev/null 2>&1; %s; fi",
		os.Getpid(), s.Dir, s.ownerFile(), os.Getpid(), stop, remove)
	cmd := exec.Command("sh", "-c", script)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true}
	if err := cmd.Start(); err == nil {
		go cmd.Wait()
	}
}

// ownerFile names the process whose server runs in Dir.
func (s *Server) ownerFile() string { return filepath.Join(s.Dir, "owner") }

func (s *Server) run(tool string, args ...string) ([]byte, error) {
	path := filepath.Join(s.bin, tool)
	var cmd *exec.Cmd
	if s.asPG {
		cmd = exec.Command("runuser", append([]string{"-u", "postgres", "--", path}, args...)...)
	} else {
		cmd = exec.Command(path, args...)
	}
	cmd.Dir = s.Dir
	return cmd.CombinedOutput()
}

// Restart starts the server (stopping it first if it runs).
func (s *Server) Restart() error {
	s.Stop()
	// Claim the directory first: a watchdog of an earlier process that
	// used it then leaves this server alone.
	if err := os.WriteFile(s.ownerFile(), []byte(strconv.Itoa(os.Getpid())), 0o644); err != nil {
		return err
	}
	out, err := s.run("pg_ctl", "-D", filepath.Join(s.Dir, "data"), "-l", s.logf, "-w", "-t", "60",
		"-o", fmt.Sprintf("-p %d -k %s", s.Port, s.Dir), "start")
	if err != nil {
		log, _ := os.ReadFile(s.logf)
		return fmt.Errorf("pg_ctl start: %v: %s\n%s", err, out, log)
	}
	return nil
}

// StartReplica makes a streaming replica of s with pg_basebackup -R and
// starts it (hot standby: read-only queries); the caller closes it.
func (s *Server) StartReplica() (*Server, error) {
	dir, err := os.MkdirTemp("", "elib-pg-replica-")
	if err != nil {
		return nil, err
	}
	r := &Server{Dir: dir, bin: s.bin, Port: s.Port + 1, asPG: s.asPG, logf: filepath.Join(dir, "log")}
	if r.asPG {
		u, err := user.Lookup("postgres")
		if err != nil {
			return nil, err
		}
		uid, _ := strconv.Atoi(u.Uid)
		gid, _ := strconv.Atoi(u.Gid)
		if err := os.Chown(dir, uid, gid); err != nil {
			return nil, err
		}
	}
	if out, err := r.run("pg_basebackup", "-D", filepath.Join(dir, "data"), "-R", "-X", "stream", "-c", "fast",
		"-h", s.Dir, "-p", strconv.Itoa(s.Port), "-U", "postgres"); err != nil {
		return nil, fmt.Errorf("pg_basebackup: %v: %s", err, out)
	}
	if err := r.Restart(); err != nil {
		return nil, err
	}
	r.watchdog()
	return r, nil
}

// Stop stops the server (fast shutdown) if it runs.
func (s *Server) Stop() {
	_, _ = s.run("pg_ctl", "-D", filepath.Join(s.Dir, "data"), "-m", "fast", "-w", "stop")
}

// Close stops the server and removes its directory (a kept Options.Dir
// stays).
func (s *Server) Close() {
	s.Stop()
	if !s.kept {
		os.RemoveAll(s.Dir)
		return
	}
	os.Remove(s.ownerFile()) // stopped cleanly: nothing for the watchdog
}

// URL returns the connection URL of database db.
func (s *Server) URL(db string) string {
	q := url.Values{"host": {s.Dir}, "port": {strconv.Itoa(s.Port)}, "sslmode": {"disable"}}
	return "postgres://postgres@/" + db + "?" + q.Encode()
}

// NewDatabase creates an empty database and returns its URL.
func (s *Server) NewDatabase(ctx context.Context, prefix string) (string, error) {
	name := fmt.Sprintf("%s_%d_%d", strings.ToLower(prefix), time.Now().UnixNano()%1e9, dbSeq.Add(1))
	conn, err := pgx.Connect(ctx, s.URL("postgres"))
	if err != nil {
		return "", err
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, "CREATE DATABASE "+pgx.Identifier{name}.Sanitize()); err != nil {
		return "", err
	}
	return s.URL(name), nil
}

// EnsureDatabase creates database name unless it exists and returns its
// URL: a kept server (Options.Dir) keeps its databases across runs.
func (s *Server) EnsureDatabase(ctx context.Context, name string) (string, error) {
	conn, err := pgx.Connect(ctx, s.URL("postgres"))
	if err != nil {
		return "", err
	}
	defer conn.Close(ctx)
	var exists bool
	if err := conn.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)`, name).Scan(&exists); err != nil {
		return "", err
	}
	if !exists {
		if _, err := conn.Exec(ctx, "CREATE DATABASE "+pgx.Identifier{name}.Sanitize()); err != nil {
			return "", fmt.Errorf("create database %s: %w", name, err)
		}
	}
	return s.URL(name), nil
}

// Shared returns the package's shared server, started on first use; call
// StopShared from TestMain after the tests.
func Shared(t testing.TB) *Server {
	t.Helper()
	bin := Skip(t)
	sharedMu.Lock()
	defer sharedMu.Unlock()
	if shared == nil && sharedErr == nil {
		shared, sharedErr = Start(bin)
	}
	if sharedErr != nil {
		t.Fatalf("start PostgreSQL: %v", sharedErr)
	}
	return shared
}

// StopShared stops the shared server if one was started.
func StopShared() {
	sharedMu.Lock()
	defer sharedMu.Unlock()
	if shared != nil {
		shared.Close()
		shared = nil
	}
}

// Database creates a fresh database on the shared server for t and returns
// its URL.
func Database(t testing.TB) string {
	t.Helper()
	s := Shared(t)
	u, err := s.NewDatabase(context.Background(), "elib")
	if err != nil {
		t.Fatalf("create database: %v", err)
	}
	return u
}

// DowngradeToSchema1 turns the library in the database at url into what
// schema version 1 held (no packs table, no search columns), for tests of
// `elib init`'s migrations; its assets and elements stay.
// DowngradeToSchema3 turns the library in the database at url into what
// schema 3 (before the check history) held.
func DowngradeToSchema3(ctx context.Context, url string) error {
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		return err
	}
	defer conn.Close(ctx)
	_, err = conn.Exec(ctx, `DROP TABLE IF EXISTS elib_outcomes; DROP SEQUENCE IF EXISTS elib_outcome_seq; DROP TABLE IF EXISTS elib_footage; DROP TABLE elib_history; ALTER TABLE elib_assets DROP COLUMN IF EXISTS published; UPDATE elib_meta SET value = '3' WHERE key = 'schema_version'`)
	return err
}

func DowngradeToSchema1(ctx context.Context, url string) error {
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		return err
	}
	defer conn.Close(ctx)
	_, err = conn.Exec(ctx, `DROP TABLE IF EXISTS elib_outcomes; DROP SEQUENCE IF EXISTS elib_outcome_seq; DROP TABLE IF EXISTS elib_footage; DROP TABLE IF EXISTS elib_history; DROP TABLE elib_packs; DROP INDEX elib_elements_filter;
		ALTER TABLE elib_elements DROP COLUMN text_terms, DROP COLUMN title_terms, DROP COLUMN filter_terms,
			DROP COLUMN facet_terms, DROP COLUMN bpm, DROP COLUMN plays, DROP COLUMN published;
		ALTER TABLE elib_assets DROP COLUMN IF EXISTS published;
		UPDATE elib_elements SET lexemes = '{}';
		UPDATE elib_meta SET value = '1' WHERE key = 'schema_version'`)
	return err
}
