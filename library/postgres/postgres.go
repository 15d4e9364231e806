package postgres

import (
	"context"
	"elib/internal/i18n/msg"
	"encoding/json"
	"errors"
	"net/url"
	"strconv"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"elib/fingerprint"
	"elib/fingerprint/lsh"
	"elib/library/kit"
)

// Options configure Open.
type Options struct {
	// URL is the postgres:// connection URL.
	URL string
	// ReadOnly refuses writes (kit.ErrReadOnly).
	ReadOnly bool
	// Engine fingerprints imported material; nil for read-only commands.
	Engine *fingerprint.Engine
	// Workers is the number of fingerprinting goroutines (default 1).
	Workers int
	// Progress is called as elements are fingerprinted.
	Progress func(done, total int)
	// Timeout bounds every statement of a read (default 10 s).
	Timeout time.Duration
	// Now is the clock stamping import times (tests); default time.Now.
	Now func() time.Time
}

// ErrNewerSchema is returned by Open and Init when the database was
// migrated by a newer elib.
var ErrNewerSchema = msg.New("database schema is newer than this elib")

// Library is a library in PostgreSQL. It is safe for concurrent use.
type Library struct {
	opts Options
	pool *pgxpool.Pool
	desc string

	// params are the LSH parameters of the stored fingerprints.
	mu     sync.RWMutex
	params lsh.Params
	fp     string // elib_meta fingerprint: JSON of the engine's options
	gen    uint64 // generation seen by the last Refresh
	// damage lists the inputs the last Reindex with From could not read.
	damage []string

	elems *elementCache

	// foot is the in-memory footage index (footage.go).
	foot footageState

	anMu sync.Mutex
	an   analyzer
}

// Redact returns the URL without its password, for messages.
func Redact(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return "postgres://…"
	}
	if u.User != nil {
		if _, ok := u.User.Password(); ok {
			u.User = url.UserPassword(u.User.Username(), "xxxxx")
		}
	}
	return u.String()
}

func connect(ctx context.Context, raw string) (*pgxpool.Pool, error) {
	cfg, err := pgxpool.ParseConfig(raw)
	if err != nil {
		return nil, msg.Errorf("library %s: %w", Redact(raw), err)
	}
	cfg.MaxConns = max(cfg.MaxConns, 8)
	// Find connections a database restart broke while they sat idle.
	cfg.HealthCheckPeriod = time.Second
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, msg.Errorf("library %s: %w", Redact(raw), err)
	}
	return pool, nil
}

// schemaVersion reads the database's schema version (0: no elib schema).
func schemaVersion(ctx context.Context, q interface {
	QueryRow(context.Context, string, ...any) pgx.Row
}) (int, error) {
	var exists bool
	if err := q.QueryRow(ctx, `SELECT to_regclass('elib_meta') IS NOT NULL`).Scan(&exists); err != nil {
		return 0, err
	}
	if !exists {
		return 0, nil
	}
	var v string
	err := q.QueryRow(ctx, `SELECT value FROM elib_meta WHERE key = 'schema_version'`).Scan(&v)
	if errors.Is(err, pgx.ErrNoRows) {
		return 0, nil
	}
	if err != nil {
		return 0, err
	}
	return strconv.Atoi(v)
}

// Init runs the migrations the database at raw lacks, in one transaction.
// It fails with kit.ErrExists when the schema is already current, and
// with ErrNewerSchema when a newer elib migrated it.
func Init(ctx context.Context, raw string) error {
	_, err := InitWith(ctx, raw, InitOptions{})
	return err
}

// InitOptions tune InitWith.
type InitOptions struct {
	// Progress, when set, is called as a migration fills in what SQL
	// cannot compute for the elements already stored: what it computes,
	// elements done, total.
	Progress func(step string, done, total int)
}

// InitWith is Init; it reports the schema version it found (0: none, a new
// library).
func InitWith(ctx context.Context, raw string, opts InitOptions) (from int, err error) {
	pool, err := connect(ctx, raw)
	if err != nil {
		return 0, err
	}
	defer pool.Close()
	desc := Redact(raw)
	tx, err := pool.Begin(ctx)
	if err != nil {
		return 0, wrap(desc, "init", err)
	}
	defer tx.Rollback(ctx)
	if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock($1)`, writerLock); err != nil {
		return 0, wrap(desc, "init", err)
	}
	v, err := schemaVersion(ctx, tx)
	if err != nil {
		return 0, wrap(desc, "init", err)
	}
	switch {
	case v > SchemaVersion:
		return v, msg.Errorf("init library %s: %w (schema %d, this elib knows %d): upgrade elib", desc, ErrNewerSchema, v, SchemaVersion)
	case v == SchemaVersion:
		return v, msg.Errorf("init library %s: %w", desc, kit.ErrExists)
	}
	for i := v; i < SchemaVersion; i++ {
		if _, err := tx.Exec(ctx, migrations[i]); err != nil {
			return v, msg.Errorf("init library %s: migration %d: %w", desc, i+1, err)
		}
	}
	if err := runFills(ctx, tx, v, opts.Progress); err != nil {
		return v, msg.Errorf("init library %s: %w", desc, err)
	}
	if _, err := tx.Exec(ctx, `INSERT INTO elib_meta (key, value) VALUES ('schema_version', $1)
		ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value`, strconv.Itoa(SchemaVersion)); err != nil {
		return v, wrap(desc, "init", err)
	}
	if err := tx.Commit(ctx); err != nil {
		return v, wrap(desc, "init", err)
	}
	return v, nil
}

// writerLock is the advisory lock key writers serialise on.
const writerLock = 0x656c6962 // "elib"

// Open connects to the library at opts.URL.
func Open(ctx context.Context, opts Options) (*Library, error) {
	if opts.Workers <= 0 {
		opts.Workers = 1
	}
	if opts.Timeout <= 0 {
		opts.Timeout = 10 * time.Second
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	pool, err := connect(ctx, opts.URL)
	if err != nil {
		return nil, err
	}
	l := &Library{opts: opts, pool: pool, desc: Redact(opts.URL), elems: newElementCache(1 << 16)}
	v, err := schemaVersion(ctx, pool)
	if err != nil {
		pool.Close()
		return nil, wrap(l.desc, "open", err)
	}
	switch {
	case v == 0:
		pool.Close()
		return nil, msg.Errorf("open library %s: %w (run elib init)", l.desc, kit.ErrNoLibrary)
	case v > SchemaVersion:
		pool.Close()
		return nil, msg.Errorf("open library %s: %w (schema %d, this elib knows %d): upgrade elib", l.desc, ErrNewerSchema, v, SchemaVersion)
	case v < SchemaVersion:
		pool.Close()
		return nil, msg.Errorf("open library %s: schema %d is older than this elib's %d: run elib init to migrate it", l.desc, v, SchemaVersion)
	}
	if err := l.loadMeta(ctx); err != nil {
		pool.Close()
		return nil, err
	}
	return l, nil
}

// fingerprintMeta is what elib_meta records of the stored fingerprints.
type fingerprintMeta struct {
	Lanes       int    `json:"lanes"`
	ShingleSize int    `json:"shingle_size"`
	Seed        uint64 `json:"seed"`
	Bands       int    `json:"bands"`
	Rows        int    `json:"rows"`
}

func fingerprintOf(e *fingerprint.Engine) string {
	o, b := e.Options(), e.Bands()
	out, _ := json.Marshal(fingerprintMeta{Lanes: o.Lanes, ShingleSize: o.ShingleSize, Seed: uint64(o.Seed), Bands: b.Bands, Rows: b.Rows})
	return string(out)
}

func (l *Library) loadMeta(ctx context.Context) error {
	rows, err := l.pool.Query(ctx, `SELECT key, value FROM elib_meta`)
	if err != nil {
		return wrap(l.desc, "open", err)
	}
	meta, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) ([2]string, error) {
		var kv [2]string
		err := r.Scan(&kv[0], &kv[1])
		return kv, err
	})
	if err != nil {
		return wrap(l.desc, "open", err)
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	l.params = lsh.DefaultParams()
	for _, kv := range meta {
		switch kv[0] {
		case "fingerprint":
			l.fp = kv[1]
			var fm fingerprintMeta
			if kv[1] != "" && json.Unmarshal([]byte(kv[1]), &fm) == nil {
				l.params = lsh.Params{Bands: fm.Bands, Rows: fm.Rows}
			}
		case "generation":
			l.gen, _ = strconv.ParseUint(kv[1], 10, 64)
		}
	}
	if l.fp == "" && l.opts.Engine != nil {
		l.params = l.opts.Engine.Bands()
	}
	return nil
}

// wrap turns a database error into one that names the library and says
// what failed; connection errors say the database is unreachable.
func wrap(desc, op string, err error) error {
	if err == nil {
		return nil
	}
	var pgErr *pgconn.PgError
	switch {
	case errors.As(err, &pgErr) && pgErr.Code == "25006":
		return msg.Errorf("%s library %s: %w: the database is a read-only replica (%s)", op, desc, kit.ErrReadOnly, pgErr.Message)
	case errors.As(err, &pgErr) && (pgErr.Code == "57P01" || pgErr.Code == "57P02" || pgErr.Code == "57P03"):
		return msg.Errorf("%s library %s: database unavailable (restarting or shutting down): %w", op, desc, err)
	case pgconn.SafeToRetry(err) || pgconn.Timeout(err) || isConnErr(err):
		return msg.Errorf("%s library %s: database unreachable: %w", op, desc, err)
	}
	return msg.Errorf("%s library %s: %w", op, desc, err)
}

func isConnErr(err error) bool {
	var ce *pgconn.ConnectError
	return errors.As(err, &ce)
}

// Close releases the connections.
func (l *Library) Close() error {
	l.pool.Close()
	return nil
}

// Dir returns the library's location, password redacted.
func (l *Library) Dir() string { return l.desc }

// Damage lists the files the last Reindex with From could not read; the
// database itself keeps itself consistent.
func (l *Library) Damage() []string {
	l.mu.RLock()
	defer l.mu.RUnlock()
	return append([]string(nil), l.damage...)
}

// readCtx bounds one read.
func (l *Library) readCtx() (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.Background(), l.opts.Timeout)
}

// Generation returns the generation of the last committed change.
func (l *Library) Generation() (uint64, error) {
	ctx, cancel := l.readCtx()
	defer cancel()
	var v string
	if err := l.pool.QueryRow(ctx, `SELECT value FROM elib_meta WHERE key = 'generation'`).Scan(&v); err != nil {
		return 0, wrap(l.desc, "read generation", err)
	}
	g, _ := strconv.ParseUint(v, 10, 64)
	return g, nil
}

// Refresh reports whether the generation changed since the last call;
// reads always see the committed state, so there is nothing to reload but
// the fingerprint parameters.
func (l *Library) Refresh() (bool, error) {
	ctx, cancel := l.readCtx()
	defer cancel()
	l.mu.RLock()
	old := l.gen
	l.mu.RUnlock()
	if err := l.loadMeta(ctx); err != nil {
		return false, err
	}
	l.mu.RLock()
	changed := l.gen != old
	l.mu.RUnlock()
	if changed {
		l.resyncFootage(ctx)
	}
	return changed, nil
}

// Compatible reports whether engine signs like the library's stored
// fingerprints (kit.ErrIncompatible otherwise).
func (l *Library) Compatible(engine *fingerprint.Engine) error {
	l.mu.RLock()
	defer l.mu.RUnlock()
	if engine == nil || l.fp == "" || fingerprintOf(engine) == l.fp {
		return nil
	}
	return kit.ErrIncompatible
}
