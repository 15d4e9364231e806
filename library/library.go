// Package library is the one interface of an elib library, whatever stores
// it, and the place that opens one by location: a directory (the file
// library of package index, the default), or a postgres:// URL (package
// library/postgres). check, server and cmd/elib work against Library; a
// new backend implements it and the conformance tests in this package.
package library

import (
	"context"
	"errors"
	"strings"

	"elib/check"
	"elib/element"
	"elib/fingerprint"
	"elib/fingerprint/footage"
	"elib/index"
	"elib/index/fulltext"
	"elib/library/postgres"
)

// Library is an elib library. *index.Library (file and memory) and
// *postgres.Library implement it; every method is safe for concurrent use.
type Library interface {
	// Source is the read side the check uses.
	check.Source
	ElementByID(id string) (*index.StoredElement, error)
	// AssetIDs returns the ids of all live assets, sorted.
	AssetIDs() []string
	ElementCount() int
	Search(ctx context.Context, q fulltext.Query) (*fulltext.Result, error)
	Stats() (index.Stats, error)
	// FootageLookup finds the live video assets whose footage a probed
	// fingerprint shows (stored per video asset, see element.Asset.Footage).
	FootageLookup(q *footage.Fingerprint, opts footage.LookupOptions) footage.Result
	// FootageVideos is the number of live video assets with footage.
	FootageVideos() int

	Import(ctx context.Context, assets []element.Asset) (index.ImportResult, error)
	// PrepareImport and ImportPrepared are Import in two steps: the first
	// fingerprints without touching the library, so a Batcher prepares
	// the next batch while the previous one is stored.
	PrepareImport(ctx context.Context, assets []element.Asset) (index.PreparedImport, error)
	ImportPrepared(ctx context.Context, p index.PreparedImport) (index.ImportResult, error)
	Remove(ctx context.Context, assetOrElementIDs ...string) (int, error)
	Reindex(ctx context.Context, opts index.ReindexOptions) error
	AllowlistAdd(phrases ...string) error
	AllowlistRemove(phrases ...string) error

	// Generation changes with every committed change.
	Generation() uint64
	// Refresh catches up with changes other processes committed and
	// reports whether anything changed.
	Refresh() (bool, error)
	// Damage lists what could not be read (file library salvage).
	Damage() []string
	Close() error
}

var (
	_ Library   = (*index.Library)(nil)
	_ Library   = (*postgres.Library)(nil)
	_ PackStore = (*index.Library)(nil)
	_ PackStore = (*postgres.Library)(nil)
)

// Options configure Open. The file-only fields are ignored by PostgreSQL.
type Options struct {
	// ReadOnly refuses writes.
	ReadOnly bool
	// Engine fingerprints imported material; nil for commands that do not.
	Engine *fingerprint.Engine
	// Workers is the number of fingerprinting goroutines.
	Workers int
	// Progress is called as elements are fingerprinted.
	Progress func(done, total int)
	// File holds the options only the file library has (Salvage,
	// SkipVerify, NoFulltext…); its Dir, ReadOnly, Engine, Workers and
	// Progress are set from the fields above.
	File index.Options
}

// IsPostgres reports whether location names a PostgreSQL library.
func IsPostgres(location string) bool {
	return strings.HasPrefix(location, "postgres://") || strings.HasPrefix(location, "postgresql://")
}

// ErrNoLibrary is returned by Open when location holds no library.
var ErrNoLibrary = index.ErrNoLibrary

// Init creates an empty library at location (for PostgreSQL: the schema,
// by migrations, in an existing database).
func Init(ctx context.Context, location string) error {
	_, err := InitWith(ctx, location, InitOptions{})
	return err
}

// InitOptions tune InitWith.
type InitOptions struct {
	// Progress, when set, follows a PostgreSQL migration filling in what
	// SQL cannot compute for the elements already stored: what it
	// computes, elements done, total.
	Progress func(step string, done, total int)
}

// InitWith is Init; upgraded reports that it migrated an existing
// PostgreSQL library to this binary's schema instead of creating one.
func InitWith(ctx context.Context, location string, opts InitOptions) (upgraded bool, err error) {
	if IsPostgres(location) {
		from, err := postgres.InitWith(ctx, location, postgres.InitOptions{Progress: opts.Progress})
		return err == nil && from > 0, err
	}
	return false, index.Init(location)
}

// Exists reports whether location holds a library (for PostgreSQL: whether
// the database can be reached and has the schema).
func Exists(ctx context.Context, location string) bool {
	if IsPostgres(location) {
		ok, _ := postgres.Exists(ctx, location)
		return ok
	}
	return index.Exists(location)
}

// Open opens the library at location.
func Open(ctx context.Context, location string, opts Options) (Library, error) {
	if IsPostgres(location) {
		lib, err := postgres.Open(ctx, postgres.Options{URL: location, ReadOnly: opts.ReadOnly, Engine: opts.Engine,
			Workers: opts.Workers, Progress: opts.Progress})
		if err != nil {
			return nil, err
		}
		return lib, nil
	}
	fo := opts.File
	fo.Dir, fo.ReadOnly, fo.Engine, fo.Workers, fo.Progress = location, opts.ReadOnly, opts.Engine, opts.Workers, opts.Progress
	lib, err := index.Open(fo)
	if err != nil {
		return nil, err
	}
	return lib, nil
}

// Describe names location for messages without its password.
func Describe(location string) string {
	if !IsPostgres(location) {
		return location
	}
	return postgres.Redact(location)
}

// IsNotFound reports whether err means an unknown asset or element.
func IsNotFound(err error) bool { return errors.Is(err, index.ErrNotFound) }

// ReadFailures returns how many reads of lib failed so far and the last
// error, for backends whose check-facing reads can fail (PostgreSQL): the
// check's Source methods cannot return errors, so a caller compares the
// count before and after checking and fails instead of passing material
// on a lost connection. Other backends report 0.
func ReadFailures(lib any) (uint64, error) {
	if f, ok := lib.(interface{ Failures() (uint64, error) }); ok {
		return f.Failures()
	}
	return 0, nil
}
