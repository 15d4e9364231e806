package library

import (
	"context"
	"net/url"
	"path/filepath"
	"strings"

	"elib/index"
	"elib/library/kit"
	"elib/library/postgres"
)

// The registry's wiring: the one place that knows the backends. Nothing
// else in the module but cmd/elib imports the file backend (package index)
// or package library/postgres to open a library.
func init() {
	Register(fileScheme)
	Register(memoryScheme)
	Register(postgresScheme)
}

// fileScheme is a directory on this machine (package index).
var fileScheme = Scheme{
	Name: "file",
	Open: func(ctx context.Context, dir string, opts Options) (kit.Library, error) {
		fo := opts.File
		fo.Dir, fo.ReadOnly, fo.Engine, fo.Workers, fo.Progress = dir, opts.ReadOnly, opts.Engine, opts.Workers, opts.Progress
		lib, err := index.OpenContext(ctx, fo)
		if err != nil {
			return nil, err
		}
		return lib, nil
	},
	Init:   func(_ context.Context, dir string, _ InitOptions) (bool, error) { return false, index.Init(dir) },
	Exists: func(_ context.Context, dir string) bool { return index.Exists(dir) },
	Describe: func(dir string) string {
		if abs, err := filepath.Abs(dir); err == nil {
			return abs
		}
		return dir
	},
	ShortName: func(dir string) string { return filepath.Base(filepath.Clean(dir)) },
	HasFolder: true,
	// One segment per batch.
	DefaultBatchElements: 2000,
	ReadSettings:         readFileSettings,
	WriteSettings:        writeFileSettings,
}

// MemoryLocation is the location of a new, empty library in memory (the
// file library's code over an in-memory file system), gone when closed.
const MemoryLocation = "memory:"

// memoryScheme is a library in this process's memory (package index over
// an in-memory file system): each Open makes a new, empty one.
var memoryScheme = Scheme{
	Name:     "memory",
	Prefixes: []string{MemoryLocation},
	Open: func(ctx context.Context, _ string, opts Options) (kit.Library, error) {
		lib, err := index.Memory(ctx, opts.Engine, nil)
		if err != nil {
			return nil, err
		}
		return lib, nil
	},
	Init:                 func(context.Context, string, InitOptions) (bool, error) { return false, nil },
	Exists:               func(context.Context, string) bool { return true },
	Describe:             func(string) string { return "in-memory library" },
	ShortName:            func(string) string { return "memory" },
	DefaultBatchElements: 2000,
}

// postgresScheme is a PostgreSQL database (package library/postgres).
var postgresScheme = Scheme{
	Name:     "postgres",
	Prefixes: []string{"postgres://", "postgresql://"},
	Open: func(ctx context.Context, url string, opts Options) (kit.Library, error) {
		lib, err := postgres.Open(ctx, postgres.Options{URL: url, ReadOnly: opts.ReadOnly, Engine: opts.Engine,
			Workers: opts.Workers, Progress: opts.Progress})
		if err != nil {
			return nil, err
		}
		return lib, nil
	},
	Init: func(ctx context.Context, url string, opts InitOptions) (bool, error) {
		from, err := postgres.InitWith(ctx, url, postgres.InitOptions{Progress: opts.Progress})
		return err == nil && from > 0, err
	},
	// Opening says clearly whether the database is unreachable or has no
	// elib schema yet.
	Exists:    func(context.Context, string) bool { return true },
	Describe:  postgres.Redact,
	ShortName: databaseName,
	// Posting btrees take a bigger transaction's sorted postings faster
	// (benchmarks/RESULTS.md: 1M, 2,000 vs 20,000).
	DefaultBatchElements: 20000,
	ReadSettings:         readPostgresSettings,
	WriteSettings:        writePostgresSettings,
}

// databaseName is the database name of a postgres:// URL.
func databaseName(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || strings.Trim(u.Path, "/") == "" {
		return "postgres"
	}
	return strings.Trim(u.Path, "/")
}
